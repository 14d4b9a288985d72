-- A VLM step needs a model of KIND vlm.
CREATE WORKFLOW charts_kind(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  notes     := VLM qwen3_8b FOR EACH ROW OF headlines IMAGE chart_key PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_kind('AAPL');
