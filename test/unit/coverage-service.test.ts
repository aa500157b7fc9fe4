// The coverage service on the tiny province: feeds in (strings, files, HTTP on 127.0.0.1),
// dead-zone changes out on the bus, views, metrics through the schema, refused files that
// leave the state untouched, and dead-zone times that survive a restart.
import t from 'tap';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { CoverageService } from '../../src/coverage/service.js';
import { ObservationBus, type DeadZoneChange } from '../../src/observations.js';
import { Secret } from '../../src/config/secret.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/util/log.js';
import { captureLog } from '../helpers/log-capture.js';
import { memorySink } from '../helpers/memory-sink.js';
import { tinyProvince, testConfig, TINY_CELLS, CELL_HEADER, cellRow, KEY_B } from '../helpers/coverage-province.js';

const NOW = Date.UTC(2025, 0, 31, 3, 0, 0);
const STATUS_HEADER = 'radio,mcc,net,area,cell,status,since';

function service(o: { config?: Config; now?: () => number; stateDir?: string | null; log?: ReturnType<typeof silentLogger> } = {}) {
  const bus = new ObservationBus();
  const changes: DeadZoneChange[] = [];
  bus.on('dead_zone', (c) => changes.push(c));
  const sink = memorySink();
  const svc = new CoverageService({
    config: o.config ?? testConfig(), inventory: tinyProvince(), log: o.log ?? silentLogger(), bus, sink,
    now: o.now ?? (() => NOW), stateDir: o.stateDir === undefined ? null : o.stateDir,
  });
  return { svc, changes, sink };
}

async function loadCells(svc: CoverageService, text = TINY_CELLS) {
  return svc.ingest('cells', text, 'csv', { feed: 'cells', mode: 'replace' });
}

t.test('nothing is computed before a cells feed has loaded', async (t) => {
  const { svc, changes } = service();
  t.equal(svc.recompute(), undefined);
  t.notOk(svc.ready());
  t.equal(svc.unit('P'), undefined);
  t.same(svc.gaps(), []);
  t.same(changes, [], 'no village is declared a dead zone for lack of data');
});

