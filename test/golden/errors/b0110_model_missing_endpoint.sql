-- mode: run
-- A model needs an ENDPOINT.
CREATE MODEL my_llm_noendpoint (KIND llm, NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
