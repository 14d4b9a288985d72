-- Q1-Social (paper §2.1): a text-only analyst roundtable on one stock symbol. Four SQL retrievals
-- (financials, insider trades, market, news) are each analysed by Q2-Trading's analyst team (the
-- same four steps, byte for byte, so a batch running both workflows over the same symbols computes
-- them once: the shared retrieval and analysis stages of the paper's cross-tenant case, §4), four
-- analyst personas give opening views on the four reports, debate for three rounds, and a reporter
-- writes a typed report.
-- Calls per symbol: sql 4, llm 17 (4 analyst reports + 4 personas + 8 later debate turns + 1
-- reporter); 8 of them (4 sql, 4 llm) shared with q2_trading and q2_text.
-- Output lengths: max_tokens 768 on every LLM step. The public LUMILAKE Q1 template
-- (github.com/mlsys-io/Lumilake, examples/templates/n8n/social-network.json) gives every text call
-- maxTokens 1024; issue 13 caps analysis and debate turns at 768 (the paper, §2.1, gives no lengths).
CREATE OR REPLACE WORKFLOW q1_social(symbol VARCHAR) AS (
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

  -- Four personas see the same evidence (identical prompt, different system prompts).
  value_analyst := LLM qwen3_8b SYSTEM persona_value
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 768),
  growth_analyst := LLM qwen3_8b SYSTEM persona_growth
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 768),
  technical_analyst := LLM qwen3_8b SYSTEM persona_technical
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 768),
  macro_analyst := LLM qwen3_8b SYSTEM persona_macro
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals report:\n{{fundamentals_report}}\nInsider sentiment report:\n{{sentiment_report}}\nMarket report:\n{{market_report}}\nNews report:\n{{news_report}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 768),

  -- Round 1 is the four opening views; rounds 2 and 3 call each persona again (8 calls).
  roundtable := DEBATE (value_analyst, growth_analyst, technical_analyst, macro_analyst) ROUNDS 3,

  report := LLM qwen3_32b SYSTEM financial_reporter
    PROMPT 'Write the roundtable report on {{symbol}}.\nAnalyst reports:\nFundamentals: {{fundamentals_report}}\nInsider sentiment: {{sentiment_report}}\nMarket: {{market_report}}\nNews: {{news_report}}\nDiscussion transcript:\n{{roundtable}}\nGive the outlook the evidence supports and a summary of at most 150 words.'
    RETURNS (
      outlook VARCHAR CHECK (outlook IN ('bullish', 'bearish', 'neutral')),
      summary VARCHAR
    )
    WITH (temperature 0, max_tokens 768)
) RETURN report;

SELECT s.symbol, t.* FROM symbols s, q1_social(s.symbol) t;
