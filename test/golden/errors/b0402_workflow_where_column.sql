-- A misspelled column in the WHERE of a query that calls a workflow: internal error (exit 2).
SELECT s.symbol, t.action
FROM symbols s, q2_trading(s.symbol) t
WHERE s.sectr = 'Technology';
