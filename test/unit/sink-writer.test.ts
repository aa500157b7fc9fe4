// The writer with the 1.x target against a scripted node:http server (a test double is fine in a
// unit test; test/integration/sink-influxd.test.ts runs the same paths against the real influxd):
// batching, backoff, Retry-After, partial writes, 401/403, 413, rejections, stop().
import t from 'tap';
import type { Test } from 'tap';
import { Secret } from '../../src/config/secret.js';
import { InfluxV1Target } from '../../src/sink/influx-v1.js';
import { MemoryQueue } from '../../src/sink/queue.js';
import { Writer, backoffMs, type WriterOptions } from '../../src/sink/writer.js';
import type { Sample } from '../../src/metrics/schema.js';
import { LineProtocolError } from '../../src/metrics/line-protocol.js';
import type { WriteTarget } from '../../src/sink/types.js';
import { SinkWriteError } from '../../src/sink/write-result.js';
import { startFakeInflux, type FakeInflux } from '../helpers/fake-influx.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';

const T0 = 1_700_000_000_000;
const PASSWORD = 'mật-khẩu-bí-mật-42';

function ping(i: number, timeMs = T0 + i * 1000): Sample {
  return {
    measurement: 'ping',
    tags: { point_id: `commune-${24000 + i}`, kind: 'commune', province: '66', district: '645', commune: String(24000 + i) },
    fields: { packets_transmitted: 3, packets_received: 3, percent_packet_loss: 0, average_response_ms: 0.05, minimum_response_ms: undefined },
    timeMs,
  };
}
const pings = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ping(from + i));

interface Rig {
  influx: FakeInflux;
  writer: Writer;
  queue: MemoryQueue;
  logs: CapturedLog;
}

const FAST: Partial<WriterOptions> = {
  flushIntervalMs: 60_000, // tests flush explicitly unless they test the interval
  retryInitialMs: 10,
  retryMaxMs: 200,
  repeatLogIntervalMs: 60_000,
  stopDrainMs: 2000,
};

async function rig(t: Test, options: Partial<WriterOptions> = {}, auth = false): Promise<Rig> {
  const influx = await startFakeInflux(t);
  const logs = captureLog();
  const queue = new MemoryQueue({ maxBytes: 64 * 1024 * 1024 }, logs.log);
  const target = new InfluxV1Target(
    { url: influx.url, database: 'netcov', username: auth ? 'netcov' : '', password: auth ? new Secret(PASSWORD, 'inline') : undefined, setup: false, requestTimeoutMs: 500 },
    logs.log,
  );
  const writer = new Writer({ queue, target, log: logs.log, options: { ...FAST, ...options }, random: () => 0.5 });
  await writer.start();
  t.teardown(() => writer.stop());
  return { influx, writer, queue, logs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
const bodyLines = (body: string) => body.split('\n').filter((l) => l !== '');

t.test('backoffMs: doubling from initial, capped, upper half jittered', async (t) => {
  t.same([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1000, () => 0)), [50, 100, 200, 400, 500], 'random 0: half of the base');
  t.same([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1000, () => 1)), [100, 200, 400, 800, 1000], 'random 1: the base');
  t.equal(backoffMs(1000, 100, 1000, () => 0.5), 750, 'huge attempt numbers stay capped');
});

t.test('a write request: POST /write with db, rp omitted without setup, precision=ms, line protocol body', async (t) => {
  const { influx, writer } = await rig(t);
  writer.write(pings(2));
  await writer.flush();
  const [w] = influx.writes();
  t.equal(w?.method, 'POST');
  t.equal(w?.query.get('db'), 'netcov');
  t.equal(w?.query.get('precision'), 'ms');
  t.equal(w?.query.get('rp'), null);
  t.equal(w?.headers.authorization, undefined, 'no auth configured, none sent');
  t.same(bodyLines(w?.body ?? ''), [
    `ping,commune=24000,district=645,kind=commune,point_id=commune-24000,province=66 packets_transmitted=3i,packets_received=3i,percent_packet_loss=0,average_response_ms=0.05 ${T0}`,
    `ping,commune=24001,district=645,kind=commune,point_id=commune-24001,province=66 packets_transmitted=3i,packets_received=3i,percent_packet_loss=0,average_response_ms=0.05 ${T0 + 1000}`,
  ]);
  t.match(writer.stats(), { pointsAccepted: 2, pointsWritten: 2, pointsDropped: 0, state: 'writing', spoolPoints: 0 });
});

