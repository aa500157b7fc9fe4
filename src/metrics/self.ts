// netcov's self-figures into InfluxDB: turns the in-memory stats of the process, the sink, the
// scheduler jobs and the notification receivers into `netcov` samples, and writes them (and any
// other periodic samples, such as the inventory info) through the MetricSink every N seconds.
import { hostname } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { JobStats } from '../scheduler/index.js';
import type { MetricSink, SinkStats } from '../sink/types.js';
import type { Logger } from '../util/log.js';
import { NETCOV, type Sample } from './schema.js';

/** Delivery figures of one notification receiver (cumulative since start). */
export interface ReceiverStats {
  name: string;
  sent: number;
  failed: number;
}

export interface ProcessFigures {
  uptimeS: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** 99th percentile event-loop delay since the last sample; absent before the monitor has data. */
  eventLoopDelayMs?: number;
}

/** The SNMP poller's cumulative figures (the shape of its stats(); kept here so metrics need no probe import). */
export interface SnmpPollFigures {
  polls: number;
  /** Failed polls by kind (timeout, auth, agent …). */
  failures: Record<string, number>;
  discontinuities: number;
  rateGlitches: number;
  malformedResponses: number;
}

/** The trap listener's cumulative figures. */
export interface TrapFigures {
  datagrams: number;
  received: number;
  unknownSources: number;
  /** Refused datagrams by reason. */
  rejected: Record<string, number>;
}

/** Everything one self-metrics sample describes; absent parts are simply not written. */
export interface SelfFigures {
  process: ProcessFigures;
  sink?: SinkStats;
  jobs?: readonly JobStats[];
  receivers?: readonly ReceiverStats[];
  snmp?: SnmpPollFigures;
  traps?: TrapFigures;
}

