// The daemon's wiring: the only module that imports across branches of the data flow.
// Start order: sinks → alerts → feeds → probes → api; stop in reverse, then a final flush,
// within a capped time. Signals are handled in main.ts / cli/run.ts, not here.
//
// How to add a part (SNMP, alerts, coverage, API): create it in createDaemon from `config`,
// `inventory`, `log.child(...)`, the shared `bus` and `scheduler`; subscribe consumers to the bus;
// and put one entry in `components` at its place in the start order. Sources emit observations on
// the bus and never talk to the sink; the bus listeners below turn observations into samples.
import type { ConfigChanges } from './config/diff.js';
import type { Config } from './config/schema.js';
import type { Inventory } from './inventory/model.js';
import type { Sample } from './metrics/schema.js';
import { ObservationBus } from './observations.js';
import type { Pinger } from './probes/icmp/index.js';
import { icmpSamples } from './probes/icmp/metrics.js';
import { createIcmpSource, type IcmpSource } from './probes/icmp/source.js';
import { createSnmpProbe, eventSample, type SnmpProbe } from './probes/snmp/index.js';
import { Scheduler } from './scheduler/index.js';
import { inventoryInfoSamples, DEFAULT_INVENTORY_INFO_INTERVAL_MS } from './metrics/inventory-info.js';
import { DEFAULT_POINT_STATE_INTERVAL_MS, pointStateSamples } from './metrics/point-state.js';
import { startPeriodicWriter, startSelfMetrics, type PeriodicWriter } from './metrics/self.js';
import { createSink } from './sink/index.js';
import { createAlerting, type Alerting } from './alerts/index.js';
import { createApiServer } from './api/wiring.js';
import { CoverageService } from './coverage/service.js';
import type { MetricSink } from './sink/types.js';
import type { Logger } from './util/log.js';

export interface DaemonDeps {
  config: Config;
  inventory: Inventory;
  log: Logger;
  /** Parts a test may supply; each defaults to the real one built from `config`. */
  bus?: ObservationBus;
  sink?: MetricSink;
  scheduler?: Scheduler;
  pinger?: Pinger;
}

export interface Daemon {
  /** Resolves when every component has started. */
  start(): Promise<void>;
  /** Stops sources, then flushes sinks; resolves when done (callers cap the time). */
  stop(reason: string): Promise<void>;
  /**
   * SIGHUP: apply a new config and inventory (already validated) without dropping spooled data,
   * alert state or the API listener. Keys in `changes.restartRequired` keep their old values.
   */
  reload(next: DaemonReload): Promise<void>;
  /** False when wedged (e.g. no probe round has finished lately): the systemd watchdog then goes unpinged. */
  healthy(): boolean;
}

export interface DaemonReload {
  config: Config;
  inventory: Inventory;
  changes: ConfigChanges;
}

/** A part with a lifetime. Started in list order, stopped in reverse. */
interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<unknown> | unknown;
}

/** A job whose last round started longer ago than this (× its interval, + slack) is wedged. */
const WEDGED_INTERVALS = 3;
const WEDGED_SLACK_MS = 30_000;