t.test('a cell going down opens a dead zone (an event on the bus naming villages, commune and population); its return clears it', async (t) => {
  const log = captureLog('info');
  let now = NOW;
  const { svc, changes, sink } = service({ now: () => now, log: log.log });
  const report = await loadCells(svc);
  t.match(report, { applied: true, rowsRead: 3, accepted: 3, rejected: 0 });
  svc.recompute();
  // First computation: V4 (no cell) is a dead zone, reported as initial with cause no_coverage.
  t.equal(changes.length, 1);
  t.match(changes[0], { kind: 'opened', initial: true, cause: 'no_coverage', key: 'C3|no_coverage', villages: [{ code: 'V4', name: 'Buôn Bốn', population: 1500 }], remainingVillages: 1 });
  t.equal(svc.unit('P')!.coveredPct, 70);

  now += 600_000;
  const down = '2025-01-31T09:45:00+07:00';
  const status = await svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,04,1,2,down,${down}\n`, 'csv');
  t.match(status, { applied: true, accepted: 1, feed: 'api' });
  svc.recompute();
  t.equal(changes.length, 2);
  const opened = changes[1]!;
  t.match(opened, {
    kind: 'opened', initial: false, cause: 'cell_outage', key: `C1|${KEY_B}`, timeMs: now, sinceMs: Date.parse(down),
    unit: { code: 'C1', name: 'Xã Một', level: 'commune' }, unitTags: { province: 'P', district: 'D1', commune: 'C1' },
    villages: [{ code: 'V2', name: 'Buôn Hai', population: 500 }], population: 500, remainingVillages: 1,
    carriers: ['Viettel'], radios: ['LTE'],
  });
  t.same(opened.ancestry.map((u) => u.code), ['P', 'D1', 'C1']);
  t.same(opened.causeCells, [{ key: KEY_B, carrier: 'viettel', carrierName: 'Viettel', radio: 'LTE', sinceMs: Date.parse(down) }]);
  // The figures follow: 3000 of 5000 → 60 %, C1 1000 of 1500.
  t.equal(svc.unit('P')!.coveredPct, 60);
  t.match(svc.unit('D1'), { coveredPopulation: 3000, deadZoneVillages: 1, deadZonePopulation: 500 });
  // The planners' gap list: V2 with its commune, district, population, evidence and since.
  const gaps = svc.gaps({ unit: 'D1' });
  t.equal(gaps.length, 1);
  t.match(gaps[0], {
    villageCode: 'V2', villageName: 'Buôn Hai', population: 500, units: { district: 'D1', commune: 'C1' },
    unitNames: { district: 'Huyện Một', commune: 'Xã Một' }, bestLevel: 'none', evidence: 'predicted', sinceMs: Date.parse(down), cause: 'cell_outage',
  });
  t.same(svc.gaps().map((g) => g.villageCode), ['V2', 'V4']);
  // A readable log line, in Vietnamese by default.
  const logged = log.events('dead_zone_opened').find((l) => l.key === `C1|${KEY_B}`)!;
  t.match(logged, { level: 'warn', commune: 'C1', district: 'D1', population: 500, cells: [KEY_B] });
  t.match(String(logged.msg), /^Lõm sóng 4G tại Xã Một, Huyện Một: 1 thôn, buôn \(Buôn Hai\), 500 người, do trạm Viettel 452-04-LTE-1-2 mất sóng từ 09:45 31\/01\/2025/);

  now += 3_600_000;
  await svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,4,1,2,up,${new Date(now).toISOString()}\n`, 'csv');
  svc.recompute();
  t.equal(changes.length, 3);
  t.match(changes[2], { kind: 'cleared', key: `C1|${KEY_B}`, cause: 'cell_outage', villages: [{ code: 'V2' }], remainingVillages: 0, sinceMs: Date.parse(down) });
  t.equal(svc.unit('P')!.coveredPct, 70);
  t.match(String(log.events('dead_zone_cleared')[0]!.msg), /Hết lõm sóng 4G tại Xã Một, Huyện Một: .* có sóng trở lại sau 1 giờ 25 phút/);

  // Metrics went through the schema (the memory sink encodes every sample).
  const provinceAll = sink.of('coverage_unit').filter((s) => s.tags.unit === 'P' && s.tags.carrier === 'all').map((s) => s.fields.population_covered_pct);
  t.same(provinceAll, [70, 60, 70]);
  const v2 = sink.of('coverage_village').filter((s) => s.tags.village === 'V2' && s.tags.carrier === 'all');
  t.same(v2.map((s) => s.fields.status), ['covered', 'dead_zone', 'covered']);
  t.equal(v2[1]!.fields.uncovered_since_s, Date.parse(down) / 1000);
  t.match(v2[1]!.tags, { province: 'P', district: 'D1', commune: 'C1' });
  t.same(sink.of('coverage_village').filter((s) => s.tags.village === 'V1').map((s) => s.tags.carrier), ['mobifone', 'vinaphone', 'viettel', 'vietnamobile', 'all', 'mobifone', 'vinaphone', 'viettel', 'vietnamobile', 'all', 'mobifone', 'vinaphone', 'viettel', 'vietnamobile', 'all']);
  t.match(sink.of('coverage_feed').map((s) => s.tags.feed), ['cells', 'api', 'api']);
  t.equal(sink.of('coverage_model').length, 3);
});

t.test('a malformed cell file leaves the previous state untouched', async (t) => {
  const { svc, changes } = service();
  await loadCells(svc);
  svc.recompute();
  const before = { p: svc.unit('P'), gaps: svc.gaps(), changes: changes.length };
  const bad: [string, string, RegExp][] = [
    ['wrong header', 'foo,bar,baz\n1,2,3\n', /header lacks required column\(s\) radio, mcc, net, area, cell, lon, lat, range/],
    ['not CSV: an HTML error page', '<html><body><h1>502 Bad Gateway</h1></body></html>\n', /header lacks required column/],
    ['binary', '\x00\x01\x02\xff\xfe garbage \x00\n\x00\x00', /header lacks required column/],
    ['empty', '', /empty file/],
    ['header only', `${CELL_HEADER}\n`, /no rows/],
    ['every row for another country', `${CELL_HEADER}\n${cellRow('LTE', 4, 1, 12, 108, 1000).replace(',452,', ',310,')}\n`, /1 of 1 rows rejected \(100\.0% > 50%\)/],
  ];
  for (const [what, text, error] of bad) {
    const r = await loadCells(svc, text);
    t.equal(r.applied, false, what);
    t.match(r.error, error, what);
  }
  // JSON that is not an array of objects.
  const rj = await svc.ingest('cells', '{"cells": 3}', 'json', { feed: 'cells', mode: 'replace' });
  t.match(rj, { applied: false, error: /not an array/ });
  svc.recompute();
  t.same(svc.unit('P'), before.p, 'figures unchanged');
  t.same(svc.gaps(), before.gaps, 'gaps unchanged');
  t.equal(changes.length, before.changes, 'no dead zone opened or cleared');
  t.equal(svc.feedCounts().find((f) => f.feed === 'cells')!.failed, 7);
});

