-- Q1-Social (paper §2.1): a text-only analyst roundtable on one stock symbol. Four SQL retrievals
-- (financials, insider trades, market, news) are each summarized, four analyst personas give
-- opening views, debate for three rounds, and a reporter writes a typed report.
-- Calls per symbol: sql 4, llm 17 (4 summaries + 4 personas + 8 later debate turns + 1 reporter).
CREATE OR REPLACE WORKFLOW q1_social(symbol VARCHAR) AS (
  fundamentals := SQL (
    SELECT fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity
    FROM financials WHERE symbol = :symbol ORDER BY fiscal_year
  ),
  insider := SQL (
    SELECT trade_date, insider, role, side, shares, price
    FROM insider_trades WHERE symbol = :symbol ORDER BY trade_date
  ),
  market := SQL (
    SELECT CAST(date_trunc('week', day) AS DATE) AS week, arg_min(open, day) AS open, max(high) AS high,
           min(low) AS low, arg_max(close, day) AS close, sum(volume) AS volume
    FROM prices WHERE symbol = :symbol GROUP BY ALL ORDER BY week
  ),
  headlines := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day
  ),

  -- One summary per retrieval; the four share the data_summarizer prefix.
  fundamentals_summary := LLM qwen3_8b SYSTEM data_summarizer
    PROMPT 'Ticker: {{symbol}}\nTable: annual financial statements (revenue and net income in USD millions; pe_ratio is empty for loss-making years).\n{{fundamentals}}\nSummarize revenue growth, profitability, valuation and leverage across the fiscal years in at most five sentences.'
    WITH (temperature 0, max_tokens 200),
  insider_summary := LLM qwen3_8b SYSTEM data_summarizer
    PROMPT 'Ticker: {{symbol}}\nTable: insider transactions (shares traded and price in USD).\n{{insider}}\nSummarize who traded, in which direction and how much, and whether the activity looks clustered or routine, in at most four sentences.'
    WITH (temperature 0, max_tokens 160),
  market_summary := LLM qwen3_8b SYSTEM data_summarizer
    PROMPT 'Ticker: {{symbol}}\nTable: weekly price bars (USD) and share volume.\n{{market}}\nSummarize the trend, the size of the move over the period, the weekly range and any volume surge in at most four sentences.'
    WITH (temperature 0, max_tokens 160),
  news_summary := LLM qwen3_8b SYSTEM data_summarizer
    PROMPT 'Ticker: {{symbol}}\nTable: company news stories in date order.\n{{headlines}}\nSummarize the developments that matter most for the company''s value and the tone of the coverage in at most five sentences.'
    WITH (temperature 0, max_tokens 200),

  -- Four personas see the same evidence (identical prompt, different system prompts).
  value_analyst := LLM qwen3_8b SYSTEM persona_value
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals: {{fundamentals_summary}}\nInsider activity: {{insider_summary}}\nMarket action: {{market_summary}}\nNews flow: {{news_summary}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 200),
  growth_analyst := LLM qwen3_8b SYSTEM persona_growth
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals: {{fundamentals_summary}}\nInsider activity: {{insider_summary}}\nMarket action: {{market_summary}}\nNews flow: {{news_summary}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 200),
  technical_analyst := LLM qwen3_8b SYSTEM persona_technical
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals: {{fundamentals_summary}}\nInsider activity: {{insider_summary}}\nMarket action: {{market_summary}}\nNews flow: {{news_summary}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 200),
  macro_analyst := LLM qwen3_8b SYSTEM persona_macro
    PROMPT 'Roundtable on {{symbol}}.\nFundamentals: {{fundamentals_summary}}\nInsider activity: {{insider_summary}}\nMarket action: {{market_summary}}\nNews flow: {{news_summary}}\nGive your opening view (bullish, bearish or neutral) and your two strongest arguments.'
    WITH (temperature 0, max_tokens 200),

  -- Round 1 is the four opening views; rounds 2 and 3 call each persona again (8 calls).
  roundtable := DEBATE (value_analyst, growth_analyst, technical_analyst, macro_analyst) ROUNDS 3,

  report := LLM qwen3_32b SYSTEM financial_reporter
    PROMPT 'Write the roundtable report on {{symbol}}.\nData summaries:\nFundamentals: {{fundamentals_summary}}\nInsider activity: {{insider_summary}}\nMarket action: {{market_summary}}\nNews flow: {{news_summary}}\nDiscussion transcript:\n{{roundtable}}\nGive the outlook the evidence supports and a summary of at most 150 words.'
    RETURNS (
      outlook VARCHAR CHECK (outlook IN ('bullish', 'bearish', 'neutral')),
      summary VARCHAR
    )
    WITH (temperature 0, max_tokens 400)
) RETURN report;

SELECT s.symbol, t.* FROM symbols s, q1_social(s.symbol) t;
