// The durable spool: batches are appended to segment files before they count as accepted and are
// removed only after InfluxDB accepted them, so a restart (even after SIGKILL) replays them in order.
//
// Layout of the spool dir:
//   00000000000000000042.seg   segment files, appended in order; a new one at each start and at segment_bytes
//   cursor                     "<seq> <offset>": the next batch not yet accepted by InfluxDB
//   LOCK                       pid of the process using the dir (a second netcov would corrupt it)
// Record framing (little-endian): "NCS1" | u32 body length | u32 CRC-32 of body | body, and body is
// u32 points | f64 oldest time (ms) | line protocol (UTF-8). A record cut short by a crash, or a
// zero-filled tail, fails the magic, length or checksum test: the scan stops there and the file is
// truncated to its last whole record. The cursor is written without fsync: after a crash it may lag,
// and the batches after it are sent again, which InfluxDB absorbs (a point with the same series
// and time overwrites itself), so delivery is at least once and storage exactly once.
import { crc32 } from 'node:zlib';
import { mkdir, open, readdir, readFile, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import { DropLedger, type AppendResult, type BatchInput, type BatchQueue, type QueueOptions, type QueuedBatch, type QueueStats } from './queue.js';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions extends QueueOptions {
  dir: string;
  /** Roll to a new segment file beyond this size. */
  segmentBytes: number;
  /** always: fsync each batch before append() resolves; interval: every fsyncIntervalMs; never: the OS decides. */
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
}

/** Defaults as in the config schema (sink.spool.*). */
export const DEFAULT_SPOOL_OPTIONS: Omit<SpoolOptions, 'dir'> = {
  maxBytes: 1024 ** 3,
  segmentBytes: 16 * 1024 ** 2,
  fsync: 'always',
  fsyncIntervalMs: 1000,
};

const MAGIC = 0x3153434e; // "NCS1" read as a little-endian u32
const HEADER_BYTES = 12;
const BODY_FIXED_BYTES = 12; // points u32 + oldest f64
/** Record ids pack (segment seq, byte offset); a segment never reaches 4 GiB (max is max_bytes + one record). */
const OFFSET_SPAN = 2 ** 32;
const SEGMENT_RE = /^(\d{20})\.seg$/;

/** Another live process holds the spool dir. Not retryable without operator action. */
export class SpoolLockedError extends Error {
  readonly retryable = false;
  constructor(readonly dir: string, readonly pid: number) {
    super(`spool dir ${dir} is in use by process ${pid}; two netcov processes must not share a spool`);
    this.name = 'SpoolLockedError';
  }
}

/** Frame one batch as a record (pure; exported for the tests that forge torn tails). */
export function encodeRecord(batch: BatchInput): Buffer {
  const payloadBytes = Buffer.byteLength(batch.payload, 'utf8');
  const record = Buffer.allocUnsafe(HEADER_BYTES + BODY_FIXED_BYTES + payloadBytes);
  record.writeUInt32LE(batch.points, HEADER_BYTES);
  record.writeDoubleLE(batch.oldestMs, HEADER_BYTES + 4);
  record.write(batch.payload, HEADER_BYTES + BODY_FIXED_BYTES, 'utf8');
  const body = record.subarray(HEADER_BYTES);
  record.writeUInt32LE(MAGIC, 0);
  record.writeUInt32LE(body.length, 4);
  record.writeUInt32LE(crc32(body), 8);
  return record;
}

interface ScannedRecord {
  offset: number;
  length: number;
  points: number;
  oldestMs: number;
}

/**
 * Walk the records of a segment image. Stops at the first record that is cut short or fails its
 * checks; `validBytes` is where the good part ends (pure).
 */
export function scanRecords(buf: Buffer): { records: ScannedRecord[]; validBytes: number } {
  const records: ScannedRecord[] = [];
  let pos = 0;
  while (pos + HEADER_BYTES <= buf.length) {
    if (buf.readUInt32LE(pos) !== MAGIC) break;
    const bodyLength = buf.readUInt32LE(pos + 4);
    if (bodyLength < BODY_FIXED_BYTES || pos + HEADER_BYTES + bodyLength > buf.length) break;
    const body = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + bodyLength);
    if (crc32(body) !== buf.readUInt32LE(pos + 8)) break;
    records.push({ offset: pos, length: HEADER_BYTES + bodyLength, points: body.readUInt32LE(0), oldestMs: body.readDoubleLE(4) });
    pos += HEADER_BYTES + bodyLength;
  }
  return { records, validBytes: pos };
}

