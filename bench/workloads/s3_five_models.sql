-- S3 more models than GPUs (bench only): five models behind one workflow on four GPUs: qwen3_8b,
-- qwen3_32b, llava and qwen2_vl from the catalog and bench_mistral_7b (created here, served by the
-- simulator like any sim:// model). The four analyses are independent and a qwen3_8b step joins
-- them, so an engine must co-locate models, swap them, or run the branches one model at a time.
-- Calls per symbol: sql 3, llm 3 (qwen3_8b 1, qwen3_32b 1, bench_mistral_7b 1), vlm 2 (llava 1,
-- qwen2_vl 1).
CREATE OR REPLACE MODEL bench_mistral_7b (KIND llm, ENDPOINT 'sim://', NAME 'mistralai/Mistral-7B-Instruct-v0.3', PARAMS_B 7);

CREATE OR REPLACE WORKFLOW s3_five_models(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  insider := SQL (
    SELECT trade_date, insider, role, side, shares, price
    FROM insider_trades WHERE symbol = :symbol ORDER BY trade_date
  ),
  charts := SQL (
    SELECT day, title, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC LIMIT 1
  ),
  fundamentals_view := LLM qwen3_32b SYSTEM fundamentals_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (revenue and net income in USD millions):\n{{fundamentals}}\nWrite your fundamentals report.'
    WITH (temperature 0, max_tokens 200),
  insider_view := LLM bench_mistral_7b SYSTEM sentiment_analyst
    PROMPT 'Ticker: {{symbol}}\nInsider transactions:\n{{insider}}\nWrite your insider sentiment report.'
    WITH (temperature 0, max_tokens 160),
  chart_trend := VLM llava FOR EACH ROW OF charts IMAGE chart_key
    PROMPT 'This is a 20-session price chart (line: close, bars: volume) ending on {{day}}.\nIn at most three sentences, describe the trend and the size of the move.'
    WITH (temperature 0, max_tokens 96),
  chart_volume := VLM qwen2_vl FOR EACH ROW OF charts IMAGE chart_key
    PROMPT 'This is a 20-session price chart (line: close, bars: volume) ending on {{day}}, the day of the headline: {{title}}\nIn at most two sentences, describe any volume spike and what it coincides with.'
    WITH (temperature 0, max_tokens 96),
  summary := LLM qwen3_8b SYSTEM summarizer
    PROMPT 'Ticker: {{symbol}}\nFundamentals:\n{{fundamentals_view}}\nInsider activity:\n{{insider_view}}\nPrice trend:\n{{chart_trend}}\nVolume:\n{{chart_volume}}\nWrite the snapshot summary for the daily bulletin.'
    WITH (temperature 0, max_tokens 200)
) RETURN summary;