t.test('batches by count', async (t) => {
  const { influx, writer } = await rig(t, { batchMaxPoints: 10 });
  writer.write(pings(25));
  await writer.flush();
  t.same(influx.writes().map((w) => bodyLines(w.body).length), [10, 10, 5]);
  t.same(influx.writes().flatMap((w) => bodyLines(w.body)).map((l) => /point_id=([^,]+)/.exec(l)?.[1]), pings(25).map((s) => s.tags.point_id), 'order kept');
});

t.test('batches by bytes', async (t) => {
  const { influx, writer } = await rig(t, { batchMaxBytes: 1024 });
  writer.write(pings(40));
  await writer.flush();
  t.ok(influx.writes().length >= 5);
  for (const w of influx.writes()) t.ok(Buffer.byteLength(w.body) <= 1024, `body of ${Buffer.byteLength(w.body)} bytes`);
  t.equal(influx.writes().reduce((n, w) => n + bodyLines(w.body).length, 0), 40);
});

t.test('batches by interval: no flush() needed', async (t) => {
  const { influx, writer } = await rig(t, { flushIntervalMs: 30 });
  writer.write(pings(3));
  await until('the interval flush', () => influx.writes().length === 1);
  t.equal(bodyLines(influx.writes()[0]?.body ?? '').length, 3);
});

t.test('retries with jittered exponential backoff, then writes once InfluxDB answers', async (t) => {
  const { influx, writer, logs } = await rig(t);
  influx.queue({ status: 503, body: '{"error":"overloaded"}' }, { status: 500, body: '{"error":"engine: cache full"}' }, { status: 502 });
  writer.write(pings(3));
  await writer.flush();
  t.equal(writer.stats().state, 'spooling');
  t.equal(writer.stats().spoolPoints, 3, 'the batch waits in the queue');
  await until('delivery', () => writer.stats().pointsWritten === 3);
  const at = influx.writes().map((w) => w.atMs);
  t.equal(at.length, 4);
  // random = 0.5 → 75% of the base: 7.5, 15, 30 ms.
  const gaps = at.slice(1).map((a, i) => a - (at[i] as number));
  t.ok((gaps[0] ?? 0) >= 7 && (gaps[1] ?? 0) >= 14 && (gaps[2] ?? 0) >= 29, `gaps grow: ${gaps.join(', ')} ms`);
  t.match(writer.stats(), { pointsWritten: 3, pointsRetried: 9, writeErrors: 3, state: 'writing', pointsDropped: 0 });
  t.equal(logs.events('sink_write_failed').filter((l) => l.level === 'warn').length, 1, 'one warning per outage, not per attempt');
  t.match(logs.events('sink_write_failed')[0], { kind: 'server', retryable: true, status: 503 });
  t.equal(logs.events('sink_recovered').length, 1);
  t.same(new Set(influx.writes().map((w) => w.body)).size, 1, 'the same batch each time');
});

t.test('honours Retry-After (seconds) over its own, shorter backoff', async (t) => {
  const { influx, writer } = await rig(t);
  influx.queue({ status: 429, body: '{"error":"too many requests"}', headers: { 'Retry-After': '1' } });
  writer.write(pings(1));
  await writer.flush();
  await until('the retry', () => influx.writes().length === 2, 3000);
  const [a, b] = influx.writes();
  t.ok((b?.atMs ?? 0) - (a?.atMs ?? 0) >= 990, `waited ${(b?.atMs ?? 0) - (a?.atMs ?? 0)} ms for Retry-After: 1`);
});

