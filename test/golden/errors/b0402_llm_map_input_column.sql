-- titel is not a column of news (inside the llm_map input query).
SELECT * FROM llm_map((SELECT id, titel FROM news), model => 'qwen3_8b', prompt => 'Classify {{title}}');
