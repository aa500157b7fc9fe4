// The sink against the REAL influxd 1.6 (Debian): setup is idempotent (database, retention
// policies, continuous query), points read back with InfluxQL exactly as encoded (escaping and
// Vietnamese text included), the real server's partial-write answers are understood, late data is
// rolled up, and with a tiny spool cap the dropped count equals the points missing in InfluxDB.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { encodeSample, type MeasurementSchema } from '../../src/metrics/line-protocol.js';
import { PING, PING_ROLLUP, RETENTION_POLICIES, type MeasurementDef, type Sample } from '../../src/metrics/schema.js';
import { InfluxV1Target, cqName } from '../../src/sink/influx-v1.js';
import { createSink } from '../../src/sink/index.js';
import { silentLogger } from '../../src/util/log.js';
import { captureLog } from '../helpers/log-capture.js';
import { startInfluxd } from '../helpers/services.js';

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

async function query(url: string, q: string, db = 'netcov'): Promise<Series[]> {
  const res = await fetch(`${url}/query?db=${db}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: Series[]; error?: string }[]; error?: string };
  const r = body.results?.[0];
  if (body.error !== undefined || r?.error !== undefined) throw new Error(`${q}: ${body.error ?? r?.error}`);
  return r?.series ?? [];
}
const rows = (s: Series | undefined) => (s?.values ?? []).map((v) => Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])));

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-sink-it-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sinkConfig(url: string, stateDir: string, patch: (c: Config) => void = () => undefined): Config {
  const c = defaultConfig();
  c.state_dir = stateDir;
  c.sink.url = url;
  c.sink.flush_interval_ms = 100;
  c.sink.retry_initial_ms = 50;
  c.sink.retry_max_ms = 500;
  c.sink.request_timeout_ms = 2000;
  patch(c);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000; // an hour ago: inside the raw policy
function ping(pointId: string, timeMs: number, extraTags: Record<string, string> = {}): Sample {
  return {
    measurement: 'ping',
    tags: { point_id: pointId, kind: 'commune', upstream: '', url: '127.66.3.10', province: '66', district: '645', commune: '24181', ...extraTags },
    fields: { packets_transmitted: 3, packets_received: 2, percent_packet_loss: 33.333333333333336, minimum_response_ms: 0.041, average_response_ms: 0.05, maximum_response_ms: 0.062, result_code: 0 },
    timeMs,
  };
}

void t.test('setup: database, retention policies and the continuous query, idempotent (run twice, then changed)', async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  const logs = captureLog();
  const make = (rollupRetention: string) => new InfluxV1Target({ url: influxd.url, database: 'netcov', username: '', rollupRetention }, logs.log);
  const signal = new AbortController().signal;
  await make('400d').setup(signal);
  await make('400d').setup(signal); // second run: no error, same state
  t.ok((await query(influxd.url, 'SHOW DATABASES'))[0]?.values.some((v) => v[0] === 'netcov'), 'database created');
  const rps = () => query(influxd.url, 'SHOW RETENTION POLICIES ON netcov').then(([s]) => rows(s));
  t.match(await rps(), [
    { name: 'autogen' },
    { name: RETENTION_POLICIES.raw, duration: '720h0m0s', default: true },
    { name: RETENTION_POLICIES.rollup, duration: '9600h0m0s', default: false },
  ]);
  const cqs = async () => (await query(influxd.url, 'SHOW CONTINUOUS QUERIES')).find((s) => s.name === 'netcov');
  const cq = rows(await cqs());
  t.equal(cq.length, 1, 'one continuous query, not two after two setups');
  t.equal(cq[0]?.name, cqName(PING_ROLLUP));
  t.match(String(cq[0]?.query), /RESAMPLE EVERY 5m FOR 15m/);
  t.match(String(cq[0]?.query), /INTO netcov\.rollup\.ping_5m FROM netcov\.raw\.ping GROUP BY time\(5m\), \*/);

  // A changed config (longer rollup) and an outdated CQ (an older netcov) are both brought up to date.
  await query(influxd.url, `DROP CONTINUOUS QUERY ${cqName(PING_ROLLUP)} ON netcov`);
  await fetch(`${influxd.url}/query?q=${encodeURIComponent(`CREATE CONTINUOUS QUERY ${cqName(PING_ROLLUP)} ON netcov BEGIN SELECT mean(average_response_ms) INTO netcov.rollup.ping_5m FROM netcov.raw.ping GROUP BY time(5m), * END`)}`, { method: 'POST' });
  await make('500d').setup(signal);
  t.match((await rps()).find((p) => p.name === RETENTION_POLICIES.rollup), { duration: '12000h0m0s' }, 'rollup policy altered');
  t.match(String(rows(await cqs())[0]?.query), /min\(minimum_response_ms\)/, 'old continuous query replaced');
  t.equal(logs.events('sink_cq_replaced').length, 1);
});

void t.test('written points read back with InfluxQL exactly; escaping and Vietnamese text survive the real parser', async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  const sink = createSink(sinkConfig(influxd.url, tempDir(t)), silentLogger());
  await sink.start();
  sink.write([ping('commune-24181', T0), ping('commune-24181', T0 + 5000), ping('district-645', T0)]);
  await sink.stop();
  t.match(sink.stats(), { pointsAccepted: 3, pointsWritten: 3, pointsDropped: 0, spoolPoints: 0 });
  const [s] = await query(influxd.url, `SELECT * FROM "raw"."ping" WHERE point_id = 'commune-24181' ORDER BY time`);
  const row = (time: number) => ({
    time,
    average_response_ms: 0.05,
    maximum_response_ms: 0.062,
    minimum_response_ms: 0.041,
    packets_received: 2,
    packets_transmitted: 3,
    percent_packet_loss: 33.333333333333336,
    result_code: 0,
    commune: '24181',
    district: '645',
    kind: 'commune',
    point_id: 'commune-24181',
    province: '66',
    url: '127.66.3.10',
  });
  t.same(s?.columns.slice().sort(), Object.keys(row(0)).sort(), 'exactly the fields and tags written (the empty upstream tag is left out)');
  t.same(rows(s), [row(T0), row(T0 + 5000)]);
  const types = rows((await query(influxd.url, 'SHOW FIELD KEYS FROM "raw"."ping"'))[0]);
  t.match(Object.fromEntries(types.map((r) => [r.fieldKey, r.fieldType])), { packets_transmitted: 'integer', result_code: 'integer', percent_packet_loss: 'float' }, 'integers stored as integers');

  // Every escape the encoder makes, through the real 1.6 parser (a test measurement with every field type).
  const NAMES: MeasurementDef = {
    name: 'netcov test, names',
    description: '',
    tags: { name: '', note: '' },
    unitLevels: false,
    retention: 'raw',
    fields: { text: { type: 'string', unit: '', description: '' }, big: { type: 'integer', unit: '', description: '' }, ok: { type: 'boolean', unit: '', description: '' } },
  };
  const schema: MeasurementSchema = { names: NAMES };
  const cases = [
    { name: 'UBND xã Hòa Thắng, TP Buôn Ma Thuột', note: 'a=b c', text: 'Mất kết nối "thôn 3" \\ buôn Ea Tiêu' },
    { name: 'Đắk Lắk'.normalize('NFD'), note: 'x\\y', text: 'dòng 1\ndòng 2' },
  ];
  const target = new InfluxV1Target({ url: influxd.url, database: 'netcov', username: '', setup: false }, silentLogger());
  const lines = cases.map((c, i) => encodeSample({ measurement: 'names', tags: { name: c.name, note: c.note }, fields: { text: c.text, big: 2n ** 62n + 1n, ok: i === 0 }, timeMs: T0 + i }, schema)!.line);
  t.same(await target.write({ payload: lines.join('\n'), lines: lines.length, oldestMs: T0 }, new AbortController().signal), { droppedLines: 0 });
  const back = rows((await query(influxd.url, 'SELECT * FROM "netcov test, names" ORDER BY time'))[0]);
  t.same(back.map((r) => [r.name, r.note, r.text, r.ok]), [
    [cases[0]!.name, cases[0]!.note, cases[0]!.text, true],
    ['Đắk Lắk', 'x\\y', 'dòng 1\\ndòng 2', false],
  ], 'tags, string fields and booleans as written (NFC; a line break in a string field is stored as the \\n escape)');
  const big = await fetch(`${influxd.url}/query?db=netcov&q=${encodeURIComponent('SELECT big FROM "netcov test, names" LIMIT 1')}`).then((r) => r.text());
  t.match(big, `${2n ** 62n + 1n}`, 'a bigint integer beyond 2^53 stored exactly');
});

void t.test("the real server's partial-write answers: good lines kept, refused ones counted", async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  const target = new InfluxV1Target({ url: influxd.url, database: 'netcov', username: '' }, silentLogger());
  const signal = new AbortController().signal;
  await target.setup(signal);
  const line = (id: string, ms: number) => encodeSample(ping(id, ms))!.line;
  const write = (ls: string[]) => target.write({ payload: ls.join('\n'), lines: ls.length, oldestMs: T0 }, signal);
  t.same(await write([line('a', T0)]), { droppedLines: 0 });
  // packets_received as a float: a field type conflict for that line only.
  const conflict = `ping,point_id=b packets_received=2.5 ${T0}`;
  const r1 = await write([line('c', T0), conflict, line('d', T0)]);
  t.equal(r1.droppedLines, 1);
  t.match(r1.reason, /field type conflict/);
  const r2 = await write([line('e', T0), 'ping,point_id=f packets_received=', line('g', T0)]);
  t.equal(r2.droppedLines, 1, 'an unparsable line (1.x says dropped=0: counted from "unable to parse")');
  t.match(r2.reason, /unable to parse/);
  const r3 = await write([line('h', T0), line('i', Date.now() - 60 * 86_400_000)]);
  t.equal(r3.droppedLines, 1, 'a point older than the raw retention policy');
  t.match(r3.reason, /beyond retention policy/);
  const ids = (await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping" GROUP BY point_id')).map((s) => s.tags?.point_id);
  t.same(ids.sort(), ['a', 'c', 'd', 'e', 'g', 'h'], 'every good line of every partial write is stored');
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
  t.match(await failure(write(['ping,point_id=x packets_received='])), { kind: 'rejected', retryable: false }, 'nothing parsable: the batch is refused');
  const noDb = new InfluxV1Target({ url: influxd.url, database: 'nope', username: '', setup: false }, silentLogger());
  t.match(await failure(noDb.write({ payload: line('z', T0), lines: 1, oldestMs: T0 }, signal)), { kind: 'not_found', retryable: true, status: 404 }, 'no such database');
  await target.close();
});

void t.test('late data (replayed after an outage) is rolled up into rollup.ping_5m', async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  const logs = captureLog();
  const target = new InfluxV1Target({ url: influxd.url, database: 'netcov', username: '', backfillDelayMs: 100 }, logs.log);
  const signal = new AbortController().signal;
  await target.setup(signal);
  const base = Math.floor((Date.now() - 7_200_000) / 300_000) * 300_000; // two hours ago, on a window edge
  const samples = [0, 60_000, 120_000, 300_000].map((dt, i) => ({ ...ping('commune-24181', base + dt), fields: { ...ping('x', 0).fields, minimum_response_ms: 0.01 * (i + 1), maximum_response_ms: 0.1 * (i + 1), percent_packet_loss: i === 3 ? 100 : 0, packets_received: i === 3 ? 0 : 3 } }));
  const lines = samples.map((s) => encodeSample(s)!.line);
  await target.write({ payload: lines.join('\n'), lines: lines.length, oldestMs: base }, signal);
  await until('the backfill', () => logs.events('sink_backfill_done').length > 0, 10_000);
  const r = rows((await query(influxd.url, `SELECT * FROM "rollup"."ping_5m" WHERE point_id = 'commune-24181' ORDER BY time`))[0]);
  t.match(r, [
    { time: base, rounds: 3, minimum_response_ms: 0.01, maximum_response_ms: 0.30000000000000004, packets_transmitted: 9, packets_received: 9, percent_packet_loss: 0, kind: 'commune', district: '645' },
    { time: base + 300_000, rounds: 1, packets_received: 0, percent_packet_loss: 100 },
  ]);
  t.same(Object.keys(PING_ROLLUP.fields).filter((f) => !(f in (r[0] ?? {}))), [], 'every rollup field of the schema exists');
  t.equal(PING_ROLLUP.source, PING);
  await target.close();
});

void t.test('spool cap: with influxd down and a tiny spool, the dropped count equals the points missing in InfluxDB', async (t) => {
  const influxd = await startInfluxd(t);
  if (influxd === undefined) return;
  await influxd.stop();
  const logs = captureLog('info');
  const config = sinkConfig(influxd.url, tempDir(t), (c) => {
    c.sink.batch_max_points = 50;
    c.sink.spool.max_bytes = 96 * 1024;
    c.sink.spool.segment_bytes = 16 * 1024;
  });
  const sink = createSink(config, logs.log);
  await sink.start();
  const ids = Array.from({ length: 235 }, (_, i) => `p${i}`);
  const ROUNDS = 30;
  for (let r = 0; r < ROUNDS; r++) {
    sink.write(ids.map((id) => ping(id, T0 + r * 5000)));
    await sink.flush();
  }
  const written = ROUNDS * ids.length;
  const dropped = sink.stats().pointsDropped;
  t.ok(dropped > written / 2, `most of ${written} points dropped by a 96 KiB cap (${dropped})`);
  t.equal(sink.stats().pointsDroppedSpoolFull, dropped);
  t.ok(sink.stats().spoolBytes <= 96 * 1024, 'the spool stays within its cap');
  const loggedDrops = logs.events('spool_dropped').reduce((n, l) => n + (l.points as number), 0);
  t.equal(loggedDrops, dropped, 'every drop logged with its exact count');

  await influxd.restart();
  await until('the spool to drain', () => sink.stats().spoolPoints === 0, 30_000);
  await sink.stop();
  const [count] = await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping"');
  const stored = Number(count?.values[0]?.[1] ?? 0);
  t.equal(written - stored, dropped, `missing in InfluxDB (${written - stored}) = dropped count (${dropped})`);
  t.equal(sink.stats().pointsWritten, stored);
  const [first] = await query(influxd.url, 'SELECT first(packets_transmitted) FROM "raw"."ping"');
  t.ok(Number(first?.values[0]?.[0]) > T0, 'the oldest data is what was dropped');
  const [last] = await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping" GROUP BY time(5s) fill(none) ORDER BY time DESC LIMIT 1');
  t.same(last?.values[0], [T0 + (ROUNDS - 1) * 5000, 235], 'the newest round is complete');
});
