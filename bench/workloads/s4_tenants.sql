-- S4 overlapping tenants (bench only): three desks (tenants) each run their own workflow over an
-- overlapping set of symbols, and all three start with the same prefix-heavy stage (three SQL
-- retrievals and a qwen3_8b dossier over them, identical in every workflow) before two steps of
-- their own. bench/workloads.ts submits the three tenants' call sites in ONE statement (one batch,
-- as concurrent tenants' statements reach one shared deployment): agentlake can run a dossier
-- shared by several desks once and keep the shared prefixes together; the baselines serve every
-- call as it is sent. (Together vs one after the other is the cross-tenant case of bench/run.ts.)
-- Calls per symbol and desk: sql 3, llm 3 (dossier + 2 of the desk's own).

CREATE OR REPLACE WORKFLOW s4_credit_desk(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  market := SQL (
    SELECT day, open, high, low, close, volume
    FROM prices WHERE symbol = :symbol ORDER BY day DESC LIMIT 20
  ),
  headlines := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),
  -- The shared stage: identical in the three workflows (same data, prompt and model).
  dossier := LLM qwen3_8b SYSTEM news_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (USD millions):\n{{fundamentals}}\nLast 20 daily bars, newest first:\n{{market}}\nHeadlines, newest first:\n{{headlines}}\nWrite the research dossier: the facts every desk needs, in at most 250 words.'
    WITH (temperature 0, max_tokens 320),
  exposure := LLM qwen3_8b SYSTEM risk_conservative
    PROMPT 'Ticker: {{symbol}}\nResearch dossier:\n{{dossier}}\nAssess the credit exposure: leverage, refinancing risk and what would make you cut the line.'
    WITH (temperature 0, max_tokens 200),
  memo := LLM qwen3_8b SYSTEM editor
    PROMPT 'Credit assessment for {{symbol}}:\n{{exposure}}\nWrite the one-paragraph credit memo for the committee.'
    WITH (temperature 0, max_tokens 160)
) RETURN memo;

CREATE OR REPLACE WORKFLOW s4_equity_desk(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  market := SQL (
    SELECT day, open, high, low, close, volume
    FROM prices WHERE symbol = :symbol ORDER BY day DESC LIMIT 20
  ),
  headlines := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),
  -- The shared stage: identical in the three workflows (same data, prompt and model).
  dossier := LLM qwen3_8b SYSTEM news_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (USD millions):\n{{fundamentals}}\nLast 20 daily bars, newest first:\n{{market}}\nHeadlines, newest first:\n{{headlines}}\nWrite the research dossier: the facts every desk needs, in at most 250 words.'
    WITH (temperature 0, max_tokens 320),
  thesis := LLM qwen3_8b SYSTEM bull_researcher
    PROMPT 'Ticker: {{symbol}}\nResearch dossier:\n{{dossier}}\nMake the equity case in at most 150 words.'
    WITH (temperature 0, max_tokens 200),
  memo := LLM qwen3_8b SYSTEM trader
    PROMPT 'Ticker: {{symbol}}\nEquity case:\n{{thesis}}\nWrite your trading proposal.'
    WITH (temperature 0, max_tokens 160)
) RETURN memo;

CREATE OR REPLACE WORKFLOW s4_compliance_desk(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  market := SQL (
    SELECT day, open, high, low, close, volume
    FROM prices WHERE symbol = :symbol ORDER BY day DESC LIMIT 20
  ),
  headlines := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),
  -- The shared stage: identical in the three workflows (same data, prompt and model).
  dossier := LLM qwen3_8b SYSTEM news_analyst
    PROMPT 'Ticker: {{symbol}}\nAnnual financial statements (USD millions):\n{{fundamentals}}\nLast 20 daily bars, newest first:\n{{market}}\nHeadlines, newest first:\n{{headlines}}\nWrite the research dossier: the facts every desk needs, in at most 250 words.'
    WITH (temperature 0, max_tokens 320),
  flags := LLM qwen3_8b SYSTEM critic
    PROMPT 'Research dossier for {{symbol}}:\n{{dossier}}\nList any statement a compliance officer must check before it reaches clients.'
    WITH (temperature 0, max_tokens 200),
  memo := LLM qwen3_8b SYSTEM summarizer
    PROMPT 'Ticker: {{symbol}}\nCompliance flags:\n{{flags}}\nWrite the compliance note for the daily bulletin.'
    WITH (temperature 0, max_tokens 160)
) RETURN memo;
