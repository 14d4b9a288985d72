-- mode: run
-- An empty placeholder in a stored prompt.
CREATE PROMPT digest_intro AS 'You summarize {{ }} for portfolio managers.';
