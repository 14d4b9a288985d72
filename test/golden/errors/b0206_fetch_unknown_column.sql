-- FETCH names a column the FOR EACH row does not have (chart_key is).
CREATE WORKFLOW charts_fetch(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  charts    := FETCH chart_keys FOR EACH ROW OF headlines,
  notes     := VLM llava FOR EACH ROW OF headlines IMAGE charts PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_fetch('AAPL');
