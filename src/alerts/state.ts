// The point state machine: a pure function of the previous state, one input and `now`.
// No I/O, no clock, no inventory: the engine resolves thresholds per point kind and runs the
// topology pass (rootcause.ts) itself, then feeds its verdict back in as an input.
import type { IcmpObservation, PointEvent, SnmpObservation } from '../observations.js';
import { emptyFlapState, recordFlapResult, type FlapOptions, DEFAULT_FLAP_OPTIONS } from './flapping.js';
import type { InterfaceState, PointState, PointStatus, RoundSummary, StateType, TopologyVerdict } from './types.js';

export interface DegradedThresholds {
  /** Enter DEGRADED at this loss over the window (rounds with no reply at all are DOWN's business, not counted). */
  lossPct: number;
  /** Leave DEGRADED only below this loss (hysteresis). */
  lossClearPct: number;
  /** Enter DEGRADED when the median of the rounds' median RTTs is above this. */
  rttMs: number;
  /** Leave DEGRADED only at or below this RTT. */
  rttClearMs: number;
}

export interface StateOptions {
  /** Consecutive failed rounds before DOWN turns hard (Nagios max_check_attempts). */
  downAfterRounds: number;
  /** Rounds (with replies) DEGRADED is judged over, and the fewest needed to judge at all. */
  degradedWindowRounds: number;
  degradedMinRounds: number;
  degraded: DegradedThresholds;
  flap: FlapOptions;
  /** Interfaces whose ifName or ifAlias matches are uplinks; undefined: none. */
  uplinkPattern?: RegExp;
  /** Interface errors (in + out) per second counted as "above". */
  errorRatePerS: number;
  /** Interface utilisation (max of in, out) counted as "above". */
  utilizationPct: number;
}

export const DEFAULT_STATE_OPTIONS: StateOptions = {
  downAfterRounds: 3,
  degradedWindowRounds: 12,
  degradedMinRounds: 3,
  degraded: { lossPct: 20, lossClearPct: 10, rttMs: 150, rttClearMs: 120 },
  flap: DEFAULT_FLAP_OPTIONS,
  uplinkPattern: /uplink|wan/i,
  errorRatePerS: 1,
  utilizationPct: 90,
};

export type StepInput =
  | { kind: 'icmp'; observation: IcmpObservation }
  | { kind: 'snmp'; observation: SnmpObservation }
  /** A link_down / link_up event (trap) for one interface. */
  | { kind: 'link'; event: PointEvent }
  | { kind: 'topology'; topology: TopologyVerdict }
  | { kind: 'maintenance'; active: boolean };

export interface StatusChanged {
  type: 'status_changed';
  pointId: string;
  from: PointStatus;
  to: PointStatus;
  fromType: StateType;
  toType: StateType;
  timeMs: number;
}

export type StepEvent = StatusChanged;

export interface StepResult {
  next: PointState;
  events: StepEvent[];
}

export function initialPointState(pointId: string, nowMs: number): PointState {
  return {
    pointId,
    status: 'UNKNOWN',
    stateType: 'hard',
    sinceMs: nowMs,
    reach: 'UNKNOWN',
    failedRounds: 0,
    recent: [],
    degraded: false,
    flap: emptyFlapState(),
    topology: { verdict: 'none' },
    maintenance: false,
    interfaces: {},
  };
}

