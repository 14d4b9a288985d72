-- mode: run
-- KIND given twice.
CREATE MODEL my_llm_twice (KIND llm, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-8B', KIND vlm);
