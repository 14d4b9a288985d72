-- IMAGE is for VLM steps; this LLM step cannot look at the chart.
CREATE WORKFLOW charts_llm(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  notes     := LLM qwen3_8b FOR EACH ROW OF headlines IMAGE chart_key PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_llm('AAPL');
