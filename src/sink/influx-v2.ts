// InfluxDB 2.x/3.x native API target (org, bucket, token) through @influxdata/influxdb-client.
// Writes go through the client's transport (its URL handling, Token auth, timeouts, gzip), not its
// WriteApi: the WriteApi batches and retries on its own, which would duplicate the writer's batching
// and hide the spool's view of what InfluxDB accepted. No setup: a bucket carries its retention and
// creating one needs the org id and rights a write token should not have (docs/operations.md).
import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import type { Secret } from '../config/secret.js';
import { LINE_PRECISION } from '../metrics/line-protocol.js';
import type { TargetBatch, WriteTarget } from './types.js';
import { SinkWriteError, transportError, writeResult, type WriteOutcome } from './write-result.js';

export interface InfluxV2Options {
  url: string;
  org: string;
  bucket: string;
  token?: Secret | undefined;
  requestTimeoutMs: number;
  /** Bodies above this many bytes are sent gzipped (the client's gzipThreshold). */
  gzipThresholdBytes: number;
}

export const DEFAULT_INFLUX_V2_OPTIONS: Pick<InfluxV2Options, 'requestTimeoutMs' | 'gzipThresholdBytes'> = {
  requestTimeoutMs: 10_000,
  gzipThresholdBytes: 64 * 1024,
};

export class InfluxV2Target implements WriteTarget {
  readonly description: string;
  readonly client: InfluxDB;
  readonly #opts: InfluxV2Options;
  readonly #path: string;

  constructor(options: Partial<InfluxV2Options> & Pick<InfluxV2Options, 'url' | 'org' | 'bucket'>) {
    this.#opts = { ...DEFAULT_INFLUX_V2_OPTIONS, ...options };
    const token = this.#opts.token?.reveal();
    this.client = new InfluxDB({ url: this.#opts.url, timeout: this.#opts.requestTimeoutMs, ...(token ? { token } : {}) });
    const params = new URLSearchParams({ org: this.#opts.org, bucket: this.#opts.bucket, precision: LINE_PRECISION });
    this.#path = `/api/v2/write?${params.toString()}`;
    this.description = `influx_v2 ${this.#opts.url.replace(/\/+$/, '')} org=${this.#opts.org} bucket=${this.#opts.bucket}`;
  }

  async setup(): Promise<void> {}

  async write(batch: TargetBatch, signal: AbortSignal): Promise<WriteOutcome> {
    try {
      await this.client.transport.request(this.#path, batch.payload, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', accept: 'application/json' },
        gzipThreshold: this.#opts.gzipThresholdBytes,
        signal,
      });
      return { droppedLines: 0 };
    } catch (err) {
      if (err instanceof HttpError) {
        const retryAfter = err.headers?.['retry-after'];
        // Resolves for a partial write, throws a SinkWriteError otherwise.
        return writeResult(err.statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, err.body ?? '', batch.lines, Date.now());
      }
      if (err instanceof SinkWriteError) throw err;
      throw transportError(err, err instanceof RequestTimedOutError);
    }
  }

  async close(): Promise<void> {}
}
