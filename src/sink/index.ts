// Builds the metric sink the configuration asks for: the writer over the durable spool, sending to
// InfluxDB through the 1.x API (influx_v1), the 2.x/3.x API (influx_v2) or nowhere (none: spool only).
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { Secret, type SecretValue } from '../config/secret.js';
import type { Logger } from '../util/log.js';
import { InfluxV1Target } from './influx-v1.js';
import { InfluxV2Target } from './influx-v2.js';
import { DiskSpool } from './spool.js';
import type { MetricSink, WriteTarget } from './types.js';
import { Writer, type WriterOptions } from './writer.js';

export type { MetricSink, SinkStats } from './types.js';

export interface SinkOverrides {
  /** Writer options the configuration does not carry (stopDrainMs, repeatLogIntervalMs …). */
  writer?: Partial<WriterOptions>;
}

/** Where the spool lives: sink.spool.dir, else <state_dir>/spool. */
export function spoolDir(config: Config): string {
  return config.sink.spool.dir !== '' ? config.sink.spool.dir : join(config.state_dir, 'spool');
}

const asSecret = (v: SecretValue | undefined): Secret | undefined => (v === undefined || v instanceof Secret ? v : new Secret(v, 'inline'));

/** The write target for `sink.kind`, or undefined for `none`. */
export function createTarget(config: Config, log: Logger): WriteTarget | undefined {
  const s = config.sink;
  switch (s.kind) {
    case 'influx_v1':
      return new InfluxV1Target(
        {
          url: s.url,
          database: s.database,
          username: s.username,
          password: asSecret(s.password),
          rawRetention: s.raw_retention,
          rollupRetention: s.rollup_retention,
          setup: s.setup,
          requestTimeoutMs: s.request_timeout_ms,
        },
        log,
      );
    case 'influx_v2':
      return new InfluxV2Target({ url: s.url, org: s.org, bucket: s.bucket, token: asSecret(s.token), requestTimeoutMs: s.request_timeout_ms });
    case 'none':
      return undefined;
  }
}

/** The sink for the daemon: call start() before sources write, stop() after they stopped. */
export function createSink(config: Config, log: Logger, overrides: SinkOverrides = {}): MetricSink {
  const s = config.sink;
  const sinkLog = log; // the daemon passes a child logger ({component: 'sink'})
  const queue = new DiskSpool(
    {
      dir: spoolDir(config),
      maxBytes: s.spool.max_bytes,
      segmentBytes: s.spool.segment_bytes,
      fsync: s.spool.fsync,
      fsyncIntervalMs: s.spool.fsync_interval_ms,
    },
    sinkLog,
  );
  return new Writer({
    queue,
    target: createTarget(config, sinkLog),
    log: sinkLog,
    options: {
      batchMaxPoints: s.batch_max_points,
      batchMaxBytes: s.batch_max_bytes,
      flushIntervalMs: s.flush_interval_ms,
      retryInitialMs: s.retry_initial_ms,
      retryMaxMs: s.retry_max_ms,
      ...overrides.writer,
    },
  });
}
