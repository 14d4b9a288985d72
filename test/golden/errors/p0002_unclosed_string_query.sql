-- A plain query with an unterminated string literal.
SELECT id, title
FROM news
WHERE symbol = 'AAPL;
