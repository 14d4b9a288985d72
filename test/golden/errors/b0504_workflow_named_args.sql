-- Workflows take positional arguments.
SELECT s.symbol, t.action
FROM symbols s, q2_trading(symbol => s.symbol) t;
