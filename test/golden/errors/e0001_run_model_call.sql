-- mode: run
-- Running (not explaining) a statement that calls a model.
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title) AS summary
FROM news
LIMIT 3;
