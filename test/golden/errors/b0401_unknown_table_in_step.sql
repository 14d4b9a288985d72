-- The SQL step reads a table that does not exist.
CREATE WORKFLOW digest_table(symbol VARCHAR) AS (
  headlines := SQL (
    SELECT title
    FROM new_items
    WHERE symbol = :symbol
  ),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_table('AAPL');
