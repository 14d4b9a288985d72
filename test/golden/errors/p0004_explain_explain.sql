-- The CLI command already explains; EXPLAIN EXPLAIN is an error.
EXPLAIN EXPLAIN SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title) FROM news;
