-- Q2-Text (bench only): Q2-Trading (catalog/workflows/q2_trading.sql) without its image step: no
-- chart FETCH and no VLM chart notes, so every call is text-only (news_report reads the headlines
-- alone). The cross-tenant case of bench/run.ts runs it beside Q1-Social over the same symbols.
-- Calls per symbol: sql 4, llm 16 (4 analysts + bull + bear + 4 later debate turns + trader
-- + 3 risk analysts + risk judge + fund manager).
CREATE OR REPLACE WORKFLOW q2_text(symbol VARCHAR) AS (
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
  headlines := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),

  -- Analyst team.
  fundamentals_report := LLM qwen3_8b SYSTEM fundamentals_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (revenue and net income in USD millions):\n{{fundamentals}}\nWrite your fundamentals report.'
    WITH (temperature 0, max_tokens 256),
  sentiment_report := LLM qwen3_8b SYSTEM sentiment_analyst
    PROMPT 'Ticker: {{symbol}}\nInsider transactions:\n{{insider}}\nWrite your insider sentiment report.'
    WITH (temperature 0, max_tokens 200),
  market_report := LLM qwen3_8b SYSTEM market_analyst
    PROMPT 'Ticker: {{symbol}}\nLast 20 daily bars, newest first (USD, shares):\n{{market}}\nWrite your market report.'
    WITH (temperature 0, max_tokens 256),
  news_report := LLM qwen3_8b SYSTEM news_analyst
    PROMPT 'Ticker: {{symbol}}\nHeadlines, newest first:\n{{headlines}}\nWrite your news report.'
    WITH (temperature 0, max_tokens 256),

  -- Research team: opening cases, then a three-round debate.
  bull := LLM qwen3_8b SYSTEM bull_researcher
    PROMPT 'Ticker: {{symbol}}\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nMake your opening case.'
    WITH (temperature 0, max_tokens 256),
  bear := LLM qwen3_8b SYSTEM bear_researcher
    PROMPT 'Ticker: {{symbol}}\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nMake your opening case.'
    WITH (temperature 0, max_tokens 256),
  research_debate := DEBATE (bull, bear) ROUNDS 3,

  trade_plan := LLM qwen3_8b SYSTEM trader
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nResearch debate:\n{{research_debate}}\nWrite your trading proposal.'
    WITH (temperature 0, max_tokens 256),

  -- Risk team reviews the proposal from three stances; a judge settles it.
  aggressive_review := LLM qwen3_8b SYSTEM risk_aggressive
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 200),
  conservative_review := LLM qwen3_8b SYSTEM risk_conservative
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 200),
  neutral_review := LLM qwen3_8b SYSTEM risk_neutral
    PROMPT 'Ticker: {{symbol}}\nMarket report:\n{{market_report}}\nTrader proposal:\n{{trade_plan}}\nReview the proposal.'
    WITH (temperature 0, max_tokens 200),
  risk_verdict := LLM qwen3_8b SYSTEM risk_judge
    PROMPT 'Ticker: {{symbol}}\nTrader proposal:\n{{trade_plan}}\nAggressive review:\n{{aggressive_review}}\nConservative review:\n{{conservative_review}}\nNeutral review:\n{{neutral_review}}\nGive the risk-adjusted plan.'
    WITH (temperature 0, max_tokens 256),

  decision := LLM qwen3_32b SYSTEM fund_manager
    PROMPT 'Ticker: {{symbol}}\nResearch debate:\n{{research_debate}}\nTrader proposal:\n{{trade_plan}}\nRisk verdict:\n{{risk_verdict}}\nMake the final decision.'
    RETURNS (
      action VARCHAR CHECK (action IN ('BUY', 'SELL', 'HOLD')),
      confidence DOUBLE CHECK (confidence BETWEEN 0 AND 1),
      rationale VARCHAR
    )
    WITH (temperature 0, max_tokens 300)
) RETURN decision;
