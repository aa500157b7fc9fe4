// bench:detect: how long from an outage to the page. 20 injected outages (nftables drops of a
// commune point's echo requests on loopback) against the daemon's real wiring (scheduler → fping →
// bus → alert engine → SQLite outbox → signed webhook to a node:http receiver), timed from the
// moment the drop rule is in place to the webhook's arrival, p50/p95/max. The peer in the same
// run is fping alone: a bare loop with the same flags and interval over the same 235 targets that
// declares a point down after the same number of all-lost rounds. The ratio says what netcov's
// pipeline adds to what the probing settings themselves cost.
//
// Profiles: defaults (5 s rounds, 3 failed rounds; goal p95 ≤ 20 s) and fast (2 s rounds, 500 ms
// echo timeout, 3 failed rounds; goal p95 ≤ 10 s; documented in docs/alerts.md).
// Usage: npm run bench:detect [-- --outages 20] [-- --profile defaults|fast|both] [-- --parallel 4]
// Needs root (nftables) and fping. Traffic goes to 127.0.0.0/8 only.
import { cpus } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { createDaemon } from '../src/daemon.js';
import { loadInventory } from '../src/inventory/load.js';
import type { Point } from '../src/inventory/model.js';
import { fpingArgs } from '../src/probes/icmp/fping.js';
import { createFaultTable, nftAvailability } from '../src/sim/nft.js';
import { findExecutable } from '../src/util/executable.js';
import { createLogger } from '../src/util/log.js';
import pino from 'pino';
import { runProcess } from '../src/util/run-process.js';
import { startWebhookReceiver } from '../test/helpers/alerting.js';

const PROFILES = {
  defaults: { yaml: '', goalP95S: 20 },
  fast: { yaml: 'icmp: { interval_s: 2, timeout_ms: 500 }\n', goalP95S: 10 },
} as const;
type ProfileName = keyof typeof PROFILES;

