-- explain of a CREATE PROMPT with a bad placeholder exits 0 (run reports P0120).
CREATE PROMPT digest_intro_explain AS 'You summarize {{ }} for portfolio managers.';