/*
 * Transition table. Two layers: the point's own reach from ICMP, then the shown status.
 *
 * Own reach (one ICMP round; "fail" = no reply at all, N = downAfterRounds):
 *   prev reach        round   next reach   failedRounds   note
 *   UNKNOWN           ok      UP           0
 *   UNKNOWN / UP      fail    DOWN         1              soft; failingSince = round time
 *   DOWN (n)          fail    DOWN         n+1            hard-eligible when n+1 ≥ N
 *   DOWN (n < N)      ok      UP           0              soft recovery: never paged
 *   DOWN (n ≥ N)      ok      UP           0              recovery; recoveredAt = round time; this
 *                                                            round stays out of the DEGRADED window
 *   UP                ok      UP           0              DEGRADED re-judged over the window
 *   Every round also records ok/fail in the flap history (FLAPPING on at ≥ high %, off below low %).
 *
 * Topology verdict (from rootcause.ts after each round):
 *   upstream_down (root R)                  → cut off: shown UNREACHABLE, never paged
 *   upstream_unknown (upstream not checked) → hold: shown DOWN soft even when hard-eligible
 *   upstream_ok                             → the fault is here: DOWN hard once hard-eligible
 *   upstream_down → anything else           → failedRounds := 0, failingSince := now:
 *     a dependant needs N fresh failures after its upstream recovers (no recovery storm)
 *
 * Shown status, first rule that applies:
 *   maintenance                 → MAINTENANCE  hard
 *   flapping                    → FLAPPING     hard
 *   reach DOWN, upstream_down   → UNREACHABLE  hard if hard-eligible, else soft
 *   reach DOWN                  → DOWN         hard if hard-eligible and upstream_ok, else soft
 *   reach UP, degraded          → DEGRADED     hard
 *   reach UP                    → UP           hard
 *   reach UNKNOWN               → UNKNOWN      hard
 *
 * DEGRADED (over the last window of rounds that got a reply, at least min rounds):
 *   enter when loss ≥ lossPct or median RTT > rttMs; leave when loss < lossClearPct and RTT ≤ rttClearMs.
 *   The first round after a hard DOWN is left out: the link came back during it, so its lost echoes
 *   belong to the outage. Counted, it could page DEGRADED right after the recovery notice (seen after a
 *   restart, when the window held only that round and two more).
 *
 * Interfaces (SNMP polls and link traps; each result also feeds that interface's flap history):
 *   admin up, oper not up       → operDownSince := first time seen so (uplinks alert after a hold time)
 *   errors/s > errorRatePerS    → errorsAboveSince; utilisation > utilizationPct → utilizationAboveSince
 *   a failed poll changes nothing (the point's reachability is ICMP's job).
 */
export function step(prev: PointState, input: StepInput, nowMs: number, opts: StateOptions = DEFAULT_STATE_OPTIONS): StepResult {
  let next: PointState;
  switch (input.kind) {
    case 'icmp':
      next = applyIcmp(prev, input.observation, nowMs, opts);
      break;
    case 'snmp':
      next = input.observation.ok ? applySnmp(prev, input.observation, opts) : prev;
      break;
    case 'link':
      next = applyLinkEvent(prev, input.event, opts);
      break;
    case 'topology':
      next = applyTopology(prev, input.topology, nowMs);
      break;
    case 'maintenance':
      next = prev.maintenance === input.active ? prev : { ...prev, maintenance: input.active };
      break;
  }
  return withStatus(prev, next, nowMs, opts);
}

function applyIcmp(prev: PointState, obs: IcmpObservation, nowMs: number, opts: StateOptions): PointState {
  const failed = obs.received === 0;
  const flap = recordFlapResult(prev.flap, failed ? 1 : 0, opts.flap);
  if (failed) {
    const failedRounds = prev.reach === 'DOWN' ? prev.failedRounds + 1 : 1;
    const failingSinceMs = prev.reach === 'DOWN' && prev.failingSinceMs !== undefined ? prev.failingSinceMs : obs.timeMs;
    const hardEligibleSinceMs = failedRounds >= opts.downAfterRounds ? (prev.hardEligibleSinceMs ?? nowMs) : undefined;
    return { ...prev, reach: 'DOWN', failedRounds, failingSinceMs, hardEligibleSinceMs, lastCheckMs: obs.timeMs, flap };
  }
  const wasHardDown = prev.reach === 'DOWN' && prev.failedRounds >= opts.downAfterRounds;
  const summary: RoundSummary = { timeMs: obs.timeMs, transmitted: obs.transmitted, received: obs.received };
  if (obs.medianResponseMs !== undefined) summary.medianMs = obs.medianResponseMs;
  const recent = wasHardDown ? prev.recent : [...prev.recent, summary].slice(-opts.degradedWindowRounds);
  const { lossPct, medianMs } = windowFigures(recent);
  const degraded = judgeDegraded(prev.degraded, recent.length, lossPct, medianMs, opts);
  const next: PointState = {
    ...prev,
    reach: 'UP',
    failedRounds: 0,
    lastCheckMs: obs.timeMs,
    lastOkMs: obs.timeMs,
    recent,
    degraded,
    flap,
    topology: { verdict: 'none' },
  };
  delete next.failingSinceMs;
  delete next.hardEligibleSinceMs;
  if (lossPct === undefined) delete next.lossPct;
  else next.lossPct = lossPct;
  if (medianMs === undefined) delete next.medianMs;
  else next.medianMs = medianMs;
  if (wasHardDown) next.recoveredAtMs = obs.timeMs;
  return next;
}

