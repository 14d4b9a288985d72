-- FOR EACH ROW OF names a step that does not exist.
CREATE WORKFLOW charts_foreach(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  notes     := VLM llava FOR EACH ROW OF headline IMAGE chart_key PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_foreach('AAPL');
