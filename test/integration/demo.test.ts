// The demo, headless, as the README's first command runs it: the simulated province (235 agents,
// the SAMPLE coverage feeds, nftables faults as root) and a real `netcov run`. Within its
// scenario: GET /api/v1/summary shows 235 points, an outage page fires (and a root-cause page
// naming a district with its communes), and the village the base-station outage cuts off is listed
// by GET /api/v1/coverage/gaps. Afterwards no process of the demo and no nftables table is left.
// It runs in a network namespace of its own, so its outages and the other tests' (which use the
// same 127.66.x.y addresses) cannot see each other.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireBinaries } from '../helpers/binaries.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { netns } from '../helpers/netns.js';
import { makeTempDir } from '../helpers/process.js';

/** Processes whose command line mentions `text` (the demo's own directory). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

t.test('npm run demo, headless: 235 points, an outage page, a root-cause page, a new dead zone; nothing left behind', async (t) => {
  const bins = requireBinaries(t, ['fping', 'nft']);
  if (!bins) return;
  const ns = netns(t, 'demo');
  if (!ns) return;
  const dir = makeTempDir(t, 'netcov-demo-');
  const child = spawn(ns.exec[0]!, [...ns.exec.slice(1), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/main.ts'), 'demo', '--headless', '--duration-s', '180', '--lang', 'en', '--dir', dir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      events.push({ event: 'text', line });
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const log = () => `stderr: ${stderr.slice(-1500)}\nevents: ${JSON.stringify(events.filter((e) => e.event !== 'alert')).slice(-3000)}\ndaemon log tail: ${(() => {
    try {
      return readFileSync(join(dir, 'netcov.log'), 'utf8').split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(-15).join('\n');
    } catch {
      return '(none)';
    }
  })()}`;

  const ready = events.find((e) => e.event === 'demo_ready');
  t.ok(ready?.api_up, `the API answered\n${log()}`);
  t.match(ready?.dead_zone_village, /^\d{5}-\d{2}$/, 'the scenario picked a village for the base station outage');
  t.same(events.filter((e) => e.event === 'incident_skipped'), [], 'as root every incident runs');

  const result = events.find((e) => e.event === 'demo_result') as { ok: boolean; outcome: Record<string, { point_id?: string; affected?: number; village_code?: string } | number | undefined>; elapsed_s: number } | undefined;
  t.ok(result, `a result was printed\n${log()}`);
  t.equal(result?.outcome.points, 235, 'GET /api/v1/summary shows 235 points');
  t.ok(result?.outcome.outagePage, `an outage alert fired\n${log()}`);
  const rootCause = result?.outcome.rootCausePage as { point_id: string; affected: number } | undefined;
  t.ok(rootCause && rootCause.affected >= 1, 'a root-cause page names the points behind the failed one');
  const deadZone = result?.outcome.deadZone as { village_code: string } | undefined;
  t.equal(deadZone?.village_code, ready?.dead_zone_village, `GET /api/v1/coverage/gaps lists the village the outage cut off\n${log()}`);
  t.ok(result && result.elapsed_s <= 120, `all within two minutes of the scenario's start (${result?.elapsed_s} s)`);
  t.equal(code, 0, 'the headless demo exits 0 when it saw all three');
  t.ok(events.at(-1)?.event === 'demo_stopped', 'it says it stopped everything');

  // Nothing left behind.
  t.same(processesMentioning(dir), [], 'no process of the demo is left');
  const tables = ns.run([bins.nft, 'list', 'tables', 'inet']);
  t.equal(tables.status, 0, tables.stderr);
  t.notMatch(tables.stdout, 'netcov_sim_', 'no nftables table of the demo is left');
});