t.test('every rejected row is reported with its row number and reason', async (t) => {
  // Most rows below are bad on purpose: allow up to 90 % rejected rows (50 % by default).
  const { svc } = service({ config: testConfig((c) => (c.coverage.max_rejected_pct = 90)) });
  await loadCells(svc);
  const rows = [
    'time,mnc,radio,lat,lon,rsrp,rsrq,sinr', //                        line 1
    '2025-01-30T08:00:00+07:00,04,LTE,12.0,108.0,-95,-10,12', //         2 ok
    '2025-01-30T08:00:00+07:00,04,LTE,91,108.0,-95,,', //                3 bad coordinates
    '2025-01-30T08:00:00+07:00,04,LTE,10.5,106.7,-95,,', //              4 outside the province (Sài Gòn)
    '2025-01-30T08:00:00+07:00,04,CDMA,12.0,108.0,-95,,', //             5 unknown radio
    '2025-01-30T08:00:00+07:00,04,LTE,12.0,108.0,-20,,', //              6 RSRP above -31
    '2025-01-30T08:00:00+07:00,04,LTE,12.0,108.0,-160,,', //             7 RSRP below -156
    '2025-01-30T08:00:00+07:00,07,LTE,12.0,108.0,-95,,', //              8 unknown carrier
    '30/01/2025 08:00,04,LTE,12.0,108.0,-95,,', //                       9 bad time
    '2025-01-30T08:00:00,04,LTE,12.0,108.0,-95,,', //                    10 time without zone
    '2025-01-30T08:00:00Z,04,LTE,12.0,108.0', //                         11 column count
    '2025-01-30T08:00:00Z,04,LTE,12.0,108.0,abc,,', //                   12 RSRP not a number
    '2025-01-30T08:00:00Z,04,LTE,12.0,108.0,-95,-50,', //                13 RSRQ out of range
    '', //                                                               14 empty: skipped
    '1738200000,4,4G,12.001,108.001,-99.5,,', //                         15 ok (Unix seconds, 4G alias, MNC 4)
    '2026-06-01T00:00:00Z,04,LTE,12.0,108.0,-95,,', //                   16 in the future
  ];
  const r = await svc.ingestMeasurements(`${rows.join('\n')}\n`, 'csv');
  t.match(r, { applied: true, rowsRead: 14, accepted: 2, rejected: 12 });
  t.same(r.problems.map((p) => [p.row, p.code]), [
    [3, 'bad_coordinates'], [4, 'outside_province'], [5, 'unknown_radio'], [6, 'rsrp_range'], [7, 'rsrp_range'], [8, 'unknown_carrier'],
    [9, 'bad_time'], [10, 'bad_time'], [11, 'column_count'], [12, 'bad_rsrp'], [13, 'rsrq_range'], [16, 'future_time'],
  ]);
  t.equal(r.problems[3]!.reason, 'RSRP -20 dBm outside -156…-31 dBm');
  t.same(r.reasons, { bad_coordinates: 1, outside_province: 1, unknown_radio: 1, rsrp_range: 2, unknown_carrier: 1, bad_time: 2, column_count: 1, bad_rsrp: 1, rsrq_range: 1, future_time: 1 });

  // The same through JSON lines; the optional mcc column must be 452.
  const jsonl = [
    '{"time":"2025-01-30T01:00:00Z","mnc":"04","radio":"LTE","lat":12.0,"lon":108.0,"rsrp":-97,"mcc":452}',
    '{"time":"2025-01-30T01:00:00Z","mnc":"04","radio":"LTE","lat":12.0,"lon":108.0,"rsrp":-97,"mcc":310}',
    'not json',
    '[1,2]',
  ].join('\n');
  const rj = await svc.ingestMeasurements(jsonl, 'jsonl');
  t.match(rj, { applied: true, rowsRead: 4, accepted: 1, rejected: 3 });
  t.same(rj.problems.map((p) => [p.row, p.code]), [[2, 'wrong_mcc'], [3, 'bad_json'], [4, 'bad_json']]);

  // Cell rows: MCC, radio, ids, duplicates, range.
  const cells = [
    CELL_HEADER,
    cellRow('LTE', 4, 1, 12.009, 108.0, 3000),
    cellRow('LTE', 4, 1, 12.009, 108.0, 3000), // duplicate of line 2
    cellRow('LTE', 4, 2, 12.0, 108.105, 2000).replace(',452,', ',310,'),
    cellRow('WIMAX', 4, 3, 12.0, 108.1, 2000),
    cellRow('LTE', 2, 3, 12.1, 108.01, -5),
    cellRow('LTE', 2, 4, 12.1, 108.01, 0), // no range estimate: the default (2000 m)
  ];
  const rc = await loadCells(svc, cells.join('\n'));
  t.match(rc, { applied: true, rowsRead: 6, accepted: 2, rejected: 4 });
  t.same(rc.problems.map((p) => [p.row, p.code]), [[3, 'duplicate_cell'], [4, 'wrong_mcc'], [5, 'unknown_radio'], [6, 'bad_range']]);
  t.equal(rc.problems[0]!.reason, 'cell 452-04-LTE-1-1 already given at line 2');

  // Village reports: unknown village code, technology, yes/no.
  const reports = [
    'carrier,village,covered,technology,report_date',
    'Viettel,V4,có,4G,2025-01-15',
    '04,V9,1,4G,2025-01-15',
    'vinaphone,V3,maybe,4G,2025-01-15',
    'MobiFone,V1,0,6G,2025-01-15',
  ];
  const rr = await svc.ingest('reports', reports.join('\n'), 'csv', { feed: 'reports', mode: 'replace' });
  t.match(rr, { applied: true, accepted: 1, rejected: 3 });
  t.same(rr.problems.map((p) => [p.row, p.code]), [[3, 'unknown_village'], [4, 'bad_covered'], [5, 'unknown_technology']]);
  svc.recompute();
  t.notOk(svc.gaps().some((g) => g.villageCode === 'V4'), 'Viettel\'s report of 4G at V4 counts');
  t.match(svc.village('V4')!.slots.find((s) => s.carrier === 'viettel' && s.radio === 'LTE'), { level: 'fair', evidence: 'reported' });
});

