-- A workflow of its own over tables made in the script: 40 dishes, a pantry, a debate, an image, typed results.
-- npx agentlake explain examples/recipes.sql   (27 inputs: the dishes of difficulty 0 and 1)
CREATE OR REPLACE TABLE dishes AS SELECT 'dish_' || i AS dish, ['tomato','basil','garlic','salt'][1 + i % 4] AS star, i % 3 AS difficulty FROM range(40) t(i);
CREATE OR REPLACE TABLE pantry AS SELECT unnest(['tomato','basil','garlic','salt','oil']) AS item, unnest([3, 1, 5, 10, 2]) AS qty;
CREATE OR REPLACE MODEL chef (KIND llm, ENDPOINT 'sim://', NAME 'chef-7b', PARAMS_B 7);
CREATE OR REPLACE WORKFLOW menu(dish VARCHAR, star VARCHAR) AS (
  stock    := SQL (SELECT item, qty FROM pantry WHERE item = :star OR qty > 4 ORDER BY item),
  similar  := SQL (SELECT dish FROM dishes WHERE star = :star AND dish <> :dish ORDER BY dish LIMIT 3),
  ideas    := LLM chef FOR EACH ROW OF similar PROMPT 'How does {{dish}} relate to {{star}}?' WITH (max_tokens 64),
  plan     := LLM chef SYSTEM 'You are a head chef.' PROMPT 'Cook {{dish}} with {{stock}}. Ideas: {{ideas}}',
  critic   := LLM chef SYSTEM 'You are a food critic.' PROMPT 'Critique: {{plan}}',
  spar     := DEBATE (plan, critic) ROUNDS 2,
  picture  := IMAGE zimage PROMPT 'A photo of {{dish}}',
  look     := VLM llava IMAGE picture PROMPT 'Does this look like {{dish}}?',
  vec      := EMBED e5 PROMPT '{{dish}} {{star}}',
  verdict  := LLM chef PROMPT '{{spar}}\n{{look}}' RETURNS (serve BOOLEAN, note VARCHAR CHECK (length(note) < 400), score DOUBLE)
) RETURN verdict;
SELECT d.dish, m.serve, m.note FROM dishes d, menu(d.dish, d.star) m WHERE d.difficulty < 2 ORDER BY m.score DESC;