t.test('1.x partial write (field type conflict): only the refused lines are dropped, counted, logged with the reason', async (t) => {
  const { influx, writer, logs } = await rig(t);
  const reason = 'partial write: field type conflict: input field "packets_received" on measurement "ping" is type float, already exists as type integer dropped=2';
  influx.queue({ status: 400, body: JSON.stringify({ error: reason }) });
  writer.write(pings(10));
  await writer.flush();
  t.equal(influx.writes().length, 1, 'not sent again: InfluxDB kept the other lines');
  t.match(writer.stats(), { pointsWritten: 8, pointsDroppedRejected: 2, pointsDropped: 2, spoolPoints: 0, state: 'writing' });
  const [ev] = logs.events('sink_points_rejected');
  t.match(ev, { points: 2, batch_points: 10, level: 'warn' });
  t.match(String(ev?.reason), /field type conflict/);
});

t.test('1.x partial write with unparsable lines (dropped=0): counts the "unable to parse" lines', async (t) => {
  const { influx, writer } = await rig(t);
  const reason = "partial write: unable to parse 'ping,x=1 y=': missing field value\nunable to parse 'ping z': invalid field format dropped=0";
  influx.queue({ status: 400, body: JSON.stringify({ error: reason }) });
  writer.write(pings(5));
  await writer.flush();
  t.match(writer.stats(), { pointsWritten: 3, pointsDroppedRejected: 2 });
});

t.test('points beyond the retention policy: partial write, dropped=N', async (t) => {
  const { influx, writer } = await rig(t);
  influx.queue({ status: 400, body: '{"error":"partial write: points beyond retention policy dropped=4"}' });
  writer.write(pings(4));
  await writer.flush();
  t.match(writer.stats(), { pointsWritten: 0, pointsDroppedRejected: 4, spoolPoints: 0 });
});

t.test('a whole batch refused (400, not partial) is dropped and counted; the next batch goes on', async (t) => {
  const { influx, writer, logs } = await rig(t, { batchMaxPoints: 3 });
  influx.queue({ status: 400, body: '{"error":"max series per database exceeded"}' });
  writer.write(pings(6));
  await writer.flush();
  t.equal(influx.writes().length, 2);
  t.match(writer.stats(), { pointsWritten: 3, pointsDroppedRejected: 3, spoolPoints: 0 });
  t.match(String(logs.events('sink_points_rejected')[0]?.reason), /max series per database exceeded/);
});

t.test('413: the batch is split in halves until InfluxDB takes it', async (t) => {
  const { influx, writer } = await rig(t);
  influx.respond((r) => (bodyLines(r.body).length > 2 ? { status: 413, body: '{"error":"Request Entity Too Large"}' } : { status: 204 }));
  writer.write(pings(8));
  await writer.flush();
  t.match(writer.stats(), { pointsWritten: 8, pointsDropped: 0 });
  t.same(influx.writes().map((w) => bodyLines(w.body).length), [8, 4, 2, 2, 4, 2, 2]);
});

t.test('401: a clear configuration error, logged once per interval without the secret; data keeps spooling', async (t) => {
  const { influx, writer, logs } = await rig(t, { retryMaxMs: 20 }, true);
  influx.respond(() => ({ status: 401, body: '{"error":"authorization failed"}' }));
  writer.write(pings(2));
  await writer.flush();
  writer.write(pings(2, 2));
  await writer.flush(); // seals the second batch into the queue; sends nothing while a retry is pending
  await until('several attempts', () => influx.writes().length >= 5);
  const errs = logs.events('sink_config_error');
  t.equal(errs.length, 1, 'logged once, not per attempt');
  t.match(errs[0], { level: 'error', kind: 'auth', status: 401 });
  t.match(String(errs[0]?.msg), /credentials.*sink\.username\/sink\.password.*keep spooling/);
  t.notOk(logs.text().includes(PASSWORD), 'the password never reaches the log');
  t.notOk(logs.text().includes(Buffer.from(`netcov:${PASSWORD}`).toString('base64')), 'nor its Basic encoding');
  t.equal(influx.writes()[0]?.headers.authorization, `Basic ${Buffer.from(`netcov:${PASSWORD}`).toString('base64')}`, 'credentials sent as a header, not in the URL');
  t.notOk(influx.writes()[0]?.query.has('p'));
  t.match(writer.stats(), { state: 'spooling', spoolPoints: 4, pointsWritten: 0 });
  t.match(writer.stats().lastError, /HTTP 401/);
  influx.respond(() => ({ status: 204 }));
  await until('the fix', () => writer.stats().pointsWritten === 4, 3000);
  t.equal(writer.stats().pointsDropped, 0, 'nothing lost while the credentials were wrong');
});

