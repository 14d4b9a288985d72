-- Every bad statement of a script is reported at once, and nothing runs.
CREATE MODEL my_llm (KIND llm ENDPOINT 'sim://');
CREATE PROMPT terse_reply AS Answer in one sentence;
CREATE OR REPLACE PROMPT brief AS 'Be brief.';
CREATE WORKFLOW broken_one(symbol VARCHAR) AS (
  a := LLM qwen3_8b PROMPT
) RETURN a;
