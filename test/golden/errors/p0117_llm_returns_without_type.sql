-- returns => lists a column without a type.
SELECT symbol, llm('qwen3_8b', 'Rate the sentiment of: ' || title, returns => 'score, why VARCHAR') AS rating
FROM news;
