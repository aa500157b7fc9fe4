// The simulator's coverage side: which cells cover a village (the model's prediction rule), the
// `village: auto` pick, and the feed server (real HTTP on loopback) with a changeable status feed
// read back through netcov's own status parser.
import t from 'tap';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadInventory } from '../../src/inventory/load.js';
import { cellsCovering, DEFAULT_OUTAGE_RULES, parseCells, pickOutageVillage, readCellsFile, readDownCells, readMeasurementPoints, readReportedVillages } from '../../src/sim/cell-outage.js';
import { findFeedFiles, startCoverageServer, statusDocument, statusRow } from '../../src/sim/coverage-server.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/sim-coverage');
const { inventory } = loadInventory();
const village = (code: string) => inventory.villages.find((v) => v.code === code)!;

t.test('cells: keys as the model writes them, default and capped ranges, other MCCs dropped', async (t) => {
  const cells = parseCells('radio,mcc,net,area,cell,lon,lat,range\nLTE,452,4,0101,7,108,12,0\nNR,452,02,5,6,108,12,90000\nLTE,450,4,1,1,108,12,100\nLTE,452,4,x,1,108,12,100\n', DEFAULT_OUTAGE_RULES);
  t.same(cells, [
    { key: '452-04-LTE-101-7', radio: 'LTE', lat: 12, lon: 108, rangeM: 2000 },
    { key: '452-02-NR-5-6', radio: 'NR', lat: 12, lon: 108, rangeM: 35_000 },
  ]);
});

t.test('covering cells: dead-zone radios only, within range', async (t) => {
  const cells = readCellsFile(join(FIXTURE, 'cells.csv'), DEFAULT_OUTAGE_RULES);
  const keys = cellsCovering(village('24199-04'), cells, DEFAULT_OUTAGE_RULES).map((c) => c.key);
  t.same(keys, ['452-04-LTE-101-1', '452-02-LTE-102-2'], 'the GSM cell does not count for 4G');
  t.same(cellsCovering(village('24199-04'), cells, { radios: ['LTE', 'GSM'] }).length, 3);
});

t.test('village: auto picks a village kept covered by prediction alone, by few cells', async (t) => {
  const cells = readCellsFile(join(FIXTURE, 'cells.csv'), DEFAULT_OUTAGE_RULES);
  const pick = pickOutageVillage(inventory.villages, cells, DEFAULT_OUTAGE_RULES, {
    measurementPoints: readMeasurementPoints(join(FIXTURE, 'measurements.csv')),
    reportedVillages: new Set(),
    maxCells: 4,
  });
  t.ok(pick, 'a village was found');
  t.not(pick?.village.code, '24283-08', 'not the measured village');
  t.not(pick?.village.code, '24136-01', 'not the village five cells cover');
  t.ok(pick!.cells.length >= 1 && pick!.cells.length <= 4);
  const down = new Set(pick!.cells.map((c) => c.key));
  t.same(cellsCovering(pick!.village, cells, DEFAULT_OUTAGE_RULES).filter((c) => !down.has(c.key)), [], 'with those cells down nothing covers it');
  const reported = pickOutageVillage(inventory.villages, cells, DEFAULT_OUTAGE_RULES, { measurementPoints: [], reportedVillages: new Set([pick!.village.code]), maxCells: 4 });
  t.not(reported?.village.code, pick!.village.code, 'a village with a carrier report is not picked');
  t.same(readReportedVillages(join(FIXTURE, 'status.csv')).size, 0);
  const downFixture = pickOutageVillage(inventory.villages, cells, DEFAULT_OUTAGE_RULES, {
    downCells: new Set(pick!.cells.map((c) => c.key)),
    measurementPoints: [],
    reportedVillages: new Set(),
    maxCells: 4,
  });
  t.not(downFixture?.village.code, pick!.village.code, 'cells already down in the status feed cover nothing: that village is a dead zone already');
});

