// Prometheus exposition for GET /metrics: the components' own stats functions are read at scrape
// time (collect callbacks), so nothing is counted twice and a scrape always shows current figures.
// A stats function that throws costs its own metrics for that scrape, never the whole page.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import type { SinkStats } from '../sink/types.js';
import type { FeedCount } from '../coverage/service.js';

/** One scheduled job's figures (the scheduler's JobStats satisfy this). */
export interface JobFigures {
  name: string;
  rounds: number;
  failures: number;
  overruns: number;
  missedTicks?: number;
  lastDurationMs: number;
  totalDurationMs: number;
}

export interface ProbeResultCount {
  probe: string;
  /** ok, loss, down, error … */
  result: string;
  count: number;
}

export interface NotificationCount {
  channel: string;
  sent: number;
  failed: number;
}


/** Stats functions of the components; each is optional until its component is wired. */
export interface MetricSources {
  jobs?: () => readonly JobFigures[];
  probeResults?: () => readonly ProbeResultCount[];
  sink?: () => SinkStats;
  /** Open alerts by lifecycle status (firing, acknowledged). */
  alertsByStatus?: () => Readonly<Record<string, number>>;
  /** Points by current state (UP, DOWN …). */
  pointsByState?: () => Readonly<Record<string, number>>;
  notifications?: () => readonly NotificationCount[];
  feeds?: () => readonly FeedCount[];
}

type Labelled = readonly [LabelValues<string>, number];

