-- Q2-Trading (paper §2.1, after TradingAgents): multimodal trading decision for one stock symbol.
-- SQL retrieval, chart snapshots from object storage read by a VLM, four analyst reports, a
-- bull/bear debate, a trader, three risk analysts, a risk judge and a fund manager (19 steps).
-- The retrievals and the four analyst reports are the same steps as Q1-Social's (and Q2-Text's):
-- computed once when they run over the same symbols in one batch. The chart notes go to the bull
-- and bear researchers, next to the reports.
-- Calls per symbol: sql 4, fetch 6, vlm 6, llm 16 (4 analysts + bull + bear + 4 later debate
-- turns + trader + 3 risk analysts + risk judge + fund manager); 8 of them (4 sql, 4 llm) shared
-- with q1_social.
-- Output lengths: max_tokens 768 on every LLM step. The public LUMILAKE Q2 template
-- (github.com/mlsys-io/Lumilake, examples/templates/yaml/trading-agent.yaml) gives every text call
-- max_tokens 1024; issue 13 caps analysis and debate turns at 768 (the paper, §2.1, gives no lengths).
CREATE OR REPLACE WORKFLOW q2_trading(symbol VARCHAR) AS (
  -- Retrieval and analyst team: byte-identical in q1_social, q2_trading and q2_text (same SQL, model,
  -- system prompt, prompt and options), so over the same symbols in one batch the Merkle dedup runs
  -- each of these steps once for all three (the paper's cross-tenant case, §4: 1.37x).
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  insider := SQL (
    SELECT trade_date, insider, role, side, shares, price
    FROM insider_trades WHERE symbol = :symbol ORDER BY trade_date
  ),
  market := SQL (
    SELECT day, open, high, low, close, volume
    FROM prices WHERE symbol = :symbol ORDER BY day DESC LIMIT 20
  ),
  -- Every symbol has exactly 6 stories; chart_key names each story's price chart object.
  headlines := SQL (
    SELECT day, title, body, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),

  fundamentals_report := LLM qwen3_8b SYSTEM fundamentals_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (revenue and net income in USD millions):\n{{fundamentals}}\nWrite your fundamentals report.'
    WITH (temperature 0, max_tokens 768),
  sentiment_report := LLM qwen3_8b SYSTEM sentiment_analyst
    PROMPT 'Ticker: {{symbol}}\nInsider transactions:\n{{insider}}\nWrite your insider sentiment report.'
    WITH (temperature 0, max_tokens 768),
  market_report := LLM qwen3_8b SYSTEM market_analyst
    PROMPT 'Ticker: {{symbol}}\nLast 20 daily bars, newest first (USD, shares):\n{{market}}\nWrite your market report.'
    WITH (temperature 0, max_tokens 768),
  news_report := LLM qwen3_8b SYSTEM news_analyst
    PROMPT 'Ticker: {{symbol}}\nHeadlines, newest first:\n{{headlines}}\nWrite your news report.'
    WITH (temperature 0, max_tokens 768),

  -- Market snapshots from object storage, one per headline (6 fetches, 6 VLM calls).
  charts := FETCH chart_key FOR EACH ROW OF headlines,
  chart_notes := VLM llava FOR EACH ROW OF headlines IMAGE chart_key
    PROMPT 'This is a 20-session price chart (line: close, bars: volume) ending on {{day}}, the day of the headline: {{title}}\nIn at most three sentences, describe the trend, the size of the move into that day and any volume spike.'
    WITH (temperature 0, max_tokens 128),

  -- Research team: opening cases, then a three-round debate.
  bull := LLM qwen3_8b SYSTEM bull_researcher
    PROMPT 'Ticker: {{symbol}}\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nChart notes, one per headline in the same order:\n{{chart_notes}}\nMake your opening case.'
    WITH (temperature 0, max_tokens 768),
  bear := LLM qwen3_8b SYSTEM bear_researcher
    PROMPT 'Ticker: {{symbol}}\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nChart notes, one per headline in the same order:\n{{chart_notes}}\nMake your opening case.'
    WITH (temperature 0, max_tokens 768),
  research_debate := DEBATE (bull, bear) ROUNDS 3,

  trade_plan := LLM qwen3_8b SYSTEM trader
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nResearch debate:\n{{research_debate}}\nWrite your trading proposal.'
    WITH (temperature 0, max_tokens 768),

  -- Risk team reviews the proposal from three stances; a judge settles it.
  aggressive_review := LLM qwen3_8b SYSTEM risk_aggressive
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 768),
  conservative_review := LLM qwen3_8b SYSTEM risk_conservative
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 768),
  neutral_review := LLM qwen3_8b SYSTEM risk_neutral
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 768),
  risk_verdict := LLM qwen3_8b SYSTEM risk_judge
    PROMPT 'Ticker: {{symbol}}\nTrader proposal:\n{{trade_plan}}\nAggressive review:\n{{aggressive_review}}\nConservative review:\n{{conservative_review}}\nNeutral review:\n{{neutral_review}}\nGive the risk-adjusted plan.'
    WITH (temperature 0, max_tokens 768),

  decision := LLM qwen3_32b SYSTEM fund_manager
    PROMPT 'Ticker: {{symbol}}\nResearch debate:\n{{research_debate}}\nTrader proposal:\n{{trade_plan}}\nRisk verdict:\n{{risk_verdict}}\nMake the final decision.'
    RETURNS (
      action VARCHAR CHECK (action IN ('BUY', 'SELL', 'HOLD')),
      confidence DOUBLE CHECK (confidence BETWEEN 0 AND 1),
      rationale VARCHAR
    )
    WITH (temperature 0, max_tokens 768)
) RETURN decision;

SELECT s.symbol, t.* FROM symbols s, q2_trading(s.symbol) t;
