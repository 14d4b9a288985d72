-- "a EMBED step".
CREATE WORKFLOW embed_kind(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  vectors   := EMBED qwen3_8b FOR EACH ROW OF headlines PROMPT '{{title}}'
) RETURN vectors;
SELECT * FROM embed_kind('AAPL');
