-- mode: run
-- A setting without a value.
SET agentlake.cache;
