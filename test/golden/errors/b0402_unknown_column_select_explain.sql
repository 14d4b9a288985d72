-- A plain query with a misspelled column (explain).
SELECT symbol, titel, day
FROM news
WHERE symbol = 'AAPL';
