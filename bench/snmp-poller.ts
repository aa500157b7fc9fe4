// bench:snmp's netcov side, run in its own process so its CPU is its own (the simulated agents live
// in the parent). It builds one point per agent address and the real SNMP source (sessions, walk,
// rates, `interface`/`snmp` samples encoded to line protocol), then answers commands on stdin, one
// JSON line each (the job itself comes in a JSON file named by argv[2]): {"rounds": N} polls every point N times (all at once, within the config's
// concurrency) and replies with one JSON line per round: wall and CPU ms, polls ok and failed.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { defaultConfig } from '../src/config/load.js';
import { loadInventory } from '../src/inventory/load.js';
import { Inventory, type Point } from '../src/inventory/model.js';
import { encodeSamples } from '../src/metrics/line-protocol.js';
import { ObservationBus } from '../src/observations.js';
import { createSnmpSource } from '../src/probes/snmp/source.js';
import { Scheduler } from '../src/scheduler/index.js';
import { silentLogger } from '../src/util/log.js';

export interface PollerJob {
  addresses: string[];
  port: number;
  community: string;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  maxRepetitions: number;
}

export interface RoundReport {
  round: number;
  wallMs: number;
  cpuMs: number;
  ok: number;
  failed: number;
  lineBytes: number;
  failures: Record<string, number>;
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as PollerJob;
const { inventory: shipped } = loadInventory();
const template = shipped.points.find((p) => p.kind === 'commune') as Point;
const points: Point[] = job.addresses.map((address, i) => ({ ...template, id: `bench-${i}`, name: `bench-${i}`, address, snmpPort: job.port, upstream: undefined, tags: {} }));
const inventory = new Inventory({ levels: shipped.levels, units: [...shipped.units.values()], villages: [], points });

const config = defaultConfig();
config.snmp.concurrency = job.concurrency;
config.snmp.timeout_ms = job.timeoutMs;
config.snmp.retries = job.retries;
config.snmp.max_repetitions = job.maxRepetitions;
config.snmp.credentials.default = { version: '2c', community: job.community };

let lineBytes = 0;
const source = createSnmpSource({
  snmp: config.snmp,
  inventory,
  bus: new ObservationBus(),
  scheduler: new Scheduler(), // never started: the bench drives the polls
  log: silentLogger(),
  // What the daemon would hand the sink, encoded as the sink would: part of the cost of a poll.
  write: (samples) => {
    for (const l of encodeSamples(samples)) lineBytes += l.bytes;
  },
});

let round = 0;
async function pollAll(): Promise<RoundReport> {
  const before = source.stats();
  const bytes0 = lineBytes;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await Promise.all(points.map((p) => source.pollNow(p.id)));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = source.stats();
  const failures: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.failures)) if (v - (before.failures[k] ?? 0) > 0) failures[k] = v - (before.failures[k] ?? 0);
  const failed = results.filter((r) => r?.error !== undefined).length;
  return { round: ++round, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ok: results.length - failed, failed, lineBytes: lineBytes - bytes0, failures };
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const cmd = JSON.parse(line) as { rounds?: number; quit?: boolean };
  if (cmd.quit) break;
  for (let i = 0; i < (cmd.rounds ?? 1); i++) process.stdout.write(`${JSON.stringify(await pollAll())}\n`);
  process.stdout.write('{"done":true}\n');
}
await source.stop();
process.exit(0); // stdin stays open after the loop: leave explicitly
