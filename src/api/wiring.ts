// The API's place in the daemon: builds ApiDeps from the real components (alerting, coverage,
// sink, scheduler, the observation bus), listens, and closes. Parts that the daemon recreates on
// reload (alerting) are read through getters at request time, so the routes always reach the
// live one, and answer 503 while it is absent.
import type { Alerting } from '../alerts/index.js';
import type { Config } from '../config/schema.js';
import type { CoverageService } from '../coverage/service.js';
import type { Inventory } from '../inventory/model.js';
import type { ObservationBus } from '../observations.js';
import type { JobStats } from '../scheduler/index.js';
import { createTarget } from '../sink/index.js';
import { InfluxV1Target } from '../sink/influx-v1.js';
import type { MetricSink } from '../sink/types.js';
import type { Logger } from '../util/log.js';
import { buildApp, listenApp, type App } from './app.js';
import { createInfluxAvailability, parseInfluxDuration, type InfluxQuery, type InfluxSeries } from './availability.js';
import type { ApiDeps, AvailabilityApi, PointsView, ReadinessCheck } from './deps.js';
import { LatestObservations } from './latest.js';
import type { MetricSources } from './prom.js';

export interface ApiParts {
  config: Config;
  inventory: Inventory;
  log: Logger;
  bus: ObservationBus;
  sink: MetricSink;
  jobs: () => readonly JobStats[];
  alerting: () => Alerting | undefined;
  coverage: () => CoverageService | undefined;
  /** When the daemon started, ms (for the probes' readiness grace). */
  startedAtMs: () => number;
}

export interface ApiServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Bound URL once listening (port 0 resolves to the real port). */
  readonly url: string | undefined;
}

/** After a failed bind (port taken), try again this often: monitoring goes on without the API meanwhile. */
export const LISTEN_RETRY_MS = 30_000;

/** A job whose last round started longer ago than this many intervals (+ slack) is not running. */
const STALE_INTERVALS = 3;
const STALE_SLACK_MS = 30_000;

export function readinessChecks(parts: Pick<ApiParts, 'inventory' | 'jobs' | 'sink' | 'startedAtMs'>, now: () => number = Date.now): ReadinessCheck[] {
  return [
    {
      name: 'inventory',
      check: () => ({ ok: parts.inventory.points.length > 0, detail: `${parts.inventory.points.length} points, ${parts.inventory.units.size} units` }),
    },
    {
      name: 'probes',
      check: () => {
        const jobs = parts.jobs();
        if (!jobs.length) return { ok: false, detail: 'no probe job is scheduled' };
        const t = now();
        const stale = jobs.filter((j) => t - Math.max(j.lastStartMs, parts.startedAtMs()) > STALE_INTERVALS * j.intervalMs + STALE_SLACK_MS);
        return stale.length ? { ok: false, detail: `no recent round: ${stale.map((j) => j.name).join(', ')}` } : { ok: true, detail: `${jobs.length} jobs running` };
      },
    },
    {
      name: 'sink',
      check: () => {
        const s = parts.sink.stats();
        // idle: nothing written yet; ready only while there was nothing to write.
        const ok = s.state === 'writing' || s.state === 'spooling' || s.pointsAccepted === 0;
        return { ok, detail: `${s.state}, ${s.spoolBytes} bytes spooled` };
      },
    },
  ];
}

/** Queries InfluxDB 1.x (/query) through the sink's own client; undefined for other sinks. */
export function influxQuery(config: Config, log: Logger): InfluxQuery | undefined {
  if (config.sink.kind !== 'influx_v1') return undefined;
  const target = createTarget(config, log);
  if (!(target instanceof InfluxV1Target)) return undefined;
  return async (influxql) => {
    const raw = (await target.client.queryRaw(influxql, { database: config.sink.database, precision: 'ms' })) as { results?: { series?: InfluxSeries[]; error?: string }[] };
    return (raw.results ?? []).map((r) => {
      if (r.error) throw new Error(`InfluxDB: ${r.error}`);
      return r.series ?? [];
    });
  };
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

export function createApiServer(parts: ApiParts): ApiServer {
  const log = parts.log.child({ component: 'api' });
  let app: App | undefined;
  let latest: LatestObservations | undefined;
  let url: string | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Listens; a port already taken is logged and retried, never fatal: probes and pages matter more. */
  async function listen(a: App, deps: ApiDeps): Promise<void> {
    try {
      const bound = await listenApp(a, deps);
      url = bound.url;
      log.info({ event: 'api_listening', url, docs: deps.config.api.docs ? `${url}/docs` : undefined, tokens: deps.config.api.tokens.length, public_read: deps.config.api.public_read }, `API listening on ${url}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      log.error({ event: 'api_listen_failed', host: deps.config.api.host, port: deps.config.api.port, code, err: String(err) }, `API cannot listen on ${deps.config.api.host}:${deps.config.api.port} (${code ?? 'error'}); monitoring continues, retrying every ${LISTEN_RETRY_MS / 1000} s`);
      if (stopped) return;
      retry = setTimeout(() => {
        retry = undefined;
        if (!stopped && app === a) listen(a, deps).catch((e: unknown) => log.error({ event: 'api_listen_failed', err: String(e) }, 'API listen retry failed'));
      }, LISTEN_RETRY_MS);
      retry.unref();
    }
  }

  return {
    get url() {
      return url;
    },
    async start() {
      const { config, inventory } = parts;
      if (!config.api.enabled) return;
      latest = new LatestObservations().attach(parts.bus);
      const seen = latest;
      const points: PointsView = {
        state(id) {
          const s = parts.alerting()?.engine.pointState(id);
          return s && { state: s.status, hard: s.stateType === 'hard', sinceMs: s.sinceMs, ...(s.topology.verdict === 'upstream_down' ? { reason: `upstream ${s.topology.rootId} down` } : {}) };
        },
        lastIcmp: (id) => seen.lastIcmp(id),
        lastSnmp: (id) => seen.lastSnmp(id),
      };
      const metrics: MetricSources = {
        jobs: parts.jobs,
        probeResults: () => seen.probeResults(),
        sink: () => parts.sink.stats(),
        alertsByStatus: () => countBy(parts.alerting()?.store.openAlerts() ?? [], (a) => a.state),
        pointsByState: () => countBy(parts.alerting()?.engine.pointStates() ?? [], (s) => s.status),
        notifications: () => (parts.alerting()?.dispatcher.integrationStats() ?? []).map((i) => ({ channel: i.name, sent: i.sent, failed: i.failed })),
        feeds: () => parts.coverage()?.feedCounts() ?? [],
      };
      const query = influxQuery(config, log);
      const availability: AvailabilityApi | undefined =
        query && createInfluxAvailability({ inventory, query, rawRetentionMs: parseInfluxDuration(config.sink.raw_retention) ?? 30 * 86_400_000 });
      const deps: ApiDeps = {
        config,
        inventory,
        log,
        points,
        readiness: readinessChecks(parts),
        metrics,
        availability,
        get alerts() {
          return parts.alerting()?.service;
        },
        get coverage() {
          return parts.coverage();
        },
      };
      stopped = false;
      app = await buildApp(deps);
      await listen(app, deps);
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      latest?.detach();
      latest = undefined;
      const a = app;
      app = undefined;
      url = undefined;
      await a?.close();
    },
  };
}
