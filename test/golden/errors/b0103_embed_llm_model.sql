-- embed() needs an embedding model.
SELECT id, embed('qwen3_8b', body) AS v
FROM news;
