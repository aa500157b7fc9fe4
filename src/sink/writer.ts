// The writer: samples → line protocol → batches (by count, bytes, interval) → queue (durable
// spool) → InfluxDB, oldest first, one batch in flight. Retries with jittered exponential backoff,
// honours Retry-After, keeps the good lines of a partial write, treats 401/403 as a configuration
// error while data keeps spooling. (After influxdb-client-js WriteApiImpl/RetryBuffer and
// telegraf's output model, with the spool in front so a crash loses nothing accepted.)
import { encodeSamples, type MeasurementSchema } from '../metrics/line-protocol.js';
import { MEASUREMENTS, type Sample } from '../metrics/schema.js';
import type { Logger } from '../util/log.js';
import type { BatchInput, BatchQueue, QueuedBatch } from './queue.js';
import type { MetricSink, SinkStats, WriteTarget } from './types.js';
import { SinkWriteError, transportError } from './write-result.js';

export interface WriterOptions {
  /** Seal a batch at this many points (sink.batch_max_points). */
  batchMaxPoints: number;
  /** Seal a batch before it passes this many bytes of line protocol (sink.batch_max_bytes). */
  batchMaxBytes: number;
  /** Seal what is buffered at least this often (sink.flush_interval_ms). */
  flushIntervalMs: number;
  /** First retry delay; doubles per failure up to retryMaxMs, half of it jittered (sink.retry_*). */
  retryInitialMs: number;
  retryMaxMs: number;
  /** A persisting failure (bad credentials, InfluxDB down) is logged again at most this often. */
  repeatLogIntervalMs: number;
  /** stop(): how long to keep sending what is spooled while InfluxDB answers; the rest stays spooled. */
  stopDrainMs: number;
  /** While the spool cannot be written (disk full), sealed batches wait in memory up to this size. */
  maxHeldBytes: number;
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  batchMaxPoints: 5000,
  batchMaxBytes: 1_000_000,
  flushIntervalMs: 1000,
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  repeatLogIntervalMs: 60_000,
  stopDrainMs: 5000,
  maxHeldBytes: 64 * 1024 * 1024,
};

