-- Watchlist triage (an example workflow; no test runs it): for each symbol, read the latest chart
-- twice with a VLM (trend and risk questions on the same image), summarize insiders and the last
-- quarter's numbers, let three desk analysts argue for two rounds, and have a senior model decide
-- whether the symbol goes on the watchlist.
CREATE OR REPLACE WORKFLOW watchlist(symbol VARCHAR) AS (
  latest := SQL (SELECT day, title, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC LIMIT 2),
  numbers := SQL (SELECT fiscal_year, revenue, net_income, eps FROM financials WHERE symbol = :symbol ORDER BY fiscal_year DESC LIMIT 2),
  insiders := SQL (SELECT side, count(*) AS trades, sum(shares) AS shares FROM insider_trades WHERE symbol = :symbol GROUP BY side ORDER BY side),
  trend := VLM qwen2_vl FOR EACH ROW OF latest IMAGE chart_key
    PROMPT 'Chart ending {{day}} ({{title}}). Describe the trend in two sentences.'
    WITH (temperature 0, max_tokens 96),
  risk := VLM qwen2_vl FOR EACH ROW OF latest IMAGE chart_key
    PROMPT 'Chart ending {{day}} ({{title}}). Name the largest downside risk visible in the chart.'
    WITH (temperature 0, max_tokens 96),
  insider_view := LLM qwen3_8b PROMPT 'Insider activity for {{symbol}}:\n{{insiders}}\nIs management buying or selling? One paragraph.' WITH (temperature 0, max_tokens 160),
  numbers_view := LLM qwen3_8b PROMPT 'Last two fiscal years for {{symbol}}:\n{{numbers}}\nSummarize growth and profitability in one paragraph.' WITH (temperature 0, max_tokens 160),
  momentum := LLM qwen3_8b SYSTEM 'You are a momentum trader. Be concise.'
    PROMPT 'Symbol {{symbol}}.\nChart trend:\n{{trend}}\nChart risks:\n{{risk}}\nArgue for or against watching it.' WITH (temperature 0, max_tokens 160),
  value := LLM qwen3_8b SYSTEM 'You are a value investor. Be concise.'
    PROMPT 'Symbol {{symbol}}.\nNumbers:\n{{numbers_view}}\nInsiders:\n{{insider_view}}\nArgue for or against watching it.' WITH (temperature 0, max_tokens 160),
  skeptic := LLM qwen3_8b SYSTEM 'You are a skeptical risk officer. Be concise.'
    PROMPT 'Symbol {{symbol}}.\nChart risks:\n{{risk}}\nInsiders:\n{{insider_view}}\nArgue against watching it unless the case is strong.' WITH (temperature 0, max_tokens 160),
  desk := DEBATE (momentum, value, skeptic) ROUNDS 2,
  verdict := LLM qwen3_32b PROMPT 'Symbol {{symbol}}.\nDesk discussion:\n{{desk}}\nDecide whether it goes on the watchlist.'
    RETURNS (watch BOOLEAN, reason VARCHAR)
    WITH (temperature 0, max_tokens 200)
) RETURN verdict;

SELECT s.symbol, t.watch, t.reason FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 160) s, watchlist(s.symbol) t ORDER BY s.symbol;
