-- A VLM step needs an IMAGE clause.
CREATE WORKFLOW charts_noimage(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  notes     := VLM llava FOR EACH ROW OF headlines PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_noimage('AAPL');
