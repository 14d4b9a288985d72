-- A misspelled column in a workflow call's argument: internal error (exit 2).
SELECT s.symbol, t.action
FROM symbols s, q2_trading(s.symbl) t;
