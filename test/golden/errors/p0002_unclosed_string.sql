-- A reusable prompt whose closing quote was forgotten.
CREATE PROMPT terse AS 'Answer in one sentence.;
