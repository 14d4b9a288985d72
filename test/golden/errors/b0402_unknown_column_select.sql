-- mode: run
-- A plain query with a misspelled column.
SELECT symbol, titel, day
FROM news
WHERE symbol = 'AAPL';
