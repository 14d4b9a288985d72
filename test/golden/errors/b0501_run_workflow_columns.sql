-- The input query returns two columns for a one-parameter workflow (caret on '(' only).
SELECT * FROM run_workflow('q2_trading', (SELECT symbol, name FROM symbols LIMIT 3));
