-- llm() with only a model.
SELECT symbol, llm('qwen3_8b') AS summary
FROM news;
