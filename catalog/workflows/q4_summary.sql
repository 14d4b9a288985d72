-- Q4-Summary (paper §2.1): ETL-style ingestion of market snapshot images for one stock symbol.
-- Fetch the symbol's chart images from object storage (a glob), describe each with a VLM, run
-- three parallel draft -> critique -> revise branches (reflection template), then summarize.
-- Calls per symbol: fetch 6 (one glob matching 6 objects), vlm 6, llm 10 (3 branches x 3 +
-- summarizer).
CREATE OR REPLACE WORKFLOW q4_summary(symbol VARCHAR) AS (
  -- One row per matching object; the VLM reads each by its key column.
  images := FETCH 'charts/{{symbol}}/*.png',
  chart_notes := VLM llava FOR EACH ROW OF images IMAGE key
    PROMPT 'Market snapshot {{key}}: a 20-session price chart (line: close, bars: volume).\nReport the direction from start to end, the approximate size of the move, the largest swing and whether volume spikes, in at most four factual sentences.'
    WITH (temperature 0, max_tokens 128),

  -- Branch 1: trend section.
  trend_draft := LLM qwen3_8b SYSTEM vendor_writer
    PROMPT 'Ticker: {{symbol}}\nObservations of the six market snapshots:\n{{chart_notes}}\nDraft the trend section (about 120 words): the direction and strength of the price trend across the snapshots.'
    WITH (temperature 0, max_tokens 200),
  trend_critique := LLM qwen3_8b SYSTEM critic
    PROMPT 'Source observations:\n{{chart_notes}}\nDraft trend section for {{symbol}}:\n{{trend_draft}}\nReview the draft.'
    WITH (temperature 0, max_tokens 200),
  trend_final := LLM qwen3_8b SYSTEM editor
    PROMPT 'Draft:\n{{trend_draft}}\nCritique:\n{{trend_critique}}\nWrite the revised trend section.'
    WITH (temperature 0, max_tokens 200),

  -- Branch 2: volatility and volume section.
  risk_draft := LLM qwen3_8b SYSTEM vendor_writer
    PROMPT 'Ticker: {{symbol}}\nObservations of the six market snapshots:\n{{chart_notes}}\nDraft the volatility section (about 120 words): swings, reversals and volume spikes, and what they say about risk.'
    WITH (temperature 0, max_tokens 200),
  risk_critique := LLM qwen3_8b SYSTEM critic
    PROMPT 'Source observations:\n{{chart_notes}}\nDraft volatility section for {{symbol}}:\n{{risk_draft}}\nReview the draft.'
    WITH (temperature 0, max_tokens 200),
  risk_final := LLM qwen3_8b SYSTEM editor
    PROMPT 'Draft:\n{{risk_draft}}\nCritique:\n{{risk_critique}}\nWrite the revised volatility section.'
    WITH (temperature 0, max_tokens 200),

  -- Branch 3: plain-language client note.
  client_draft := LLM qwen3_8b SYSTEM vendor_writer
    PROMPT 'Ticker: {{symbol}}\nObservations of the six market snapshots:\n{{chart_notes}}\nDraft a plain-language client note (about 80 words) for readers without a finance background.'
    WITH (temperature 0, max_tokens 160),
  client_critique := LLM qwen3_8b SYSTEM critic
    PROMPT 'Source observations:\n{{chart_notes}}\nDraft client note for {{symbol}}:\n{{client_draft}}\nReview the draft.'
    WITH (temperature 0, max_tokens 200),
  client_final := LLM qwen3_8b SYSTEM editor
    PROMPT 'Draft:\n{{client_draft}}\nCritique:\n{{client_critique}}\nWrite the revised client note.'
    WITH (temperature 0, max_tokens 160),

  summary := LLM qwen3_8b SYSTEM summarizer
    PROMPT 'Ticker: {{symbol}}\nTrend section:\n{{trend_final}}\nVolatility section:\n{{risk_final}}\nClient note:\n{{client_final}}\nWrite the snapshot summary for the daily bulletin.'
    WITH (temperature 0, max_tokens 300)
) RETURN summary;

SELECT s.symbol, t.* FROM symbols s, q4_summary(s.symbol) t;
