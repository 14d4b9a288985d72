-- draft uses critique and critique uses draft.
CREATE WORKFLOW review_cycle(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  draft    := LLM qwen3_8b PROMPT 'Write a report on {{facts}} addressing {{critique}}',
  critique := LLM qwen3_8b SYSTEM critic PROMPT 'Review this draft: {{draft}}'
) RETURN draft;
SELECT * FROM review_cycle('AAPL');
