// The shipped unit systemd/netcovd.service, checked with the real systemd tools and the kernel:
// - `systemd-analyze security --offline=true` exposure is printed and must be ≤ 2.0;
// - `systemd-analyze verify` must report nothing about the unit (it runs without a booted systemd;
//   lines it prints about the container itself are shown, not judged);
// - the capability model of the unit (DynamicUser-like uid, NoNewPrivileges, AmbientCapabilities=
//   CAP_NET_RAW, bounding set CAP_NET_RAW) lets fping ping, and fping cannot without it. setpriv
//   builds exactly that process state; as root only (CI runs as root).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinaries, requireBinary, isCi } from '../helpers/binaries.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/process.js';

const UNIT = join(REPO_ROOT, 'systemd/netcovd.service');
const MAX_EXPOSURE = 2.0;

t.test('systemd-analyze security: overall exposure ≤ 2.0', async (t) => {
  const analyze = requireBinary(t, 'systemd-analyze');
  if (!analyze) return;
  const r = spawnSync(analyze, ['security', '--offline=true', '--no-pager', UNIT], { encoding: 'utf8' });
  const m = /Overall exposure level for netcovd\.service: (\d+(?:\.\d+)?)/.exec(r.stdout);
  t.ok(m, `exposure line present\n${r.stdout.slice(-2000)}${r.stderr}`);
  const exposure = Number(m?.[1]);
  t.comment(`systemd-analyze security: exposure ${exposure} (limit ${MAX_EXPOSURE}; Debian's prometheus-alertmanager.service: 9.2)`);
  // The settings still marked ✗, so a reader of the CI log sees what is and is not locked down.
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('✗'))) t.comment(line.replace(/\s{2,}/g, '  '));
  t.ok(exposure <= MAX_EXPOSURE, `exposure ${exposure} ≤ ${MAX_EXPOSURE}`);
});

t.test('systemd-analyze verify: no complaint about the unit', async (t) => {
  const analyze = requireBinary(t, 'systemd-analyze');
  if (!analyze) return;
  // verify checks that ExecStart's binary exists: point it at this machine's node.
  const dir = makeTempDir(t, 'netcov-unit-');
  const unit = join(dir, 'netcovd.service');
  writeFileSync(unit, readFileSync(UNIT, 'utf8').replaceAll('/usr/bin/node', process.execPath));
  const r = spawnSync(analyze, ['verify', '--man=no', unit], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  const aboutUnit = lines.filter((l) => l.includes(unit) || l.includes('netcovd.service'));
  for (const l of lines.filter((x) => !aboutUnit.includes(x))) t.comment(`verify (not about the unit): ${l}`);
  t.same(aboutUnit, [], 'verify reports nothing about netcovd.service');
  t.equal(r.status, 0, 'verify exits 0');

  // The check is not toothless: a misspelt key is reported.
  writeFileSync(unit, readFileSync(unit, 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
  const bad = spawnSync(analyze, ['verify', '--man=no', unit], { encoding: 'utf8' });
  t.match(`${bad.stdout}${bad.stderr}`, /Unknown key .?NoNewPrivilege/, 'a misspelt key is caught');
});

t.test('the unit names what the daemon relies on', async (t) => {
  const text = readFileSync(UNIT, 'utf8');
  for (const line of [
    'Type=notify',
    'NotifyAccess=main',
    'WatchdogSec=',
    'Restart=on-failure',
    'DynamicUser=yes',
    'StateDirectory=netcov',
    'ConfigurationDirectory=netcov',
    'LoadCredential=netcov:/etc/netcov/credentials',
    'AmbientCapabilities=CAP_NET_RAW',
    'CapabilityBoundingSet=CAP_NET_RAW',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'SystemCallFilter=@system-service',
    'ExecReload=/bin/kill -HUP $MAINPID',
  ])
    t.ok(text.split('\n').some((l) => l.startsWith(line)), line);
});

t.test("fping under the unit's capabilities: works with ambient CAP_NET_RAW + NoNewPrivileges, not without", async (t) => {
  const bins = requireBinaries(t, ['fping', 'setpriv']);
  if (!bins) return;
  if (process.getuid?.() !== 0) {
    if (isCi()) t.fail('CI runs as root; this check needs root to switch users');
    else t.plan(0, 'skipped: needs root to switch to an unprivileged uid');
    return;
  }
  // nobody/nogroup stands in for DynamicUser's transient uid.
  const asService = ['--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs'];
  const withCap = ['--inh-caps=+net_raw', '--ambient-caps=+net_raw', '--bounding-set=-all,+net_raw'];
  // sh in between, as in the service: node exec()s fping from a process without file capabilities.
  const ping = (fping: string, extra: string[]) =>
    spawnSync(bins.setpriv, [...asService, ...extra, '/bin/sh', '-c', 'exec "$0" -C 1 -q -i 1 -p 200 -t 500 127.0.0.1', fping], { encoding: 'utf8', timeout: 10_000 });

  // Debian's fping carries cap_net_raw as a file capability; a locally built one may not.
  const dir = makeTempDir(t, 'netcov-fping-');
  chmodSync(dir, 0o755);
  const plainFping = join(dir, 'fping');
  copyFileSync(bins.fping, plainFping); // a copy loses the file capability
  chmodSync(plainFping, 0o755);

  for (const [name, path] of [['Debian fping', bins.fping], ['fping without file capabilities', plainFping]] as const) {
    const ok = ping(path, withCap);
    t.equal(ok.status, 0, `${name} pings with ambient CAP_NET_RAW: ${ok.stderr}`);
    t.match(ok.stderr, /127\.0\.0\.1 : \d/, `${name} got a reply`);
  }

  const range = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
  const unprivilegedIcmp = (range[0] ?? 1) <= 65534 && 65534 <= (range[1] ?? 0);
  if (unprivilegedIcmp) {
    t.comment(`net.ipv4.ping_group_range (${range.join(' ')}) lets any user ping: the negative check proves nothing here`);
  } else {
    const denied = ping(bins.fping, []);
    // fping's status 4: a system call failed (its ICMP socket); with -q it prints nothing.
    t.equal(denied.status, 4, 'without the capability fping cannot open its socket');
  }
});
