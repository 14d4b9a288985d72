// agentlake's own settings (SET agentlake.<name>): what each accepts, its default, and applying a
// parsed settings statement. Shared by a session's scripts and the server's per-connection settings.
import { assertNever } from '../diag/assert-never.ts';
import { fail } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Priority } from '../ir/common.ts';
import { DEVICE_KINDS, preloadList, type DeviceKind } from '../ir/cluster.ts';

/** The agentlake.* settings a statement runs under. */
export interface Settings {
  readonly gpus: number;
  /** The simulated accelerator behind sim:// models. */
  readonly device: DeviceKind;
  /** Each engine starts with its own first placement loaded (ir/cluster.ts). */
  readonly warm: boolean;
  /** Models resident at time 0 on GPU 0, 1, ... (catalog names), for every engine. */
  readonly preload: readonly string[];
  /** Models think before they answer (thinking mode; ir/cluster.ts). */
  readonly reasoning: boolean;
  readonly cache: boolean;
  readonly optimizer: boolean;
  readonly priority: Priority;
}

export type SettingName = keyof Settings;

export const SETTING_NAMES: readonly SettingName[] = ['cache', 'device', 'gpus', 'optimizer', 'preload', 'priority', 'reasoning', 'warm'];

/** The settings of the simulated cluster: one per server (`agentlake serve` owns them), per session in the CLI. */
export const CLUSTER_SETTINGS: ReadonlySet<SettingName> = new Set(['gpus', 'device', 'warm', 'preload', 'reasoning']);

/** A setting's value as it is stored per connection: lower-case text. */
const CHOICES: Readonly<Record<Exclude<SettingName, 'gpus' | 'preload'>, { readonly values: readonly string[]; readonly says: string }>> = {
  cache: { values: ['true', 'false', 'on', 'off'], says: 'on or off' },
  warm: { values: ['true', 'false', 'on', 'off'], says: 'on or off' },
  reasoning: { values: ['true', 'false', 'on', 'off'], says: 'on or off' },
  device: { values: DEVICE_KINDS, says: DEVICE_KINDS.map((d) => `'${d}'`).join(' or ') },
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
  if (name === 'preload') {
    if (!/^\s*(?:[a-z_][a-z0-9_]*\s*(?:,\s*[a-z_][a-z0-9_]*\s*)*)?$/.test(raw)) fail('B0131', `agentlake.preload is a comma-separated list of model names, one per GPU from GPU 0, not '${raw}'`, at);
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
    case 'warm':
    case 'reasoning':
      return { ...settings, [name]: raw === 'true' || raw === 'on' };
    case 'priority':
      return { ...settings, priority: raw as Priority };
    case 'device':
      return { ...settings, device: raw as DeviceKind };
    case 'preload':
      return { ...settings, preload: preloadList(raw) };
    default:
      return assertNever(name, 'setting');
  }
}

/** Text values of on/off settings as a connection keeps them (`{ cache: 'off' }` → `{ cache: false }`). */
export function onOff(v: string | undefined): boolean | undefined {
  return v === undefined ? undefined : ['true', 'on'].includes(v.toLowerCase());
}
