-- S5 a single-model DAG (bench only): every call on qwen3_8b, so placement and model switches do not
-- matter and what is left is prefix reuse and ordering, where the SGLang router's cache-aware
-- routing is strongest. Per symbol: a fan-out over its six stories (one shared system prompt),
-- a digest of the six notes, then a chain of draft -> critique -> final.
-- Calls per symbol: sql 1, llm 10 (6 story notes + digest + draft + critique + final).
CREATE OR REPLACE WORKFLOW s5_single_model(symbol VARCHAR) AS (
  stories := SQL (
    SELECT day, title, body FROM news WHERE symbol = :symbol ORDER BY day DESC
  ),
  story_notes := LLM qwen3_8b SYSTEM news_analyst FOR EACH ROW OF stories
    PROMPT 'Ticker: {{symbol}}\nStory of {{day}}: {{title}}\n{{body}}\nIn at most three sentences, say what this story changes for the company.'
    WITH (temperature 0, max_tokens 96),
  digest := LLM qwen3_8b SYSTEM news_editor
    PROMPT 'Ticker: {{symbol}}\nNotes on the latest stories, newest first:\n{{story_notes}}\nWrite the news digest.'
    WITH (temperature 0, max_tokens 200),
  draft := LLM qwen3_8b SYSTEM vendor_writer
    PROMPT 'Ticker: {{symbol}}\nNews digest:\n{{digest}}\nDraft the news section of the daily bulletin (about 120 words).'
    WITH (temperature 0, max_tokens 200),
  critique := LLM qwen3_8b SYSTEM critic
    PROMPT 'Source digest:\n{{digest}}\nDraft news section for {{symbol}}:\n{{draft}}\nReview the draft.'
    WITH (temperature 0, max_tokens 160),
  final := LLM qwen3_8b SYSTEM editor
    PROMPT 'Draft:\n{{draft}}\nCritique:\n{{critique}}\nWrite the revised news section.'
    WITH (temperature 0, max_tokens 200)
) RETURN final;
