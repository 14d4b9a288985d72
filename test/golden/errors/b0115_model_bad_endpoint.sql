-- mode: run
-- The endpoint is missing its scheme.
CREATE MODEL my_vllm (KIND llm, ENDPOINT 'gpu1:8000/v1', NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
