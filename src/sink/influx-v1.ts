// InfluxDB 1.x API target (served by 1.x, by 2.x's compatibility endpoints and by 3.x): setup of
// the database, retention policies and rollup continuous queries through the `influx` package;
// writes as plain fetch POST /write, because the writer spools line protocol that is already
// encoded and needs the raw status, Retry-After header and error body (partial writes) that the
// package's writePoints hides behind its own point serialiser and retrying host pool.
import { InfluxDB, escape } from 'influx';
import type { Secret } from '../config/secret.js';
import { LINE_PRECISION } from '../metrics/line-protocol.js';
import { RETENTION_POLICIES, ROLLUPS, type RollupDef } from '../metrics/schema.js';
import type { Logger } from '../util/log.js';
import type { TargetBatch, WriteTarget } from './types.js';
import { SinkWriteError, transportError, writeResult, type WriteOutcome } from './write-result.js';

export interface InfluxV1Options {
  /** Base URL, e.g. http://127.0.0.1:8086 (a path prefix is kept). */
  url: string;
  database: string;
  /** Empty: no authentication. */
  username: string;
  password?: Secret | undefined;
  /** InfluxQL durations of the raw and rollup retention policies. */
  rawRetention: string;
  rollupRetention: string;
  /** Create database, retention policies and continuous queries on start (idempotent). */
  setup: boolean;
  requestTimeoutMs: number;
  /** Data older than the continuous queries look back is rolled up this long after the last such write. */
  backfillDelayMs: number;
}

export const DEFAULT_INFLUX_V1_OPTIONS: Omit<InfluxV1Options, 'url' | 'database' | 'username'> = {
  rawRetention: '30d',
  rollupRetention: '400d',
  setup: true,
  requestTimeoutMs: 10_000,
  backfillDelayMs: 30_000,
};

/** The continuous queries re-run each window this long after it closed, so late points are included. */
export const CQ_RESAMPLE_FOR_S = 900;
/** Backfill queries cover at most a day each, to keep the load on InfluxDB bounded. */
const BACKFILL_CHUNK_MS = 86_400_000;

/** InfluxQL duration literal (or INF); anything else is refused before it reaches a query. */
export const INFLUX_DURATION = /^(INF|inf|(\d+(ns|u|µ|ms|s|m|h|d|w))+)$/;

export const cqName = (rollup: RollupDef) => `netcov_${rollup.name}`;

/**
 * The SELECT … INTO that computes a rollup, from the schema (pure). `where` restricts the time
 * range for a backfill; the continuous query itself has none (InfluxDB adds the window).
 */
export function rollupSelect(rollup: RollupDef, database: string, where = ''): string {
  const fields = Object.entries(rollup.fields)
    .map(([name, f]) => `${f.aggregate}(${escape.quoted(f.source)}) AS ${escape.quoted(name)}`)
    .join(', ');
  const db = escape.quoted(database);
  const into = `${db}.${escape.quoted(RETENTION_POLICIES.rollup)}.${escape.quoted(rollup.name)}`;
  const from = `${db}.${escape.quoted(RETENTION_POLICIES.raw)}.${escape.quoted(rollup.source.name)}`;
  return `SELECT ${fields} INTO ${into} FROM ${from}${where === '' ? '' : ` WHERE ${where}`} GROUP BY time(${rollup.intervalS}s), *`;
}

/** The whole CREATE CONTINUOUS QUERY statement (pure; shown in docs/metrics.md). */
export function continuousQuery(rollup: RollupDef, database: string): string {
  return (
    `CREATE CONTINUOUS QUERY ${escape.quoted(cqName(rollup))} ON ${escape.quoted(database)} ` +
    `RESAMPLE EVERY ${rollup.intervalS}s FOR ${CQ_RESAMPLE_FOR_S}s BEGIN ${rollupSelect(rollup, database)} END`
  );
}

/** Map an error of the `influx` package (setup, queries) to a SinkWriteError. */
function setupError(err: unknown, what: string): SinkWriteError {
  const e = err as { res?: { statusCode?: number }; message?: string; code?: string };
  const message = `${what}: ${e.message ?? String(err)}`;
  const status = e.res?.statusCode;
  if (status === 401 || status === 403 || /authoriz|authenticat/i.test(e.message ?? '')) {
    return new SinkWriteError('auth', message, { ...(status !== undefined ? { status } : {}), cause: err });
  }
  if (status !== undefined && status >= 400 && status < 500) return new SinkWriteError('rejected', message, { status, cause: err });
  if (/^Error from InfluxDB/.test(e.message ?? '')) return new SinkWriteError('rejected', message, { cause: err }); // InfluxQL refused it
  if (e.code !== undefined || /No host available|timed out/i.test(e.message ?? '')) return new SinkWriteError('network', message, { cause: err });
  return new SinkWriteError('server', message, { cause: err });
}

