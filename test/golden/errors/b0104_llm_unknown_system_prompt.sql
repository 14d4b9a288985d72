-- system => names a stored prompt that does not exist.
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, system => news_analist) AS summary
FROM news;