/** A server asking for more than this (Retry-After) is not believed beyond it. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface WriterDeps {
  queue: BatchQueue;
  /** undefined for `sink.kind: none`: batches stay in the queue. */
  target: WriteTarget | undefined;
  log: Logger;
  options?: Partial<WriterOptions>;
  /** The measurements samples are checked against (default: the metric schema). */
  schema?: MeasurementSchema;
  /** Source of jitter (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Delay before retry `attempt` (1-based): initial × 2^(attempt−1), capped at max, of which the
 * upper half is random ("equal jitter": never sooner than half, so a herd of netcovs spreads out
 * without retrying in a burst).
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 40));
  return Math.round(base / 2 + (random() * base) / 2);
}

interface SendResult {
  written: number;
  dropped: number;
  reasons: string[];
}

const nothingSent: SendResult = { written: 0, dropped: 0, reasons: [] };
const merge = (a: SendResult, b: SendResult): SendResult => ({
  written: a.written + b.written,
  dropped: a.dropped + b.dropped,
  reasons: [...a.reasons, ...b.reasons],
});

export class Writer implements MetricSink {
  readonly #queue: BatchQueue;
  readonly #target: WriteTarget | undefined;
  readonly #log: Logger;
  readonly #opts: WriterOptions;
  readonly #schema: MeasurementSchema;
  readonly #random: () => number;
  readonly #abort = new AbortController();

  // The batch being filled by write().
  #lines: string[] = [];
  #bytes = 0;
  #oldestMs = Infinity;
  // Sealed batches not yet in the queue (normally only while an append is in progress).
  #held: BatchInput[] = [];
  #heldBytes = 0;
  #appendLoop: Promise<void> | undefined;
  #appendRetryTimer: NodeJS.Timeout | undefined;

  #pumpLoop: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #setupDone = false;
  #failures = 0;
  #failingSinceMs: number | undefined;
  #lastFailedBatch: number | undefined;
  readonly #lastLoggedMs = new Map<string, number>();
  #started = false;
  #stopping = false;

  #accepted = 0;
  #written = 0;
  #retried = 0;
  #droppedRejected = 0;
  #droppedSpoolError = 0;
  #writeErrors = 0;
  #state: SinkStats['state'] = 'idle';
  #lastWriteMs: number | undefined;
  #lastError: string | undefined;

  constructor(deps: WriterDeps) {
    this.#queue = deps.queue;
    this.#target = deps.target;
    this.#log = deps.log;
    this.#opts = { ...DEFAULT_WRITER_OPTIONS, ...deps.options };
    this.#schema = deps.schema ?? MEASUREMENTS;
    this.#random = deps.random ?? Math.random;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('sink already started');
    await this.#queue.open();
    this.#started = true;
    this.#flushTimer = setInterval(() => this.#seal(), this.#opts.flushIntervalMs);
    this.#flushTimer.unref();
    this.#log.info(
      { event: 'sink_started', target: this.#target?.description ?? 'none (spool only)', queue: this.#queue.kind },
      this.#target === undefined ? 'sink started: sink.kind is none, metrics stay in the spool' : `sink started: writing to ${this.#target.description}`,
    );
    this.#kick(); // setup, then replay whatever an earlier run left in the spool
  }

  write(samples: readonly Sample[]): void {
    if (!this.#started) throw new Error('sink not started: call start() before write()');
    if (this.#stopping) throw new Error('sink stopped: sources must stop before the sink');
    // Encoding checks every sample first: a bad one (programming error) throws before anything is buffered.
    for (const { line, timeMs, bytes } of encodeSamples(samples, this.#schema)) {
      if (this.#lines.length > 0 && (this.#lines.length >= this.#opts.batchMaxPoints || this.#bytes + 1 + bytes > this.#opts.batchMaxBytes)) this.#seal();
      this.#bytes += (this.#lines.length > 0 ? 1 : 0) + bytes;
      this.#lines.push(line);
      if (timeMs < this.#oldestMs) this.#oldestMs = timeMs;
    }
    if (this.#lines.length >= this.#opts.batchMaxPoints || this.#bytes >= this.#opts.batchMaxBytes) this.#seal();
  }

  async flush(): Promise<void> {
    this.#seal();
    await this.#appendLoop;
    if (this.#target === undefined || this.#retryTimer !== undefined || this.#abort.signal.aborted) return;
    // A run already going may have peeked before our batch landed: run once more after it.
    await this.#pumpLoop;
    this.#kick();
    await this.#pumpLoop;
  }

  async stop(): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#flushTimer);
    this.#seal();
    await this.#appendLoop;
    clearTimeout(this.#appendRetryTimer);
    if (this.#heldPoints() > 0) {
      this.#dropHeld(0, this.#held.length, 'the spool could not be written before shutdown');
    }
    // Deliver what InfluxDB will take within stopDrainMs; if it is failing, don't wait for it at all.
    if (this.#target !== undefined && this.#retryTimer === undefined && this.#queue.stats().batches > 0) {
      const deadline = setTimeout(() => this.#abort.abort(), this.#opts.stopDrainMs);
      this.#kick();
      await this.#pumpLoop;
      clearTimeout(deadline);
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#abort.abort();
    await this.#pumpLoop;
    await this.#queue.close();
    await this.#target?.close();
    const st = this.stats();
    this.#log.info(
      { event: 'sink_stopped', points_written: st.pointsWritten, points_dropped: st.pointsDropped, spool_points: st.spoolPoints },
      st.spoolPoints > 0 ? `sink stopped; ${st.spoolPoints} point(s) stay in the spool for the next start` : 'sink stopped; spool empty',
    );
  }

  stats(): SinkStats {
    const q = this.#queue.stats();
    const droppedSpoolFull = q.droppedPoints;
    return {
      pointsAccepted: this.#accepted,
      pointsWritten: this.#written,
      pointsRetried: this.#retried,
      pointsDropped: droppedSpoolFull + this.#droppedRejected + this.#droppedSpoolError,
      pointsDroppedSpoolFull: droppedSpoolFull,
      pointsDroppedRejected: this.#droppedRejected,
      pointsDroppedSpoolError: this.#droppedSpoolError,
      pointsBuffered: this.#lines.length + this.#heldPoints(),
      spoolPoints: q.points,
      spoolBatches: q.batches,
      spoolBytes: q.bytes,
      spoolSegments: q.segments,
      oldestSpooledAgeMs: q.oldestMs === undefined ? 0 : Math.max(0, Date.now() - q.oldestMs),
      writeErrors: this.#writeErrors,
      state: this.#state,
      ...(this.#lastWriteMs !== undefined ? { lastWriteMs: this.#lastWriteMs } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  // ------------------------------------------------------------------ batch → queue

  #heldPoints(): number {
    return this.#held.reduce((sum, b) => sum + b.points, 0);
  }

  /** Close the current batch and hand it to the queue (in order, in the background). */
  #seal(): void {
    if (this.#lines.length === 0) return;
    const batch: BatchInput = { payload: this.#lines.join('\n'), points: this.#lines.length, oldestMs: this.#oldestMs };
    this.#lines = [];
    this.#bytes = 0;
    this.#oldestMs = Infinity;
    this.#held.push(batch);
    this.#heldBytes += batch.payload.length;
    // Drop the oldest held batch, but never the one an append may be writing right now (index 0).
    if (this.#heldBytes > this.#opts.maxHeldBytes && this.#held.length > 1) {
      this.#dropHeld(this.#appendLoop === undefined ? 0 : 1, 1, 'the spool cannot be written and the memory hold is full');
    }
    if (this.#appendLoop === undefined && this.#appendRetryTimer === undefined) this.#startAppendLoop();
  }

  #startAppendLoop(): void {
    this.#appendLoop = this.#appendHeld()
      .catch((err: unknown) => {
        // #appendHeld handles queue errors itself; anything here is a bug worth a log line, not a crash.
        this.#log.error({ event: 'sink_internal_error', err }, 'sink append loop failed');
      })
      .finally(() => {
        this.#appendLoop = undefined;
      });
  }

  async #appendHeld(): Promise<void> {
    let failures = 0;
    while (this.#held.length > 0) {
      const batch = this.#held[0] as BatchInput;
      try {
        await this.#queue.append(batch);
      } catch (err) {
        failures++;
        const delayMs = backoffMs(failures, this.#opts.retryInitialMs, this.#opts.retryMaxMs, this.#random);
        this.#logRepeated('spool_append_failed', 'error', { err, held_points: this.#heldPoints(), retry_in_ms: delayMs }, 'cannot write to the spool (disk full or failing?): batches wait in memory');
        if (this.#stopping) return;
        this.#appendRetryTimer = setTimeout(() => {
          this.#appendRetryTimer = undefined;
          this.#startAppendLoop();
        }, delayMs);
        this.#appendRetryTimer.unref();
        return;
      }
      this.#held.splice(this.#held.indexOf(batch), 1);
      this.#heldBytes -= batch.payload.length;
      this.#accepted += batch.points;
      this.#kick();
    }
  }

  #dropHeld(from: number, count: number, why: string): void {
    const dropped = this.#held.splice(from, count);
    const points = dropped.reduce((sum, b) => sum + b.points, 0);
    this.#heldBytes -= dropped.reduce((sum, b) => sum + b.payload.length, 0);
    this.#droppedSpoolError += points;
    this.#log.error({ event: 'sink_dropped', reason: 'spool_error', points, dropped_points_total: this.stats().pointsDropped }, `dropped ${points} point(s): ${why}`);
  }

  // ------------------------------------------------------------------ queue → InfluxDB

  /** Start a delivery run unless one is going, a retry is scheduled, or there is nowhere to send. */
  #kick(): void {
    if (this.#target === undefined || this.#pumpLoop !== undefined || this.#retryTimer !== undefined || this.#abort.signal.aborted) return;
    this.#pumpLoop = this.#deliverAll(this.#target)
      .catch((err: unknown) => {
        // Delivery errors are handled inside; this is a bug (or the queue failing): log and retry later.
        this.#lastError = String(err);
        this.#log.error({ event: 'sink_internal_error', err }, 'sink delivery loop failed');
        this.#scheduleRetry(backoffMs(++this.#failures, this.#opts.retryInitialMs, this.#opts.retryMaxMs, this.#random));
      })
      .finally(() => {
        this.#pumpLoop = undefined;
      });
  }

  async #deliverAll(target: WriteTarget): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      if (!this.#setupDone) {
        try {
          await target.setup(signal);
        } catch (err) {
          const e = err instanceof SinkWriteError ? err : transportError(err, false);
          // InfluxDB down: wait for it. Refused (a user without admin rights, a bad duration): say
          // so and write anyway; a missing database then shows up as 404 on the writes.
          if (e.retryable && e.kind !== 'auth') {
            this.#failed(e, undefined);
            return;
          }
          if (signal.aborted) return;
          this.#logRepeated(
            'sink_setup_refused',
            'error',
            { kind: e.kind, status: e.status, error: e.message, target: target.description },
            `InfluxDB refused the setup (database, retention policies, continuous queries): ${e.message}. Setup needs an admin user (or set sink.setup: false once it is done); writing anyway`,
          );
        }
        this.#setupDone = true;
      }
      const batch = await this.#queue.peek();
      if (batch === undefined) return;
      if (batch.id === this.#lastFailedBatch) this.#retried += batch.points;
      let result: SendResult;
      try {
        result = await this.#send(target, batch.payload.split('\n'), batch.oldestMs, signal);
      } catch (err) {
        this.#failed(err as SinkWriteError, batch);
        return;
      }
      await this.#queue.ack(batch.id);
      this.#succeeded(batch, result);
    }
  }

  /**
   * Send lines; resolves with what was written and what InfluxDB refused for good, throws only
   * retryable SinkWriteErrors. 413 splits the batch in halves; unparsable lines (2.x, nothing
   * written) are dropped and the rest sent again.
   */
  async #send(target: WriteTarget, lines: string[], oldestMs: number, signal: AbortSignal): Promise<SendResult> {
    let err: SinkWriteError;
    try {
      const o = await target.write({ payload: lines.join('\n'), lines: lines.length, oldestMs }, signal);
      return { written: lines.length - o.droppedLines, dropped: o.droppedLines, reasons: o.reason === undefined ? [] : [o.reason] };
    } catch (e) {
      err = e instanceof SinkWriteError ? e : transportError(e, false);
    }
    if (err.retryable) throw err;
    if (err.kind === 'too_large' && lines.length > 1) {
      const half = Math.ceil(lines.length / 2);
      const first = await this.#send(target, lines.slice(0, half), oldestMs, signal);
      return merge(first, await this.#send(target, lines.slice(half), oldestMs, signal));
    }
    if (err.kind === 'bad_lines') {
      const bad = new Set(err.badLines);
      const good = lines.filter((_, i) => !bad.has(i + 1));
      const refused: SendResult = { written: 0, dropped: lines.length - good.length, reasons: [err.message] };
      return merge(refused, good.length > 0 ? await this.#send(target, good, oldestMs, signal) : nothingSent);
    }
    return { written: 0, dropped: lines.length, reasons: [err.message] };
  }

  #succeeded(batch: QueuedBatch, r: SendResult): void {
    this.#written += r.written;
    this.#lastWriteMs = Date.now();
    if (r.dropped > 0) {
      this.#droppedRejected += r.dropped;
      this.#log.warn(
        { event: 'sink_points_rejected', points: r.dropped, batch_points: batch.points, reason: r.reasons.join(' | '), dropped_points_total: this.stats().pointsDropped },
        `InfluxDB refused ${r.dropped} of ${batch.points} point(s) (kept the rest): ${r.reasons.join(' | ')}`,
      );
    }
    if (this.#failingSinceMs !== undefined) {
      this.#log.info(
        { event: 'sink_recovered', failures: this.#failures, outage_ms: Date.now() - this.#failingSinceMs, spool_points: this.#queue.stats().points },
        'InfluxDB accepts writes again: replaying the spool',
      );
    }
    this.#failures = 0;
    this.#failingSinceMs = undefined;
    this.#lastFailedBatch = undefined;
    this.#state = 'writing';
  }

  #failed(err: SinkWriteError, batch: QueuedBatch | undefined): void {
    if (this.#abort.signal.aborted) return; // stop() cut the request short: not a failure of InfluxDB
    this.#writeErrors++;
    this.#failures++;
    this.#failingSinceMs ??= Date.now();
    this.#lastFailedBatch = batch?.id;
    this.#lastError = err.message;
    this.#state = 'spooling';
    if (err.kind === 'not_found') this.#setupDone = false; // database or bucket gone: set up again
    const delayMs =
      err.kind === 'auth'
        ? this.#opts.retryMaxMs
        : err.retryAfterMs !== undefined
          ? Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS)
          : backoffMs(this.#failures, this.#opts.retryInitialMs, this.#opts.retryMaxMs, this.#random);
    const spool = this.#queue.stats();
    const fields = {
      kind: err.kind,
      retryable: err.retryable,
      status: err.status,
      error: err.message,
      phase: batch === undefined ? 'setup' : 'write',
      failures: this.#failures,
      retry_in_ms: delayMs,
      spool_points: spool.points,
      target: this.#target?.description,
    };
    if (err.kind === 'auth') {
      this.#logRepeated(
        'sink_config_error',
        'error',
        fields,
        `InfluxDB refused netcov's credentials (HTTP ${err.status ?? '?'}): check sink.username/sink.password (v1) or sink.token (v2) and the user's permissions; metrics keep spooling meanwhile`,
      );
    } else if (this.#failures === 1) {
      this.#log.warn({ event: 'sink_write_failed', ...fields }, `writing to InfluxDB failed (${err.kind}), retrying in ${delayMs} ms; metrics keep spooling`);
    } else {
      this.#log.debug({ event: 'sink_write_failed', ...fields }, 'writing to InfluxDB failed again');
      this.#logRepeated('sink_still_failing', 'warn', { ...fields, failing_for_ms: Date.now() - (this.#failingSinceMs ?? Date.now()) }, 'InfluxDB still not accepting writes; metrics keep spooling');
    }
    this.#scheduleRetry(delayMs);
  }

  #scheduleRetry(delayMs: number): void {
    if (this.#abort.signal.aborted) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, delayMs);
    this.#retryTimer.unref();
  }

  /** Log an event at most once per repeatLogIntervalMs (per event name), so an outage is not a log flood. */
  #logRepeated(event: string, level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const last = this.#lastLoggedMs.get(event);
    if (last !== undefined && now - last < this.#opts.repeatLogIntervalMs) return;
    this.#lastLoggedMs.set(event, now);
    this.#log[level]({ event, ...fields }, msg);
  }
}
