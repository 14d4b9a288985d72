-- The SQL step selects a misspelled column.
CREATE WORKFLOW digest_column(symbol VARCHAR) AS (
  headlines := SQL (
    SELECT titel, body
    FROM news
    WHERE symbol = :symbol
    ORDER BY day DESC LIMIT 5
  ),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_column('AAPL');
