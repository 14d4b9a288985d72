-- The second workflow's argument reads the first workflow's output in the same FROM.
SELECT t.action, s.*
FROM q2_trading('AAPL') t, q4_summary(t.action) s;
