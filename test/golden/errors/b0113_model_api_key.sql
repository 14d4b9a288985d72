-- mode: run
-- API keys never go into the catalog.
CREATE MODEL gpt_remote (KIND llm, ENDPOINT 'https://api.openai.com/v1', NAME 'gpt-4o-mini', API_KEY 'sk-live-1234');
