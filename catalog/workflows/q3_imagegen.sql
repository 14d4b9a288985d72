-- Q3-ImageGen (paper §2.1): news-to-infographic generation for one stock symbol. Retrieve recent
-- news, digest it, draft two competing render prompts, let a critic pick or merge them, render
-- with a diffusion model, review the rendered image with a VLM, and approve it with a caption.
-- Calls per symbol: sql 1, llm 5 (digest + 2 drafts + critique + verdict), image 1, vlm 1.
CREATE OR REPLACE WORKFLOW q3_imagegen(symbol VARCHAR) AS (
  headlines := SQL (
    SELECT n.day, s.name, s.sector, n.title, n.body
    FROM news n JOIN symbols s ON s.symbol = n.symbol
    WHERE n.symbol = :symbol ORDER BY n.day DESC LIMIT 4
  ),
  digest := LLM qwen3_8b SYSTEM news_editor
    PROMPT 'Ticker: {{symbol}}\nLatest stories, newest first:\n{{headlines}}\nWrite the digest for the infographic team.'
    WITH (temperature 0, max_tokens 160),

  -- Two competing drafts from different art directors.
  draft_data := LLM qwen3_8b SYSTEM art_director_data
    PROMPT 'Ticker: {{symbol}}\nNews digest:\n{{digest}}\nWrite the render prompt for an infographic about this news.'
    WITH (temperature 0.7, max_tokens 160, seed 7),
  draft_editorial := LLM qwen3_8b SYSTEM art_director_editorial
    PROMPT 'Ticker: {{symbol}}\nNews digest:\n{{digest}}\nWrite the render prompt for an illustration about this news.'
    WITH (temperature 0.7, max_tokens 160, seed 7),
  render_prompt := LLM qwen3_8b SYSTEM design_critic
    PROMPT 'Ticker: {{symbol}}\nNews digest:\n{{digest}}\nCandidate A (data-forward):\n{{draft_data}}\nCandidate B (editorial):\n{{draft_editorial}}\nOutput the final render prompt.'
    WITH (temperature 0, max_tokens 160),

  render := IMAGE zimage PROMPT '{{render_prompt}}' WITH (seed 7),
  image_review := VLM llava IMAGE render
    PROMPT 'This image was generated for a news item about {{symbol}} from the prompt: {{render_prompt}}\nDescribe what the image shows, whether it matches the prompt, and any garbled text, distorted shapes or misleading numbers. End with a score from 1 to 10.'
    WITH (temperature 0, max_tokens 200),

  verdict := LLM qwen3_8b SYSTEM publishing_editor
    PROMPT 'Ticker: {{symbol}}\nNews digest:\n{{digest}}\nRender prompt:\n{{render_prompt}}\nVisual review of the generated image:\n{{image_review}}\nDecide whether to publish the image and write its caption.'
    RETURNS (approved BOOLEAN, caption VARCHAR)
    WITH (temperature 0, max_tokens 160)
) RETURN verdict;

SELECT s.symbol, t.* FROM symbols s, q3_imagegen(s.symbol) t;
