-- EXPLAIN ANALYZE would run the model calls.
EXPLAIN ANALYZE SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title) AS summary FROM news LIMIT 3;
