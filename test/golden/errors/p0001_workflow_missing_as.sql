-- AS ( is missing after the parameter list.
CREATE WORKFLOW digest_noas(symbol VARCHAR)
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