t.test('403 is a configuration error too', async (t) => {
  const { influx, writer, logs } = await rig(t, { retryMaxMs: 20 }, true);
  influx.respond(() => ({ status: 403, body: '{"error":"user is not authorized to write to database netcov"}' }));
  writer.write(pings(1));
  await writer.flush();
  t.match(logs.events('sink_config_error')[0], { kind: 'auth', status: 403 });
});

t.test('InfluxDB unreachable: spooling, then delivered when it comes back; a timeout is retried', async (t) => {
  const { influx, writer, logs } = await rig(t);
  influx.queue({ status: 204, delayMs: 1500 }); // longer than requestTimeoutMs (500)
  writer.write(pings(2));
  await writer.flush();
  t.match(logs.events('sink_write_failed')[0], { kind: 'timeout', retryable: true });
  await until('delivery after the timeout', () => writer.stats().pointsWritten === 2);
  t.equal(writer.stats().pointsDropped, 0);
});

t.test('connection refused is a retryable network error', async (t) => {
  const logs = captureLog();
  const queue = new MemoryQueue({ maxBytes: 1 << 20 }, logs.log);
  const influx = await startFakeInflux(t);
  await influx.close(); // nothing listens on the port now
  const target = new InfluxV1Target({ url: influx.url, database: 'netcov', username: '', setup: false }, logs.log);
  const writer = new Writer({ queue, target, log: logs.log, options: FAST });
  await writer.start();
  writer.write(pings(2));
  await writer.flush();
  t.match(logs.events('sink_write_failed')[0], { kind: 'network', retryable: true, error: /ECONNREFUSED/ });
  t.match(writer.stats(), { state: 'spooling', spoolPoints: 2 });
  const started = Date.now();
  await writer.stop();
  t.ok(Date.now() - started < 1000, 'stop() does not wait for an InfluxDB that is down');
  t.equal(queue.stats().points, 2, 'the points stay queued');
});

t.test('stop(): seals the current batch and delivers it while InfluxDB answers', async (t) => {
  const { influx, writer } = await rig(t);
  writer.write(pings(7));
  await writer.stop();
  t.equal(influx.writes().reduce((n, w) => n + bodyLines(w.body).length, 0), 7);
  t.throws(() => writer.write(pings(1)), /sink stopped/);
});

t.test('a programming error (unknown measurement or field) throws before anything is buffered', async (t) => {
  const { writer } = await rig(t);
  t.throws(() => writer.write([ping(1), { measurement: 'pong', tags: {}, fields: { x: 1 }, timeMs: T0 }]), LineProtocolError);
  t.throws(() => writer.write([{ ...ping(1), fields: { rtt: 1 } }]), LineProtocolError);
  t.equal(writer.stats().pointsBuffered, 0);
});

t.test('write() before start() is refused', async (t) => {
  const w = new Writer({ queue: new MemoryQueue({ maxBytes: 1 << 20 }, captureLog().log), target: undefined, log: captureLog().log });
  t.throws(() => w.write([ping(1)]), /not started/);
});

t.test('sink.kind none: batches stay queued, nothing is sent', async (t) => {
  const logs = captureLog();
  const queue = new MemoryQueue({ maxBytes: 1 << 20 }, logs.log);
  const w = new Writer({ queue, target: undefined, log: logs.log, options: FAST });
  await w.start();
  w.write(pings(3));
  await w.flush();
  t.match(w.stats(), { pointsAccepted: 3, spoolPoints: 3, state: 'idle' });
  t.ok(w.stats().oldestSpooledAgeMs > 0);
  await w.stop();
});

/** A scripted target: setup outcomes in order, writes recorded. */
function scriptedTarget(setupErrors: (Error | undefined)[]) {
  const written: string[] = [];
  let setups = 0;
  const target: WriteTarget = {
    description: 'scripted',
    async setup() {
      const err = setupErrors[setups++];
      if (err !== undefined) throw err;
    },
    async write(batch) {
      written.push(batch.payload);
      return { droppedLines: 0 };
    },
    async close() {},
  };
  return { target, written, setups: () => setups };
}

