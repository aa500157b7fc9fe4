// Shared shapes of the alerting core: point states (what step() computes), alert records (what
// the store keeps), and the views the API reads. Plain JSON-able data, times in ms since the epoch (UTC).
import type { FlapState } from './flapping.js';

export type PointStatus = 'UNKNOWN' | 'UP' | 'DEGRADED' | 'DOWN' | 'UNREACHABLE' | 'FLAPPING' | 'MAINTENANCE';
export type StateType = 'soft' | 'hard';
/** A point's own ICMP verdict, before topology and maintenance are taken into account. */
export type Reach = 'UNKNOWN' | 'UP' | 'DOWN';

/** What the topology pass says about a point whose own reach is DOWN. */
export type TopologyVerdict =
  | { verdict: 'none' }
  /** An upstream point is failing too: this one is cut off, not broken. rootId is the topmost failing upstream. */
  | { verdict: 'upstream_down'; rootId: string }
  /** The upstream answered in a round at or after this point started failing: the fault is here. */
  | { verdict: 'upstream_ok' }
  /** The upstream has not been checked since this point started failing: hold the hard state. */
  | { verdict: 'upstream_unknown' };

export interface RoundSummary {
  timeMs: number;
  transmitted: number;
  received: number;
  medianMs?: number;
}

export interface InterfaceState {
  ifIndex: number;
  ifName: string;
  ifAlias: string;
  /** Matches alerts.interfaces.uplink_pattern: only uplinks raise link-down and link-flapping alerts. */
  uplink: boolean;
  adminUp: boolean;
  operUp: boolean;
  lastSeenMs: number;
  /** Since when the link is oper-down while admin-up (absent when it is not). */
  operDownSinceMs?: number;
  errorsPerSecond?: number;
  errorsAboveSinceMs?: number;
  utilizationPct?: number;
  utilizationAboveSinceMs?: number;
  /** Flap history of the oper status (1 up, 2 down …), one result per poll or link trap. */
  flap: FlapState;
}

export interface PointState {
  pointId: string;
  /** Shown to people: derived from reach, topology, flapping and maintenance (see state.ts). */
  status: PointStatus;
  stateType: StateType;
  /** When `status` last changed. */
  sinceMs: number;
  reach: Reach;
  /** Consecutive ICMP rounds with no reply at all. */
  failedRounds: number;
  /** Round time of the first failed round of the current streak (reset when an upstream recovers). */
  failingSinceMs?: number;
  /** When failedRounds first reached the hard threshold in this streak. */
  hardEligibleSinceMs?: number;
  /** Round time of the latest ICMP round, and of the latest round with a reply. */
  lastCheckMs?: number;
  lastOkMs?: number;
  /** When reach last went DOWN → UP (used to re-check dependants before a root's recovery is sent). */
  recoveredAtMs?: number;
  /** Rounds with at least one reply, newest last (window for DEGRADED). */
  recent: RoundSummary[];
  degraded: boolean;
  /** Loss and median RTT over `recent`, for messages and the API. */
  lossPct?: number;
  medianMs?: number;
  flap: FlapState;
  topology: TopologyVerdict;
  maintenance: boolean;
  /** Interfaces by ifIndex (string keys keep the state JSON-able). */
  interfaces: Record<string, InterfaceState>;
}

export type Severity = 'critical' | 'warning' | 'info';
export type AlertState = 'firing' | 'acknowledged' | 'resolved';

/** Kinds of condition an alert is raised for; interface ones are suffixed with `:<ifIndex>` in fingerprints. */
export type ConditionName =
  | 'down'
  | 'degraded'
  | 'flapping'
  | 'if_down'
  | 'if_errors'
  | 'if_utilization'
  | 'if_flapping'
  | 'dead_zone';

/** A point (or village) cut off or affected by an incident, as listed in its notification. */
export interface AffectedPoint {
  pointId: string;
  name: string;
  kind: string;
  unit: string;
  unitName: string;
}

export interface AffectedUnit {
  code: string;
  name: string;
  population: number;
}

/** Figures and context carried by an alert; rendered into messages and returned by the API. */
export interface AlertDetails {
  /** Measured values behind the condition (loss %, RTT, error rate, utilisation, flap %, …). */
  figures: Record<string, number>;
  interface?: { ifIndex: number; ifName: string; ifAlias: string };
  /** Root cause incidents: the points cut off behind the root, and the leaf units (communes) they serve. */
  affected: AffectedPoint[];
  affectedUnits: AffectedUnit[];
  affectedPopulation: number;
  /** On resolution of a root: dependants that were still down when it was sent. */
  stillDown?: AffectedPoint[];
  /** Free text from a non-point source (coverage). */
  note?: string;
  /** Dead zones (coverage): the villages without signal and why. */
  deadZone?: { cause: 'cell_outage' | 'no_coverage'; villages: { code: string; name: string; population: number }[]; carriers: string[] };
}

export interface EscalationStep {
  afterMin: number;
  receivers: string[];
}

export interface AlertRecord {
  id: number;
  fingerprint: string;
  pointId: string;
  condition: ConditionName;
  severity: Severity;
  state: AlertState;
  labels: Record<string, string>;
  details: AlertDetails;
  startedAtMs: number;
  updatedAtMs: number;
  resolvedAtMs?: number;
  ackedBy?: string;
  ackedAtMs?: number;
  ackComment?: string;
  /** Receivers chosen by routing when the alert opened (kept, so a restart or config edit does not reroute it). */
  receivers: string[];
  escalation: EscalationStep[];
  /** When the first page for it was queued unmuted; base of repeat and escalation timers. */
  notifiedAtMs?: number;
  lastNotifiedAtMs?: number;
  repeatCount: number;
  /** How many escalation steps were sent. */
  escalationsSent: number;
}

export type NotificationKind = 'firing' | 'repeat' | 'escalation' | 'resolved';
export type DeliveryStatus = 'pending' | 'muted' | 'retrying' | 'delivered' | 'failed' | 'cancelled' | 'dropped';

/** One delivery of one notification to one integration (receiver channel): the outbox row. */
export interface NotificationRecord {
  id: number;
  alertId: number;
  kind: NotificationKind;
  seq: number;
  receiver: string;
  /** `<receiver>/<channel>[<index>]`, e.g. oncall/webhook[0]. */
  integration: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAtMs: number;
  lastError?: string;
  recoverable?: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  deliveredAtMs?: number;
}

export interface AlertEvent {
  id: number;
  alertId: number;
  timeMs: number;
  type: 'opened' | 'updated' | 'acknowledged' | 'resolved' | 'muted' | 'unmuted' | 'escalated' | 'repeated';
  actor?: string;
  detail?: Record<string, unknown>;
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false: the label must NOT match (Alertmanager's != and !~). */
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface MaintenanceWindow {
  id: string;
  /** Point ids and administrative unit codes covered (a unit covers every point serving it or a unit below it). */
  pointIds: string[];
  unitCodes: string[];
  /** One-off window. */
  startsAtMs?: number;
  endsAtMs?: number;
  /** Recurring window: a 5-field cron in config.timezone marks each start; it lasts durationMin. */
  cron?: string;
  durationMin?: number;
  comment: string;
  createdBy: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** "config" for windows from the configuration file (read-only), "store" for those made through the service. */
  source: 'config' | 'store';
}
