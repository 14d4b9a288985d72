-- mode: run
-- CREATE TABLE .. AS with a model column over a table that exists already.
CREATE TABLE ctas_exists AS SELECT 1 AS a;
CREATE TABLE ctas_exists AS SELECT llm('qwen3_8b', 'Name a color', max_tokens => 4) AS color;
