// bench:icmp: one ICMP round, netcov's probe (fping backend → observations → `ping` samples)
// against fping alone on the same loopback targets in the same run, at the shipped 235 points and
// at 5,000 generated ones (127.67.x.y). Prints wall and CPU of both (CPU of netcov = this process
// plus its children; of fping = its own, from this process's reaped-children counters) and the
// ratios against the goals: CPU ≤ 1.5× and wall ≤ 1.2× fping's.
//
// Usage: npm run bench:icmp [-- --rounds N] [-- --fallback]  (--fallback also times the ping
// package at 235 points, one round). Traffic goes to 127.0.0.0/8 only.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/load.js';
import { loadInventory } from '../src/inventory/load.js';
import type { Point } from '../src/inventory/model.js';
import { createFpingPinger, fpingArgs } from '../src/probes/icmp/fping.js';
import { probeRound, type EchoSettings, type Pinger } from '../src/probes/icmp/index.js';
import { icmpSamples } from '../src/probes/icmp/metrics.js';
import { createPingFallbackPinger } from '../src/probes/icmp/ping-fallback.js';
import { findExecutable } from '../src/util/executable.js';
import { runProcess } from '../src/util/run-process.js';

const GOAL_CPU = 1.5;
const GOAL_WALL = 1.2;

const { values } = parseArgs({ options: { rounds: { type: 'string' }, fallback: { type: 'boolean' } } });
const progress = process.stdout.isTTY && !process.env.CI;
const say = (s: string) => {
  if (progress) process.stderr.write(`${s}\n`);
};

/** CPU ms of the children this process has reaped so far (utime + stime), from /proc/self/stat. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the ")" that closes the command name; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Measure {
  wallMs: number;
  cpuMs: number;
}

async function measure(fn: () => Promise<void>, includeSelf: boolean): Promise<Measure> {
  const child0 = childrenCpuMs();
  const self0 = selfCpuMs();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const cpuMs = childrenCpuMs() - child0 + (includeSelf ? selfCpuMs() - self0 : 0);
  return { wallMs, cpuMs };
}

const sum = (ms: Measure[]) => ms.reduce((a, m) => ({ wallMs: a.wallMs + m.wallMs, cpuMs: a.cpuMs + m.cpuMs }), { wallMs: 0, cpuMs: 0 });

async function compare(label: string, points: Point[], settings: EchoSettings, rounds: number, fping: string, inventoryForSamples: Parameters<typeof icmpSamples>[0]) {
  const addresses = [...new Set(points.map((p) => p.address))];
  const pinger = createFpingPinger({ path: fping });
  const alone: Measure[] = [];
  const netcov: Measure[] = [];
  let lost = 0;
  for (let i = 0; i < rounds; i++) {
    say(`${label}: round ${i + 1}/${rounds}`);
    // Alternate the order so neither side always runs on a warmer (or busier) machine.
    const runAlone = async () => {
      alone.push(await measure(async () => {
        const r = await runProcess(fping, fpingArgs(settings, 4), { stdin: `${addresses.join('\n')}\n` });
        if (r.code !== 0 && r.code !== 1) throw new Error(`fping exited with ${String(r.code)}: ${r.stderr.slice(-200)}`);
      }, false));
    };
    const runNetcov = async () => {
      netcov.push(await measure(async () => {
        const { observations } = await probeRound(pinger, points, settings, Date.now());
        icmpSamples(inventoryForSamples, observations);
        lost += observations.filter((o) => o.received < o.transmitted).length;
      }, true));
    };
    if (i % 2 === 0) {
      await runAlone();
      await runNetcov();
    } else {
      await runNetcov();
      await runAlone();
    }
  }
  const a = sum(alone);
  const n = sum(netcov);
  const cpuRatio = n.cpuMs / Math.max(a.cpuMs, 1);
  const wallRatio = n.wallMs / a.wallMs;
  return { label, targets: addresses.length, rounds, alone: a, netcov: n, cpuRatio, wallRatio, roundsWithLoss: lost };
}

async function fallbackRound(points: Point[], settings: EchoSettings): Promise<Measure> {
  const pinger: Pinger = createPingFallbackPinger({ concurrency: defaultConfig().icmp.ping_concurrency });
  return measure(async () => {
    await probeRound(pinger, points, settings, Date.now());
  }, true);
}

async function main() {
  const fping = findExecutable('fping');
  if (!fping) throw new Error('fping not found (Debian package fping)');
  const icmp = defaultConfig().icmp;
  const settings: EchoSettings = { count: icmp.count, periodMs: icmp.period_ms, timeoutMs: icmp.timeout_ms, sendIntervalMs: icmp.send_interval_ms };
  const { inventory } = loadInventory();
  const shipped = [...inventory.points];
  // 5,000 generated targets on 127.67.0.0/16 (every 127.x address answers on Linux); samples are
  // made with the tags of the shipped points they are cloned from.
  const template = shipped[0]!;
  const big: Point[] = Array.from({ length: 5000 }, (_, i) => ({ ...template, address: `127.67.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  const roundsSmall = Number(values.rounds ?? 10);
  const roundsBig = Math.max(1, Math.ceil(roundsSmall / 5));

  const results = [
    await compare('235 points (shipped inventory)', shipped, settings, roundsSmall, fping, inventory),
    await compare('5,000 targets (127.67.x.y)', big, settings, roundsBig, fping, inventory),
  ];

  const cpuModel = cpus()[0]?.model ?? 'unknown';
  console.log(`bench:icmp — ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} CPUs (${cpuModel}), Node ${process.version}, ${fping}`);
  console.log(`round: ${settings.count} echoes per target, period ${settings.periodMs} ms, timeout ${settings.timeoutMs} ms, send interval ${settings.sendIntervalMs} ms`);
  console.log('');
  console.log('| targets | rounds | fping wall ms/round | netcov wall ms/round | wall ratio | fping CPU ms/round | netcov CPU ms/round | CPU ratio | goals (CPU ≤ 1.5×, wall ≤ 1.2×) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let ok = true;
  for (const r of results) {
    const pass = r.cpuRatio <= GOAL_CPU && r.wallRatio <= GOAL_WALL;
    ok &&= pass;
    const per = (x: number) => (x / r.rounds).toFixed(1);
    console.log(`| ${r.targets} | ${r.rounds} | ${per(r.alone.wallMs)} | ${per(r.netcov.wallMs)} | ${r.wallRatio.toFixed(3)} | ${per(r.alone.cpuMs)} | ${per(r.netcov.cpuMs)} | ${r.cpuRatio.toFixed(3)} | ${pass ? 'met' : 'NOT met'} |`);
    if (r.roundsWithLoss) console.log(`  note: ${r.roundsWithLoss} point-rounds saw loss (a busy machine drops loopback echoes?)`);
  }
  if (values.fallback) {
    say('ping package fallback: one round at 235 points');
    const f = await fallbackRound(shipped, settings);
    const base = results[0]!;
    console.log('');
    console.log(`ping package fallback, 235 points, 1 round: wall ${f.wallMs.toFixed(0)} ms, CPU ${f.cpuMs.toFixed(0)} ms (${(f.cpuMs / (base.alone.cpuMs / base.rounds)).toFixed(0)}× fping's CPU)`);
  }
  console.log('');
  console.log(`goals ${ok ? 'met' : 'NOT met'} (measured, not asserted: see BENCHMARKS.md).`);
  console.log('CPU of children is counted in clock ticks (10 ms): per-round figures are averages over the rounds.');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
