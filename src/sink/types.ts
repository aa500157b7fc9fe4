// The sink's face to the rest of netcov: sources hand it samples and never wait on InfluxDB.
// Implementations: the writer (batch → durable spool → InfluxDB v1/v2) and, for unit tests, a memory sink.
import type { Sample } from '../metrics/schema.js';

export interface SinkStats {
  pointsAccepted: number;
  pointsWritten: number;
  pointsRetried: number;
  pointsDropped: number;
  spoolBytes: number;
  spoolSegments: number;
  /** Age of the oldest point still waiting in the spool, ms (0 when empty). */
  oldestSpooledAgeMs: number;
  writeErrors: number;
  /** Last write outcome, for /readyz: 'writing' (InfluxDB accepts), 'spooling' (it does not), 'idle'. */
  state: 'writing' | 'spooling' | 'idle';
  lastError?: string;
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
