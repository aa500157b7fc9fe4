// The SNMP source as the daemon sees it: one scheduler job per point (each on its own interval,
// first polls spread over the interval), a concurrency limit across points, a persistent session
// per point, rates without spikes, observations and events on the bus, samples to the sink, and
// immediate re-polls on request (after a trap). A failure is reported for its point only, and
// logged when it appears, changes or clears, not every poll.
import type { Config } from '../../config/schema.js';
import { addressProblem } from '../../inventory/address.js';
import type { Inventory, Point } from '../../inventory/model.js';
import type { Sample } from '../../metrics/schema.js';
import type { ObservationBus } from '../../observations.js';
import type { Scheduler } from '../../scheduler/index.js';
import type { Logger } from '../../util/log.js';
import { DEFAULT_RATE_OPTIONS, deviceRates, type DeviceReading, type InterfaceReading, type RateOptions } from './counters.js';
import { INITIAL_SHAPE, readDevice, type DevicePlan, type DeviceShape } from './device.js';
import { pollSamples } from './metrics.js';
import { discontinuityEvents, observationOf, tally, type PollResult } from './result.js';
import { Limit } from './limit.js';
import {
  classifyError,
  openNetSnmpClient,
  sessionCredential,
  SnmpError,
  type ClientHooks,
  type ClientTarget,
  type ClientTiming,
  type SessionCredential,
  type SnmpClient,
} from './session.js';
import { DEFAULT_WALK } from './walk.js';

export type SnmpConfig = Config['snmp'];

export type OpenClient = (target: ClientTarget, credential: SessionCredential, timing: ClientTiming, hooks: ClientHooks) => SnmpClient;

export interface SnmpSourceOptions {
  /** Shortest time between the start of two polls of one point when re-polls are asked for, ms. */
  recheckMinSpacingMs: number;
  /** Longest stop() waits for polls to wind down once their sessions are closed, ms. */
  stopTimeoutMs: number;
  rates: RateOptions;
  /** Rows per interface column beyond which an agent's table is refused. */
  maxRows: number;
}

export const DEFAULT_SNMP_SOURCE: SnmpSourceOptions = {
  recheckMinSpacingMs: 2000,
  stopTimeoutMs: 3000,
  rates: DEFAULT_RATE_OPTIONS,
  maxRows: DEFAULT_WALK.maxRows,
};

export interface SnmpSourceDeps {
  snmp: SnmpConfig;
  inventory: Inventory;
  bus: ObservationBus;
  scheduler: Scheduler;
  log: Logger;
  /** Where samples go (the sink's write); absent: observations only. */
  write?: (samples: Sample[]) => void;
  /** Session factory (unit tests); default net-snmp. */
  openClient?: OpenClient;
  /** Points to poll (default: every inventory point). */
  points?: readonly Point[];
  /** Monotonic clock for rates, ms. */
  monotonicMs?: () => number;
  options?: Partial<SnmpSourceOptions>;
}

export interface SnmpSourceStats {
  points: number;
  polls: number;
  failures: Record<string, number>;
  rechecks: number;
  discontinuities: number;
  rateGlitches: number;
  /** Datagrams net-snmp could not process (malformed, hostile). */
  malformedResponses: number;
  active: number;
  waiting: number;
}

export interface SnmpSource {
  /** Names of the scheduler jobs start() adds ("snmp/<point id>"), for removal on reload. */
  readonly jobNames: readonly string[];
  /** Add one scheduler job per polled point. */
  start(): void;
  /** Poll these points now (spaced by recheckMinSpacingMs); unknown ids are ignored and returned. */
  recheck(pointIds: readonly string[]): string[];
  /** Poll one point now and resolve when done (tests, API). */
  pollNow(pointId: string): Promise<PollResult | undefined>;
  stats(): SnmpSourceStats;
  /** Stop re-polls, close every session (ending running polls, which are not reported). */
  stop(): Promise<void>;
}

interface PointState {
  point: Point;
  target: ClientTarget;
  credential: SessionCredential;
  plan: DevicePlan;
  intervalMs: number;
  client?: SnmpClient;
  shape: DeviceShape;
  prev?: DeviceReading;
  inFlight?: Promise<PollResult | undefined>;
  lastStartMs: number;
  recheckTimer?: NodeJS.Timeout;
  lastError?: string;
}