t.test('status rows for unknown cells are kept and noted; status pushes merge, pulls replace', async (t) => {
  const { svc } = service();
  await loadCells(svc);
  const r = await svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,4,1,99,down,\nLTE,452,4,1,2,broken,\n`, 'csv');
  t.match(r, { applied: true, accepted: 1, rejected: 1, problems: [{ row: 3, code: 'bad_status' }] });
  t.match(r.notes, [/1 status row\(s\) name cells the cell feeds do not list/]);
  await svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,4,1,2,down,\n`, 'csv');
  svc.recompute();
  t.same(svc.gaps().map((g) => g.villageCode), ['V2', 'V4'], 'the second push added B without forgetting the first');
  // A pulled snapshot replaces its feed's statuses: B is no longer listed → up.
  await svc.ingest('status', `${STATUS_HEADER}\n`, 'csv', { feed: 'api', mode: 'replace' });
  svc.recompute();
  t.same(svc.gaps().map((g) => g.villageCode), ['V4']);
});

t.test('gap filters: by carrier, by radio, by unit; bad filters are refused', async (t) => {
  const { svc } = service();
  await loadCells(svc);
  svc.recompute();
  t.same(svc.gaps({ carrier: 'viettel' }).map((g) => g.villageCode), ['V3', 'V4']);
  t.same(svc.gaps({ carrier: '02' }).map((g) => g.villageCode), ['V1', 'V2', 'V4']);
  t.same(svc.gaps({ radio: 'UMTS' }).map((g) => g.villageCode), ['V1', 'V2', 'V3', 'V4']);
  t.same(svc.gaps({ unit: 'C3' }).map((g) => g.villageCode), ['V4']);
  t.same(svc.gaps({ unit: 'C1' }), []);
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  t.match(thrown(() => svc.gaps({ unit: 'nowhere' })), { name: 'CoverageQueryError', statusCode: 404, field: 'unit' });
  t.match(thrown(() => svc.gaps({ carrier: 'gmobile' })), { name: 'CoverageQueryError', statusCode: 400, field: 'carrier', message: /unknown carrier "gmobile"/ });
  t.match(thrown(() => svc.gaps({ radio: '6G' })), { name: 'CoverageQueryError', statusCode: 400, field: 'radio' });
  const p = svc.unit('P')!;
  t.same(p.children.map((c) => [c.code, c.coveredPct]), [['D1', 100], ['D2', 0]]);
  t.same(p.byCarrier.map((c) => [c.carrier, c.coveredPct]), [['mobifone', 0], ['vinaphone', 40], ['viettel', 30], ['vietnamobile', 0]]);
  t.equal(svc.unit('nowhere'), undefined);
});

