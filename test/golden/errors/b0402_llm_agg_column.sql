-- titel is not a column of news.
SELECT symbol, llm_agg('qwen3_8b', titel, prompt => 'Write a digest of these headlines') AS digest
FROM news GROUP BY symbol;
