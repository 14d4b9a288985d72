-- mode: run
-- The query reads a column the workflow does not return (q2_trading returns action, confidence,
-- rationale): reported before any model call is made.
SELECT s.symbol, t.decision
FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 4) s, q2_trading(s.symbol) t;
