// agentlake's own settings (SET agentlake.<name>): what each accepts, its default, and applying a
// parsed settings statement. Shared by a session's scripts and the server's per-connection settings.
import { fail } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Priority } from '../ir/common.ts';

/** The agentlake.* settings a statement runs under. */
export interface Settings {
  readonly gpus: number;
  readonly cache: boolean;
  readonly optimizer: boolean;
  readonly priority: Priority;
}

export type SettingName = keyof Settings;

export const SETTING_NAMES: readonly SettingName[] = ['cache', 'gpus', 'optimizer', 'priority'];

/** A setting's value as it is stored per connection: lower-case text. */
const CHOICES: Readonly<Record<Exclude<SettingName, 'gpus'>, { readonly values: readonly string[]; readonly says: string }>> = {
  cache: { values: ['true', 'false', 'on', 'off'], says: 'on or off' },
  optimizer: { values: ['true', 'false', 'on', 'off'], says: 'on or off' },
  priority: { values: ['high', 'medium', 'low'], says: "'high', 'medium' or 'low'" },
};

/** True for `name` of a known setting. */
export function isSettingName(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** Fails with B0132 for an unknown setting name, suggesting a near one. */
export function unknownSetting(name: string, at: Span, known: readonly string[] = SETTING_NAMES): never {
  const list = known.map((k) => `agentlake.${k}`).join(', ');
  return fail('B0132', `unknown setting 'agentlake.${name}'`, at, { help: didYouMean(name, [...known]) ?? `settings: ${list}` });
}

/** Checks `raw` (lower case) for setting `name`; fails with B0131 at `at` when it is not a value it takes. */
export function checkSettingValue(name: SettingName, raw: string, at: Span): void {
  if (name === 'gpus') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 64) fail('B0131', `agentlake.gpus is a whole number from 1 to 64, not '${raw}'`, at);
    return;
  }
  const c = CHOICES[name];
  if (!c.values.includes(raw)) fail('B0131', `agentlake.${name} is ${c.says}, not '${raw}'`, at);
}

/** `settings` with `name` set from its checked text value. */
export function withSetting(settings: Settings, name: SettingName, raw: string): Settings {
  switch (name) {
    case 'gpus':
      return { ...settings, gpus: Number(raw) };
    case 'cache':
    case 'optimizer':
      return { ...settings, [name]: raw === 'true' || raw === 'on' };
    case 'priority':
      return { ...settings, priority: raw as Priority };
  }
}

/** Text values of on/off settings as a connection keeps them (`{ cache: 'off' }` → `{ cache: false }`). */
export function onOff(v: string | undefined): boolean | undefined {
  return v === undefined ? undefined : ['true', 'on'].includes(v.toLowerCase());
}