/** Loss over the window's echoes and the median of its per-round medians. */
export function windowFigures(recent: readonly RoundSummary[]): { lossPct?: number; medianMs?: number } {
  let sent = 0;
  let got = 0;
  const medians: number[] = [];
  for (const r of recent) {
    sent += r.transmitted;
    got += r.received;
    if (r.medianMs !== undefined) medians.push(r.medianMs);
  }
  const out: { lossPct?: number; medianMs?: number } = {};
  if (sent > 0) out.lossPct = (100 * (sent - got)) / sent;
  if (medians.length) out.medianMs = median(medians);
  return out;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function judgeDegraded(was: boolean, rounds: number, lossPct: number | undefined, medianMs: number | undefined, opts: StateOptions): boolean {
  if (rounds < opts.degradedMinRounds) return was;
  const t = opts.degraded;
  const loss = lossPct ?? 0;
  if (!was) return loss >= t.lossPct || (medianMs !== undefined && medianMs > t.rttMs);
  const clear = loss < t.lossClearPct && (medianMs === undefined || medianMs <= t.rttClearMs);
  return !clear;
}

function applyTopology(prev: PointState, topology: TopologyVerdict, nowMs: number): PointState {
  const same = JSON.stringify(prev.topology) === JSON.stringify(topology);
  if (same) return prev;
  const next: PointState = { ...prev, topology };
  if (prev.topology.verdict === 'upstream_down' && topology.verdict !== 'upstream_down' && prev.reach === 'DOWN') {
    // The upstream is back but this point has not answered since: its earlier failures were the
    // upstream's, so it must fail N rounds of its own before it may page.
    next.failedRounds = 0;
    next.failingSinceMs = nowMs;
    delete next.hardEligibleSinceMs;
  }
  return next;
}

function isUplink(ifName: string, ifAlias: string, opts: StateOptions): boolean {
  return opts.uplinkPattern !== undefined && (opts.uplinkPattern.test(ifName) || opts.uplinkPattern.test(ifAlias));
}

function newInterface(ifIndex: number, ifName: string, ifAlias: string, timeMs: number, opts: StateOptions): InterfaceState {
  return { ifIndex, ifName, ifAlias, uplink: isUplink(ifName, ifAlias, opts), adminUp: true, operUp: true, lastSeenMs: timeMs, flap: emptyFlapState() };
}

/** Oper status as a flap result: 1 up, 2 down (anything not up counts as down). */
const operCode = (up: boolean) => (up ? 1 : 2);

function withOper(iface: InterfaceState, adminUp: boolean, operUp: boolean, timeMs: number, opts: StateOptions): InterfaceState {
  const flap = recordFlapResult(iface.flap, operCode(operUp), opts.flap);
  const next: InterfaceState = { ...iface, adminUp, operUp, lastSeenMs: timeMs, flap };
  if (adminUp && !operUp) next.operDownSinceMs = iface.operDownSinceMs ?? timeMs;
  else delete next.operDownSinceMs;
  return next;
}

function applySnmp(prev: PointState, obs: SnmpObservation, opts: StateOptions): PointState {
  const interfaces: Record<string, InterfaceState> = { ...prev.interfaces };
  for (const i of obs.interfaces) {
    const key = String(i.ifIndex);
    const known = interfaces[key];
    const base = known ? { ...known, ifName: i.ifName, ifAlias: i.ifAlias, uplink: isUplink(i.ifName, i.ifAlias, opts) } : newInterface(i.ifIndex, i.ifName, i.ifAlias, obs.timeMs, opts);
    const next = withOper(base, i.adminStatus === 1, i.operStatus === 1, obs.timeMs, opts);
    const errors = i.inErrorsPerSecond !== undefined || i.outErrorsPerSecond !== undefined ? (i.inErrorsPerSecond ?? 0) + (i.outErrorsPerSecond ?? 0) : undefined;
    setAbove(next, 'errorsPerSecond', 'errorsAboveSinceMs', errors, opts.errorRatePerS, obs.timeMs);
    const util = i.inUtilizationPct !== undefined || i.outUtilizationPct !== undefined ? Math.max(i.inUtilizationPct ?? 0, i.outUtilizationPct ?? 0) : undefined;
    setAbove(next, 'utilizationPct', 'utilizationAboveSinceMs', util, opts.utilizationPct, obs.timeMs);
    interfaces[key] = next;
  }
  return { ...prev, interfaces };
}

/** Track since when a figure is above its threshold; an absent figure (no rate this poll) changes nothing. */
function setAbove(
  iface: InterfaceState,
  valueKey: 'errorsPerSecond' | 'utilizationPct',
  sinceKey: 'errorsAboveSinceMs' | 'utilizationAboveSinceMs',
  value: number | undefined,
  threshold: number,
  timeMs: number,
): void {
  if (value === undefined) return;
  iface[valueKey] = value;
  if (value > threshold) iface[sinceKey] = iface[sinceKey] ?? timeMs;
  else delete iface[sinceKey];
}

function applyLinkEvent(prev: PointState, event: PointEvent, opts: StateOptions): PointState {
  if ((event.type !== 'link_down' && event.type !== 'link_up') || event.ifIndex === undefined) return prev;
  const key = String(event.ifIndex);
  const known = prev.interfaces[key] ?? newInterface(event.ifIndex, event.ifName ?? `ifIndex ${event.ifIndex}`, '', event.timeMs, opts);
  // A link trap says nothing about the admin status: linkDown for an admin-down port is not sent by sane agents.
  const iface = withOper(known, known.adminUp, event.type === 'link_up', event.timeMs, opts);
  return { ...prev, interfaces: { ...prev.interfaces, [key]: iface } };
}

/** The shown status and its state type, by the rules in the table above. */
export function deriveStatus(s: PointState, opts: StateOptions): { status: PointStatus; stateType: StateType } {
  if (s.maintenance) return { status: 'MAINTENANCE', stateType: 'hard' };
  if (s.flap.flapping) return { status: 'FLAPPING', stateType: 'hard' };
  if (s.reach === 'DOWN') {
    const eligible = s.failedRounds >= opts.downAfterRounds;
    if (s.topology.verdict === 'upstream_down') return { status: 'UNREACHABLE', stateType: eligible ? 'hard' : 'soft' };
    return { status: 'DOWN', stateType: eligible && s.topology.verdict === 'upstream_ok' ? 'hard' : 'soft' };
  }
  if (s.reach === 'UP') return { status: s.degraded ? 'DEGRADED' : 'UP', stateType: 'hard' };
  return { status: 'UNKNOWN', stateType: 'hard' };
}

function withStatus(prev: PointState, next: PointState, nowMs: number, opts: StateOptions): StepResult {
  if (next === prev) return { next, events: [] };
  const { status, stateType } = deriveStatus(next, opts);
  if (status === prev.status && stateType === prev.stateType) return { next: { ...next, status, stateType }, events: [] };
  const changed: StatusChanged = { type: 'status_changed', pointId: prev.pointId, from: prev.status, to: status, fromType: prev.stateType, toType: stateType, timeMs: nowMs };
  const sinceMs = status === prev.status ? prev.sinceMs : nowMs;
  return { next: { ...next, status, stateType, sinceMs }, events: [changed] };
}
