-- llm() with a vision model.
SELECT id, llm('llava', 'Describe: ' || title) AS description
FROM news;
