-- mode: run
-- A preloaded model that is not a sim:// model of the catalog.
SET agentlake.preload = 'qwen3_9b';
SELECT llm('qwen3_8b', 'hello') AS x;
