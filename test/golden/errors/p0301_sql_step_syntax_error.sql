-- LIMT is a typo inside a SQL step.
CREATE WORKFLOW digest_limt(symbol VARCHAR) AS (
  headlines := SQL (SELECT title
                    FROM news
                    WHERE symbol = :symbol
                    ORDER BY day DESC LIMT 5),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_limt('AAPL');
