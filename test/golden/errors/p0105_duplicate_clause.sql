-- Two PROMPT clauses on one step.
CREATE WORKFLOW digest_dup_clause(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}' PROMPT 'Be brief.'
) RETURN summary;
