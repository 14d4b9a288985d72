-- mode: run
-- A misspelled agentlake setting.
SET agentlake.cahce = false;