function decodeRecord(record: Buffer): BatchInput {
  const body = record.subarray(HEADER_BYTES);
  if (record.readUInt32LE(0) !== MAGIC || crc32(body) !== record.readUInt32LE(8)) {
    throw new Error('spool record changed on disk since it was scanned (checksum mismatch)');
  }
  return { points: body.readUInt32LE(0), oldestMs: body.readDoubleLE(4), payload: body.toString('utf8', BODY_FIXED_BYTES) };
}

/** One segment file and the records in it not yet accepted by InfluxDB. */
interface Segment {
  seq: number;
  path: string;
  /** Bytes on disk. */
  size: number;
  offsets: number[];
  lengths: number[];
  points: number[];
  oldest: number[];
  /** Index of the first record not yet acknowledged. */
  head: number;
  pendingPoints: number;
}

const pending = (s: Segment) => s.offsets.length - s.head;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskSpool implements BatchQueue {
  readonly kind = 'disk' as const;
  readonly #opts: SpoolOptions;
  readonly #log: Logger;
  readonly #ledger: DropLedger;
  #segments: Segment[] = [];
  #active: { seg: Segment; fh: FileHandle } | undefined;
  #reader: { seq: number; fh: FileHandle } | undefined;
  #nextSeq = 1;
  #dirty = false;
  #fsyncTimer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #opened = false;
  #closed = false;

  constructor(options: Partial<SpoolOptions> & { dir: string }, log: Logger) {
    this.#opts = { ...DEFAULT_SPOOL_OPTIONS, ...options };
    this.#log = log;
    this.#ledger = new DropLedger(log, `spool ${this.#opts.dir}`);
  }

  get dir(): string {
    return this.#opts.dir;
  }

  /** Run file operations one at a time, in call order. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined); // the caller gets the error; the chain goes on
    return run;
  }

  open(): Promise<void> {
    return this.#serial(async () => {
      if (this.#opened) throw new Error('spool already opened');
      await mkdir(this.#opts.dir, { recursive: true, mode: 0o750 });
      await this.#lock();
      const cursor = await this.#readCursor();
      const names = (await readdir(this.#opts.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
      let maxSeq = cursor?.seq ?? 0;
      for (const name of names) {
        const seq = Number(SEGMENT_RE.exec(name)?.[1]);
        maxSeq = Math.max(maxSeq, seq);
        const path = join(this.#opts.dir, name);
        if (cursor !== undefined && seq < cursor.seq) {
          await unlink(path); // fully accepted before the restart
          continue;
        }
        const seg = await this.#loadSegment(seq, path, cursor?.seq === seq ? cursor.offset : 0);
        if (seg.size === 0 || pending(seg) === 0) await unlink(path);
        else this.#segments.push(seg);
      }
      // Never reuse a sequence number the cursor may still name (it would mark new data accepted).
      this.#nextSeq = maxSeq + 1;
      if (this.#opts.fsync === 'interval') {
        this.#fsyncTimer = setInterval(() => {
          this.#serial(() => this.#syncActive()).catch((err: unknown) => {
            // Logged, not thrown: the next tick or close() tries again.
            this.#log.error({ event: 'spool_fsync_failed', err }, 'spool fsync failed');
          });
        }, this.#opts.fsyncIntervalMs);
        this.#fsyncTimer.unref();
      }
      this.#opened = true;
      const st = this.stats();
      this.#log.info(
        { event: 'spool_opened', dir: this.#opts.dir, batches: st.batches, points: st.points, bytes: st.bytes, segments: st.segments },
        st.batches > 0 ? `spool holds ${st.points} point(s) from an earlier run: replaying them in order` : 'spool is empty',
      );
    });
  }

  async #lock(): Promise<void> {
    const file = join(this.#opts.dir, 'LOCK');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, String(process.pid), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new SpoolLockedError(this.#opts.dir, owner);
      }
      // Left by a process that died (SIGKILL, power loss): take it over.
      await unlink(file).catch(() => undefined);
    }
    throw new Error(`cannot lock spool dir ${this.#opts.dir}`);
  }

  async #readCursor(): Promise<{ seq: number; offset: number } | undefined> {
    const text = await readFile(join(this.#opts.dir, 'cursor'), 'utf8').catch(() => undefined);
    const m = text === undefined ? null : /^(\d+) (\d+)\n?$/.exec(text);
    return m ? { seq: Number(m[1]), offset: Number(m[2]) } : undefined;
  }

  async #writeCursor(seq: number, offset: number): Promise<void> {
    const tmp = join(this.#opts.dir, 'cursor.tmp');
    await writeFile(tmp, `${seq} ${offset}\n`);
    await rename(tmp, join(this.#opts.dir, 'cursor'));
  }

  async #loadSegment(seq: number, path: string, ackedBefore: number): Promise<Segment> {
    const buf = await readFile(path);
    const { records, validBytes } = scanRecords(buf);
    if (validBytes < buf.length) {
      // A torn tail (crash mid-append) or damage: what follows the last whole record is unreadable.
      this.#log.warn(
        { event: 'spool_torn_tail', segment: path, valid_bytes: validBytes, ignored_bytes: buf.length - validBytes, records: records.length },
        `spool segment ends with ${buf.length - validBytes} unreadable byte(s) (interrupted write): ignored`,
      );
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(validBytes);
      } finally {
        await fh.close();
      }
    }
    const seg: Segment = { seq, path, size: validBytes, offsets: [], lengths: [], points: [], oldest: [], head: 0, pendingPoints: 0 };
    for (const r of records) {
      if (r.offset < ackedBefore) continue;
      seg.offsets.push(r.offset);
      seg.lengths.push(r.length);
      seg.points.push(r.points);
      seg.oldest.push(r.oldestMs);
      seg.pendingPoints += r.points;
    }
    return seg;
  }

  #totalBytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.size, 0);
  }

  append(batch: BatchInput): Promise<AppendResult> {
    return this.#serial(async () => {
      this.#assertOpen();
      const record = encodeRecord(batch);
      if (record.length > this.#opts.maxBytes) {
        this.#ledger.drop(batch.points, 1, () => false, { reason: 'batch_larger_than_spool', bytes: record.length });
        return { droppedPoints: batch.points, droppedBatches: 1, rejected: true };
      }
      let droppedPoints = 0;
      let droppedBatches = 0;
      while (this.#segments.length > 0 && this.#totalBytes() + record.length > this.#opts.maxBytes) {
        const d = await this.#dropOldest();
        droppedPoints += d.points;
        droppedBatches += d.batches;
      }
      if (this.#active !== undefined && this.#active.seg.size > 0 && this.#active.seg.size + record.length > this.#opts.segmentBytes) {
        await this.#closeActive();
      }
      const active = this.#active ?? (await this.#newSegment());
      const seg = active.seg;
      try {
        let written = 0;
        while (written < record.length) {
          const { bytesWritten } = await active.fh.write(record, written, record.length - written);
          written += bytesWritten;
        }
        if (this.#opts.fsync === 'always') await active.fh.datasync();
        else this.#dirty = true;
      } catch (err) {
        // Cut the partial record off so the segment stays readable, and start a fresh segment next time.
        await active.fh.truncate(seg.size).catch(() => undefined);
        await this.#closeActive().catch(() => undefined);
        throw err;
      }
      seg.offsets.push(seg.size);
      seg.lengths.push(record.length);
      seg.points.push(batch.points);
      seg.oldest.push(batch.oldestMs);
      seg.pendingPoints += batch.points;
      seg.size += record.length;
      return { droppedPoints, droppedBatches, rejected: false };
    });
  }

  async #newSegment(): Promise<{ seg: Segment; fh: FileHandle }> {
    const seq = this.#nextSeq++;
    const path = join(this.#opts.dir, `${String(seq).padStart(20, '0')}.seg`);
    const fh = await open(path, 'a', 0o640);
    if (this.#opts.fsync !== 'never') await this.#syncDir();
    const seg: Segment = { seq, path, size: 0, offsets: [], lengths: [], points: [], oldest: [], head: 0, pendingPoints: 0 };
    this.#segments.push(seg);
    this.#active = { seg, fh };
    return this.#active;
  }

  /** Make a new file's directory entry durable too (a fsynced file in a lost entry is lost). */
  async #syncDir(): Promise<void> {
    const dh = await open(this.#opts.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async #syncActive(): Promise<void> {
    if (!this.#dirty || this.#active === undefined) return;
    this.#dirty = false;
    await this.#active.fh.datasync();
  }

  async #closeActive(): Promise<void> {
    const a = this.#active;
    if (a === undefined) return;
    this.#active = undefined;
    try {
      if (this.#dirty && this.#opts.fsync !== 'never') await a.fh.datasync();
      this.#dirty = false;
    } finally {
      await a.fh.close();
    }
  }

  async #closeReader(seq?: number): Promise<void> {
    const r = this.#reader;
    if (r === undefined || (seq !== undefined && r.seq !== seq)) return;
    this.#reader = undefined;
    await r.fh.close();
  }

  /** Remove a whole segment file from the queue and the disk. */
  async #removeSegment(seg: Segment): Promise<void> {
    this.#segments = this.#segments.filter((s) => s !== seg);
    if (this.#active?.seg === seg) await this.#closeActive();
    await this.#closeReader(seg.seq);
    await unlink(seg.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async #dropOldest(): Promise<{ points: number; batches: number }> {
    const seg = this.#segments[0];
    if (seg === undefined) return { points: 0, batches: 0 };
    const points = seg.pendingPoints;
    const batches = pending(seg);
    const oldestMs = seg.oldest[seg.head];
    await this.#removeSegment(seg);
    if (batches > 0) {
      this.#ledger.drop(points, batches, (id) => Math.floor(id / OFFSET_SPAN) === seg.seq, {
        segment: seg.path,
        ...(oldestMs !== undefined ? { oldest_time: new Date(oldestMs).toISOString() } : {}),
      });
    }
    return { points, batches };
  }

  #head(): { seg: Segment; index: number } | undefined {
    for (const seg of this.#segments) if (pending(seg) > 0) return { seg, index: seg.head };
    return undefined;
  }

  peek(): Promise<QueuedBatch | undefined> {
    return this.#serial(async () => {
      this.#assertOpen();
      const h = this.#head();
      if (h === undefined) {
        this.#ledger.peeked(undefined);
        return undefined;
      }
      const { seg, index } = h;
      const offset = seg.offsets[index] as number;
      const length = seg.lengths[index] as number;
      if (this.#reader?.seq !== seg.seq) {
        await this.#closeReader();
        this.#reader = { seq: seg.seq, fh: await open(seg.path, 'r') };
      }
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.#reader.fh.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new Error(`spool segment ${seg.path} is shorter than its index (read ${bytesRead} of ${length} at ${offset})`);
      const batch: QueuedBatch = { ...decodeRecord(buf), id: seg.seq * OFFSET_SPAN + offset, bytes: length };
      this.#ledger.peeked(batch);
      return batch;
    });
  }

  ack(id: number): Promise<boolean> {
    return this.#serial(async () => {
      this.#assertOpen();
      const h = this.#head();
      const headId = h === undefined ? undefined : h.seg.seq * OFFSET_SPAN + (h.seg.offsets[h.index] as number);
      if (h === undefined || headId !== id) {
        if (this.has(id)) throw new Error(`spool: ack(${id}) out of order: acknowledge the head first`);
        this.#ledger.ackedAfterDrop(id);
        return false;
      }
      const { seg } = h;
      seg.pendingPoints -= seg.points[seg.head] as number;
      seg.head += 1;
      this.#ledger.acked(id);
      if (pending(seg) === 0) {
        // Everything in it reached InfluxDB: reclaim the file (the active one too; the next append starts a new one).
        await this.#removeSegment(seg);
        await this.#writeCursor(seg.seq + 1, 0);
      } else {
        await this.#writeCursor(seg.seq, seg.offsets[seg.head] as number);
      }
      return true;
    });
  }

  has(id: number): boolean {
    const seq = Math.floor(id / OFFSET_SPAN);
    const seg = this.#segments.find((s) => s.seq === seq);
    return seg !== undefined && seg.offsets.indexOf(id - seq * OFFSET_SPAN, seg.head) >= 0;
  }

  stats(): QueueStats {
    let batches = 0;
    let points = 0;
    for (const s of this.#segments) {
      batches += pending(s);
      points += s.pendingPoints;
    }
    const h = this.#head();
    return {
      bytes: this.#totalBytes(),
      segments: this.#segments.length,
      batches,
      points,
      oldestMs: h === undefined ? undefined : h.seg.oldest[h.index],
      droppedPoints: this.#ledger.droppedPoints,
      droppedBatches: this.#ledger.droppedBatches,
    };
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed || !this.#opened) return;
      this.#closed = true;
      if (this.#fsyncTimer !== undefined) clearInterval(this.#fsyncTimer);
      await this.#closeActive();
      await this.#closeReader();
      await unlink(join(this.#opts.dir, 'LOCK')).catch(() => undefined);
    });
  }

  #assertOpen(): void {
    if (!this.#opened) throw new Error('spool not opened (call open() first)');
    if (this.#closed) throw new Error('spool closed');
  }
}
