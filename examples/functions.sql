-- Model functions inside ordinary DuckDB queries over the demo lakehouse (npm run demo:data).
-- npx agentlake explain examples/functions.sql   explains the last query; edit it to try the others.
CREATE OR REPLACE PROMPT terse AS 'You are a terse financial news editor. Answer in one sentence.';

-- one call per row, LIMIT applied before the calls (no model output decides which rows survive it)
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, system => terse, max_tokens => 64) AS summary
FROM news WHERE day >= DATE '2025-03-01' ORDER BY symbol LIMIT 20;

-- one call per group
SELECT symbol, llm_agg('qwen3_8b', title, prompt => 'Write a digest of these headlines' ORDER BY day) AS digest
FROM news GROUP BY symbol;

-- a model filter: every row that passes the other conditions is asked
SELECT * FROM news WHERE symbol < 'B' AND llm_filter('qwen3_8b', 'Is this about earnings? {{title}}');

-- typed structured output per row
SELECT * FROM llm_map((SELECT id, title FROM news WHERE symbol < 'B'), model => 'qwen3_8b',
                      prompt => 'Classify this headline: {{title}}', returns => 'label VARCHAR, confidence DOUBLE');

-- one VLM call per chart image in the lakehouse
SELECT id, vlm('llava', image => chart_key, prompt => 'Describe this chart') AS caption FROM news WHERE symbol < 'B';
