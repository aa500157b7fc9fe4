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
  /**
   * The failure's class: `timeout` (no answer: agent down, unreachable, or a wrong v1/v2c
   * community), `auth` (v3 credentials wrong: a configuration problem, not an outage), `agent`
   * (error status), `protocol` (invalid or malformed answer), `socket`.
   */
  errorKind?: 'timeout' | 'auth' | 'agent' | 'protocol' | 'socket' | 'closed';
  /** sysName as the agent reports it. */
  sysName?: string;
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

/** An administrative unit as named in a change (levels are data: province, district, commune …). */
export interface UnitRef {
  code: string;
  name: string;
  level: string;
}

/** A cell whose outage took away a village's last coverage. */
export interface DeadZoneCauseCell {
  /** mcc-mnc-radio-area-cell, e.g. "452-04-LTE-10234-26380033". */
  key: string;
  /** Carrier id (viettel, vinaphone, mobifone, vietnamobile) and its name as written. */
  carrier: string;
  carrierName: string;
  radio: string;
  /** Down since, ms UTC (from the status feed). */
  sinceMs: number;
}

/**
 * Villages of one administrative unit that became (opened) or stopped being (cleared) a 4G dead
 * zone: no carrier gives them the configured minimum level on the dead-zone radios
 * (coverage feeds; see docs/coverage.md). Emitted on the bus as 'dead_zone'.
 */
export interface DeadZoneChange {
  kind: 'opened' | 'cleared';
  /**
   * Identity of the dead zone: unit code and cause ("24214|452-04-LTE-1-2" or "24214|no_coverage").
   * An `opened` and its `cleared` share it; a `cleared` may name only some of the villages (the
   * others clear later under the same key): the zone is over when `remainingVillages` is 0.
   */
  key: string;
  /** When netcov noticed the change (the recompute), ms UTC. */
  timeMs: number;
  /** When the zone opened: for an outage, when its last covering cell went down; else when first seen. */
  sinceMs: number;
  /** True for the first computation after start: the zone may have been open before netcov started. */
  initial: boolean;
  /** cell_outage: down cells caused it (page on-call); no_coverage: no evidence of coverage (planners). */
  cause: 'cell_outage' | 'no_coverage';
  /** The unit the villages belong to (normally a commune), then its ancestors root first (unit last). */
  unit: UnitRef;
  ancestry: UnitRef[];
  /** One tag per level, as in metrics: {province: "66", district: "646", commune: "24214"}. */
  unitTags: Record<string, string>;
  villages: { code: string; name: string; population: number }[];
  /** Population of the villages named in this change. */
  population: number;
  /** Villages still open under `key` after this change (0 on the last `cleared`). */
  remainingVillages: number;
  causeCells: DeadZoneCauseCell[];
  /** Names of the carriers of the cause cells, e.g. ["Viettel"]. */
  carriers: string[];
  /** The dead-zone radio set, e.g. ["LTE"]. */
  radios: string[];
}

export interface ObservationEvents {
  icmp: [IcmpObservation[]];
  snmp: [SnmpObservation];
  event: [PointEvent];
  /** Ask the probes to check these points now (after a link or reboot trap). */
  recheck: [string[]];
  /** A village set became, or stopped being, a 4G dead zone (coverage). */
  dead_zone: [DeadZoneChange];
}

/** A typed event emitter for observations; created by the daemon and handed to each component. */
export class ObservationBus extends EventEmitter<ObservationEvents> {}
