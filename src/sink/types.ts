// The sink's face to the rest of netcov: sources hand it samples and never wait on InfluxDB.
// Implementations: the writer (batch → durable spool → InfluxDB v1/v2) and, for unit tests, a memory sink.
import type { Sample } from '../metrics/schema.js';
import type { WriteOutcome } from './write-result.js';

export interface SinkStats {
  /** Points stored in the spool (or memory queue): accepted, no longer at risk from a crash. */
  pointsAccepted: number;
  /** Points InfluxDB accepted. */
  pointsWritten: number;
  /** Points sent again after a failed attempt (each re-send counts). */
  pointsRetried: number;
  /** Points that will never reach InfluxDB: pointsDroppedSpoolFull + pointsDroppedRejected + pointsDroppedSpoolError. */
  pointsDropped: number;
  /** Dropped with the oldest segment because the spool reached max_bytes. */
  pointsDroppedSpoolFull: number;
  /** Refused by InfluxDB for good (partial writes, field type conflicts, unparsable lines). */
  pointsDroppedRejected: number;
  /** Lost because the spool could not be written (disk full or failing) and the memory hold overflowed. */
  pointsDroppedSpoolError: number;
  /** Points given to write() and not yet in the spool (the current batch; lost on SIGKILL). */
  pointsBuffered: number;
  /** Points and batches waiting in the spool for InfluxDB. */
  spoolPoints: number;
  spoolBatches: number;
  spoolBytes: number;
  spoolSegments: number;
  /** Age of the oldest point still waiting in the spool, ms (0 when empty). */
  oldestSpooledAgeMs: number;
  writeErrors: number;
  /** Last write outcome, for /readyz: 'writing' (InfluxDB accepts), 'spooling' (it does not), 'idle'. */
  state: 'writing' | 'spooling' | 'idle';
  /** Time of the last batch InfluxDB accepted, ms since the epoch. */
  lastWriteMs?: number;
  lastError?: string;
}

/** All-zero figures: a starting point for fakes and tests, so a new field does not break them. */
export function emptySinkStats(): SinkStats {
  return {
    pointsAccepted: 0,
    pointsWritten: 0,
    pointsRetried: 0,
    pointsDropped: 0,
    pointsDroppedSpoolFull: 0,
    pointsDroppedRejected: 0,
    pointsDroppedSpoolError: 0,
    pointsBuffered: 0,
    spoolPoints: 0,
    spoolBatches: 0,
    spoolBytes: 0,
    spoolSegments: 0,
    oldestSpooledAgeMs: 0,
    writeErrors: 0,
    state: 'idle',
  };
}

export interface MetricSink {
  /** Start background work (setup, replay of the spool). Resolves once the sink accepts samples. */
  start(): Promise<void>;
  /** Accept samples; never blocks on the network. Throws only on a programming error (unknown measurement). */
  write(samples: readonly Sample[]): void;
  /** Push what is buffered as far as it can go now (to InfluxDB, else to the spool). */
  flush(): Promise<void>;
  /** Flush, then stop background work. What could not be written stays in the durable spool. */
  stop(): Promise<void>;
  stats(): SinkStats;
}

export interface TargetBatch {
  /** Lines of line protocol joined by "\n". */
  payload: string;
  lines: number;
  /** Oldest timestamp in the batch, ms (lets v1 roll up data that arrives late, after an outage). */
  oldestMs: number;
}

/** One InfluxDB API (v1 or v2) as the writer sees it. Failures are SinkWriteErrors. */
export interface WriteTarget {
  /** For logs: kind, URL and database/bucket; never a secret. */
  readonly description: string;
  /** Idempotent preparation before the first write (v1: database, retention policies, continuous queries). */
  setup(signal: AbortSignal): Promise<void>;
  /** Write one batch of line protocol (ms precision). Resolves for full and partial writes. */
  write(batch: TargetBatch, signal: AbortSignal): Promise<WriteOutcome>;
  close(): Promise<void>;
}
