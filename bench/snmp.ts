// bench:snmp — SNMP polling cost, netcov against Debian's prometheus-snmp-exporter in the same run,
// on the same simulated agents (src/sim/snmp-agents.ts: system group + 8 interfaces each, on
// 127.68.x.y), and netcov's capacity per 60 s cycle on one core.
//
//  1. Comparison: N agents (default 1,000) polled R rounds at a time, alternating blocks:
//     netcov = the real SNMP source in its own process (bench/snmp-poller.ts: sessions, GETBULK
//     walk, rates, samples encoded to line protocol); its CPU is its own process.cpuUsage().
//     exporter = prometheus-snmp-exporter with a module for the same OIDs (system group + the 13
//     ifTable/ifXTable columns netcov reads, ifName/ifAlias as labels), scraped over HTTP;
//     its CPU is its own /proc/<pid>/stat. Both pinned to CPU 0 (taskset), the simulator and the
//     HTTP driver to CPU 1, so neither side's figure includes the agents' work.
//     Printed: CPU seconds per 1,000 device polls and the ratio (goal ≤ 1.0).
//  2. Capacity: M agents (default 5,000) polled once cold (new sessions, first walk) and once warm,
//     netcov pinned to one core: whether all complete within 60 s, and how many one core could poll
//     per 60 s at the measured CPU cost (goal 5,000; 15,000 later).
//
// Usage: npm run bench:snmp [-- --compare 1000] [-- --rounds 3] [-- --capacity 5000]
//        [-- --skip-exporter] [-- --skip-capacity]. Traffic goes to 127.0.0.0/8 only.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IF_COLUMNS, SYSTEM } from '../src/probes/snmp/oids.js';
import { loopbackAddresses, startSnmpAgents, type SnmpAgents } from '../src/sim/snmp-agents.js';
import { findExecutable } from '../src/util/executable.js';
import type { PollerJob, RoundReport } from './snmp-poller.js';

const GOAL_RATIO = 1.0;
const GOAL_AGENTS = 5000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    compare: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    capacity: { type: 'string', default: '5000' },
    'skip-exporter': { type: 'boolean', default: false },
    'skip-capacity': { type: 'boolean', default: false },
  },
});
const COMPARE = Number(values.compare);
const ROUNDS = Number(values.rounds);
const CAPACITY = Number(values.capacity);
const progress = (process.stdout.isTTY && !process.env.CI) || process.env.NETCOV_BENCH_PROGRESS === "1";
const say = (s: string) => {
  if (progress) process.stderr.write(`${s}\n`);
};

// ------------------------------------------------------------------------------- CPU placement

const taskset = findExecutable('taskset');
const twoCores = cpus().length >= 2;
/** Pin this process (the simulator's worker threads and the HTTP driver) to CPU 1. */
function pinSelf(): void {
  if (taskset && twoCores) spawnSync(taskset, ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
}
/** argv for a process pinned to CPU 0 (or unpinned when taskset or a second core is missing). */
const onCpu0 = (argv: string[]): [string, string[]] => (taskset && twoCores ? [taskset, ['-c', '0', ...argv]] : [argv[0] as string, argv.slice(1)]);

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, USER_HZ = 100
}

// ------------------------------------------------------------------------------- netcov child

interface Poller {
  rounds(n: number): Promise<RoundReport[]>;
  stop(): Promise<void>;
}

