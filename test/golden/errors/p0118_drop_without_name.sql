-- DROP WORKFLOW without a name.
DROP WORKFLOW;
