-- mode: run
-- API_KEY_ENV names a variable; the key itself was pasted.
CREATE MODEL gpt_env (KIND llm, ENDPOINT 'https://api.openai.com/v1', NAME 'gpt-4o-mini', API_KEY_ENV 'sk-live-1234');
