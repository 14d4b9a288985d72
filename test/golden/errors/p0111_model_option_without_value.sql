-- An option without a value.
CREATE MODEL my_llm_novalue (KIND llm, ENDPOINT, NAME 'Qwen/Qwen3-8B');
