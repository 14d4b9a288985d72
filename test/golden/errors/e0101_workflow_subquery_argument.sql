-- A multi-row subquery as a workflow argument: internal error (exit 2).
SELECT * FROM q2_trading((SELECT symbol FROM symbols));
