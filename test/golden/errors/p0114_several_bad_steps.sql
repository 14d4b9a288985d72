-- Three bad steps in one workflow: all are reported at once.
CREATE WORKFLOW report_many(symbol VARCHAR) AS (
  facts   := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  news    := SQLL (SELECT title FROM news WHERE symbol = :symbol),
  summary = LLM qwen3_8b PROMPT 'Summarize: {{facts}}',
  verdict := LLM qwen3_8b PROMPT 'Decide: {{summary}}' RETURNS (action),
  debate  := DEBATE (summary, verdict)
) RETURN verdict;
