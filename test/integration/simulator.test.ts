// `netcov simulate` for real, as a child process: 235 SNMP agents on their inventory addresses, a
// scenario whose point goes dark through nftables (root) and whose base station goes down in the
// status feed; checked with fping, Net-SNMP's snmpget and the feed over HTTP; then Ctrl-C leaves no
// nftables table behind and the point answers again. With --no-nft skipped parts are reported.
// Each simulator runs in a network namespace of its own (its own loopback and nftables), so the
// other tests using 127.66.x.y in parallel neither see its faults nor disturb its agents.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireBinaries } from '../helpers/binaries.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { netns, type Netns } from '../helpers/netns.js';
import { makeTempDir } from '../helpers/process.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/sim-coverage');

interface Sim {
  child: ChildProcess;
  events: Record<string, unknown>[];
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function simulate(ns: Netns, args: string[]): Sim {
  const child = spawn(ns.exec[0]!, [...ns.exec.slice(1), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/main.ts'), 'simulate', '--json', '--lang', 'en', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      events.push({ event: 'text', line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    events,
    exited,
    async waitFor(event, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.event === event);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${event} (exit ${child.exitCode}); stderr: ${stderr.slice(-2000)}; events: ${JSON.stringify(events).slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const fping = (ns: Netns, bin: string, ...targets: string[]) => ns.run([bin, '-C', '5', '-q', '-p', '100', '-t', '300', ...targets]);
/** Replies out of 5 per target, from fping -C's summary on stderr. */
const replies = (stderr: string, target: string) => (new RegExp(`^${target.replace(/\./g, '\\.')}\\s*:(.*)$`, 'm').exec(stderr)?.[1] ?? '').trim().split(/\s+/).filter((x) => x !== '-').length;

t.test('the simulated province, a dark point and a base station outage, and a clean stop', async (t) => {
  const bins = requireBinaries(t, ['fping', 'snmpget', 'nft']);
  if (!bins) return;
  const ns = netns(t, 'sim');
  if (!ns) return;

  const dir = makeTempDir(t, 'netcov-sim-');
  const scenarioFile = join(dir, 'test.yaml');
  writeFileSync(
    scenarioFile,
    'name: test\nincidents:\n  - { kind: point_dark, point: commune-24415, at_s: 0 }\n  - { kind: cell_outage, village: "24199-04", at_s: 0 }\n  - { kind: interface_saturated, point: district-651, at_s: 0 }\n',
  );
  const port = 1161; // the namespace's loopback is ours alone
  const sim = simulate(ns, ['--scenario', scenarioFile, '--port', String(port), '--coverage-port', '0', '--coverage-dir', FIXTURE]);
  t.teardown(() => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });
  const ready = await sim.waitFor('simulator_ready', 60_000);
  t.equal(ready.agents, 235, 'an agent per point');
  t.match(ready.nft_table, new RegExp(`^netcov_sim_${sim.child.pid}_`), 'its own nftables table');
  const incidents = ready.incidents as { kind: string; skipped: string[]; affects: string }[];
  t.same(incidents.map((i) => i.skipped), [[], [], []], 'nothing skipped as root');
  t.match(incidents[1]?.affects, /2 cells covering village 24199-04/);
  while (sim.events.filter((e) => e.event === 'incident_start').length < 3) await sim.waitFor('incident_start').then(() => new Promise((r) => setTimeout(r, 50)));

  // ICMP: the dark point is dark, its neighbour is not.
  const ping = fping(ns, bins.fping, '127.66.10.11', '127.66.10.12');
  t.equal(replies(ping.stderr, '127.66.10.11'), 0, `dark point: no reply\n${ping.stderr}`);
  t.equal(replies(ping.stderr, '127.66.10.12'), 5, 'neighbour: every reply');

  // SNMP: the neighbour's agent answers with its point id as sysName; the dark one does not.
  const get = (address: string) => ns.run([bins.snmpget, '-v2c', '-c', 'public', '-t', '0.5', '-r', '0', '-On', '-Oqv', `${address}:${port}`, '1.3.6.1.2.1.1.5.0']);
  const ok = get('127.66.10.12');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /commune-24418/);
  const dark = get('127.66.10.11');
  t.not(dark.status, 0, 'the dark point does not answer SNMP');
  t.match(dark.stderr, /Timeout/);

  // Coverage: the cells covering the village are down in the status feed.
  const feeds = ready.feeds as Record<string, string>;
  // The feed server listens on the namespace's loopback: fetch from inside it.
  const fetchIn = (url: string) => ns.run([process.execPath, '-e', `fetch(${JSON.stringify(url)}).then(async (r) => process.stdout.write(r.status + '\\n' + (await r.text())))`]);
  const status = fetchIn(feeds.status!).stdout;
  t.match(status, /^LTE,452,04,101,1,down,/m);
  t.match(status, /^LTE,452,02,102,2,down,/m);
  t.match(fetchIn(feeds.cells!).stdout, /^200\nradio,mcc,net/);

  // Ctrl-C: a clean stop, no table left, the point answers again.
  sim.child.kill('SIGINT');
  t.equal(await sim.exited, 0, 'exit 0 on SIGINT');
  t.ok(sim.events.some((e) => e.event === 'simulator_stopped'));
  t.notMatch(ns.run([bins.nft, 'list', 'tables', 'inet']).stdout, 'netcov_sim_', 'its nftables table is gone');
  t.equal(replies(fping(ns, bins.fping, '127.66.10.11').stderr, '127.66.10.11'), 5, 'the point answers again');
});

t.test('--no-nft: the incidents that need nftables say so, the others still run', async (t) => {
  const ns = netns(t, 'simnonft');
  if (!ns) return;
  const dir = makeTempDir(t, 'netcov-sim-');
  const scenarioFile = join(dir, 'test.yaml');
  writeFileSync(scenarioFile, 'name: test\nincidents:\n  - { kind: point_dark, point: commune-24415 }\n  - { kind: packet_loss, point: agency-skhdt }\n  - { kind: cell_outage, village: "24199-04" }\n');
  const sim = simulate(ns, ['--scenario', scenarioFile, '--port', '1161', '--coverage-port', '0', '--coverage-dir', FIXTURE, '--no-nft']);
  t.teardown(() => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });
  const ready = await sim.waitFor('simulator_ready', 60_000);
  t.equal(ready.nft_table, null);
  t.match(ready.nft_unavailable, /turned off/);
  const incidents = ready.incidents as { skipped: string[] }[];
  t.match(incidents[0]?.skipped[0], /ICMP and SNMP drop skipped: nftables faults are turned off/);
  t.match(incidents[1]?.skipped[0], /30 % echo drop skipped/);
  t.same(incidents[2]?.skipped, [], 'the base station outage needs no root');
  sim.child.kill('SIGTERM');
  t.equal(await sim.exited, 0);
});
