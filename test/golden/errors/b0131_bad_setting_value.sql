-- mode: run
-- A setting with a value it cannot take.
SET agentlake.gpus = 0;
