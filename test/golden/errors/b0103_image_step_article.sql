-- An IMAGE step with an LLM model ("a IMAGE step").
CREATE WORKFLOW art_kind(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  art       := IMAGE qwen3_8b PROMPT 'An illustration for {{headlines}}'
) RETURN art;
SELECT * FROM art_kind('AAPL');
