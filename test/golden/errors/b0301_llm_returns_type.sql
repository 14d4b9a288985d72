-- INTEGR is not a type.
SELECT symbol, llm('qwen3_8b', 'Rate the sentiment of: ' || title, returns => 'score INTEGR, why VARCHAR') AS rating
FROM news;
