-- A plain query over a misspelled table.
SELECT symbol, close FROM price WHERE symbol = 'AAPL';
