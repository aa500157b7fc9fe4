// One poll's outcome and what it becomes for the rest of netcov: an SnmpObservation for the bus
// (alerts, API) and `discontinuity` PointEvents. Pure.
import type { InterfaceObservation, PointEvent, SnmpObservation } from '../../observations.js';
import type { DeviceRates, DiscontinuityReason, RateOutcome } from './counters.js';
import type { DeviceSnapshot, InterfaceSnapshot } from './device.js';
import type { SnmpError } from './session.js';

export interface PollResult {
  pointId: string;
  /** Start of the poll, ms since the epoch (UTC): the time of every sample and event of the poll. */
  timeMs: number;
  durationMs: number;
  error?: SnmpError;
  snapshot?: DeviceSnapshot;
  rates?: DeviceRates;
}

export const RESULT_CODES = { ok: 0, timeout: 1, auth: 2, agent: 3, protocol: 4, closed: 4, socket: 5 } as const;

export function resultName(r: PollResult): keyof typeof RESULT_CODES {
  return r.error ? r.error.kind : 'ok';
}

const REASON_TEXT: Record<DiscontinuityReason, string> = {
  uptime_backwards: 'reboot: sysUpTime went backwards',
  uptime_short: 'reboot: sysUpTime is shorter than the time since the last poll',
  counter_backwards: 'counter went backwards without a reboot (reset or replaced)',
  counter_discontinuity_time: 'ifCounterDiscontinuityTime changed',
  interface_replaced: 'another interface now has this ifIndex',
};

/** Rate outcomes with no rate because of a discontinuity, and discarded glitches. */
export function tally(rates: DeviceRates | undefined): { discontinuities: number; glitches: number } {
  let discontinuities = 0;
  let glitches = 0;
  for (const o of rates?.interfaces.values() ?? []) {
    if (o.kind === 'discontinuity') discontinuities++;
    else if (o.kind === 'rates') glitches += o.glitches.length;
  }
  return { discontinuities, glitches };
}

function interfaceObservation(i: InterfaceSnapshot, outcome: RateOutcome | undefined): InterfaceObservation {
  const o: InterfaceObservation = { ifIndex: i.ifIndex, ifName: i.name, ifAlias: i.alias, operStatus: i.operStatus, adminStatus: i.adminStatus };
  if (i.highSpeedMbps !== undefined) o.highSpeedMbps = i.highSpeedMbps;
  else if (i.speedBitsPerSecond !== undefined) o.highSpeedMbps = i.speedBitsPerSecond / 1e6;
  if (outcome?.kind === 'rates') {
    const r = outcome.rates;
    if (r.inBitsPerSecond !== undefined) o.inBitsPerSecond = r.inBitsPerSecond;
    if (r.outBitsPerSecond !== undefined) o.outBitsPerSecond = r.outBitsPerSecond;
    if (r.inUtilizationPct !== undefined) o.inUtilizationPct = r.inUtilizationPct;
    if (r.outUtilizationPct !== undefined) o.outUtilizationPct = r.outUtilizationPct;
    if (r.inErrorsPerSecond !== undefined) o.inErrorsPerSecond = r.inErrorsPerSecond;
    if (r.outErrorsPerSecond !== undefined) o.outErrorsPerSecond = r.outErrorsPerSecond;
    if (r.inDiscardsPerSecond !== undefined) o.inDiscardsPerSecond = r.inDiscardsPerSecond;
    if (r.outDiscardsPerSecond !== undefined) o.outDiscardsPerSecond = r.outDiscardsPerSecond;
  }
  return o;
}

export function observationOf(r: PollResult): SnmpObservation {
  const obs: SnmpObservation = { pointId: r.pointId, timeMs: r.timeMs, ok: r.error === undefined, pollDurationMs: r.durationMs, interfaces: [] };
  if (r.error) {
    obs.error = r.error.message;
    obs.errorKind = r.error.kind;
    return obs;
  }
  const s = r.snapshot;
  if (s?.uptimeTicks !== undefined) obs.uptimeS = s.uptimeTicks / 100;
  if (s?.sysName !== undefined) obs.sysName = s.sysName;
  obs.interfaces = (s?.interfaces ?? []).map((i) => interfaceObservation(i, r.rates?.interfaces.get(i.ifIndex)));
  return obs;
}

/** `discontinuity` events of a poll: one for a reboot, else one per interface that had one. */
export function discontinuityEvents(r: PollResult): PointEvent[] {
  if (!r.rates || !r.snapshot) return [];
  const base = { pointId: r.pointId, timeMs: r.timeMs, type: 'discontinuity' as const, source: 'poll' };
  if (r.rates.reboot) return [{ ...base, detail: REASON_TEXT[r.rates.reboot] }];
  const events: PointEvent[] = [];
  for (const i of r.snapshot.interfaces) {
    const o = r.rates.interfaces.get(i.ifIndex);
    if (o?.kind === 'discontinuity') events.push({ ...base, ifIndex: i.ifIndex, ifName: i.name, detail: REASON_TEXT[o.reason] + (o.counter ? ` (${o.counter})` : '') });
  }
  return events;
}
