// The one parser of SET / RESET / SHOW agentlake.<name>: what it accepts, and the offsets it reports.
import { describe, expect, it } from 'vitest';
import { parseSettingStatement } from '../../src/sql/setting-statement.ts';

describe('parseSettingStatement', () => {
  it('reads SET with = or TO, quoted or not, with offsets of the name and the value', () => {
    const text = "SET agentlake.cache = 'OFF';";
    const s = parseSettingStatement(text);
    expect(s).toMatchObject({ op: 'set', name: 'cache', value: 'off' });
    expect(text.slice(s?.nameSpan.start, s?.nameSpan.end)).toBe('agentlake.cache');
    expect(text.slice(s?.valueSpan.start, s?.valueSpan.end)).toBe("'OFF'");
    expect(parseSettingStatement('set session agentlake.GPUS to 4')).toMatchObject({ op: 'set', name: 'gpus', value: '4' });
    expect(parseSettingStatement('SET LOCAL agentlake.priority TO low')).toMatchObject({ op: 'set', name: 'priority', value: 'low' });
  });

  it('reads RESET and SHOW without a value', () => {
    expect(parseSettingStatement('RESET agentlake.optimizer')).toMatchObject({ op: 'reset', name: 'optimizer', value: '' });
    const show = parseSettingStatement('  SHOW agentlake.gpus;');
    expect(show).toMatchObject({ op: 'show', name: 'gpus' });
    expect(show?.nameSpan).toEqual({ start: 7, end: 21 });
  });

  it('leaves every other statement to DuckDB', () => {
    expect(parseSettingStatement('SET threads = 4')).toBeUndefined();
    expect(parseSettingStatement('SELECT 1')).toBeUndefined();
    expect(parseSettingStatement('SET agentlake.cache on')).toBeUndefined();
    expect(parseSettingStatement('SHOW agentlake.cache = 1')).toBeUndefined();
    expect(parseSettingStatement('SET agentlake_x.cache = on')).toBeUndefined();
  });
});
