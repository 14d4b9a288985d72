-- mode: run
-- qwen3_8b is a built-in model; replacing it needs OR REPLACE.
CREATE MODEL qwen3_8b (KIND llm, ENDPOINT 'http://gpu1:8000/v1', NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
