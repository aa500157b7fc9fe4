// What only the disk spool has (the shared contract is in batch-queue.test.ts): framing that
// survives torn tails and damage, segment files rolled and reclaimed, the cursor, the dir lock.
import t from 'tap';
import type { Test } from 'tap';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool, SpoolLockedError, encodeRecord, scanRecords, type SpoolOptions } from '../../src/sink/spool.js';
import type { BatchInput } from '../../src/sink/queue.js';
import { silentLogger } from '../../src/util/log.js';
import { captureLog } from '../helpers/log-capture.js';

const T0 = 1_700_000_000_000;
const batch = (n: number, points = 2): BatchInput => ({
  payload: Array.from({ length: points }, (_, i) => `ping,point_id=p${n} packets_transmitted=${i}i ${T0 + n * 1000 + i}`).join('\n'),
  points,
  oldestMs: T0 + n * 1000,
});

function spoolDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-spool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'spool');
}

async function openSpool(t: Test, dir: string, opts: Partial<SpoolOptions> = {}, log = silentLogger()): Promise<DiskSpool> {
  const s = new DiskSpool({ dir, fsync: 'never', ...opts }, log);
  await s.open();
  t.teardown(() => s.close());
  return s;
}

async function drainNumbers(s: DiskSpool): Promise<number[]> {
  const out: number[] = [];
  for (let b = await s.peek(); b !== undefined; b = await s.peek()) {
    out.push((b.oldestMs - T0) / 1000);
    await s.ack(b.id);
  }
  return out;
}

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();

t.test('framing: scanRecords reads back what encodeRecord wrote, and stops at anything less', async (t) => {
  const recs = [batch(1), batch(2, 5), { payload: 'Đắk Lắk "x"\n', points: 1, oldestMs: -5.5 }].map(encodeRecord);
  const image = Buffer.concat(recs);
  const all = scanRecords(image);
  t.equal(all.records.length, 3);
  t.equal(all.validBytes, image.length);
  t.same(all.records.map((r) => [r.points, r.oldestMs]), [[2, T0 + 1000], [5, T0 + 2000], [1, -5.5]]);

  const twoLen = (recs[0]?.length ?? 0) + (recs[1]?.length ?? 0);
  for (let cut = twoLen; cut < image.length; cut += 7) {
    const s = scanRecords(image.subarray(0, cut));
    if (s.records.length !== 2 || s.validBytes !== twoLen) t.fail(`cut at ${cut}: ${s.records.length} records`);
  }
  t.pass('every cut inside the last record leaves exactly the first two');

  const zeroTail = Buffer.concat([image.subarray(0, twoLen), Buffer.alloc(4096)]);
  t.equal(scanRecords(zeroTail).validBytes, twoLen, 'a zero-filled tail (ext4 after power loss) is not a record');

  const flipped = Buffer.from(image);
  const lastBodyByte = image.length - 1;
  flipped[lastBodyByte] = (flipped[lastBodyByte] ?? 0) ^ 0xff;
  t.equal(scanRecords(flipped).records.length, 2, 'one flipped bit in the payload fails the checksum');

  const badLength = Buffer.from(image);
  badLength.writeUInt32LE(0xffffff, twoLen + 4);
  t.equal(scanRecords(badLength).records.length, 2, 'a length beyond the file is a torn record');
});

t.test('torn tail after a crash: whole records replayed, the rest ignored, logged and cut off', async (t) => {
  const dir = spoolDir(t);
  const s1 = new DiskSpool({ dir, fsync: 'always' }, silentLogger());
  await s1.open();
  for (let n = 1; n <= 3; n++) await s1.append(batch(n));
  // Simulate SIGKILL mid-append: no close(), a LOCK of a dead process, half a record at the end.
  const seg = join(dir, segments(dir)[0] as string);
  const half = encodeRecord(batch(4)).subarray(0, 20);
  appendFileSync(seg, half);
  const goodSize = statSync(seg).size - half.length;
  writeFileSync(join(dir, 'LOCK'), '999999999'); // no such pid

  const { log, lines } = captureLog();
  const s2 = await openSpool(t, dir, {}, log);
  t.equal(statSync(seg).size, goodSize, 'file truncated to its last whole record');
  t.match(lines().find((l) => l.event === 'spool_torn_tail'), { ignored_bytes: 20, records: 3 });
  await s2.append(batch(5));
  t.same(await drainNumbers(s2), [1, 2, 3, 5], 'the torn batch 4 was never accepted; the rest in order');
  // s1's handles are still open (it "died"); release them for the teardown.
  await s1.close().catch(() => undefined);
});

