-- llm() takes the model and the prompt; options are named.
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, 128) AS summary
FROM news;
