-- S2 long shared prefixes under KV pressure (bench only): questions over a few long documents
-- (bench_documents: 4 generated filings of ~4,500 tokens; bench_questions: 100 questions each,
-- interleaved by question_id), one qwen3_32b call per question. Every call's prompt starts with
-- the system prompt and its whole document, so the calls on one document share ~4,500 tokens; a
-- 32B model on an H100 leaves ~37k tokens of KV, so how calls are grouped and ordered decides
-- how much is recomputed and how often requests are pre-empted.
-- Calls per question: llm 1.
CREATE OR REPLACE WORKFLOW s2_document_qa(document VARCHAR, question VARCHAR) AS (
  answer := LLM qwen3_32b
    SYSTEM 'You are a research assistant at an institutional investor. You answer questions about one regulatory filing, which is given in full before the question. Answer only from the filing: quote the figures it states, name the section you rely on, and say plainly when the filing does not answer the question. Write at most four sentences.'
    PROMPT 'Filing:\n{{document}}\n\nQuestion: {{question}}'
    WITH (temperature 0, max_tokens 160)
) RETURN answer;