t.test('damage in the middle of an older segment: the segment is cut there, later segments are intact', async (t) => {
  const dir = spoolDir(t);
  const s1 = new DiskSpool({ dir, fsync: 'never', segmentBytes: 1024 }, silentLogger());
  await s1.open();
  for (let n = 1; n <= 30; n++) await s1.append(batch(n));
  await s1.close();
  const files = segments(dir);
  t.ok(files.length >= 3, `rolled into ${files.length} segments at segment_bytes`);
  const first = join(dir, files[0] as string);
  const buf = readFileSync(first);
  const recs = scanRecords(buf).records;
  const second = recs[1];
  if (second === undefined) throw new Error('expected two records in the first segment');
  buf[second.offset + 14] = (buf[second.offset + 14] ?? 0) ^ 1; // inside record 2's body
  writeFileSync(first, buf);
  const s2 = await openSpool(t, dir);
  const got = await drainNumbers(s2);
  t.equal(got[0], 1, 'the record before the damage');
  t.notOk(got.includes(2), 'the damaged record is not replayed');
  t.same(got.slice(-3), [28, 29, 30], 'later segments replay fully');
  t.same(got.slice(1), [...got.slice(1)].sort((a, b) => a - b), 'still in order');
});

t.test('segments: rolled at segment_bytes, removed once every batch in them is accepted', async (t) => {
  const dir = spoolDir(t);
  const s = await openSpool(t, dir, { segmentBytes: 1024 });
  for (let n = 1; n <= 30; n++) await s.append(batch(n));
  const st = s.stats();
  t.equal(st.segments, segments(dir).length);
  t.ok(st.segments >= 3);
  t.equal(st.bytes, segments(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0), 'bytes = size of the files');
  for (const f of segments(dir)) t.ok(statSync(join(dir, f)).size <= 1024 + encodeRecord(batch(1)).length, `${f} near segment_bytes`);
  const before = segments(dir).length;
  let acked = 0;
  while (segments(dir).length === before) {
    await s.ack((await s.peek())!.id);
    acked++;
  }
  t.equal(segments(dir).length, before - 1, `first segment file removed after ${acked} acks`);
  await drainNumbers(s);
  t.same(segments(dir), [], 'a drained spool leaves no segment file (the active one included)');
  t.equal(s.stats().bytes, 0);
  await s.append(batch(99));
  t.same(await drainNumbers(s), [99], 'and starts a new one on the next append');
});

t.test('each start writes to a new segment (never appends after a possibly torn tail)', async (t) => {
  const dir = spoolDir(t);
  const s1 = new DiskSpool({ dir, fsync: 'never' }, silentLogger());
  await s1.open();
  await s1.append(batch(1));
  await s1.close();
  const s2 = await openSpool(t, dir);
  await s2.append(batch(2));
  t.equal(segments(dir).length, 2);
  t.same(await drainNumbers(s2), [1, 2]);
});

t.test('the cursor: a lost cursor means replaying (duplicates InfluxDB absorbs), never losing', async (t) => {
  const dir = spoolDir(t);
  const s1 = new DiskSpool({ dir, fsync: 'never' }, silentLogger());
  await s1.open();
  for (let n = 1; n <= 4; n++) await s1.append(batch(n));
  await s1.ack((await s1.peek())!.id);
  await s1.close();
  t.equal(readFileSync(join(dir, 'cursor'), 'utf8').split(' ').length, 2, 'cursor holds "<seq> <offset>"');
  unlinkSync(join(dir, 'cursor'));
  const s2 = await openSpool(t, dir);
  t.same(await drainNumbers(s2), [1, 2, 3, 4], 'without a cursor, everything is sent again');
});

