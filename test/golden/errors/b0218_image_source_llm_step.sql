-- The IMAGE source is an LLM step ("is a LLM step").
CREATE WORKFLOW charts_src(symbol VARCHAR) AS (
  headlines := SQL (SELECT title, chart_key FROM news WHERE symbol = :symbol),
  caption   := LLM qwen3_8b FOR EACH ROW OF headlines PROMPT 'Caption for {{title}}',
  notes     := VLM llava FOR EACH ROW OF headlines IMAGE caption PROMPT 'Explain the chart for {{title}}'
) RETURN notes;
SELECT * FROM charts_src('AAPL');