function startPoller(job: PollerJob, dir: string): Poller {
  // Thousands of addresses are too long for argv: the job goes through a file.
  const jobFile = join(dir, `job-${job.addresses.length}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const [cmd, args] = onCpu0([process.execPath, '--import', 'tsx', join(ROOT, 'bench/snmp-poller.ts'), jobFile]);
  const child: ChildProcessWithoutNullStreams = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async rounds(n) {
      child.stdin.write(`${JSON.stringify({ rounds: n })}\n`);
      const out: RoundReport[] = [];
      for (;;) {
        const next = await lines.next();
        if (next.done) throw new Error(`netcov poller exited: ${stderr.slice(-2000)}`);
        const msg = JSON.parse(next.value) as RoundReport | { done: true };
        if ('done' in msg) return out;
        out.push(msg);
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end('{"quit":true}\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ------------------------------------------------------------------------------ the exporter

const WALKED = ['ifName', 'ifAlias', 'ifOperStatus', 'ifAdminStatus', 'ifHighSpeed', 'ifHCInOctets', 'ifHCOutOctets', 'ifHCInUcastPkts', 'ifHCOutUcastPkts', 'ifInErrors', 'ifOutErrors', 'ifInDiscards', 'ifOutDiscards'] as const;

/** snmp_exporter 0.21 module for the OIDs netcov reads (as the generator would write it). */
export function exporterModule(community: string, timeoutMs: number, retries: number, maxRepetitions: number): string {
  const lines = ['netcov:', '  version: 2', '  auth:', `    community: ${community}`, `  max_repetitions: ${maxRepetitions}`, `  retries: ${retries}`, `  timeout: ${timeoutMs}ms`, '  walk:'];
  for (const c of WALKED) lines.push(`  - ${IF_COLUMNS[c]}`);
  lines.push('  get:', ...[SYSTEM.sysDescr, SYSTEM.sysUpTime, SYSTEM.sysName].map((o) => `  - ${o}`), '  metrics:');
  for (const [name, oid, type] of [
    ['sysDescr', '1.3.6.1.2.1.1.1', 'DisplayString'],
    ['sysUpTime', '1.3.6.1.2.1.1.3', 'gauge'],
    ['sysName', '1.3.6.1.2.1.1.5', 'DisplayString'],
  ]) {
    lines.push(`  - name: ${name}`, `    oid: ${oid}`, `    type: ${type}`, `    help: ${name}`);
  }
  for (const c of WALKED.filter((c) => c !== 'ifName' && c !== 'ifAlias')) {
    const type = /Octets|Pkts|Errors|Discards/.test(c) ? 'counter' : 'gauge';
    lines.push(`  - name: ${c}`, `    oid: ${IF_COLUMNS[c]}`, `    type: ${type}`, `    help: ${c}`, '    indexes:', '    - labelname: ifIndex', '      type: gauge', '    lookups:');
    for (const label of ['ifName', 'ifAlias'] as const) lines.push('    - labels: [ifIndex]', `      labelname: ${label}`, `      oid: ${IF_COLUMNS[label]}`, '      type: DisplayString');
  }
  return `${lines.join('\n')}\n`;
}

interface Exporter {
  pid: number;
  scrape(targets: string[], concurrency: number): Promise<{ ok: number; failed: number }>;
  stop(): Promise<void>;
}

async function startExporter(bin: string, dir: string, port: number, timeoutMs: number): Promise<Exporter> {
  const configFile = join(dir, 'snmp.yml');
  writeFileSync(configFile, exporterModule('public', timeoutMs, 2, 25));
  const listen = `127.0.0.1:${port}`;
  const [cmd, args] = onCpu0([bin, `--config.file=${configFile}`, `--web.listen-address=${listen}`, '--log.level=warn']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://${listen}/`);
      break;
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error(`prometheus-snmp-exporter did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // taskset execs the exporter in place: the child's pid is the exporter's.
  const pid = child.pid as number;
  return {
    pid,
    async scrape(targets, concurrency) {
      let ok = 0;
      let failed = 0;
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const target = targets[next++];
          try {
            const res = await fetch(`http://${listen}/snmp?module=netcov&target=${target}`);
            const body = await res.text();
            if (res.status === 200 && body.includes('ifHCInOctets{')) ok++;
            else failed++;
          } catch {
            failed++;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { ok, failed };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// ----------------------------------------------------------------------------------- running

async function startAgents(count: number): Promise<SnmpAgents> {
  const addresses = loopbackAddresses(count, '127.68');
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    try {
      return await startSnmpAgents({ agents: addresses.map((address) => ({ address })), port, interfaces: 8, workers: 1 });
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

const fmt = (n: number, d = 1) => n.toFixed(d);

async function main(): Promise<void> {
  pinSelf();
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  console.log(`bench:snmp — ${machine}${taskset && twoCores ? '; netcov and the exporter pinned to CPU 0, agents and driver to CPU 1' : '; not pinned (taskset or a second CPU missing)'}`);
  const total = Math.max(COMPARE, values['skip-capacity'] ? 0 : CAPACITY);
  say(`starting ${total} simulated agents …`);
  const agents = await startAgents(total);
  const port = agents.port;
  const dir = mkdtempSync(join(tmpdir(), 'netcov-bench-snmp-'));
  try {
    const job = (addresses: string[]): PollerJob => ({ addresses, port, community: 'public', concurrency: 64, timeoutMs: 2000, retries: 2, maxRepetitions: 25 });
    const compareAddresses = agents.addresses.slice(0, COMPARE);

    // ---- 1. netcov vs the exporter
    const exporterBin = values['skip-exporter'] ? undefined : findExecutable('prometheus-snmp-exporter');
    if (!values['skip-exporter'] && !exporterBin) console.log('prometheus-snmp-exporter not found (Debian package prometheus-snmp-exporter): comparison skipped');
    const poller = startPoller(job(compareAddresses), dir);
    say(`netcov: warm-up round over ${COMPARE} agents …`);
    const warm = await poller.rounds(1);
    const exporter = exporterBin ? await startExporter(exporterBin, dir, 20000 + Math.floor(Math.random() * 10000), 2000) : undefined;
    const targets = compareAddresses.map((a) => `${a}:${port}`);
    if (exporter) {
      say('exporter: warm-up scrape …');
      await exporter.scrape(targets, 64);
    }
    const netcov = { cpuMs: 0, wallMs: 0, ok: 0, failed: 0, rounds: 0, bytes: 0 };
    const peer = { cpuMs: 0, wallMs: 0, ok: 0, failed: 0, rounds: 0 };
    for (let block = 0; block < 2; block++) {
      say(`block ${block + 1}/2: netcov ${ROUNDS} rounds …`);
      for (const r of await poller.rounds(ROUNDS)) {
        netcov.cpuMs += r.cpuMs;
        netcov.wallMs += r.wallMs;
        netcov.ok += r.ok;
        netcov.failed += r.failed;
        netcov.bytes += r.lineBytes;
        netcov.rounds++;
      }
      if (!exporter) continue;
      say(`block ${block + 1}/2: exporter ${ROUNDS} rounds …`);
      for (let i = 0; i < ROUNDS; i++) {
        const cpu0 = procCpuMs(exporter.pid);
        const t0 = performance.now();
        const r = await exporter.scrape(targets, 64);
        peer.wallMs += performance.now() - t0;
        peer.cpuMs += procCpuMs(exporter.pid) - cpu0;
        peer.ok += r.ok;
        peer.failed += r.failed;
        peer.rounds++;
      }
    }
    await poller.stop();
    await exporter?.stop();
    const perThousand = (cpuMs: number, polls: number) => (cpuMs / 1000 / Math.max(1, polls)) * 1000;
    const netcovPer = perThousand(netcov.cpuMs, netcov.ok);
    console.log(`\n1. CPU per 1,000 device polls (system group + 8 interfaces), ${COMPARE} agents × ${netcov.rounds} rounds each`);
    console.log('| poller | polls ok | failed | wall s/round | CPU s per 1,000 polls |');
    console.log('|---|---|---|---|---|');
    console.log(`| netcov (warm-up round: ${fmt(warm[0]?.cpuMs ?? 0, 0)} ms CPU) | ${netcov.ok} | ${netcov.failed} | ${fmt(netcov.wallMs / netcov.rounds / 1000, 2)} | ${fmt(netcovPer, 3)} |`);
    if (exporter) {
      const peerPer = perThousand(peer.cpuMs, peer.ok);
      console.log(`| prometheus-snmp-exporter 0.21 | ${peer.ok} | ${peer.failed} | ${fmt(peer.wallMs / peer.rounds / 1000, 2)} | ${fmt(peerPer, 3)} |`);
      const ratio = netcovPer / peerPer;
      console.log(`ratio netcov / exporter: ${fmt(ratio, 3)} (goal ≤ ${GOAL_RATIO}: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}); netcov also encoded ${fmt(netcov.bytes / Math.max(1, netcov.ok), 0)} bytes of line protocol per poll`);
    }

    // ---- 2. capacity on one core
    if (!values['skip-capacity']) {
      say(`capacity: ${CAPACITY} agents, a cold and a warm cycle …`);
      const big = startPoller(job(agents.addresses.slice(0, CAPACITY)), dir);
      const [cold, warmRound] = await big.rounds(2);
      await big.stop();
      console.log(`\n2. Capacity: ${CAPACITY} agents, netcov on one core (concurrency 64, timeout 2 s × 3)`);
      console.log('| cycle | polls ok | failed | wall s | CPU s | within 60 s | agents per 60 s of one core at this CPU cost |');
      console.log('|---|---|---|---|---|---|---|');
      for (const [name, r] of [['cold (new sessions)', cold], ['warm', warmRound]] as const) {
        if (!r) continue;
        const perCore = Math.floor((r.ok * 60_000) / Math.max(1, r.cpuMs));
        console.log(`| ${name} | ${r.ok} | ${r.failed} | ${fmt(r.wallMs / 1000, 1)} | ${fmt(r.cpuMs / 1000, 1)} | ${r.wallMs <= 60_000 && r.failed === 0 ? 'yes' : 'no'} | ${perCore} |`);
      }
      const ok = (warmRound?.ok ?? 0) === CAPACITY && (warmRound?.wallMs ?? Infinity) <= 60_000;
      console.log(`goal: ${GOAL_AGENTS} agents within one 60 s cycle: ${ok && CAPACITY >= GOAL_AGENTS ? 'met' : 'NOT met'}`);
    }
    console.log(`\nsimulated agents answered ${await agents.requests()} requests; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await agents.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
