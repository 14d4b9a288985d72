-- A DuckDB syntax error in a plain query (missing comma / bad ORDER BY).
SELECT symbol, day, close
FROM prices
WHERE symbol = 'AAPL'
ORDER day DESC
LIMIT 10;
