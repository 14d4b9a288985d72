-- upper_case is not a DuckDB function.
SELECT symbol, upper_case(title) AS title
FROM news;
