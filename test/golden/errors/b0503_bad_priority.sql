-- priority must be high, medium or low (caret on the quote only).
SELECT * FROM run_workflow('q2_trading', (SELECT symbol FROM symbols LIMIT 3), priority => 'urgent');
