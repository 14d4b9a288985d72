-- run_workflow() of a workflow that does not exist.
SELECT * FROM run_workflow('q2_tradng', (SELECT symbol FROM symbols LIMIT 3), priority => 'high');
