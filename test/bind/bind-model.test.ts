// bindModel: CREATE MODEL options become a ModelDef (known options only, typed, defaults by kind);
// an API key itself is refused (only the name of its env var is kept), and every bad option is
// reported together at its own text.
import { describe, expect, it } from 'vitest';
import { bindModel } from '../../src/bind/bind-model.ts';
import type { CreateModel } from '../../src/sql/ast.ts';
import { parseOne, userErrors } from '../helpers/bind.ts';

function createModel(text: string): CreateModel {
  const stmt = parseOne(text);
  if (stmt.kind !== 'create_model') throw new Error(`expected CREATE MODEL, got ${stmt.kind}`);
  return stmt;
}

describe('bindModel', () => {
  it('binds kind, endpoint, served name, size, key variable and the other options', () => {
    const m = bindModel(createModel("CREATE MODEL gpt (KIND llm, ENDPOINT 'https://api.example.com/v1', NAME 'gpt-x', PARAMS_B 70, API_KEY_ENV 'EXAMPLE_KEY', MAX_CONCURRENCY 4, TIMEOUT_MS 1000)"));
    expect(m).toEqual({
      name: 'gpt', kind: 'llm', endpoint: 'https://api.example.com/v1', modelName: 'gpt-x', paramsB: 70, apiKeyEnv: 'EXAMPLE_KEY',
      options: { max_concurrency: 4, timeout_ms: 1000 },
    });
  });

  it('defaults the served name to the catalog name and the size by kind', () => {
    const llm = bindModel(createModel("CREATE MODEL a (KIND llm, ENDPOINT 'sim://')"));
    const emb = bindModel(createModel("CREATE MODEL b (KIND embedding, ENDPOINT 'sim://')"));
    expect(llm.modelName).toBe('a');
    expect(emb.modelName).toBe('b');
    // An embedding model is much smaller than an LLM by default.
    expect(emb.paramsB).toBeLessThan(llm.paramsB ?? 0);
    expect(llm.apiKeyEnv).toBeUndefined();
  });

  it('refuses an API key (B0113) and bad options, all at once, each at its text', async () => {
    const text = "CREATE MODEL m (KIND llm, ENDPOINT 'ftp://x', API_KEY 'sk-123', TEMPERATUR 1, PARAMS_B 'big')";
    const ds = await userErrors(text, async () => bindModel(createModel(text)));
    expect(ds.map((d) => `${d.code} ${d.at}`)).toEqual(["B0115 'ftp://x'", "B0113 API_KEY 'sk-123'", 'B0111 TEMPERATUR', "B0112 'big'"]);
    expect(ds.map((d) => d.message).join('\n')).not.toContain('sk-123');
  });

  it('needs KIND and ENDPOINT (B0110 at the model name)', async () => {
    const text = 'CREATE MODEL bare (PARAMS_B 1)';
    const ds = await userErrors(text, async () => bindModel(createModel(text)));
    expect(ds.map((d) => `${d.code} ${d.at}`)).toEqual(['B0110 bare', 'B0110 bare']);
  });

  it('API_KEY_ENV must name a variable, not hold a key (B0116)', async () => {
    const text = "CREATE MODEL m (KIND llm, ENDPOINT 'sim://', API_KEY_ENV 'sk-abc/def')";
    const [d] = await userErrors(text, async () => bindModel(createModel(text)));
    expect(d).toMatchObject({ code: 'B0116', at: "'sk-abc/def'" });
  });
});
