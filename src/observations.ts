// What the probes and feeds observe, as plain data: the contract between the sources
// (ICMP, SNMP, traps, coverage feeds) and their consumers (sink encoders, alert state, API views).
// The daemon's wiring passes these along; no consumer reaches into a probe.
import { EventEmitter } from 'node:events';

/** One ICMP round for one point (N echoes). RTT figures are absent when nothing came back. */
export interface IcmpObservation {
  pointId: string;
  /** Start of the round, ms since the epoch (UTC). */
  timeMs: number;
  transmitted: number;
  received: number;
  percentPacketLoss: number;
  minimumResponseMs?: number;
  averageResponseMs?: number;
  medianResponseMs?: number;
  maximumResponseMs?: number;
  standardDeviationMs?: number;
  /** Mean absolute difference of consecutive RTTs (RFC 3550-style jitter without smoothing). */
  jitterMs?: number;
  /** Telegraf's result_code: 0 success (even with loss), 1 unknown host, 2 ping error. */
  resultCode: 0 | 1 | 2;
}

export interface InterfaceObservation {
  ifIndex: number;
  ifName: string;
  ifAlias: string;
  /** IF-MIB ifOperStatus / ifAdminStatus: 1 up, 2 down, 3 testing … */
  operStatus: number;
  adminStatus: number;
  /** ifHighSpeed in Mbit/s; absent or 0 when the agent does not say. */
  highSpeedMbps?: number;
  inBitsPerSecond?: number;
  outBitsPerSecond?: number;
  inUtilizationPct?: number;
  outUtilizationPct?: number;
  inErrorsPerSecond?: number;
  outErrorsPerSecond?: number;
  inDiscardsPerSecond?: number;
  outDiscardsPerSecond?: number;
}

/** One SNMP poll of one point. */
export interface SnmpObservation {
  pointId: string;
  timeMs: number;
  ok: boolean;
  /** Why the poll failed (timeout, authentication …), never containing a secret. */
  error?: string;
  uptimeS?: number;
  pollDurationMs: number;
  interfaces: InterfaceObservation[];
}

export type PointEventType =
  | 'link_down'
  | 'link_up'
  | 'cold_start'
  | 'warm_start'
  | 'authentication_failure'
  | 'discontinuity'
  | 'trap_other';

/** Something that happened at a point (a trap, a counter discontinuity …). */
export interface PointEvent {
  pointId: string;
  timeMs: number;
  type: PointEventType;
  /** Where it came from: "trap", "poll" … */
  source: string;
  ifIndex?: number;
  ifName?: string;
  detail?: string;
}

export interface ObservationEvents {
  icmp: [IcmpObservation[]];
  snmp: [SnmpObservation];
  event: [PointEvent];
  /** Ask the probes to check these points now (after a link or reboot trap). */
  recheck: [string[]];
}

/** A typed event emitter for observations; created by the daemon and handed to each component. */
export class ObservationBus extends EventEmitter<ObservationEvents> {}
