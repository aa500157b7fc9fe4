// A 1,000,000-row measurement CSV with 1 % malformed rows, ingested through the API's path
// (CoverageService.ingestMeasurements) in a child process of its own, so that its peak RSS is
// the ingestion's: every bad row reported with its row number and reason, the rest ingested,
// peak RSS under 300 MiB. Rows/s is printed, not asserted (speed belongs to bench/).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIngestChild, writeMeasurementFile } from '../../bench/coverage-ingest.js';

const ROWS = 1_000_000;
const PEAK_RSS_LIMIT_MIB = 300;

t.test('1,000,000 measurement rows, 1 % malformed: every bad row reported, the rest ingested, bounded memory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-ingest-1m-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'measurements.csv');
  const written = await writeMeasurementFile(file, ROWS);
  t.equal(written.bad.length, ROWS / 100);

  const f = await runIngestChild(file);
  t.comment(`ingested ${f.rowsRead.toLocaleString('en')} rows in ${(f.durationMs / 1000).toFixed(2)} s: ${f.rowsPerSecond.toLocaleString('en')} rows/s; peak RSS ${f.peakRssMiB.toFixed(0)} MiB (baseline before ingesting ${f.baselineRssMiB.toFixed(0)} MiB)`);
  t.match(f, { applied: true, rowsRead: ROWS, accepted: ROWS - written.bad.length, rejected: written.bad.length, problemsNotListed: 0 });
  t.same(f.problems, written.bad, 'each malformed row, by line number and reason code, and nothing else');
  t.ok(f.peakRssMiB < PEAK_RSS_LIMIT_MIB, `peak RSS ${f.peakRssMiB.toFixed(0)} MiB < ${PEAK_RSS_LIMIT_MIB} MiB`);
});
