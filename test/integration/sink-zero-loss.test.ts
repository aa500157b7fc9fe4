// Zero loss (issue 3): a writer process (test/fixtures/sink-rounds.ts, the real sink) writes one
// `ping` point per point id of the shipped 235-point inventory per round; the real influxd is
// stopped for at least 60 s; during the outage the writer is SIGKILLed once and started again on
// the same spool; then influxd comes back. Every round the writer reported as accepted must be in
// InfluxDB for every point id, counted per point id with InfluxQL, and nothing else.
// (The 60 s outage is what the issue asks for; the rest is kept as short as it can be.)
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadInventory } from '../../src/inventory/load.js';
import { startInfluxd } from '../helpers/services.js';

const OUTAGE_MS = 60_000;
const ROUND_INTERVAL_MS = 250;
const STEP_MS = 1000; // time between rounds' timestamps
const FIXTURE = resolve(import.meta.dirname, '../fixtures/sink-rounds.ts');

interface Line {
  event: string;
  round?: number;
  spoolPoints?: number;
  stats?: { spoolPoints: number; pointsDropped: number; pointsWritten: number };
}

interface Writer {
  proc: ChildProcess;
  lines: Line[];
  accepted: Set<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function query(url: string, q: string): Promise<{ tags?: Record<string, string>; values: unknown[][] }[]> {
  const res = await fetch(`${url}/query?db=netcov&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { tags?: Record<string, string>; values: unknown[][] }[]; error?: string }[] };
  if (body.results[0]?.error !== undefined) throw new Error(body.results[0].error);
  return body.results[0]?.series ?? [];
}

void t.test('zero loss: influxd down ≥ 60 s, the writer SIGKILLed and restarted meanwhile', async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'netcov-zero-loss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spoolDir = join(dir, 'spool');
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  const writers: Writer[] = [];
  t.teardown(() => {
    for (const w of writers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  });

  const startWriter = (startRound: number): Writer => {
    const args = { url: influxd.url, spoolDir, t0, stepMs: STEP_MS, startRound, rounds: 100_000, intervalMs: ROUND_INTERVAL_MS };
    const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr?.pipe(createWriteStream(join(dir, `writer-${writers.length}.log`)));
    const w: Writer = {
      proc,
      lines: [],
      accepted: new Set(),
      exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
    };
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      w.lines.push(line);
      if (line.event === 'round_accepted' && line.round !== undefined) w.accepted.add(line.round);
    });
    writers.push(w);
    return w;
  };
  const writerLog = (i: number) => readFileSync(join(dir, `writer-${i}.log`), 'utf8');

  // 1. Normal operation: rounds reach InfluxDB.
  const a = startWriter(0);
  await until('rounds in InfluxDB', async () => (await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping"').catch(() => []))[0]?.values[0]?.[1] as number >= 3 * 235, 30_000);

  // 2. The outage: influxd stopped; the writer keeps accepting rounds into its spool.
  await influxd.stop();
  const outageStart = Date.now();
  const acceptedBeforeOutage = a.accepted.size;
  await sleep(10_000);
  t.ok(a.accepted.size > acceptedBeforeOutage + 10, `rounds keep being accepted while InfluxDB is down (${a.accepted.size - acceptedBeforeOutage})`);

  // 3. SIGKILL mid-outage, then a new process on the same spool, resuming after the last accepted round.
  a.proc.kill('SIGKILL');
  t.match(await a.exited, { signal: 'SIGKILL' });
  const lastA = Math.max(...a.accepted);
  const b = startWriter(lastA + 1);
  await until('the restarted writer', () => b.accepted.size >= 3, 30_000);
  t.match(writerLog(1), /"event":"spool_opened"[^\n]*"points":[1-9]/, 'the restarted writer found the spooled rounds');

  // 4. InfluxDB back after ≥ 60 s; the spool drains while new rounds keep coming.
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
  await influxd.restart();
  t.ok(Date.now() - outageStart >= OUTAGE_MS, `influxd was down ${Math.round((Date.now() - outageStart) / 1000)} s`);
  await until('the spool to drain', () => {
    const last = b.lines.filter((l) => l.event === 'round_accepted').at(-1);
    return last !== undefined && last.spoolPoints === 0 && last.round !== undefined && last.round > lastA + 5;
  }, 60_000);
  b.proc.kill('SIGTERM');
  t.match(await b.exited, { code: 0 }, 'clean stop');
  const stopped = b.lines.find((l) => l.event === 'stopped');
  t.match(stopped?.stats, { pointsDropped: 0, spoolPoints: 0 }, 'nothing dropped, spool empty');

  // 5. Every accepted round, for every point id, exactly once.
  const accepted = new Set([...a.accepted, ...b.accepted]);
  const ids = loadInventory().inventory.points.map((p) => p.id).sort();
  t.equal(ids.length, 235);
  const perId = await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping" GROUP BY point_id');
  t.same(perId.map((s) => s.tags?.point_id).sort(), ids, 'every point id is in InfluxDB');
  const counts = new Set(perId.map((s) => s.values[0]?.[1]));
  t.same([...counts], [accepted.size], `each point id has exactly one point per accepted round (${accepted.size} rounds)`);
  // An explicit upper bound: GROUP BY time() stops at now() otherwise, and round times run ahead of the clock.
  const end = t0 + (Math.max(...accepted) + 10) * STEP_MS;
  const perRound = await query(influxd.url, `SELECT count(packets_transmitted) FROM "raw"."ping" WHERE time >= ${t0}ms AND time < ${end}ms GROUP BY time(${STEP_MS}ms) fill(none)`);
  const rounds = new Map((perRound[0]?.values ?? []).map((v) => [((v[0] as number) - t0) / STEP_MS, v[1] as number]));
  t.same([...rounds.keys()].sort((x, y) => x - y), [...accepted].sort((x, y) => x - y), 'the rounds in InfluxDB are exactly the accepted rounds');
  t.same([...new Set(rounds.values())], [235], 'each of them complete (235 points)');
});
