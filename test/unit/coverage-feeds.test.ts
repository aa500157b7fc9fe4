// Feed plumbing: field parsers, formats, sources (gzip, size cap, timeout), and the merge of
// pushed measurements (retention, cap, newest kept).
import t from 'tap';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { RowReject, parseTime, parseCarrier, parseRadio, parseBool } from '../../src/coverage/feeds/fields.js';
import { MeasurementColumns, mergeMeasurements } from '../../src/coverage/feeds/measurements.js';
import { formatFromName, openFeed } from '../../src/coverage/feeds/source.js';
import { parseCellStatus, parseMeasurements, type FeedContext } from '../../src/coverage/feeds/index.js';
import { carrierList } from '../../src/coverage/types.js';

const NOW = Date.UTC(2025, 0, 31);
const CARRIERS = carrierList({ '01': 'MobiFone', '02': 'VinaPhone', '04': 'Viettel', '05': 'Vietnamobile' });
const CTX: FeedContext = {
  mcc: '452', carriers: CARRIERS, bounds: { minLat: 11.9, maxLat: 12.4, minLon: 107.9, maxLon: 108.4 }, villageCodes: new Set(['V1']),
  nowMs: NOW, defaultRangeM: 2000, maxRangeM: 35000,
};

const reject = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RowReject) return err.code;
    throw err;
  }
  return undefined;
};

t.test('times: ISO 8601 with a zone, dates, Unix seconds and milliseconds; no local times, nothing far ahead', async (t) => {
  t.equal(parseTime('2025-01-30T08:00:00+07:00', NOW), Date.UTC(2025, 0, 30, 1));
  t.equal(parseTime('2025-01-30 01:00:00Z', NOW), Date.UTC(2025, 0, 30, 1));
  t.equal(parseTime('2025-01-30T01:00Z', NOW), Date.UTC(2025, 0, 30, 1));
  t.equal(parseTime('2025-01-30', NOW), Date.UTC(2025, 0, 30));
  t.equal(parseTime('1738198800', NOW), Date.UTC(2025, 0, 30, 1));
  t.equal(parseTime('1738198800000', NOW), Date.UTC(2025, 0, 30, 1));
  t.equal(reject(() => parseTime('2025-01-30T08:00:00', NOW)), 'bad_time');
  t.equal(reject(() => parseTime('yesterday', NOW)), 'bad_time');
  t.equal(reject(() => parseTime('2025-02-02T00:00:00Z', NOW)), 'future_time');
});

t.test('carriers by MNC or name; radios with their aliases; yes/no in two languages', async (t) => {
  t.same(['4', '04', 'Viettel', 'viettel'].map((v) => CARRIERS[parseCarrier(v, CARRIERS, true)]!.id), ['viettel', 'viettel', 'viettel', 'viettel']);
  t.equal(reject(() => parseCarrier('Viettel', CARRIERS)), 'unknown_carrier', 'names only where allowed');
  t.equal(reject(() => parseCarrier('07', CARRIERS, true)), 'unknown_carrier');
  t.same(['lte', '4G', 'WCDMA', '2g', 'NR'].map((r) => parseRadio(r)), ['LTE', 'LTE', 'UMTS', 'GSM', 'NR']);
  t.same(['có', 'không', 'yes', '0'].map((b) => parseBool(b, 'x', 'x')), [true, false, true, false]);
});

t.test('formats by name and content type', async (t) => {
  t.same(['a.csv', 'a.csv.gz', 'a.jsonl', 'a.ndjson.gz', 'a.json', 'a'].map((n) => formatFromName(n)), ['csv', 'csv', 'jsonl', 'jsonl', 'json', 'csv']);
  t.equal(formatFromName('/status', 'application/json; charset=utf-8'), 'json');
});

t.test('a JSON status document, bare or wrapped', async (t) => {
  const rows = [{ radio: 'LTE', mcc: 452, net: 4, area: 1, cell: 2, status: 'down', since: '2025-01-30T00:00:00Z' }];
  for (const body of [JSON.stringify(rows), JSON.stringify({ cells: rows })]) {
    const { report, batch } = await parseCellStatus(Readable.from([body]), CTX, { feed: 'x', format: 'json' });
    t.match(report, { applied: true, accepted: 1 });
    t.same(batch!.status.get('452-04-LTE-1-2'), { up: false, sinceMs: Date.UTC(2025, 0, 30) });
  }
});

