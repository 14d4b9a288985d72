-- The model is a column name, not a quoted constant (caret 2 characters too wide).
SELECT symbol, llm(model_name, 'Summarize: ' || title) AS summary FROM news;
