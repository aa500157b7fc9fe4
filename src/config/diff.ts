// What changed between two loaded configurations (a SIGHUP reload), as dotted key paths, and
// which of those changes only take effect after a restart. Pure: the daemon logs the result.
// Secrets are compared by value but only their key path is ever reported.
import { Secret } from './secret.js';

/**
 * Keys whose new value is not applied by a reload (a prefix matches the key and everything under
 * it). They name resources held for the process's life: the listening sockets, the files and
 * directories opened at start. Changing them needs `systemctl restart netcovd`.
 */
export const RESTART_ONLY_KEYS: readonly string[] = [
  'state_dir',
  'sink.kind',
  'sink.spool',
  'snmp.traps.enabled',
  'snmp.traps.address',
  'snmp.traps.port',
  'alerts.store_file',
  'api.enabled',
  'api.host',
  'api.port',
  'api.trust_proxy',
];

export interface ConfigChanges {
  /** Every changed leaf key (arrays count as one value), sorted. */
  changed: string[];
  /** The subset of `changed` under RESTART_ONLY_KEYS. */
  restartRequired: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Secret);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Secret || b instanceof Secret) {
    const av = a instanceof Secret ? a.reveal() : a;
    const bv = b instanceof Secret ? b.reveal() : b;
    return av === bv;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return Object.is(a, b);
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (!sameValue(a, b)) out.push(path);
}

/** The keys that differ between `before` and `after`, and those needing a restart. */
export function configChanges(before: unknown, after: unknown, restartOnly: readonly string[] = RESTART_ONLY_KEYS): ConfigChanges {
  const changed: string[] = [];
  walk(before, after, '', changed);
  changed.sort();
  const restartRequired = changed.filter((key) => restartOnly.some((p) => key === p || key.startsWith(`${p}.`)));
  return { changed, restartRequired };
}