export function createDaemon(deps: DaemonDeps): Daemon {
  const { log } = deps;
  let { config, inventory } = deps;
  const bus = deps.bus ?? new ObservationBus();
  const scheduler = deps.scheduler ?? new Scheduler(log.child({ component: 'scheduler' }));
  const sink = deps.sink ?? createSink(config, log);
  let startedAtMs = 0;

  // ---- consumers: observations → samples → sink. write() never waits on InfluxDB (the spool
  // takes the batch), so an unreachable InfluxDB never slows a probe down.
  const writeSamples = (what: string, samples: readonly Sample[]) => {
    try {
      sink.write(samples);
    } catch (err) {
      // Only a programming error (unknown field) or a write after stop gets here; the round
      // itself must not fail for it.
      log.error({ event: 'sink_write_failed', what, err }, 'samples could not be handed to the sink');
    }
  };
  bus.on('icmp', (observations) => writeSamples('ping', icmpSamples(inventory, observations)));

  // ---- alerts: the engine subscribes to 'icmp', 'snmp', 'event' and 'dead_zone' itself and asks
  // for 'recheck's. Created at start (it opens the SQLite store under state_dir); `alerting.service`
  // is what the API calls.
  let alerting: Alerting | undefined;
  const alertsComponent: Component = {
    name: 'alerts',
    start() {
      if (!config.alerts.enabled) return;
      alerting = createAlerting({ config, inventory, log, sink, bus });
      alerting.start();
    },
    async stop() {
      const a = alerting;
      alerting = undefined;
      await a?.stop();
    },
  };

  // ---- coverage: feeds on their cron schedules → the model; dead-zone changes go out on the bus
  // (alerting turns them into alerts), figures to the sink. The API reads it through a getter.
  let coverage: CoverageService | undefined;
  const coverageComponent: Component = {
    name: 'coverage',
    async start() {
      coverage = new CoverageService({ config, inventory, log, bus, sink });
      await coverage.start();
    },
    async stop() {
      const c = coverage;
      coverage = undefined;
      await c?.stop();
    },
  };

  // ---- sources
  const makeIcmp = (): IcmpSource | undefined =>
    config.icmp.enabled ? createIcmpSource({ icmp: config.icmp, inventory, bus, scheduler, log, ...(deps.pinger ? { pinger: deps.pinger } : {}) }) : undefined;
  let icmp = makeIcmp();
  // SNMP: interval polls of every point and the trap listener. Its samples carry raw counters the
  // 'snmp' observation does not, so the probe hands them to writeSamples itself; a link or reboot
  // trap re-polls its point there and asks the other probes through 'recheck'.
  const makeSnmp = (): SnmpProbe =>
    createSnmpProbe({ config, inventory, bus, scheduler, log, write: (samples) => writeSamples('snmp', samples) });
  let snmp = makeSnmp();
  // Point events (traps, counter discontinuities, …) → the `events` measurement.
  bus.on('event', (e) => {
    const sample = eventSample(inventory, e);
    if (sample) writeSamples('events', [sample]);
  });
  // Traps (and alerts) ask for an immediate look at some points.
  bus.on('recheck', (pointIds) => {
    icmp?.recheck(pointIds).catch((err: unknown) => log.warn({ event: 'recheck_failed', point_ids: pointIds, err }, 'ICMP recheck failed'));
  });

  // ---- netcov's own figures and the inventory facts, for Grafana (dashboards read them from
  // InfluxDB). Started right after the sink, stopped right before it, with a last sample.
  let periodic: PeriodicWriter[] = [];
  const selfMetrics: Component = {
    name: 'self_metrics',
    start() {
      const selfLog = log.child({ component: 'self_metrics' });
      periodic = [
        startSelfMetrics(
          sink,
          {
            sink: () => sink.stats(),
            jobs: () => scheduler.stats(),
            receivers: () => alerting?.dispatcher.integrationStats() ?? [],
            // `snmp` is rebuilt on reload: read the current one at each tick.
            snmp: () => snmp.source?.stats(),
            traps: () => snmp.traps?.stats(),
          },
          selfLog,
        ),
        startPeriodicWriter(sink, () => inventoryInfoSamples(inventory, Date.now()), { name: 'inventory_info', intervalMs: DEFAULT_INVENTORY_INFO_INTERVAL_MS, writeAtStart: true }, selfLog),
        // point_status has a row per change only; maps and state counts need every point's status now.
        startPeriodicWriter(sink, () => pointStateSamples(inventory, alerting?.engine.pointStates() ?? [], Date.now()), { name: 'point_state', intervalMs: DEFAULT_POINT_STATE_INTERVAL_MS, writeAtStart: false }, selfLog),
      ];
    },
    stop() {
      // The last self-figures (final counters) go out with the sink's final flush.
      periodic[0]?.writeNow();
      for (const w of periodic) w.stop();
      periodic = [];
    },
  };

  // ---- HTTP API: reads views of everything above; alerting is reached through a getter (it is
  // recreated on reload), so the routes always call the live service.
  const api = createApiServer({
    get config() {
      return config;
    },
    get inventory() {
      return inventory;
    },
    log,
    bus,
    sink,
    jobs: () => scheduler.stats(),
    alerting: () => alerting,
    coverage: () => coverage,
    startedAtMs: () => startedAtMs,
  });
  const apiComponent: Component = { name: 'api', start: () => api.start(), stop: () => api.stop() };

  const components: Component[] = [
    { name: 'sink', start: () => sink.start(), stop: () => sink.stop() },
    selfMetrics,
    // After the sink (transitions go to it), before the sources (no observation is missed).
    alertsComponent,
    // Coverage feeds: after the sink and alerting (dead zones page), before the sources.
    coverageComponent,
    { name: 'icmp', start: () => icmp?.start(), stop: () => icmp?.stop() },
    // The scheduler runs the probes' rounds: started after them, stopped before them.
    { name: 'scheduler', start: () => scheduler.start(), stop: () => scheduler.stop() },
    // SNMP adds its (jittered) jobs to the running scheduler and stops before it: stopping closes
    // its sessions, which ends polls waiting on dead agents at once (a poll is 2 s × 3 attempts
    // per request; the scheduler would wait 4 s for them, then abort them one log line each).
    { name: 'snmp', start: () => snmp.start(), stop: () => snmp.stop() },
    // api last: it serves views of everything above.
    apiComponent,
  ];
  const started: Component[] = [];

  async function stopStarted(): Promise<void> {
    for (const c of [...started].reverse()) {
      const t0 = Date.now();
      try {
        const left = await c.stop();
        log.info({ event: 'component_stopped', component: c.name, duration_ms: Date.now() - t0, ...(Array.isArray(left) && left.length ? { still_running: left } : {}) }, `${c.name} stopped`);
      } catch (err) {
        log.error({ event: 'component_stop_failed', component: c.name, err }, `${c.name} did not stop cleanly`);
      }
    }
    started.length = 0;
  }

  return {
    async start() {
      startedAtMs = Date.now();
      for (const c of components) {
        try {
          await c.start();
        } catch (err) {
          log.error({ event: 'component_start_failed', component: c.name, err }, `${c.name} could not start: ${(err as Error).message}`);
          await stopStarted();
          throw err;
        }
        started.push(c);
      }
      log.info({ event: 'daemon_started', points: inventory.points.length, units: inventory.units.size, villages: inventory.villages.length }, 'netcov started');
    },
    async stop(reason) {
      log.info({ event: 'daemon_stopping', reason }, 'netcov stopping');
      await stopStarted();
      log.info({ event: 'daemon_stopped', reason }, 'netcov stopped');
    },
    async reload(next) {
      const icmpChanged = next.changes.changed.some((k) => k.startsWith('icmp.')) || next.inventory !== inventory;
      const snmpChanged = next.changes.changed.some((k) => k.startsWith('snmp.')) || next.inventory !== inventory;
      const alertsChanged = next.inventory !== inventory || next.changes.changed.some((k) => /^(alerts|notify|api|icmp)\.|^(timezone|language|state_dir)$/.test(k));
      const coverageChanged = next.inventory !== inventory || next.changes.changed.some((k) => /^coverage\.|^(timezone|state_dir)$/.test(k));
      const apiChanged = next.inventory !== inventory || next.changes.changed.some((k) => /^(api\.|timezone$|language$|sink\.)/.test(k));
      config = next.config;
      inventory = next.inventory;
      if (alertsChanged && started.includes(alertsComponent)) {
        // Open alerts, acks and queued deliveries are in the store: a restart of the engine with
        // the new settings picks them up where the old one left them.
        await alertsComponent.stop();
        await alertsComponent.start();
      }
      if (coverageChanged && started.includes(coverageComponent)) {
        // Feeds are read again at start (dead-zone since-times are kept in its state dir).
        await coverageComponent.stop();
        await coverageComponent.start();
      }
      if (apiChanged && started.includes(apiComponent)) {
        // The app is built around one config and inventory: rebuild it (the port is free again at once).
        await apiComponent.stop();
        await apiComponent.start();
      }
      if (icmpChanged && started.some((c) => c.name === 'icmp')) {
        // New points and settings take effect from the next round: the old groups finish their
        // running round, then the new ones start (jittered, as at start).
        const old = icmp;
        if (old) {
          await Promise.all(old.jobNames.map((n) => scheduler.remove(n)));
          await old.stop();
        }
        icmp = makeIcmp();
        icmp?.start();
      }
      if (snmpChanged && started.some((c) => c.name === 'snmp')) {
        // Sessions, schedules and the trap socket follow the new settings; counter baselines
        // start afresh (the first poll of each point after a reload has no rates).
        const old = snmp;
        await Promise.all(old.jobNames.map((n) => scheduler.remove(n)));
        await old.stop();
        snmp = makeSnmp();
        await snmp.start();
      }
      log.info({ event: 'daemon_reloaded', points: inventory.points.length, changed: next.changes.changed.length }, 'netcov reloaded');
    },
    healthy() {
      const now = Date.now();
      return scheduler.stats().every((j) => now - Math.max(j.lastStartMs, startedAtMs) < WEDGED_INTERVALS * j.intervalMs + WEDGED_SLACK_MS);
    },
  };
}