export interface ApiMetrics {
  registry: Registry;
  /** Records one answered HTTP request (called by the app's onResponse hook). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

/** Builds a private registry (never the global one: two apps in one test process must not clash). */
export function createApiMetrics(sources: MetricSources, onCollectError: (source: string, err: unknown) => void = () => {}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const collectErrors = new Counter({ name: 'netcov_metrics_collect_errors_total', help: 'Stats functions that threw during a scrape, by source.', labelNames: ['source'], registers: [registry] });

  /** Reads a source safely: its failure empties its metrics for this scrape and is counted. */
  const read = <T>(name: string, fn: (() => T) | undefined): T | undefined => {
    if (!fn) return undefined;
    try {
      return fn();
    } catch (err) {
      collectErrors.inc({ source: name });
      onCollectError(name, err);
      return undefined;
    }
  };

  const counter = (name: string, help: string, labelNames: string[], values: () => Iterable<Labelled>) =>
    new Counter({
      name, help, labelNames, registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of values()) if (Number.isFinite(v) && v >= 0) this.inc(labels, v);
      },
    });
  const gauge = (name: string, help: string, labelNames: string[], values: () => Iterable<Labelled>) =>
    new Gauge({
      name, help, labelNames, registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of values()) if (Number.isFinite(v)) this.set(labels, v);
      },
    });

  // Scheduler rounds.
  const jobs = () => read('jobs', sources.jobs) ?? [];
  counter('netcov_rounds_total', 'Completed rounds per job.', ['job'], () => jobs().map((j) => [{ job: j.name }, j.rounds] as const));
  counter('netcov_round_failures_total', 'Rounds that failed per job.', ['job'], () => jobs().map((j) => [{ job: j.name }, j.failures] as const));
  counter('netcov_round_overruns_total', 'Ticks skipped because the previous round was still running.', ['job'], () => jobs().map((j) => [{ job: j.name }, j.overruns] as const));
  counter('netcov_round_missed_ticks_total', 'Ticks skipped because the process was stalled.', ['job'], () => jobs().map((j) => [{ job: j.name }, j.missedTicks ?? 0] as const));
  gauge('netcov_round_last_duration_seconds', 'Duration of the last round per job.', ['job'], () => jobs().map((j) => [{ job: j.name }, j.lastDurationMs / 1000] as const));
  counter('netcov_round_duration_seconds_total', 'Sum of round durations per job (rate over rounds_total: mean duration).', ['job'], () =>
    jobs().map((j) => [{ job: j.name }, j.totalDurationMs / 1000] as const),
  );

  // Probe results.
  counter('netcov_probe_results_total', 'Probe results by probe and outcome.', ['probe', 'result'], () =>
    (read('probeResults', sources.probeResults) ?? []).map((r) => [{ probe: r.probe, result: r.result }, r.count] as const),
  );

  // Sink and spool.
  const sink = () => read('sink', sources.sink);
  const sinkCounter = (name: string, help: string, pick: (s: SinkStats) => number) =>
    counter(name, help, [], () => {
      const s = sink();
      return s ? [[{}, pick(s)] as const] : [];
    });
  const sinkGauge = (name: string, help: string, pick: (s: SinkStats) => number) =>
    gauge(name, help, [], () => {
      const s = sink();
      return s ? [[{}, pick(s)] as const] : [];
    });
  sinkCounter('netcov_sink_points_accepted_total', 'Points accepted by the sink.', (s) => s.pointsAccepted);
  sinkCounter('netcov_sink_points_written_total', 'Points written to InfluxDB.', (s) => s.pointsWritten);
  sinkCounter('netcov_sink_points_retried_total', 'Points whose write was retried.', (s) => s.pointsRetried);
  sinkCounter('netcov_sink_points_dropped_total', 'Points dropped (spool full, rejected by InfluxDB).', (s) => s.pointsDropped);
  sinkCounter('netcov_sink_write_errors_total', 'Failed writes to InfluxDB.', (s) => s.writeErrors);
  sinkGauge('netcov_spool_bytes', 'Bytes waiting in the durable spool.', (s) => s.spoolBytes);
  sinkGauge('netcov_spool_segments', 'Segment files in the spool.', (s) => s.spoolSegments);
  sinkGauge('netcov_spool_oldest_age_seconds', 'Age of the oldest point waiting in the spool (0 when empty).', (s) => s.oldestSpooledAgeMs / 1000);
  gauge('netcov_sink_state', '1 for the sink\'s current state (writing, spooling, idle).', ['state'], () => {
    const s = sink();
    return s ? (['writing', 'spooling', 'idle'] as const).map((st) => [{ state: st }, s.state === st ? 1 : 0] as const) : [];
  });

  // Alerts, point states, notifications.
  const record = (name: string, fn: (() => Readonly<Record<string, number>>) | undefined, label: string) => () =>
    Object.entries(read(name, fn) ?? {}).map(([k, v]) => [{ [label]: k }, v] as const);
  gauge('netcov_alerts', 'Open alerts by status.', ['status'], record('alertsByStatus', sources.alertsByStatus, 'status'));
  gauge('netcov_points', 'Points by current state.', ['state'], record('pointsByState', sources.pointsByState, 'state'));
  const notes = () => read('notifications', sources.notifications) ?? [];
  counter('netcov_notifications_sent_total', 'Notifications delivered, by channel.', ['channel'], () => notes().map((n) => [{ channel: n.channel }, n.sent] as const));
  counter('netcov_notifications_failed_total', 'Notifications that failed for good, by channel.', ['channel'], () => notes().map((n) => [{ channel: n.channel }, n.failed] as const));

  // Coverage feeds.
  const feeds = () => read('feeds', sources.feeds) ?? [];
  counter('netcov_feed_ingestions_total', 'Feed ingestions (file, URL or API push), by feed.', ['feed'], () => feeds().map((f) => [{ feed: f.feed }, f.ingestions] as const));
  counter('netcov_feed_ingestions_failed_total', 'Feed ingestions refused as a whole, by feed.', ['feed'], () => feeds().map((f) => [{ feed: f.feed }, f.failed] as const));
  counter('netcov_feed_rows_total', 'Feed rows by outcome (accepted, rejected).', ['feed', 'outcome'], () =>
    feeds().flatMap((f) => [[{ feed: f.feed, outcome: 'accepted' }, f.rowsAccepted] as const, [{ feed: f.feed, outcome: 'rejected' }, f.rowsRejected] as const]),
  );

  // The API itself.
  const requests = new Counter({ name: 'netcov_http_requests_total', help: 'HTTP requests answered, by method, route and status code.', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
  const durations = new Histogram({
    name: 'netcov_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });

  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      requests.inc({ method, route, status_code: String(statusCode) });
      durations.observe({ route }, seconds);
    },
  };
}
