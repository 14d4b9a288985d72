-- A DuckDB syntax error in a plain statement is not reported with the other parse errors.
CREATE MODEL my_llm_multi (KIND llm ENDPOINT 'sim://');
SELECT symbol, llm('qwen3_8b', 'Summarize ' || title FROM news;
