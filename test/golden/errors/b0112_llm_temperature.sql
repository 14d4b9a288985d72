-- temperature => 5 is out of range ("has a bad value").
SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, temperature => 5) AS summary FROM news;