/** Compile a profile's interface filters (the loader has checked that they compile). */
export function devicePlan(profile: SnmpConfig['profiles'][string]): DevicePlan {
  const plan: DevicePlan = { scalars: profile.scalars, interfaces: profile.interfaces };
  if (profile.interface_include) plan.include = new RegExp(profile.interface_include);
  if (profile.interface_exclude) plan.exclude = new RegExp(profile.interface_exclude);
  return plan;
}

export function createSnmpSource(deps: SnmpSourceDeps): SnmpSource {
  const { snmp: cfg, inventory, bus, scheduler } = deps;
  const options = { ...DEFAULT_SNMP_SOURCE, ...deps.options };
  const log = deps.log.child({ component: 'snmp' });
  const openClient: OpenClient = deps.openClient ?? openNetSnmpClient;
  const monotonicMs = deps.monotonicMs ?? (() => performance.now());
  const limit = new Limit(cfg.concurrency);
  const timing: ClientTiming = { timeoutMs: cfg.timeout_ms, retries: cfg.retries };
  const walk = { maxRepetitions: cfg.max_repetitions, maxRows: options.maxRows };
  const stats: SnmpSourceStats = { points: 0, polls: 0, failures: {}, rechecks: 0, discontinuities: 0, rateGlitches: 0, malformedResponses: 0, active: 0, waiting: 0 };
  const hooks: ClientHooks = { onMalformed: () => stats.malformedResponses++ };
  const states = new Map<string, PointState>();
  let stopping = false;

  // Resolve each point's target, credential and profile once; a point that cannot be polled is
  // named in the log at start and left out, the others go on.
  for (const point of deps.points ?? inventory.points) {
    const credentialName = point.snmpCredential ?? cfg.default_credential;
    const credential = cfg.credentials[credentialName];
    const profile = cfg.profiles[point.snmpProfile];
    const problem = addressProblem(point.address) ?? (!credential ? `no SNMP credential named "${credentialName}"` : !profile ? `no SNMP profile named "${point.snmpProfile}"` : undefined);
    if (problem || !credential || !profile) {
      log.error({ event: 'snmp_point_skipped', point_id: point.id, unit: point.unit, problem }, `point not polled over SNMP: ${problem}`);
      continue;
    }
    const sc = sessionCredential(credential);
    states.set(point.id, {
      point,
      target: { host: point.address, port: point.snmpPort ?? cfg.port },
      credential: sc,
      plan: devicePlan(profile),
      intervalMs: (point.snmpIntervalS ?? cfg.interval_s) * 1000,
      shape: INITIAL_SHAPE,
      lastStartMs: -Infinity,
    });
  }
  stats.points = states.size;

  function closeClient(st: PointState): void {
    st.client?.close();
    delete st.client;
  }

  function report(st: PointState, r: PollResult): void {
    const where = { point_id: st.point.id, unit: st.point.unit, address: st.target.host, port: st.target.port };
    const message = r.error?.message;
    if (message !== st.lastError) {
      if (r.error) log.warn({ event: 'snmp_poll_failed', ...where, error_kind: r.error.kind, error: r.error.message }, `SNMP poll of ${st.point.id} failed: ${r.error.message}`);
      else log.info({ event: 'snmp_poll_recovered', ...where }, `SNMP poll of ${st.point.id} works again`);
      if (message === undefined) delete st.lastError;
      else st.lastError = message;
    }
    bus.emit('snmp', observationOf(r));
    for (const e of discontinuityEvents(r)) {
      log.info({ event: 'snmp_discontinuity', ...where, if_index: e.ifIndex, if_name: e.ifName, detail: e.detail }, `counter discontinuity at ${st.point.id}: ${e.detail}`);
      bus.emit('event', e);
    }
    deps.write?.(pollSamples(inventory, st.point, r));
  }

  async function pollOnce(st: PointState, signal?: AbortSignal): Promise<PollResult | undefined> {
    if (stopping || signal?.aborted) return undefined;
    const startMono = monotonicMs();
    // Samples carry the poll's start, as every round-based measurement does (docs/metrics.md).
    const startWallMs = Date.now();
    st.lastStartMs = startMono;
    let result: PollResult;
    const onAbort = () => closeClient(st);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      st.client ??= openClient(st.target, st.credential, timing, hooks);
      const snapshot = await readDevice(st.client, st.plan, st.shape, walk, monotonicMs);
      st.shape = snapshot.shape;
      const interfaces = new Map<number, InterfaceReading>();
      for (const i of snapshot.interfaces) {
        const ir: InterfaceReading = { atMs: i.atMs, name: i.name, counters: i.counters };
        if (i.speedBitsPerSecond !== undefined) ir.speedBitsPerSecond = i.speedBitsPerSecond;
        if (i.discontinuityTicks !== undefined) ir.discontinuityTicks = i.discontinuityTicks;
        if (i.agentTicks !== undefined) ir.agentTicks = i.agentTicks;
        interfaces.set(i.ifIndex, ir);
      }
      const reading: DeviceReading = { atMs: snapshot.atMs, interfaces };
      if (snapshot.uptimeTicks !== undefined) reading.uptimeTicks = snapshot.uptimeTicks;
      const rates = deviceRates(st.prev, reading, options.rates);
      st.prev = reading;
      result = { pointId: st.point.id, timeMs: startWallMs, durationMs: monotonicMs() - startMono, snapshot, rates };
      const t = tally(rates);
      stats.discontinuities += t.discontinuities;
      stats.rateGlitches += t.glitches;
    } catch (err) {
      const c = st.credential;
      const error = classifyError(err, { version: c.version, ...(c.version === '3' ? { user: c.user, level: c.level } : {}), ...timing });
      // A fresh session next time: v3 re-discovers the engine, a broken socket is replaced.
      if (error.kind !== 'timeout' && error.kind !== 'agent') closeClient(st);
      result = { pointId: st.point.id, timeMs: startWallMs, durationMs: monotonicMs() - startMono, error };
      stats.failures[error.kind] = (stats.failures[error.kind] ?? 0) + 1;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    stats.polls++;
    if (stopping || signal?.aborted) return undefined; // a poll cut short by stop() is not a finding
    report(st, result);
    return result;
  }

  function poll(st: PointState, signal?: AbortSignal): Promise<PollResult | undefined> {
    // A re-poll and a scheduled poll of one point never overlap: the later one joins the running one.
    st.inFlight ??= limit.run(() => pollOnce(st, signal)).finally(() => delete st.inFlight);
    return st.inFlight;
  }

  function scheduleRecheck(st: PointState): void {
    if (st.recheckTimer || stopping) return;
    const waitMs = Math.max(0, st.lastStartMs + options.recheckMinSpacingMs - monotonicMs());
    st.recheckTimer = setTimeout(() => {
      delete st.recheckTimer;
      if (stopping) return;
      // Still polling (a trap arrived mid-poll, which may have read the old state): go again after.
      if (st.inFlight) {
        st.inFlight.then(() => scheduleRecheck(st), () => scheduleRecheck(st));
        return;
      }
      stats.rechecks++;
      poll(st).catch((err: unknown) => log.error({ event: 'snmp_recheck_failed', point_id: st.point.id, err }, 'SNMP re-poll failed'));
    }, waitMs);
  }

  const jobName = (st: PointState) => `snmp/${st.point.id}`;
  return {
    jobNames: [...states.values()].map(jobName),
    start() {
      for (const st of states.values()) {
        // Jitter over the whole interval: 5,000 points at 60 s become ~83 polls a second, not a burst.
        scheduler.add({ name: jobName(st), intervalMs: st.intervalMs, startJitterMs: st.intervalMs, run: ({ signal }) => poll(st, signal).then(() => undefined) });
      }
      log.info({ event: 'snmp_started', points: states.size, concurrency: cfg.concurrency, timeout_ms: cfg.timeout_ms, retries: cfg.retries, max_repetitions: cfg.max_repetitions }, 'SNMP polling started');
    },
    recheck(pointIds) {
      const unknown: string[] = [];
      for (const id of pointIds) {
        const st = states.get(id);
        if (st) scheduleRecheck(st);
        else unknown.push(id);
      }
      return unknown;
    },
    pollNow(pointId) {
      const st = states.get(pointId);
      return st ? poll(st) : Promise.resolve(undefined);
    },
    stats() {
      return { ...stats, failures: { ...stats.failures }, active: limit.active, waiting: limit.waiting };
    },
    async stop() {
      stopping = true;
      for (const st of states.values()) clearTimeout(st.recheckTimer);
      // A poll cut short is no finding (it is not reported): closing the sessions ends polls that
      // wait on dead agents now, instead of after their timeouts and retries.
      const running = [...states.values()].map((st) => st.inFlight).filter((p) => p !== undefined);
      for (const st of states.values()) closeClient(st);
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise((resolve) => (timer = setTimeout(resolve, options.stopTimeoutMs)));
      await Promise.race([Promise.allSettled(running), cap]);
      clearTimeout(timer);
    },
  };
}

export { SnmpError };