t.test('the shipped sample feeds: status file read as netcov does, auto picks a village (thôn/buôn) by prediction alone', async (t) => {
  const { DEFAULT_COVERAGE_SAMPLE_DIR } = await import('../../src/sim/simulator.js');
  const files = findFeedFiles(DEFAULT_COVERAGE_SAMPLE_DIR);
  t.same(Object.keys(files).sort(), ['cells', 'measurements', 'reports', 'status']);
  const cells = readCellsFile(files.cells!, DEFAULT_OUTAGE_RULES);
  t.ok(cells.length > 3000, `${cells.length} sample cells`);
  const down = readDownCells(files.status!, DEFAULT_OUTAGE_RULES);
  t.ok(down.size >= 1, 'the sample status has down cells');
  t.ok([...down].every((k) => cells.some((c) => c.key === k)), 'status keys match the cell keys');
  const pick = pickOutageVillage(inventory.villages, cells, DEFAULT_OUTAGE_RULES, {
    downCells: down,
    measurementPoints: readMeasurementPoints(files.measurements!),
    reportedVillages: readReportedVillages(files.reports!),
    maxCells: 4,
  });
  t.ok(pick, 'a village is found');
  t.not(pick?.village.type, 'tổ dân phố', 'a village, not a town quarter');
  t.ok(pick!.cells.every((c) => !down.has(c.key)), 'only cells that are up today');
});

t.test('status document: the file, then the changed cells (last row wins)', async (t) => {
  t.equal(statusRow('452-04-LTE-101-1', false, '2026-01-01T00:00:00.000Z'), 'LTE,452,04,101,1,down,2026-01-01T00:00:00.000Z');
  t.throws(() => statusRow('452-04-LTE', false, ''));
  const doc = statusDocument('radio,mcc,net,area,cell,status,since\r\nLTE,452,4,101,11,up,\r\n', new Map([['452-04-LTE-101-11', { up: false, sinceMs: 0 }]]));
  t.equal(doc, 'radio,mcc,net,area,cell,status,since\nLTE,452,4,101,11,up,\nLTE,452,04,101,11,down,1970-01-01T00:00:00.000Z\n');
  t.equal(statusDocument(undefined, new Map()), 'radio,mcc,net,area,cell,status,since\n');
  t.equal(statusDocument('# SAMPLE\nradio,mcc,net,area,cell,status,since\n', new Map()), '# SAMPLE\nradio,mcc,net,area,cell,status,since\n', 'comments first, the header kept');
  t.equal(statusDocument('# SAMPLE\n', new Map()), '# SAMPLE\nradio,mcc,net,area,cell,status,since\n');
});

t.test('feed server: serves the files, status changes take effect, netcov parses what it serves', async (t) => {
  const files = findFeedFiles(FIXTURE);
  t.same(Object.keys(files).sort(), ['cells', 'measurements', 'status']);
  const server = await startCoverageServer({ files });
  t.teardown(() => server.stop());
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.same(Object.keys(server.urls).sort(), ['cells', 'measurements', 'status']);
  const cells = await fetch(server.urls.cells!);
  t.equal(cells.status, 200);
  t.match(cells.headers.get('content-type'), /text\/csv/);
  t.match(await cells.text(), /^radio,mcc,net,area,cell/);
  t.equal((await fetch(`${server.url}/nothing`)).status, 404);
  t.equal((await fetch(server.urls.cells!, { method: 'POST' })).status, 405);

  server.setCells(['452-04-LTE-101-1', '452-02-LTE-102-2'], false);
  t.same(server.downCells().sort(), ['452-02-LTE-102-2', '452-04-LTE-101-1']);
  const { parseCellStatus } = await import('../../src/coverage/feeds/index.js');
  const { carrierList } = await import('../../src/coverage/types.js');
  const body = await (await fetch(server.urls.status!)).text();
  const ctx = { mcc: '452', carriers: carrierList({ '01': 'MobiFone', '02': 'VinaPhone', '04': 'Viettel', '05': 'Vietnamobile' }), nowMs: Date.now(), bounds: { latMin: 0, latMax: 90, lonMin: 0, lonMax: 180 }, defaultRangeM: 2000, maxRangeM: 35000 };
  const parsed = await parseCellStatus(Readable.from([body]), ctx as never, { feed: 'sim-status', format: 'csv' });
  t.equal(parsed.report.rejected, 0, JSON.stringify(parsed.report));
  const status = parsed.batch!.status;
  t.equal(status.get('452-04-LTE-101-1')?.up, false, 'netcov reads the cell as down');
  t.equal(status.get('452-02-LTE-102-2')?.up, false);
  t.equal(status.get('452-04-LTE-101-11')?.up, true, 'the file row is still there');
  server.setCells(['452-04-LTE-101-1'], true);
  t.same(server.downCells(), ['452-02-LTE-102-2'], 'back up');
  t.rejects(startCoverageServer({ host: '10.0.0.1', files: {} }), /loopback only/);
});
