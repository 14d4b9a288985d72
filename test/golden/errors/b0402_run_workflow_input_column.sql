-- A misspelled column in run_workflow's input query: internal error (exit 2).
SELECT * FROM run_workflow('q2_trading', (SELECT symbl FROM symbols LIMIT 3));
