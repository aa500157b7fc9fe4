// Locates the external programs integration tests depend on, and holds netcov's single policy for
// a missing one: in CI (CI=true) the test FAILS, because a CI run that silently skipped the real
// services would prove nothing; on a developer machine the test is skipped with a printed reason.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Test } from 'tap';

/** Debian package that ships each binary the tests use (named in the failure/skip message). */
export const APT_PACKAGE: Readonly<Record<string, string>> = {
  influxd: 'influxdb',
  influx: 'influxdb-client',
  snmpd: 'snmpd',
  snmpget: 'snmp',
  snmpwalk: 'snmp',
  snmpbulkwalk: 'snmp',
  snmptrap: 'snmp',
  snmptrapd: 'snmptrapd',
  snmpsimd: 'snmpsim',
  fping: 'fping',
  nft: 'nftables',
  ip: 'iproute2',
  ping: 'iputils-ping',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'prometheus-snmp-exporter': 'prometheus-snmp-exporter',
};

// Daemons such as snmpd live in sbin, which a non-root PATH often lacks.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable named `name` on PATH (or in the sbin dirs), else undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_DIRS].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: keep looking
    }
  }
  return undefined;
}

/** True when running under CI, where a missing service must fail the run instead of skipping. */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * The one policy function. Resolves every binary in `names`; if any is missing it either fails
 * `t` (CI) or skips it with the reason, and returns undefined: the caller must then `return`.
 * Call it before any assertion in the test (a skip is recorded as `plan(0, reason)` when possible).
 */
export function requireBinaries<const N extends string>(
  t: Test,
  names: readonly N[],
): Record<N, string> | undefined {
  const found = {} as Record<N, string>;
  const missing: string[] = [];
  for (const name of names) {
    const path = findBinary(name);
    if (path === undefined) missing.push(name);
    else found[name] = path;
  }
  if (missing.length === 0) return found;

  const what = missing
    .map((name) => {
      const pkg = APT_PACKAGE[name];
      return pkg === undefined ? `'${name}'` : `'${name}' (Debian package '${pkg}')`;
    })
    .join(', ');
  const packages = [...new Set(missing.flatMap((n) => APT_PACKAGE[n] ?? []))];
  const hint = packages.length > 0 ? `; install with: apt-get install ${packages.join(' ')}` : '';
  const reason = `${what} not found on PATH${hint}`;

  if (isCi()) {
    t.fail(`required binary missing in CI: ${reason}`);
    return undefined;
  }
  t.comment(`skipping: ${reason}`);
  // plan(0) marks the whole test as SKIP, but only if nothing was asserted yet; otherwise record
  // a skipped entry so the reason still shows up in the output.
  if (t.counts.total === 0) {
    try {
      t.plan(0, `skipped: ${reason}`);
      return undefined;
    } catch {
      // a plan was already set: fall through
    }
  }
  // The callback of a skipped subtest never runs; tap awaits the subtest itself.
  void t.skip(`skipped: ${reason}`, () => undefined);
  return undefined;
}

/** Single-binary form of {@link requireBinaries}: the absolute path, or undefined (then return). */
export function requireBinary(t: Test, name: string): string | undefined {
  return requireBinaries(t, [name])?.[name];
}