export class InfluxV1Target implements WriteTarget {
  readonly description: string;
  /** The `influx` package client (setup, queries; e.g. for the API reading rollups). */
  readonly client: InfluxDB;
  readonly #opts: InfluxV1Options;
  readonly #log: Logger;
  readonly #writeUrl: string;
  readonly #headers: Record<string, string>;
  #backfill: { fromMs: number; toMs: number } | undefined;
  #backfillTimer: NodeJS.Timeout | undefined;
  #backfillRun: Promise<void> | undefined;
  #closed = false;

  constructor(options: Partial<InfluxV1Options> & Pick<InfluxV1Options, 'url' | 'database' | 'username'>, log: Logger) {
    this.#opts = { ...DEFAULT_INFLUX_V1_OPTIONS, ...options };
    this.#log = log;
    for (const [key, value] of [['raw_retention', this.#opts.rawRetention], ['rollup_retention', this.#opts.rollupRetention]] as const) {
      if (!INFLUX_DURATION.test(value)) throw new Error(`sink.${key}: "${value}" is not an InfluxQL duration (e.g. 30d, 400d, 12w)`);
    }
    const base = new URL(this.#opts.url);
    const prefix = base.pathname.replace(/\/+$/, '');
    const params = new URLSearchParams({ db: this.#opts.database, precision: LINE_PRECISION });
    // With setup on, write to the raw policy by name (it is also the default, for other writers).
    if (this.#opts.setup) params.set('rp', RETENTION_POLICIES.raw);
    this.#writeUrl = `${base.origin}${prefix}/write?${params.toString()}`;
    const password = this.#opts.password?.reveal() ?? '';
    this.#headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.#opts.username !== '') {
      this.#headers.authorization = `Basic ${Buffer.from(`${this.#opts.username}:${password}`).toString('base64')}`;
    }
    this.client = new InfluxDB({
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
      path: prefix,
      database: this.#opts.database,
      ...(this.#opts.username !== '' ? { username: this.#opts.username, password } : {}),
      // The writer retries; the package's own retries would only hide failures.
      pool: { maxRetries: 0, requestTimeout: this.#opts.requestTimeoutMs },
    });
    this.description = `influx_v1 ${base.origin}${prefix} db=${this.#opts.database}`;
  }

  async setup(signal: AbortSignal): Promise<void> {
    if (!this.#opts.setup || signal.aborted) return;
    const db = this.#opts.database;
    const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        throw setupError(err, what);
      }
    };
    await step(`CREATE DATABASE ${db}`, () => this.client.createDatabase(db));
    const existing = await step('SHOW RETENTION POLICIES', () => this.client.showRetentionPolicies(db));
    const policies: [string, string, boolean][] = [
      [RETENTION_POLICIES.raw, this.#opts.rawRetention, true],
      [RETENTION_POLICIES.rollup, this.#opts.rollupRetention, false],
    ];
    for (const [name, duration, isDefault] of policies) {
      const opts = { database: db, duration, replication: 1, isDefault };
      // ALTER brings a policy created by an older config to today's duration; both are idempotent.
      if (existing.some((p) => p.name === name)) await step(`ALTER RETENTION POLICY ${name}`, () => this.client.alterRetentionPolicy(name, opts));
      else await step(`CREATE RETENTION POLICY ${name}`, () => this.client.createRetentionPolicy(name, opts));
    }
    for (const rollup of Object.values(ROLLUPS)) {
      const name = cqName(rollup);
      const resample = `RESAMPLE EVERY ${rollup.intervalS}s FOR ${CQ_RESAMPLE_FOR_S}s`;
      const create = () => this.client.createContinuousQuery(name, rollupSelect(rollup, db), db, resample);
      try {
        await create(); // a no-op when the same query exists
      } catch (err) {
        if (!/already exists/i.test((err as Error).message)) throw setupError(err, `CREATE CONTINUOUS QUERY ${name}`);
        // An older definition (netcov upgraded): replace it.
        await step(`DROP CONTINUOUS QUERY ${name}`, () => this.client.dropContinuousQuery(name, db));
        await step(`CREATE CONTINUOUS QUERY ${name}`, create);
        this.#log.info({ event: 'sink_cq_replaced', cq: name }, `continuous query ${name} replaced by the current definition`);
      }
    }
    this.#log.info(
      { event: 'sink_setup_done', database: db, raw_retention: this.#opts.rawRetention, rollup_retention: this.#opts.rollupRetention, rollups: Object.keys(ROLLUPS) },
      `InfluxDB ready: database ${db}, retention policies ${RETENTION_POLICIES.raw} (${this.#opts.rawRetention}) and ${RETENTION_POLICIES.rollup} (${this.#opts.rollupRetention}), continuous queries`,
    );
  }

  async write(batch: TargetBatch, signal: AbortSignal): Promise<WriteOutcome> {
    const timeout = AbortSignal.timeout(this.#opts.requestTimeoutMs);
    let res: Response;
    let body: string;
    try {
      res = await fetch(this.#writeUrl, { method: 'POST', headers: this.#headers, body: batch.payload, signal: AbortSignal.any([signal, timeout]) });
      body = await res.text();
    } catch (err) {
      throw transportError(err, timeout.aborted);
    }
    const outcome = writeResult(res.status, res.headers.get('retry-after'), body, batch.lines, Date.now());
    this.#noteLateData(batch.oldestMs);
    return outcome;
  }

  /**
   * Continuous queries only look back CQ_RESAMPLE_FOR_S. Points older than that (replayed from the
   * spool after an outage) would be missing from the rollups: remember their range and recompute
   * it once the replay has gone quiet for backfillDelayMs.
   */
  #noteLateData(oldestMs: number): void {
    if (!this.#opts.setup || this.#closed) return;
    const now = Date.now();
    if (oldestMs >= now - CQ_RESAMPLE_FOR_S * 1000) return;
    this.#backfill = { fromMs: Math.min(this.#backfill?.fromMs ?? oldestMs, oldestMs), toMs: now };
    clearTimeout(this.#backfillTimer);
    this.#backfillTimer = setTimeout(() => {
      this.#backfillTimer = undefined;
      this.#backfillRun = this.#runBackfill()
        .catch((err: unknown) => {
          // Rollups of late data are a convenience; raw data is safe. Log; the next late write re-arms.
          this.#log.warn({ event: 'sink_backfill_failed', err }, 'recomputing rollups for late data failed');
        })
        .finally(() => {
          this.#backfillRun = undefined;
        });
    }, this.#opts.backfillDelayMs);
    this.#backfillTimer.unref();
  }

  async #runBackfill(): Promise<void> {
    const range = this.#backfill;
    this.#backfill = undefined;
    if (range === undefined) return;
    await this.backfillRollups(range.fromMs, range.toMs);
  }

  /** Recompute every rollup for [fromMs, toMs) (whole windows), a day per query. Idempotent. */
  async backfillRollups(fromMs: number, toMs: number): Promise<void> {
    for (const rollup of Object.values(ROLLUPS)) {
      const stepMs = rollup.intervalS * 1000;
      const start = Math.floor(fromMs / stepMs) * stepMs;
      const end = Math.ceil(toMs / stepMs) * stepMs;
      for (let from = start; from < end; from += BACKFILL_CHUNK_MS) {
        const to = Math.min(end, from + BACKFILL_CHUNK_MS);
        const where = `time >= ${from}ms AND time < ${to}ms`;
        // SELECT … INTO writes, so InfluxDB wants it POSTed; queryRaw leaves statement errors in the body.
        const res = (await this.client.queryRaw(rollupSelect(rollup, this.#opts.database, where), { database: this.#opts.database, method: 'POST' })) as {
          results?: { error?: string }[];
        };
        const error = res.results?.find((r) => r.error !== undefined)?.error;
        if (error !== undefined) throw new Error(`rollup ${rollup.name} backfill: ${error}`);
      }
      this.#log.info(
        { event: 'sink_backfill_done', rollup: rollup.name, from: new Date(start).toISOString(), to: new Date(end).toISOString() },
        `rollup ${rollup.name} recomputed for late data`,
      );
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#backfillTimer);
    await this.#backfillRun;
  }
}
