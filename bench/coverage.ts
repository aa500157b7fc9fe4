// bench:coverage: one full coverage recompute (model + unit figures + dead-zone step) with the
// kdbush index against the naive all-pairs loop, in the same run, at province scale (the shipped
// 2,386 sample villages and the SAMPLE feeds of data/coverage-sample) and at national scale
// (100,000 synthetic villages in 10,395 communes, 120,000 cells, 1,000,000 measurements, 50,000
// reports). Both indexes must give identical results (checked). The naive loop at national scale
// would take over an hour: it runs on 0.25 % of the villages (every 400th) and is extrapolated
// (all-pairs cost is linear in villages), which the output says. Then the 1,000,000-row ingestion
// (rows/s, peak RSS). Times are medians, wall and CPU; the goals are judged on CPU time, which a
// shared, loaded machine inflates less than wall time (the recompute is single-threaded).
//
// Usage: npm run bench:coverage [-- --runs N] [-- --no-ingest]. Goals: province ≤ 200 ms, national ≤ 5 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nationalScenario, provinceScenario, recomputer, sameResult } from './coverage-scenarios.js';
import { runIngestChild, writeMeasurementFile } from './coverage-ingest.js';

const GOAL_PROVINCE_MS = 200;
const GOAL_NATIONAL_MS = 5000;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'no-ingest': { type: 'boolean' } } });
const RUNS = Number(values.runs);
const progress = process.stdout.isTTY && !process.env.CI;
const say = (s: string) => {
  if (progress) process.stderr.write(`${s}\n`);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Median wall and CPU time of `runs` calls after `warm` unmeasured ones. */
function time(fn: () => void, runs: number, warm: number): Timing {
  for (let i = 0; i < warm; i++) fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

// ---------------------------------------------------------------------------------------------
const rows: string[][] = [];
const fmt = (ms: number) => ms.toFixed(ms < 100 ? 1 : 0);
const both = (t: Timing) => `${fmt(t.wallMs)} (CPU ${fmt(t.cpuMs)})`;

say('province: reading the SAMPLE feeds …');
const province = await provinceScenario();
{
  const villages = province.inv.villages;
  const kd = recomputer(province, villages, 'kdbush');
  const naive = recomputer(province, villages, 'naive');
  if (!sameResult(kd(), naive())) throw new Error('province: kdbush and naive results differ');
  say(`province: timing (${RUNS} runs each) …`);
  const tKd = time(kd, RUNS, 3);
  const tNaive = time(naive, Math.max(3, Math.ceil(RUNS / 3)), 1);
  const r = kd().units.get('66')!;
  rows.push([
    `province (${villages.length.toLocaleString('en')} villages, ${province.inputs.cells.length.toLocaleString('en')} cells, ${province.inputs.measurements[0]!.count.toLocaleString('en')} measurements)`,
    both(tKd), both(tNaive), 'measured', (tNaive.cpuMs / tKd.cpuMs).toFixed(1), tKd.cpuMs <= GOAL_PROVINCE_MS ? `met (≤ ${GOAL_PROVINCE_MS} ms)` : `MISSED (> ${GOAL_PROVINCE_MS} ms)`,
  ]);
  console.log(`province figure: ${r.populationCoveredPct!.toFixed(2)} % of the population with 4G, ${r.deadZoneVillages} dead-zone villages`);
}

say('national: generating 100,000 villages, 120,000 cells, 1,000,000 measurements …');
const national = nationalScenario();
{
  const all = national.inv.villages;
  const kd = recomputer(national, all, 'kdbush');
  say('national: timing the kdbush recompute …');
  const tKd = time(kd, Math.max(3, Math.ceil(RUNS / 3)), 1);
  // The naive loop on 0.25 % of the villages (every 400th), checked against kdbush on the same subset.
  const subset = all.filter((_, i) => i % 400 === 0);
  const kdSub = recomputer(national, subset, 'kdbush');
  const naiveSub = recomputer(national, subset, 'naive');
  say(`national: naive all-pairs on ${subset.length} villages …`);
  if (!sameResult(kdSub(), naiveSub())) throw new Error('national subset: kdbush and naive results differ');
  const tNaiveSub = time(naiveSub, 1, 0);
  const scale = all.length / subset.length;
  const tNaive = { wallMs: tNaiveSub.wallMs * scale, cpuMs: tNaiveSub.cpuMs * scale };
  const r = kd().units.get('VN')!;
  rows.push([
    `national (${all.length.toLocaleString('en')} villages, ${national.inputs.cells.length.toLocaleString('en')} cells, ${national.inputs.measurements[0]!.count.toLocaleString('en')} measurements)`,
    both(tKd), both(tNaive), `extrapolated ×${scale} from ${subset.length.toLocaleString('en')} villages (${both(tNaiveSub)} ms)`,
    (tNaive.cpuMs / tKd.cpuMs).toFixed(0), tKd.cpuMs <= GOAL_NATIONAL_MS ? `met (≤ ${GOAL_NATIONAL_MS} ms)` : `MISSED (> ${GOAL_NATIONAL_MS} ms)`,
  ]);
  console.log(`national figure: ${r.populationCoveredPct!.toFixed(2)} %, ${r.deadZoneVillages.toLocaleString('en')} dead-zone villages (synthetic)`);
}

console.log('\n| scenario | kdbush recompute ms, median (CPU) | naive all-pairs ms (CPU) | naive how | naive / kdbush (CPU) | goal (on CPU time) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

if (!values['no-ingest']) {
  say('ingestion: writing 1,000,000 measurement rows …');
  const dir = mkdtempSync(join(tmpdir(), 'netcov-bench-coverage-'));
  try {
    const file = join(dir, 'measurements.csv');
    const written = await writeMeasurementFile(file, 1_000_000);
    const f = await runIngestChild(file);
    console.log(
      `\ningestion of 1,000,000 measurement rows (${(written.bytes / 2 ** 20).toFixed(1)} MiB CSV, 1 % malformed) through CoverageService.ingestMeasurements, in a child:` +
        ` ${(f.durationMs / 1000).toFixed(2)} s = ${f.rowsPerSecond.toLocaleString('en')} rows/s; ${f.rejected.toLocaleString('en')} rows rejected;` +
        ` peak RSS ${f.peakRssMiB.toFixed(0)} MiB (${f.baselineRssMiB.toFixed(0)} MiB before ingesting)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nmachine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