t.test('a garbage cursor is ignored, and a cursor naming a removed segment does not hide new data', async (t) => {
  const dir = spoolDir(t);
  const s1 = new DiskSpool({ dir, fsync: 'never' }, silentLogger());
  await s1.open();
  await s1.append(batch(1));
  await s1.ack((await s1.peek())!.id); // drains: segment removed, cursor points past it
  await s1.close();
  const s2 = new DiskSpool({ dir, fsync: 'never' }, silentLogger());
  await s2.open();
  await s2.append(batch(2));
  await s2.close();
  const s3 = await openSpool(t, dir);
  t.same(await drainNumbers(s3), [2], 'new segments get numbers above the cursor');
  writeFileSync(join(dir, 'cursor'), 'not a cursor');
  await s3.close();
  const s4 = await openSpool(t, dir);
  t.equal(s4.stats().batches, 0);
});

t.test('a live process holding the spool dir is refused; a dead one\'s lock is taken over', async (t) => {
  const dir = spoolDir(t);
  const s1 = await openSpool(t, dir);
  t.equal(readFileSync(join(dir, 'LOCK'), 'utf8'), String(process.pid));
  // Pretend the lock belongs to another live process: pid 1 (init) is always alive.
  writeFileSync(join(dir, 'LOCK'), '1');
  const s2 = new DiskSpool({ dir }, silentLogger());
  await t.rejects(s2.open(), SpoolLockedError);
  await t.rejects(new DiskSpool({ dir }, silentLogger()).open(), /in use by process 1/);
  writeFileSync(join(dir, 'LOCK'), String(process.pid));
  await s1.close();
  t.notOk(readdirSync(dir).includes('LOCK'), 'close releases the lock');
});

t.test('cap: the oldest SEGMENT goes, its points counted and logged with their age', async (t) => {
  const dir = spoolDir(t);
  const { log, lines } = captureLog();
  const rec = encodeRecord(batch(1, 5)).length;
  const s = await openSpool(t, dir, { maxBytes: rec * 8, segmentBytes: rec * 2 }, log);
  for (let n = 1; n <= 9; n++) await s.append(batch(n, 5));
  const drops = lines().filter((l) => l.event === 'spool_dropped');
  t.equal(drops.length, 1, 'one segment dropped');
  t.match(drops[0], { points: 10, batches: 2, dropped_points_total: 10, oldest_time: new Date(T0 + 1000).toISOString() });
  t.equal(s.stats().droppedPoints, 10);
  t.same(await drainNumbers(s), [3, 4, 5, 6, 7, 8, 9]);
});

t.test('calls before open or after close are refused', async (t) => {
  const dir = spoolDir(t);
  const s = new DiskSpool({ dir }, silentLogger());
  await t.rejects(s.append(batch(1)), /not opened/);
  await s.open();
  await s.close();
  await t.rejects(s.peek(), /closed/);
  await s.close(); // idempotent
});

t.test('fsync=interval syncs in the background and on close', async (t) => {
  const dir = spoolDir(t);
  const s = new DiskSpool({ dir, fsync: 'interval', fsyncIntervalMs: 10 }, silentLogger());
  await s.open();
  await s.append(batch(1));
  await new Promise((r) => setTimeout(r, 50));
  await s.append(batch(2));
  await s.close();
  const s2 = await openSpool(t, dir);
  t.same(await drainNumbers(s2), [1, 2]);
});

t.test('a truncated file under an open spool is reported, not misread', async (t) => {
  const dir = spoolDir(t);
  const s = await openSpool(t, dir);
  await s.append(batch(1));
  truncateSync(join(dir, segments(dir)[0] as string), 5);
  await t.rejects(s.peek(), /shorter than its index/);
});
