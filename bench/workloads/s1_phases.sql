-- S1 multi-model phases (bench only): each symbol's steps alternate between three catalog models,
-- qwen3_8b -> qwen3_32b -> qwen2_vl (a chart) -> qwen3_8b -> qwen3_32b -> qwen3_8b, so every input
-- needs all three models in turn. Isolates model placement and switching: an engine either keeps a
-- replica of each model resident or swaps, and one that batches a phase across inputs swaps least.
-- Calls per symbol: sql 2, llm 5 (qwen3_8b 3, qwen3_32b 2), vlm 1 (qwen2_vl).
CREATE OR REPLACE WORKFLOW s1_phases(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  latest := SQL (
    SELECT day, title, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC LIMIT 1
  ),
  draft := LLM qwen3_8b SYSTEM fundamentals_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (revenue and net income in USD millions):\n{{fundamentals}}\nWrite your fundamentals report.'
    WITH (temperature 0, max_tokens 200),
  review := LLM qwen3_32b SYSTEM critic
    PROMPT 'Source data for {{symbol}}:\n{{fundamentals}}\nDraft fundamentals report:\n{{draft}}\nReview the draft.'
    WITH (temperature 0, max_tokens 160),
  chart_check := VLM qwen2_vl FOR EACH ROW OF latest IMAGE chart_key
    PROMPT 'This 20-session price chart ends on {{day}} ({{title}}). A reviewer wrote about {{symbol}}:\n{{review}}\nDoes the price action support or contradict the review? Answer in at most three sentences.'
    WITH (temperature 0, max_tokens 96),
  revision := LLM qwen3_8b SYSTEM editor
    PROMPT 'Draft:\n{{draft}}\nCritique:\n{{review}}\nChart check:\n{{chart_check}}\nWrite the revised fundamentals report.'
    WITH (temperature 0, max_tokens 200),
  verdict := LLM qwen3_32b SYSTEM fund_manager
    PROMPT 'Ticker: {{symbol}}\nFundamentals report:\n{{revision}}\nChart check:\n{{chart_check}}\nGive your position (buy, sell or hold) and one sentence of reasons.'
    WITH (temperature 0, max_tokens 96),
  note := LLM qwen3_8b SYSTEM summarizer
    PROMPT 'Ticker: {{symbol}}\nReport:\n{{revision}}\nPosition:\n{{verdict}}\nWrite the two-sentence client note.'
    WITH (temperature 0, max_tokens 96)
) RETURN note;
