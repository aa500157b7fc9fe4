// bench:api: autocannon at a fixed 500 requests/s on GET /api/v1/summary (bearer token) while the
// real daemon probes the 235 shipped loopback points (fping rounds every 5 s, alerting, sink to the
// spool), printing p50/p99 latency and errors against the goal (p99 ≤ 50 ms, no error). The peer
// in the same run is /healthz (no work behind it) at the same rate: the ratio is what the summary
// itself costs. Traffic goes to 127.0.0.0/8 only.
//
// Usage: npm run bench:api [-- --duration 30] [-- --rate 500] [-- --connections 10]
import autocannon from 'autocannon';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { parseConfig } from '../src/config/load.js';
import { createDaemon } from '../src/daemon.js';
import { loadInventory } from '../src/inventory/load.js';
import { createLogger } from '../src/util/log.js';

const GOAL_P99_MS = 50;
const { values } = parseArgs({ options: { duration: { type: 'string' }, rate: { type: 'string' }, connections: { type: 'string' }, 'peer-duration': { type: 'string' } } });
const durationS = Number(values.duration ?? 30);
const rate = Number(values.rate ?? 500);
const connections = Number(values.connections ?? 10);
const peerDurationS = Number(values['peer-duration'] ?? 10);
const progress = process.stdout.isTTY && !process.env.CI;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const TOKEN = 'bench-read-token-0123456789abcdef';
const stateDir = mkdtempSync(join(tmpdir(), 'netcov-bench-api-'));
const port = await freePort();
const config = parseConfig(
  `state_dir: ${stateDir}
log: { level: warn }
sink: { kind: none }
snmp: { enabled: false }
api:
  port: ${port}
  tokens:
    - { name: bench, role: read, token: ${TOKEN} }
`,
  'bench-api.yaml',
);
const { inventory } = loadInventory();
const log = createLogger({ level: 'warn' });
const daemon = createDaemon({ config, inventory, log });
await daemon.start();
const base = `http://127.0.0.1:${port}`;

// Let the probes run a couple of rounds so the states and figures are there.
await new Promise((r) => setTimeout(r, 12_000));
const sanity = await fetch(`${base}/api/v1/summary`, { headers: { authorization: `Bearer ${TOKEN}` } });
const summary = (await sanity.json()) as { total: number; by_state: Record<string, number> };
if (sanity.status !== 200 || summary.total !== inventory.points.length) throw new Error(`summary not ready: ${sanity.status} ${JSON.stringify(summary).slice(0, 200)}`);

interface Result {
  path: string;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** The daemon's event-loop delay during the run, ms. */
  loopP99: number;
  loopMax: number;
}

/** Event-loop delay of the daemon's thread during a run: what stalls every request at once. */
function loopDelay(): { stop(): { p99: number; max: number } } {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return {
    stop() {
      h.disable();
      return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
    },
  };
}

async function run(path: string, seconds: number): Promise<Result> {
  const delay = loopDelay();
  const instance = autocannon({
    url: `${base}${path}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    connections,
    overallRate: rate,
    duration: seconds,
    // The load generator in its own thread: sharing the daemon's event loop would time itself.
    workers: 1,
  });
  if (progress) process.stderr.write(`${path}: ${seconds} s at ${rate} req/s …\n`);
  const r = await instance;
  const loop = delay.stop();
  return { path, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors + r.timeouts, non2xx: r.non2xx, loopP99: loop.p99, loopMax: loop.max };
}

const peer = await run('/healthz', peerDurationS);
const main = await run('/api/v1/summary', durationS);
const icmpJobs = (await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()).match(/^netcov_rounds_total\{[^}]*\} (\d+)/m);

await daemon.stop('bench done');
rmSync(stateDir, { recursive: true, force: true });

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? cpus()[0]?.model ?? '?';
const line = (r: Result) =>
  `${r.path.padEnd(18)} ${String(r.requests).padStart(7)} req  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  max ${r.max.toFixed(1).padStart(6)} ms  errors ${r.errors}  non-2xx ${r.non2xx}  loop delay p99 ${r.loopP99.toFixed(1)} ms max ${r.loopMax.toFixed(1)} ms`;
console.log(`bench:api — ${rate} req/s, ${connections} connections; daemon probing ${inventory.points.length} points (states: ${JSON.stringify(summary.by_state)})`);
console.log(`machine: ${cpus().length} cores, ${cpu}, Node ${process.version}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on the machine inflates both rows alike)`);
console.log(line(peer));
console.log(line(main));
console.log(`ratio summary/healthz: p50 ${(main.p50 / Math.max(peer.p50, 0.001)).toFixed(2)}×, p99 ${(main.p99 / Math.max(peer.p99, 0.001)).toFixed(2)}×`);
console.log(`ICMP rounds completed by the daemon during the run (first job): ${icmpJobs?.[1] ?? '?'}`);
const ok = main.p99 <= GOAL_P99_MS && main.errors === 0 && main.non2xx === 0;
console.log(`goal p99 ≤ ${GOAL_P99_MS} ms and zero errors: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