t.test('feeds from a file path and an HTTP URL (gzip, bearer token) on a schedule; failures keep the previous data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-cov-'));
  const cellsPath = join(dir, 'cells.csv.gz');
  writeFileSync(cellsPath, gzipSync(TINY_CELLS));
  let statusBody = `${STATUS_HEADER}\nLTE,452,4,1,2,down,2025-01-31T02:00:00Z\n`;
  let statusCode = 200;
  const seenAuth: string[] = [];
  const server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    res.writeHead(statusCode, { 'content-type': 'text/csv' });
    res.end(statusCode === 200 ? statusBody : 'oops');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const config = testConfig((c) => {
    c.coverage.feeds = [
      { name: 'carrier-status', kind: 'status', url: `http://127.0.0.1:${port}/status.csv`, path: '', format: 'auto', compression: 'auto', schedule: '0 */5 * * * *', timeout_ms: 5000, max_bytes: 1 << 20, token: new Secret('s3cret', 'inline') },
      { name: 'opencellid', kind: 'cells', url: '', path: cellsPath, format: 'auto', compression: 'auto', schedule: '0 15 3 * * *', timeout_ms: 5000, max_bytes: 1 << 20 },
    ];
  });
  const log = captureLog('info');
  const { svc, changes } = service({ config, log: log.log });
  await svc.start();
  t.teardown(() => svc.stop());
  await svc.whenLoaded();
  t.ok(svc.ready());
  t.same(seenAuth, ['Bearer s3cret']);
  t.notOk(log.text().includes('s3cret'), 'the token is never logged');
  // One recompute after both feeds were read: both zones are reported together, as initial.
  t.same(changes.map((c) => c.key).sort(), ['C1|452-04-LTE-1-2', 'C3|no_coverage']);
  t.ok(changes.every((c) => c.initial));
  const feeds = svc.feeds();
  t.same(feeds.map((f) => f.feed), ['carrier-status', 'opencellid']);
  t.ok(feeds.every((f) => typeof f.nextRunMs === 'number' && f.nextRunMs > Date.now()), 'both feeds scheduled');
  t.match(feeds[1], { source: 'path', ingestions: 1, failed: 0, rowsAccepted: 3 });

  // The URL fails (HTTP 500): refused, B stays down.
  statusCode = 500;
  const r1 = await svc.runFeed('carrier-status');
  t.match(r1, { applied: false, error: 'HTTP 500' });
  // A body that is not a status file: refused, B stays down.
  statusCode = 200;
  statusBody = '<html>maintenance</html>';
  t.match(await svc.runFeed('carrier-status'), { applied: false, error: /header lacks required column/ });
  svc.recompute();
  t.same(svc.gaps().map((g) => g.villageCode), ['V2', 'V4']);
  // A good snapshot without B: B is up again.
  statusBody = `${STATUS_HEADER}\n`;
  t.match(await svc.runFeed('carrier-status'), { applied: true });
  svc.recompute();
  t.same(svc.gaps().map((g) => g.villageCode), ['V4']);
  t.match(svc.feedCounts().find((f) => f.feed === 'carrier-status'), { ingestions: 4, failed: 2 });
  t.equal(log.events('coverage_feed_refused').length, 2);
  // A missing file is a refusal too.
  writeFileSync(cellsPath, '');
  t.match(await svc.runFeed('opencellid'), { applied: false });
});

