-- {{headline}} is not a column of the input query.
SELECT *
FROM llm_map((SELECT id, title FROM news), model => 'qwen3_8b',
             prompt => 'Classify this headline: {{headline}}',
             returns => 'label VARCHAR, confidence DOUBLE');
