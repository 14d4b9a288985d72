-- {{titel}} is not a column of the FOR EACH row.
CREATE WORKFLOW charts_col(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  notes     := LLM qwen3_8b FOR EACH ROW OF headlines PROMPT 'Explain why {{titel}} matters'
) RETURN notes;
SELECT * FROM charts_col('AAPL');