/** Stat getters the daemon hands over; each is called once per interval (undefined: part not running). */
export interface SelfStatsSources {
  sink?: () => SinkStats;
  jobs?: () => readonly JobStats[];
  receivers?: () => readonly ReceiverStats[];
  snmp?: () => SnmpPollFigures | undefined;
  traps?: () => TrapFigures | undefined;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

type NetcovField = keyof typeof NETCOV.fields;
type NetcovFields = Partial<Record<NetcovField, number | string>>;

/** The `netcov` samples of one set of figures (pure). */
export function selfSamples(figures: SelfFigures, host: string, timeMs: number): Sample[] {
  const sample = (component: string, name: string, fields: NetcovFields): Sample => ({ measurement: NETCOV.name, tags: { component, name, host }, fields, timeMs });
  const p = figures.process;
  const out: Sample[] = [
    sample('process', '', { uptime_s: p.uptimeS, rss_bytes: p.rssBytes, heap_used_bytes: p.heapUsedBytes, ...(p.eventLoopDelayMs === undefined ? {} : { event_loop_delay_ms: p.eventLoopDelayMs }) }),
  ];
  const s = figures.sink;
  if (s) {
    out.push(sample('sink', '', {
      points_accepted: s.pointsAccepted,
      points_written: s.pointsWritten,
      points_retried: s.pointsRetried,
      points_dropped: s.pointsDropped,
      write_errors: s.writeErrors,
      spool_points: s.spoolPoints,
      spool_bytes: s.spoolBytes,
      spool_segments: s.spoolSegments,
      oldest_spooled_age_ms: Math.round(s.oldestSpooledAgeMs),
      sink_state: s.state,
    }));
  }
  for (const j of figures.jobs ?? []) {
    out.push(sample('scheduler', j.name, {
      rounds: j.rounds,
      failures: j.failures,
      overruns: j.overruns,
      missed_ticks: j.missedTicks,
      aborted: j.aborted,
      last_duration_ms: j.lastDurationMs,
      max_duration_ms: j.maxDurationMs,
      interval_ms: Math.round(j.intervalMs),
    }));
  }
  for (const r of figures.receivers ?? []) {
    out.push(sample('notify', r.name, { notifications_sent: r.sent, notifications_failed: r.failed }));
  }
  const snmp = figures.snmp;
  if (snmp) {
    out.push(sample('snmp', '', {
      polls: snmp.polls,
      poll_failures: sum(snmp.failures),
      discontinuities: snmp.discontinuities,
      rate_glitches: snmp.rateGlitches,
      malformed_responses: snmp.malformedResponses,
    }));
  }
  const traps = figures.traps;
  if (traps) {
    out.push(sample('snmp_traps', '', {
      trap_datagrams: traps.datagrams,
      traps_received: traps.received,
      traps_unknown_source: traps.unknownSources,
      traps_rejected: sum(traps.rejected),
    }));
  }
  return out;
}

export interface PeriodicWriterOptions {
  /** Used in log events ("self_metrics", "inventory_info"). */
  name: string;
  intervalMs: number;
  /** Write once at start as well (the inventory info must be there before the first interval). */
  writeAtStart: boolean;
}

export interface PeriodicWriter {
  /** Write one batch now (also what each tick does). */
  writeNow(): void;
  stop(): void;
}

/**
 * Every `intervalMs`, write `produce()` through the sink. A throwing producer or sink (a
 * programming error: the sink never blocks or throws on the network) is logged and the next tick
 * tries again: self-metrics must never take the daemon down. The timer does not hold the process open.
 */
export function startPeriodicWriter(sink: MetricSink, produce: () => readonly Sample[], opts: PeriodicWriterOptions, log: Logger): PeriodicWriter {
  const writeNow = (): void => {
    try {
      const samples = produce();
      if (samples.length > 0) sink.write(samples);
    } catch (err) {
      log.error({ event: `${opts.name}_write_failed`, err }, `${opts.name}: could not write`);
    }
  };
  const timer = setInterval(writeNow, opts.intervalMs);
  timer.unref();
  if (opts.writeAtStart) writeNow();
  return { writeNow, stop: () => clearInterval(timer) };
}

export interface SelfMetricsOptions {
  intervalMs: number;
  host: string;
}

export const DEFAULT_SELF_METRICS: SelfMetricsOptions = {
  // Often enough to see a spool grow minute by minute; 6 series × 8,640 a day is nothing for InfluxDB.
  intervalMs: 10_000,
  host: hostname(),
};

/** Collects process figures (with an event-loop delay monitor) and the sources' stats each interval. */
export function startSelfMetrics(sink: MetricSink, sources: SelfStatsSources, log: Logger, options: Partial<SelfMetricsOptions> = {}): PeriodicWriter {
  const opts = { ...DEFAULT_SELF_METRICS, ...options };
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const produce = (): Sample[] => {
    const mem = process.memoryUsage();
    // The histogram is empty (NaN/0 percentiles) until the loop has turned a few times.
    const p99Ns = delay.count > 0 ? delay.percentile(99) : Number.NaN;
    delay.reset();
    const figures: SelfFigures = {
      process: { uptimeS: process.uptime(), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, ...(Number.isFinite(p99Ns) ? { eventLoopDelayMs: p99Ns / 1e6 } : {}) },
      ...(sources.sink ? { sink: sources.sink() } : {}),
      ...(sources.jobs ? { jobs: sources.jobs() } : {}),
      ...(sources.receivers ? { receivers: sources.receivers() } : {}),
    };
    const snmp = sources.snmp?.();
    const traps = sources.traps?.();
    if (snmp) figures.snmp = snmp;
    if (traps) figures.traps = traps;
    return selfSamples(figures, opts.host, Date.now());
  };
  const writer = startPeriodicWriter(sink, produce, { name: 'self_metrics', intervalMs: opts.intervalMs, writeAtStart: false }, log);
  return {
    writeNow: writer.writeNow,
    stop() {
      writer.stop();
      delay.disable();
    },
  };
}
