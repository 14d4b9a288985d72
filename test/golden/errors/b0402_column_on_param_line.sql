-- The SQL step filters on a column the table does not have, on a line with a :param.
CREATE WORKFLOW digest_ticker(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, body
                    FROM news
                    WHERE ticker = :symbol
                    ORDER BY day DESC LIMIT 5),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_ticker('AAPL');