t.test('setup: InfluxDB down is waited for; nothing is written before setup succeeded', async (t) => {
  const logs = captureLog();
  const s = scriptedTarget([new SinkWriteError('network', 'cannot reach InfluxDB: ECONNREFUSED'), new SinkWriteError('server', 'HTTP 503')]);
  const w = new Writer({ queue: new MemoryQueue({ maxBytes: 1 << 20 }, logs.log), target: s.target, log: logs.log, options: FAST, random: () => 0 });
  await w.start();
  t.teardown(() => w.stop());
  w.write(pings(2));
  await w.flush();
  t.equal(s.written.length, 0);
  await until('setup and the write', () => s.written.length === 1);
  t.equal(s.setups(), 3);
  t.match(logs.events('sink_write_failed')[0], { phase: 'setup', kind: 'network' });
});

t.test('setup refused (no admin rights): a clear error, and writes go ahead anyway', async (t) => {
  const logs = captureLog();
  const s = scriptedTarget([new SinkWriteError('auth', 'CREATE DATABASE netcov: error authorizing query: netcov not authorized to execute statement')]);
  const w = new Writer({ queue: new MemoryQueue({ maxBytes: 1 << 20 }, logs.log), target: s.target, log: logs.log, options: FAST });
  await w.start();
  t.teardown(() => w.stop());
  w.write(pings(2));
  await w.flush();
  t.equal(s.written.length, 1, 'written without waiting for an admin');
  t.match(logs.events('sink_setup_refused')[0], { level: 'error', kind: 'auth', msg: /admin user.*sink\.setup: false/ });
});

/** A memory queue whose appends fail while `failing` is true (a full or broken disk). */
class FailingQueue extends MemoryQueue {
  failing = true;
  override async append(batch: Parameters<MemoryQueue['append']>[0]) {
    if (this.failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return super.append(batch);
  }
}

t.test('spool write failures: batches wait in memory, in order, and go on once the disk recovers', async (t) => {
  const logs = captureLog();
  const queue = new FailingQueue({ maxBytes: 1 << 20 }, logs.log);
  const s = scriptedTarget([]);
  const w = new Writer({ queue, target: s.target, log: logs.log, options: { ...FAST, batchMaxPoints: 2 }, random: () => 0 });
  await w.start();
  t.teardown(() => w.stop());
  w.write(pings(6));
  await w.flush();
  t.match(w.stats(), { pointsAccepted: 0, pointsBuffered: 6, pointsDropped: 0 });
  t.equal(logs.events('spool_append_failed').length, 1, 'logged once, not per retry');
  queue.failing = false;
  await until('the held batches to reach InfluxDB', () => s.written.length === 3);
  t.same(s.written.map((p) => bodyLines(p).map((l) => /point_id=([^,]+)/.exec(l)?.[1])), [['commune-24000', 'commune-24001'], ['commune-24002', 'commune-24003'], ['commune-24004', 'commune-24005']], 'in order');
  t.match(w.stats(), { pointsAccepted: 6, pointsBuffered: 0, pointsDropped: 0 });
});

t.test('spool write failures beyond the memory hold: the oldest held batches are dropped and counted', async (t) => {
  const logs = captureLog();
  const queue = new FailingQueue({ maxBytes: 1 << 20 }, logs.log);
  const w = new Writer({ queue, target: undefined, log: logs.log, options: { ...FAST, batchMaxPoints: 1, maxHeldBytes: 1000 }, random: () => 0 });
  await w.start();
  w.write(pings(20));
  await w.flush();
  const st = w.stats();
  t.ok(st.pointsDroppedSpoolError > 0);
  t.equal(st.pointsDroppedSpoolError + st.pointsBuffered, 20, 'held + dropped = written');
  t.equal(st.pointsDropped, st.pointsDroppedSpoolError);
  t.ok(logs.events('sink_dropped').every((l) => l.reason === 'spool_error'));
  await w.stop();
  t.equal(w.stats().pointsDroppedSpoolError, 20, 'at shutdown what could not be spooled is counted as lost');
});
