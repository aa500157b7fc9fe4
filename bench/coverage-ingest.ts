// Ingestion of a large measurement CSV with malformed rows, measured in a child process of its
// own so its peak RSS is the ingestion's: `tsx bench/coverage-ingest.ts [--rows N]` writes the
// file to a temp dir, ingests it through CoverageService.ingestMeasurements (the API's path) in a
// child, and prints rows/s and peak RSS. The coverage ingestion test uses the same two halves.
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/util/random.js';

const HERE = import.meta.dirname;
export const INGEST_NOW_MS = Date.UTC(2025, 6, 1);

/** The malformed rows the file contains, by kind: the reason code the ingestion must report. */
const BAD_KINDS: { code: string; row: (good: string[]) => string[] }[] = [
  { code: 'bad_coordinates', row: (g) => [g[0]!, g[1]!, g[2]!, 'abc', g[4]!, g[5]!, g[6]!, g[7]!] },
  { code: 'outside_province', row: (g) => [g[0]!, g[1]!, g[2]!, '21.028', '105.834', g[5]!, g[6]!, g[7]!] },
  { code: 'unknown_radio', row: (g) => [g[0]!, g[1]!, 'WIMAX', g[3]!, g[4]!, g[5]!, g[6]!, g[7]!] },
  { code: 'rsrp_range', row: (g) => [g[0]!, g[1]!, g[2]!, g[3]!, g[4]!, '-20', g[6]!, g[7]!] },
  { code: 'rsrp_range', row: (g) => [g[0]!, g[1]!, g[2]!, g[3]!, g[4]!, '-170.5', g[6]!, g[7]!] },
  { code: 'bad_time', row: (g) => ['2025-13-45T00:00:00Z', g[1]!, g[2]!, g[3]!, g[4]!, g[5]!, g[6]!, g[7]!] },
  { code: 'column_count', row: (g) => g.slice(0, 5) },
  { code: 'unknown_carrier', row: (g) => [g[0]!, '09', g[2]!, g[3]!, g[4]!, g[5]!, g[6]!, g[7]!] },
  { code: 'bad_rsrp', row: (g) => [g[0]!, g[1]!, g[2]!, g[3]!, g[4]!, 'n/a', g[6]!, g[7]!] },
  { code: 'bad_coordinates', row: (g) => [g[0]!, g[1]!, g[2]!, '0', '0', g[5]!, g[6]!, g[7]!] },
];

export interface WrittenFile {
  rows: number;
  /** [line, reason code] of every malformed row, in line order (the header is line 1). */
  bad: [number, string][];
  bytes: number;
}

/**
 * Write a measurement CSV of `rows` data rows inside Đắk Lắk, one in `badEvery` malformed
 * (rotating through BAD_KINDS). Streams with backpressure: memory stays flat.
 */
export async function writeMeasurementFile(path: string, rows: number, badEvery = 100): Promise<WrittenFile> {
  const rand = seededRandom(42);
  const out = createWriteStream(path);
  const bad: [number, string][] = [];
  const mncs = ['01', '02', '04', '05'];
  const radios = ['LTE', 'LTE', 'LTE', 'NR', 'UMTS'];
  let chunk = 'time,mnc,radio,lat,lon,rsrp,rsrq,sinr\n';
  let bytes = 0;
  let kind = 0;
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 180 * 86_400) * 1000).toISOString();
    const good = [
      t, mncs[Math.floor(rand() * 4)]!, radios[Math.floor(rand() * radios.length)]!, (12.2 + rand() * 1.2).toFixed(6), (107.5 + rand() * 1.45).toFixed(6),
      (-60 - rand() * 80).toFixed(1), (-3 - rand() * 15).toFixed(1), (-5 + rand() * 30).toFixed(1),
    ];
    let fields = good;
    if (i % badEvery === badEvery >> 1) {
      const k = BAD_KINDS[kind++ % BAD_KINDS.length]!;
      fields = k.row(good);
      bad.push([i + 2, k.code]);
    }
    chunk += `${fields.join(',')}\n`;
    if (chunk.length > 1 << 16) {
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += chunk.length;
  out.end(chunk);
  await once(out, 'finish');
  return { rows, bad, bytes };
}

export interface IngestFigures {
  rowsRead: number;
  accepted: number;
  rejected: number;
  applied: boolean;
  problems: [number, string][];
  problemsNotListed: number;
  durationMs: number;
  rowsPerSecond: number;
  /** Peak resident set of the child process, MiB (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
  /** RSS after loading code and inventory, before the ingestion, MiB. */
  baselineRssMiB: number;
}

/** Child side: ingest FILE through CoverageService.ingestMeasurements and print IngestFigures as JSON. */
async function ingestChild(file: string): Promise<void> {
  const { loadInventory } = await import('../src/inventory/load.js');
  const { defaultConfig } = await import('../src/config/load.js');
  const { silentLogger } = await import('../src/util/log.js');
  const { CoverageService } = await import('../src/coverage/service.js');
  const { inventory } = loadInventory();
  const svc = new CoverageService({ config: defaultConfig(), inventory, log: silentLogger(), now: () => INGEST_NOW_MS, stateDir: null });
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  const report = await svc.ingestMeasurements(createReadStream(file), 'csv');
  const figures: IngestFigures = {
    rowsRead: report.rowsRead, accepted: report.accepted, rejected: report.rejected, applied: report.applied,
    problems: report.problems.map((p) => [p.row, p.code]), problemsNotListed: report.problemsNotListed,
    durationMs: report.durationMs, rowsPerSecond: report.rowsPerSecond,
    peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** Parent side: run the child on FILE and return its figures. */
export function runIngestChild(file: string): Promise<IngestFigures> {
  return new Promise((resolvePromise, reject) => {
    // The child is what is measured: without a test runner's coverage hooks (NODE_OPTIONS,
    // NODE_V8_COVERAGE), which would add their own memory to its peak.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && k !== 'NODE_V8_COVERAGE' && !k.startsWith('_TAPJS_')));
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(HERE, 'coverage-ingest.ts'), '--ingest', file], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`ingest child exited ${code}: ${err.slice(-2000)}`));
      else resolvePromise(JSON.parse(out) as IngestFigures);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ingest: { type: 'string' }, rows: { type: 'string', default: '1000000' } } });
  if (values.ingest) return ingestChild(values.ingest);
  const rows = Number(values.rows);
  const dir = mkdtempSync(join(tmpdir(), 'netcov-bench-ingest-'));
  try {
    const file = join(dir, 'measurements.csv');
    const t0 = performance.now();
    const written = await writeMeasurementFile(file, rows);
    console.log(`wrote ${rows.toLocaleString('en')} rows (${(written.bytes / 2 ** 20).toFixed(1)} MiB, ${written.bad.length.toLocaleString('en')} malformed) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const f = await runIngestChild(file);
    console.log(`ingested: ${f.accepted.toLocaleString('en')} accepted, ${f.rejected.toLocaleString('en')} rejected in ${(f.durationMs / 1000).toFixed(2)} s = ${f.rowsPerSecond.toLocaleString('en')} rows/s; peak RSS ${f.peakRssMiB.toFixed(0)} MiB (baseline ${f.baselineRssMiB.toFixed(0)} MiB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(HERE, 'coverage-ingest.ts')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