const { values } = parseArgs({ options: { outages: { type: 'string' }, profile: { type: 'string' }, parallel: { type: 'string' } } });
const OUTAGES = Number(values.outages ?? 20);
const PARALLEL = Number(values.parallel ?? 4);
const which = (values.profile ?? 'both') as ProfileName | 'both';
const progress = process.stdout.isTTY && !process.env.CI;
const say = (s: string) => {
  if (progress) process.stderr.write(`${s}\n`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** fping alone: rounds at the same interval and flags over the same targets; "down" after N all-lost rounds. */
function startPeer(fping: string, config: Config, addresses: string[]) {
  const failed = new Map<string, number>();
  const watching = new Map<string, { sinceMs: number; resolve: (ms: number) => void }>();
  let stopped = false;
  const args = fpingArgs({ count: config.icmp.count, periodMs: config.icmp.period_ms, timeoutMs: config.icmp.timeout_ms, sendIntervalMs: config.icmp.send_interval_ms }, 4);
  const loop = async () => {
    let next = Date.now();
    while (!stopped) {
      const r = await runProcess(fping, args, { stdin: addresses.join('\n') + '\n', deadlineMs: 60_000 });
      const text = `${r.stdout}\n${r.stderr}`;
      for (const line of text.split('\n')) {
        const m = /^(\S+)\s+:\s+(.+)$/.exec(line.trim());
        if (!m) continue;
        const allLost = m[2]!.split(/\s+/).every((tok) => tok === '-');
        const n = allLost ? (failed.get(m[1]!) ?? 0) + 1 : 0;
        failed.set(m[1]!, n);
        const w = watching.get(m[1]!);
        if (w && n >= config.alerts.down_after_rounds) {
          watching.delete(m[1]!);
          w.resolve(Date.now() - w.sinceMs);
        }
      }
      next += config.icmp.interval_s * 1000;
      await sleep(Math.max(0, next - Date.now()));
    }
  };
  const done = loop();
  return {
    /** Resolves with ms from `sinceMs` to the round that made `address` down. */
    watch(address: string, sinceMs: number): Promise<number> {
      return new Promise((resolve) => watching.set(address, { sinceMs, resolve }));
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

interface ProfileResult {
  name: ProfileName;
  netcovMs: number[];
  peerMs: number[];
  /** Outages not paged within 120 s (counted as failures of the goal). */
  timedOut: number;
  goalP95S: number;
  intervalS: number;
}

async function runProfile(name: ProfileName, fping: string, communes: Point[]): Promise<ProfileResult> {
  const profile = PROFILES[name];
  const inventory = loadInventory().inventory;
  const dir = mkdtempSync(join(tmpdir(), 'netcov-bench-detect-'));
  const hook = await startWebhookReceiver('bench');
  const config = parseConfig(
    `state_dir: ${dir}\nsink: { kind: none }\napi: { enabled: false }\n${profile.yaml}notify:\n  receivers:\n    oncall:\n      webhook_configs: [{ url: "${hook.url}", secret: bench }]\n  default_receivers: [oncall]\n`,
    'bench.yaml',
  );
  // The daemon's log goes to a file: an outlier is explained by its point's status changes.
  const logFile = join(dir, 'netcov.log');
  const daemon = createDaemon({ config, inventory, log: createLogger({ level: 'info', destination: pino.destination({ dest: logFile, sync: true }) }) });
  const faults = await createFaultTable({ tag: 'benchdetect' });
  const peer = startPeer(fping, config, [...new Set(inventory.points.map((p) => p.address))]);
  const netcovMs: number[] = [];
  const peerMs: number[] = [];
  let timedOut = 0;
  try {
    await daemon.start();
    await sleep(config.icmp.interval_s * 1000 * 2 + 1000); // every point UP first
    const queue = communes.slice(0, OUTAGES);
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        // A random phase against the rounds, as a real outage has.
        await sleep(Math.random() * config.icmp.interval_s * 1000);
        const rule = await faults.dropEcho(p.address);
        const t0 = Date.now();
        const peerDone = peer.watch(p.address, t0);
        const pointId = p.id;
        let page;
        try {
          page = await waitFor(() => hook.received.find((r) => r.body.alert.point_id === pointId && r.body.kind === 'firing' && r.atMs >= t0), 120_000);
        } catch {
          console.log(`  ${name}: ${p.id} not paged within 120 s`);
          explain(logFile, p.id, t0);
          timedOut++;
          await rule.remove();
          continue;
        }
        netcovMs.push(page.atMs - t0);
        peerMs.push(await peerDone);
        say(`  ${name}: ${p.id} paged after ${((page.atMs - t0) / 1000).toFixed(1)} s (fping alone: ${(peerMs.at(-1)! / 1000).toFixed(1)} s)`);
        if (page.atMs - t0 > 2 * peerMs.at(-1)! + 5000) explain(logFile, p.id, t0);
        await rule.remove();
        await waitFor(() => hook.received.find((r) => r.body.alert.point_id === pointId && r.body.kind === 'resolved' && r.atMs >= t0), 120_000).catch(() => {
          console.log(`  ${name}: ${p.id} resolved notice not seen within 120 s`);
        });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    await peer.stop();
    await faults.delete();
    await daemon.stop('bench');
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { name, netcovMs, peerMs, timedOut, goalP95S: profile.goalP95S, intervalS: config.icmp.interval_s };
}

/** Print an outlier's status changes from the daemon's log (e.g. UNREACHABLE behind an upstream someone else faulted). */
function explain(logFile: string, pointId: string, sinceMs: number): void {
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes(`"${pointId}"`) || l.includes('"root_id"'));
  const changes = lines
    .map((l) => JSON.parse(l) as { time: string; event: string; point_id?: string; from?: string; to?: string; root_id?: string; state_type?: string })
    .filter((l) => l.event === 'point_status' && Date.parse(l.time) >= sinceMs - 1000 && (l.point_id === pointId || l.root_id !== undefined))
    .slice(0, 12)
    .map((l) => `${l.time.slice(11, 19)} ${l.point_id} ${l.from}→${l.to}/${l.state_type}${l.root_id ? ` root ${l.root_id}` : ''}`);
  console.log(`  outlier ${pointId}: ${changes.join('; ')}`);
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function main(): Promise<number> {
  const fping = findExecutable('fping');
  const nft = nftAvailability();
  if (!fping || !nft.ok) {
    process.stderr.write(`bench:detect needs fping and nftables as root: ${!fping ? "'fping' not found" : nft.ok ? '' : nft.reason}\n`);
    return 1;
  }
  const inventory = loadInventory().inventory;
  // One commune per district in turn (parallel outages never share an upstream), from districts
  // the simulator's scenarios and other tests leave alone (src/sim/scenarios, test/integration).
  const quiet = new Set(['district-648', 'district-649', 'district-650', 'district-653', 'district-654', 'district-655', 'district-656', 'district-657']);
  const byDistrict = new Map<string, Point[]>();
  for (const p of inventory.points) if (p.kind === 'commune' && p.upstream && quiet.has(p.upstream)) byDistrict.set(p.upstream, [...(byDistrict.get(p.upstream) ?? []), p]);
  const communes: Point[] = [];
  for (let i = 0; communes.length < OUTAGES; i++) {
    const before = communes.length;
    for (const list of byDistrict.values()) if (list[i] && communes.length < OUTAGES) communes.push(list[i]!);
    if (communes.length === before) break;
  }
  const names: ProfileName[] = which === 'both' ? ['defaults', 'fast'] : [which];
  const results: ProfileResult[] = [];
  for (const name of names) {
    say(`profile ${name}: ${OUTAGES} outages, ${PARALLEL} at a time`);
    results.push(await runProfile(name, fping, communes));
  }
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`bench:detect — ${OUTAGES} outages per profile (nftables drop → signed webhook delivery)`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  console.log('profile   | rounds | netcov p50 / p95 / max (s) | fping alone p50 / p95 (s) | p50 ratio | goal p95   | met');
  let ok = true;
  for (const r of results) {
    const n = [...r.netcovMs].sort((a, b) => a - b);
    const f = [...r.peerMs].sort((a, b) => a - b);
    const p95 = quantile(n, 0.95);
    const met = p95 <= r.goalP95S * 1000 && r.timedOut === 0;
    ok &&= met;
    console.log(
      `${r.name.padEnd(9)}${r.timedOut ? ` (${r.timedOut} not paged)` : ''} | ${`${r.intervalS} s`.padEnd(6)} | ${`${s(quantile(n, 0.5))} / ${s(p95)} / ${s(n.at(-1)!)}`.padEnd(26)} | ${`${s(quantile(f, 0.5))} / ${s(quantile(f, 0.95))}`.padEnd(25)} | ${(quantile(n, 0.5) / quantile(f, 0.5)).toFixed(2).padEnd(9)} | ≤ ${String(r.goalP95S).padEnd(2)} s    | ${met ? 'yes' : 'NO'}`,
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench:detect: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
