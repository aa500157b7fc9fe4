// The queue between the writer and InfluxDB: batches wait here, oldest first, until InfluxDB has
// accepted them. Two implementations share this interface and one test suite: the durable disk
// spool (spool.ts) and the memory queue below (unit tests, `sink.kind: none` experiments).
import type { Logger } from '../util/log.js';

/** A sealed batch of line protocol as the writer hands it over. */
export interface BatchInput {
  /** Lines joined by "\n" (no trailing newline). */
  payload: string;
  points: number;
  /** Timestamp of the oldest point, ms since the epoch. */
  oldestMs: number;
}

export interface QueuedBatch extends BatchInput {
  /** Opaque, increasing in queue order. */
  id: number;
  /** Bytes the batch takes in the queue (framing included for the disk spool). */
  bytes: number;
}

export interface QueueStats {
  /** Bytes held (disk: size of the segment files, acknowledged parts included until removed). */
  bytes: number;
  /** Segment files on disk (0 for the memory queue). */
  segments: number;
  /** Batches and points waiting for InfluxDB. */
  batches: number;
  points: number;
  /** Oldest timestamp of the head batch, undefined when empty. */
  oldestMs: number | undefined;
  /** Points and batches dropped since start because the queue was full (max_bytes). */
  droppedPoints: number;
  droppedBatches: number;
}

/** What an append cost: points and batches dropped to make room (0 normally). */
export interface AppendResult {
  droppedPoints: number;
  droppedBatches: number;
  /** True when the batch itself was larger than the whole queue and was dropped. */
  rejected: boolean;
}

export interface BatchQueue {
  readonly kind: 'disk' | 'memory';
  /** Load what a previous run left (disk) and get ready; call once before anything else. */
  open(): Promise<void>;
  /**
   * Store a batch at the tail. When this resolves the batch counts as accepted (disk: written, and
   * fsynced with fsync=always). When full, the oldest data is dropped first and counted.
   */
  append(batch: BatchInput): Promise<AppendResult>;
  /** The oldest batch not yet acknowledged; it stays queued until ack(). */
  peek(): Promise<QueuedBatch | undefined>;
  /**
   * InfluxDB accepted the batch (or it was deliberately discarded): remove it. Batches are
   * acknowledged in order (only the head; anything else throws). Returns false when
   * the batch was no longer queued (dropped by the cap while it was being sent); a dropped batch
   * acknowledged later is taken back out of the dropped count, since its points did arrive.
   */
  ack(id: number): Promise<boolean>;
  /** Is the batch still queued (not dropped by the cap)? */
  has(id: number): boolean;
  stats(): QueueStats;
  /** Make everything durable (disk) and release files. */
  close(): Promise<void>;
}

/** Options both queues understand. */
export interface QueueOptions {
  /** Cap on what the queue holds; the oldest data is dropped beyond it. */
  maxBytes: number;
}

/**
 * Keeps track of points dropped by the cap, including the one batch that may be in flight when
 * its storage is dropped: if InfluxDB then accepts it, its points are taken back out of the count,
 * so `droppedPoints` always equals what never reached InfluxDB.
 */
export class DropLedger {
  droppedPoints = 0;
  droppedBatches = 0;
  #peeked: { id: number; points: number } | undefined;
  #droppedWhilePeeked: { id: number; points: number } | undefined;

  constructor(private readonly log: Logger, private readonly what: string) {}

  peeked(batch: QueuedBatch | undefined): void {
    this.#peeked = batch === undefined ? undefined : { id: batch.id, points: batch.points };
  }

  /** Record dropped batches; `ids` lets the ledger spot the in-flight one. */
  drop(points: number, batches: number, ids: (id: number) => boolean, detail: Record<string, unknown>): void {
    this.droppedPoints += points;
    this.droppedBatches += batches;
    if (this.#peeked !== undefined && ids(this.#peeked.id)) this.#droppedWhilePeeked = this.#peeked;
    this.log.warn(
      { event: 'spool_dropped', points, batches, dropped_points_total: this.droppedPoints, ...detail },
      `${this.what} full (max_bytes): dropped the oldest ${batches} batch(es), ${points} point(s)`,
    );
  }

  /** An ack for a batch no longer queued: if it was the in-flight one, its points did arrive. */
  ackedAfterDrop(id: number): void {
    const d = this.#droppedWhilePeeked;
    if (d === undefined || d.id !== id) return;
    this.#droppedWhilePeeked = undefined;
    this.droppedPoints -= d.points;
    this.droppedBatches -= 1;
    this.log.info(
      { event: 'spool_drop_corrected', points: d.points, dropped_points_total: this.droppedPoints },
      `the batch in flight when it was dropped reached InfluxDB after all: ${d.points} point(s) not lost`,
    );
  }

  acked(id: number): void {
    if (this.#peeked?.id === id) this.#peeked = undefined;
  }
}

/** In-memory queue: same contract as the spool, nothing survives a restart. Cap counts payload bytes. */
export class MemoryQueue implements BatchQueue {
  readonly kind = 'memory' as const;
  readonly #batches: QueuedBatch[] = [];
  readonly #ledger: DropLedger;
  #nextId = 1;
  #bytes = 0;
  #points = 0;

  constructor(private readonly options: QueueOptions, log: Logger) {
    this.#ledger = new DropLedger(log, 'memory queue');
  }

  async open(): Promise<void> {}

  async append(batch: BatchInput): Promise<AppendResult> {
    const bytes = Buffer.byteLength(batch.payload, 'utf8');
    if (bytes > this.options.maxBytes) {
      this.#ledger.drop(batch.points, 1, () => false, { reason: 'batch_larger_than_queue', bytes });
      return { droppedPoints: batch.points, droppedBatches: 1, rejected: true };
    }
    let droppedPoints = 0;
    let droppedBatches = 0;
    const droppedIds = new Set<number>();
    while (this.#bytes + bytes > this.options.maxBytes) {
      const oldest = this.#batches.shift();
      if (oldest === undefined) break;
      this.#bytes -= oldest.bytes;
      this.#points -= oldest.points;
      droppedPoints += oldest.points;
      droppedBatches += 1;
      droppedIds.add(oldest.id);
    }
    if (droppedBatches > 0) this.#ledger.drop(droppedPoints, droppedBatches, (id) => droppedIds.has(id), {});
    this.#batches.push({ ...batch, id: this.#nextId++, bytes });
    this.#bytes += bytes;
    this.#points += batch.points;
    return { droppedPoints, droppedBatches, rejected: false };
  }

  async peek(): Promise<QueuedBatch | undefined> {
    const head = this.#batches[0];
    this.#ledger.peeked(head);
    return head;
  }

  async ack(id: number): Promise<boolean> {
    const head = this.#batches[0];
    if (head === undefined || head.id !== id) {
      if (this.has(id)) throw new Error(`memory queue: ack(${id}) out of order: acknowledge the head first`);
      this.#ledger.ackedAfterDrop(id);
      return false;
    }
    this.#batches.shift();
    this.#bytes -= head.bytes;
    this.#points -= head.points;
    this.#ledger.acked(id);
    return true;
  }

  has(id: number): boolean {
    return this.#batches.some((b) => b.id === id);
  }

  stats(): QueueStats {
    return {
      bytes: this.#bytes,
      segments: 0,
      batches: this.#batches.length,
      points: this.#points,
      oldestMs: this.#batches[0]?.oldestMs,
      droppedPoints: this.#ledger.droppedPoints,
      droppedBatches: this.#ledger.droppedBatches,
    };
  }

  async close(): Promise<void> {}
}
