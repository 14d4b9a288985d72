-- A model call inside another model call's arguments.
SELECT symbol, llm('qwen3_8b', 'Translate to French: ' || llm('qwen3_8b', 'Summarize: ' || title)) AS fr
FROM news;
