-- mode: run
-- PARAMS is not a model option (PARAMS_B is).
CREATE MODEL my_llm_params (KIND llm, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-8B', PARAMS 8);