t.test('sources: gzip files, a size cap, a timeout, a truncated download — all refusals, never crashes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-feeds-'));
  const csv = 'time,mnc,radio,lat,lon,rsrp\n2025-01-30T00:00:00Z,04,LTE,12,108,-90\n';
  writeFileSync(join(dir, 'm.csv.gz'), gzipSync(csv));
  const ok = await openFeed({ path: join(dir, 'm.csv.gz'), format: 'auto', compression: 'auto', maxBytes: 1 << 20 });
  t.match((await parseMeasurements(ok.stream, CTX, { feed: 'x', format: ok.format })).report, { applied: true, accepted: 1 });
  // A truncated gzip file.
  writeFileSync(join(dir, 'cut.csv.gz'), gzipSync(csv.repeat(50)).subarray(0, 40));
  const cut = await openFeed({ path: join(dir, 'cut.csv.gz'), format: 'auto', compression: 'auto', maxBytes: 1 << 20 });
  t.match((await parseMeasurements(cut.stream, CTX, { feed: 'x', format: cut.format })).report, { applied: false, error: /read failed/ });
  // Larger than max_bytes.
  writeFileSync(join(dir, 'big.csv'), csv.repeat(100));
  const big = await openFeed({ path: join(dir, 'big.csv'), format: 'auto', compression: 'auto', maxBytes: 1000 });
  t.match((await parseMeasurements(big.stream, CTX, { feed: 'x', format: big.format })).report, { applied: false, error: /larger than 1000 bytes/ });
  // A missing file.
  await t.rejects(openFeed({ path: join(dir, 'nope.csv'), format: 'auto', compression: 'auto', maxBytes: 1000 }), { name: 'FeedSourceError', retryable: true });
  // A server that never finishes its body: the deadline aborts the read.
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.flushHeaders();
    res.write('time,mnc,radio,lat,lon,rsrp\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const abort = new AbortController();
  const slow = await openFeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.csv`, format: 'auto', compression: 'auto', maxBytes: 1 << 20, signal: abort.signal });
  setTimeout(() => abort.abort(new Error('timed out after 100 ms')), 100);
  t.match((await parseMeasurements(slow.stream, CTX, { feed: 'x', format: slow.format })).report, { applied: false, error: /read failed/ });
});

t.test('pushed measurements merge: retention, cap, the newest kept', async (t) => {
  const batch = (times: number[]) => {
    const c = new MeasurementColumns(4);
    for (const time of times) c.push(time, 12, 108, -90, NaN, NaN, 0, 2);
    return c.seal();
  };
  const a = batch([100, 200, 300]);
  t.equal(mergeMeasurements(undefined, a, 0, 10), a, 'nothing to drop: the batch itself');
  t.same([...mergeMeasurements(a, batch([400, 500]), 0, 10).timeMs], [100, 200, 300, 400, 500]);
  t.same([...mergeMeasurements(a, batch([400, 500]), 250, 10).timeMs], [300, 400, 500], 'older than the retention dropped');
  t.same([...mergeMeasurements(a, batch([400, 500]), 0, 3).timeMs].sort((x, y) => x - y), [300, 400, 500], 'beyond the cap: the oldest dropped');
  t.same([...mergeMeasurements(batch([300, 300]), batch([300, 400]), 0, 2).timeMs].sort((x, y) => x - y), [300, 400], 'ties at the cutoff never push out a newer row');
  t.equal(mergeMeasurements(a, batch([400]), 0, 10).index.numItems, 4, 'the merged batch has its own index');
});

t.test('every reason code has a label in Vietnamese and English', async (t) => {
  const { reasonLabel } = await import('../../src/coverage/messages.js');
  const codes = [
    'bad_coordinates', 'outside_province', 'wrong_mcc', 'unknown_carrier', 'unknown_radio', 'unknown_technology', 'rsrp_range', 'bad_rsrp', 'rsrq_range',
    'bad_rsrq', 'sinr_range', 'bad_sinr', 'bad_time', 'future_time', 'bad_since', 'future_since', 'bad_report_date', 'future_report_date',
    'unknown_village', 'duplicate_cell', 'bad_cell_id', 'bad_range', 'bad_status', 'bad_covered', 'column_count', 'bad_csv', 'bad_json',
  ];
  for (const code of codes) {
    t.not(reasonLabel(code, 'vi'), code, `${code} (vi)`);
    t.not(reasonLabel(code, 'en'), code, `${code} (en)`);
  }
  t.equal(reasonLabel('rsrp_range', 'vi'), 'RSRP ngoài khoảng −156…−31 dBm');
});
