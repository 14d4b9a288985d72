-- llm() with a model name that is not in the catalog.
SELECT symbol, llm('qwen3-8b', 'Summarize: ' || title, max_tokens => 64) AS summary
FROM news
WHERE day >= DATE '2025-01-01';
