-- max_token is a typo for max_tokens.
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, max_token => 64) AS summary
FROM news;
