// CONTRACT TEST of the InfluxDB 2.x/3.x native write API. No 2.x or 3.x server is packaged for
// Debian (and Debian's influxd 1.6 has no /api/v2/*), so this test runs the real writer and the
// real @influxdata/influxdb-client transport against a node:http server that checks what a 2.x
// server checks: the path, the query string (org, bucket, precision), the `Authorization: Token …`
// header, the content type and the body; and answers as 2.x/3.x document (204, partial writes,
// line errors, 401, 404, 429 with Retry-After).
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import type { Sample } from '../../src/metrics/schema.js';
import { InfluxV2Target } from '../../src/sink/influx-v2.js';
import { InfluxV1Target } from '../../src/sink/influx-v1.js';
import { createSink, createTarget, spoolDir } from '../../src/sink/index.js';
import { MemoryQueue } from '../../src/sink/queue.js';
import { Writer } from '../../src/sink/writer.js';
import { startFakeInflux, type FakeInflux, type RecordedRequest } from '../helpers/fake-influx.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';

const TOKEN = 'v2-token-Ab3xYz==';
const T0 = 1_700_000_000_000;

function ping(i: number): Sample {
  return {
    measurement: 'ping',
    tags: { point_id: `agency-${i}`, kind: 'agency', province: '66' },
    fields: { packets_transmitted: 3, packets_received: 3, percent_packet_loss: 0, average_response_ms: 0.125 },
    timeMs: T0 + i,
  };
}
const pings = (n: number) => Array.from({ length: n }, (_, i) => ping(i));
const lineOf = (i: number) => `ping,kind=agency,point_id=agency-${i},province=66 packets_transmitted=3i,packets_received=3i,percent_packet_loss=0,average_response_ms=0.125 ${T0 + i}`;

/** What a 2.x server requires of a write request; every failure is a test failure. */
function checkContract(t: Test, r: RecordedRequest): void {
  t.equal(r.method, 'POST', 'POST');
  t.equal(r.path, '/api/v2/write', 'path /api/v2/write');
  t.same([...r.query.keys()].sort(), ['bucket', 'org', 'precision'], 'only org, bucket, precision in the query');
  t.equal(r.query.get('org'), 'Sở TT&TT Đắk Lắk', 'org (URL-encoded, non-ASCII)');
  t.equal(r.query.get('bucket'), 'netcov/raw', 'bucket');
  t.equal(r.query.get('precision'), 'ms', 'precision=ms, matching the encoder');
  t.equal(r.headers.authorization, `Token ${TOKEN}`, 'Authorization: Token <token>');
  t.match(r.headers['content-type'], /^text\/plain; charset=utf-8$/, 'line protocol content type');
}