t.test('open dead zones survive a restart: still open → re-announced with the same key and since; closed meanwhile → cleared', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'netcov-cov-state-'));
  const first = service({ stateDir, now: () => NOW });
  await loadCells(first.svc);
  await first.svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,4,1,2,down,2025-01-31T02:00:00Z\n`, 'csv');
  first.svc.recompute();
  await first.svc.stop();
  t.same([...first.svc.deadZones().keys()].sort(), ['V2', 'V4']);
  t.equal(first.svc.deadZones().get('V4')!.sinceMs, NOW);

  // Restarted a day later; cell B came back while netcov was down (no status feed says otherwise).
  const later = NOW + 86_400_000;
  const second = service({ stateDir, now: () => later });
  await second.svc.start();
  await loadCells(second.svc);
  second.svc.recompute();
  await second.svc.stop();
  const byKind = (k: string) => second.changes.filter((c) => c.kind === k);
  t.match(byKind('opened'), [{ initial: true, key: 'C3|no_coverage', sinceMs: NOW, timeMs: later, villages: [{ code: 'V4' }] }]);
  t.match(byKind('cleared'), [{ key: `C1|${KEY_B}`, cause: 'cell_outage', villages: [{ code: 'V2', population: 500 }], remainingVillages: 0, sinceMs: Date.UTC(2025, 0, 31, 2) }]);
  t.equal(second.svc.gaps()[0]!.sinceMs, NOW);
  t.equal(second.svc.gaps({ carrier: 'viettel' }).find((g) => g.villageCode === 'V4')!.sinceMs, NOW);

  // A state file that cannot be read is not fatal: the zones simply start afresh.
  writeFileSync(join(stateDir, 'dead-zones.json'), '{ not json');
  const third = service({ stateDir, now: () => later });
  await third.svc.start();
  await loadCells(third.svc);
  third.svc.recompute();
  await third.svc.stop();
  t.match(third.changes, [{ kind: 'opened', initial: true, key: 'C3|no_coverage', sinceMs: later }]);
});

t.test('pushes survive a restart: applied ones are kept and replayed in order; refused ones leave nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-cov-push-'));
  const first = service({ stateDir: dir });
  await loadCells(first.svc);
  const down = '2025-01-31T09:45:00+07:00';
  t.match(await first.svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,04,1,2,down,${down}\n`, 'csv'), { applied: true, accepted: 1 });
  t.match(await first.svc.ingestCellStatus('this is not,a status feed\n1,2\n', 'csv'), { applied: false });
  // A later push for the same cell wins on replay too: order matters.
  t.match(await first.svc.ingestCellStatus(`${STATUS_HEADER}\nLTE,452,04,1,2,up,2025-01-31T10:00:00+07:00\nLTE,452,04,1,2,down,${down}\n`, 'csv'), { applied: true });
  t.match(await first.svc.ingestMeasurements('time,mnc,radio,lat,lon,rsrp,rsrq,sinr\n2025-01-30T08:00:00Z,04,LTE,12.0,108.0,-95,,\n', 'csv'), { applied: true, accepted: 1 });
  first.svc.recompute();
  const before = first.svc.gaps().map((g) => [g.villageCode, g.cause]);
  t.same(before.map(([code]) => code), ['V2', 'V4'], 'the pushed outage made V2 a dead zone');
  await first.svc.stop();
  const kept = readdirSync(join(dir, 'pushes'));
  t.equal(kept.length, 3, 'three applied pushes kept; the refused one and temp files gone');
  t.ok(kept.every((f) => /^\d{13}-\d{6}-(status|measurements)-api\.csv$/.test(f)), kept.join(' '));

  // The restart: the same state dir; the pulled cells feed is read again as at any start.
  const log = captureLog('info');
  const second = service({ stateDir: dir, log: log.log });
  t.teardown(() => second.svc.stop());
  await second.svc.start();
  await second.svc.whenLoaded();
  t.match(log.events('coverage_pushes_replayed')[0], { pushes: 3, rows_accepted: 4 });
  await loadCells(second.svc);
  second.svc.recompute();
  t.same(second.svc.gaps().map((g) => [g.villageCode, g.cause]), before, 'the same dead zones as before the restart');
});