async function rig(t: Test, extra: { retryMaxMs?: number } = {}): Promise<{ influx: FakeInflux; writer: Writer; logs: CapturedLog }> {
  const influx = await startFakeInflux(t);
  const logs = captureLog();
  const target = new InfluxV2Target({ url: influx.url, org: 'Sở TT&TT Đắk Lắk', bucket: 'netcov/raw', token: new Secret(TOKEN, 'inline'), requestTimeoutMs: 1000 });
  const writer = new Writer({
    queue: new MemoryQueue({ maxBytes: 1 << 24 }, logs.log),
    target,
    log: logs.log,
    options: { flushIntervalMs: 60_000, retryInitialMs: 10, retryMaxMs: extra.retryMaxMs ?? 100 },
    random: () => 0.5,
  });
  await writer.start();
  t.teardown(() => writer.stop());
  return { influx, writer, logs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

t.test('a write honours the 2.x contract: path, query, Token header, content type, body', async (t) => {
  const { influx, writer } = await rig(t);
  writer.write(pings(3));
  await writer.flush();
  const [r] = influx.writes();
  if (r === undefined) throw new Error('no request');
  checkContract(t, r);
  t.equal(r.body, [0, 1, 2].map(lineOf).join('\n'), 'body: the encoded lines, nothing else');
  t.match(writer.stats(), { pointsWritten: 3, state: 'writing' });
});

t.test('large bodies go gzipped (the client transport), and arrive intact', async (t) => {
  const { influx, writer } = await rig(t);
  writer.write(pings(1000));
  await writer.flush();
  const [r] = influx.writes();
  t.equal(r?.headers['content-encoding'], 'gzip');
  t.equal(r?.body, Array.from({ length: 1000 }, (_, i) => lineOf(i)).join('\n'));
  checkContract(t, r!);
});

t.test('2.x partial write "(N written)": the rest is kept, the refused lines counted', async (t) => {
  const { influx, writer, logs } = await rig(t);
  influx.queue({ status: 400, body: JSON.stringify({ code: 'invalid', message: 'partial write error (3 written): unable to parse \'ping x\': missing fields' }) });
  writer.write(pings(4));
  await writer.flush();
  t.equal(influx.writes().length, 1, 'not sent again');
  t.match(writer.stats(), { pointsWritten: 3, pointsDroppedRejected: 1 });
  t.match(logs.events('sink_points_rejected')[0], { points: 1, reason: /partial write error/ });
});

t.test('2.x field type conflict (422): partial write, dropped=N', async (t) => {
  const { influx, writer } = await rig(t);
  const message = 'failure writing points to database: partial write: field type conflict: input field "packets_received" on measurement "ping" is type float, already exists as type integer dropped=2';
  influx.queue({ status: 422, body: JSON.stringify({ code: 'unprocessable entity', message }) });
  writer.write(pings(5));
  await writer.flush();
  t.match(writer.stats(), { pointsWritten: 3, pointsDroppedRejected: 2 });
});

t.test('2.x line errors (nothing written): the named lines are dropped, the others sent again', async (t) => {
  const { influx, writer } = await rig(t);
  const message = 'failed to parse line protocol: errors encountered on line(s):\nline 2: invalid field format\nline 4: invalid field format';
  influx.queue({ status: 400, body: JSON.stringify({ code: 'invalid', message }) });
  writer.write(pings(5));
  await writer.flush();
  const [first, second] = influx.writes();
  t.equal(first?.body.split('\n').length, 5);
  t.equal(second?.body, [0, 2, 4].map(lineOf).join('\n'), 'lines 2 and 4 left out');
  checkContract(t, second!);
  t.match(writer.stats(), { pointsWritten: 3, pointsDroppedRejected: 2 });
});

t.test('3.x partial write (data lists the refused lines)', async (t) => {
  const { influx, writer } = await rig(t);
  const body = JSON.stringify({
    error: 'partial write of line protocol occurred',
    data: [{ original_line: lineOf(1), line_number: 2, error_message: 'invalid column type for column packets_received' }],
  });
  influx.queue({ status: 400, body });
  writer.write(pings(3));
  await writer.flush();
  t.match(writer.stats(), { pointsWritten: 2, pointsDroppedRejected: 1 });
});

t.test('401: a configuration error naming sink.token, never the token; data keeps spooling', async (t) => {
  const { influx, writer, logs } = await rig(t, { retryMaxMs: 20 });
  influx.respond(() => ({ status: 401, body: JSON.stringify({ code: 'unauthorized', message: 'unauthorized access' }) }));
  writer.write(pings(2));
  await writer.flush();
  await until('retries', () => influx.writes().length >= 3);
  t.equal(logs.events('sink_config_error').length, 1);
  t.match(logs.events('sink_config_error')[0], { kind: 'auth', status: 401, msg: /sink\.token/ });
  t.notOk(logs.text().includes(TOKEN), 'the token never reaches the log');
  t.match(writer.stats(), { spoolPoints: 2, state: 'spooling' });
});

t.test('404 (bucket not found) and 429 with Retry-After are retried; the batch then goes through', async (t) => {
  const { influx, writer, logs } = await rig(t);
  influx.queue(
    { status: 404, body: JSON.stringify({ code: 'not found', message: 'bucket "netcov/raw" not found' }) },
    { status: 429, body: JSON.stringify({ code: 'too many requests', message: 'rate limited' }), headers: { 'Retry-After': '1' } },
  );
  writer.write(pings(2));
  await writer.flush();
  await until('delivery', () => writer.stats().pointsWritten === 2, 4000);
  const at = influx.writes().map((r) => r.atMs);
  t.equal(at.length, 3);
  t.ok((at[2] ?? 0) - (at[1] ?? 0) >= 990, 'waited for Retry-After: 1 (s)');
  t.match(logs.events('sink_write_failed')[0], { kind: 'not_found', retryable: true, error: /bucket "netcov\/raw" not found/ });
});

t.test('createSink: the target and spool dir come from the configuration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-sink-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const c = defaultConfig();
  c.state_dir = dir;
  t.equal(spoolDir(c), join(dir, 'spool'), 'default: <state_dir>/spool');
  c.sink.spool.dir = join(dir, 'elsewhere');
  t.equal(spoolDir(c), join(dir, 'elsewhere'));
  const logs = captureLog();
  t.type(createTarget(c, logs.log), InfluxV1Target, 'influx_v1 is the default');
  c.sink.kind = 'influx_v2';
  c.sink.token = new Secret(TOKEN, 'inline');
  const v2 = createTarget(c, logs.log);
  t.type(v2, InfluxV2Target);
  t.notMatch(v2?.description ?? '', TOKEN, 'description has no secret');
  c.sink.kind = 'none';
  t.equal(createTarget(c, logs.log), undefined);
  const sink = createSink(c, logs.log);
  await sink.start();
  sink.write(pings(2));
  await sink.flush();
  t.match(sink.stats(), { pointsAccepted: 2, spoolPoints: 2, state: 'idle' });
  t.ok(readdirSync(join(dir, 'elsewhere')).some((f) => f.endsWith('.seg')), 'spooled on disk');
  await sink.stop();
  t.throws(() => createTarget({ ...c, sink: { ...c.sink, kind: 'influx_v1', raw_retention: '30 days; DROP DATABASE x' } }, logs.log), /not an InfluxQL duration/);
});
