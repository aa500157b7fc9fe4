// What the HTTP API needs from the rest of netcov, as narrow read views and write services.
// Routes depend only on these interfaces; the daemon's wiring (src/api/wiring.ts) adapts the
// real components (alert engine, coverage model, sink, scheduler) to them. Unit tests use small
// in-memory implementations. Any method may answer synchronously or with a promise.
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/model.js';
import type { IcmpObservation, SnmpObservation } from '../observations.js';
import type { AlertRecord, AlertState, MaintenanceWindow, Silence } from '../alerts/types.js';
import type { Logger } from '../util/log.js';
import type { MetricSources } from './prom.js';

export type MaybePromise<T> = T | Promise<T>;

export type Role = Config['api']['tokens'][number]['role'];

// ---------------------------------------------------------------------------------------------
// Points

/** The alerting engine's verdict on one point. */
export interface PointStateView {
  /** UP, DEGRADED, DOWN, UNREACHABLE, FLAPPING, MAINTENANCE … (states are the alerting module's data). */
  state: string;
  /** False while the state is soft (visible, never paged). */
  hard: boolean;
  /** Since when the point is in this state, ms UTC. */
  sinceMs: number;
  /** Why, in words for people (e.g. "3 vòng liên tiếp mất gói"), when the engine says. */
  reason?: string;
}

/** Current state and latest figures of each point; `undefined` before the first observation. */
export interface PointsView {
  state(pointId: string): PointStateView | undefined;
  lastIcmp(pointId: string): IcmpObservation | undefined;
  lastSnmp(pointId: string): SnmpObservation | undefined;
}

/** State reported for a point the engine has not judged yet. */
export const UNKNOWN_STATE = 'UNKNOWN';

// ---------------------------------------------------------------------------------------------
// Alerts, acknowledgements, silences, maintenance: the alerting module's own records, rendered by
// its view functions (src/alerts/view.ts), so the API and the webhooks show the same JSON.

export interface AlertQuery {
  states?: AlertState[];
  severities?: string[];
  conditions?: string[];
  pointIds?: string[];
  /** Any administrative unit code: alerts of points serving it or a unit below it. */
  unit?: string;
}

export type AckOutcome = { ok: true; alert: AlertRecord } | { ok: false; reason: 'not_found' | 'resolved' };

export type SilenceInput = Pick<Silence, 'matchers' | 'startsAtMs' | 'endsAtMs' | 'createdBy' | 'comment'>;
export type MaintenanceInput = Pick<MaintenanceWindow, 'pointIds' | 'unitCodes' | 'startsAtMs' | 'endsAtMs' | 'cron' | 'durationMin' | 'createdBy' | 'comment'>;

/** Thrown by a write service when the input is well-formed but not acceptable (→ 400 with the message). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export interface AlertsApi {
  /** Alerts matching the query, newest first. */
  alerts(q: AlertQuery): MaybePromise<AlertRecord[]>;
  ack(id: number, by: string, comment: string): MaybePromise<AckOutcome>;
  silences(): MaybePromise<Silence[]>;
  addSilence(input: SilenceInput): MaybePromise<Silence>;
  /** False when no such silence exists. */
  removeSilence(id: string): MaybePromise<boolean>;
  maintenance(): MaybePromise<MaintenanceWindow[]>;
  addMaintenance(input: MaintenanceInput): MaybePromise<MaintenanceWindow>;
  /** 'read_only' for a window written in the configuration file. */
  removeMaintenance(id: string): MaybePromise<boolean | 'read_only'>;
  /** End of the window's current occurrence when it is active now, else undefined. */
  activeUntil(w: MaintenanceWindow, nowMs: number): number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Coverage

export interface CarrierCoverage {
  carrier: string;
  coveredPopulation: number;
  coveredPct: number;
}

export interface UnitCoverage {
  code: string;
  name: string;
  level: string;
  population: number;
  coveredPopulation: number;
  /** Population-weighted 4G coverage, 0–100. */
  coveredPct: number;
  deadZoneVillages: number;
  deadZonePopulation: number;
  villages: number;
  byCarrier: CarrierCoverage[];
}

export interface UnitCoverageReport extends UnitCoverage {
  children: UnitCoverage[];
}

/** A village without usable service (from every carrier, or from the one asked for). */
export interface GapView {
  villageCode: string;
  villageName: string;
  villageType: string;
  lat: number;
  lon: number;
  population: number;
  /** Unit codes of the village's administrative path by level name, e.g. {province, district, commune}. */
  units: Record<string, string>;
  /** Best level any of the considered carriers gives (none, poor …) and the evidence behind it. */
  bestLevel: string;
  evidence: string;
  /** Since when the village is a dead zone, ms UTC (undefined: since the model first saw it). */
  sinceMs?: number;
  /** A carrier report says covered while fresh measurements say none. */
  conflict: boolean;
}

export interface GapFilter {
  unit?: string;
  carrier?: string;
  radio?: string;
}

export interface RowProblem {
  row: number;
  reason: string;
}

/** The per-row report of one ingestion, the same as for a file feed. */
export interface IngestReport {
  feed: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  problems: RowProblem[];
  /** False when the input as a whole was refused (wrong header, not CSV …); state untouched. */
  applied: boolean;
  error?: string;
}

export type FeedFormat = 'csv' | 'json' | 'jsonl';

export interface CoverageApi {
  carriers(): readonly { id: string; name: string }[];
  radios(): readonly string[];
  unit(code: string): MaybePromise<UnitCoverageReport | undefined>;
  gaps(filter: GapFilter): MaybePromise<GapView[]>;
  ingestMeasurements(body: string, format: FeedFormat): Promise<IngestReport>;
  ingestCellStatus(body: string, format: FeedFormat): Promise<IngestReport>;
}

// ---------------------------------------------------------------------------------------------
// Availability (SLA) from InfluxDB

export interface AvailabilityQuery {
  fromMs: number;
  toMs: number;
  /** "point" or a level name of the inventory (province, district, commune …). */
  level: string;
}

export interface AvailabilityRow {
  /** Point id or unit code. */
  key: string;
  name: string;
  points: number;
  /** Rounds with data in the range (missing rounds: probe or sink down; not counted as downtime). */
  rounds: number;
  upRounds: number;
  /** upRounds / rounds × 100, null when there is no data. */
  uptimePct: number | null;
}

export interface AvailabilityResult {
  /** Which data answered: raw rounds or the 5-minute rollup. */
  source: 'raw' | 'rollup';
  rows: AvailabilityRow[];
}

export interface AvailabilityApi {
  availability(q: AvailabilityQuery): Promise<AvailabilityResult>;
}

// ---------------------------------------------------------------------------------------------
// Health

export interface CheckResult {
  ok: boolean;
  detail: string;
}

/** One condition of /readyz (inventory loaded, probes running, sink writing or spooling). */
export interface ReadinessCheck {
  name: string;
  check(): CheckResult;
}

// ---------------------------------------------------------------------------------------------

export interface ApiDeps {
  config: Config;
  inventory: Inventory;
  log: Logger;
  points: PointsView;
  readiness: readonly ReadinessCheck[];
  metrics: MetricSources;
  /** Absent until the alerting module is wired: its routes then answer 503. */
  alerts?: AlertsApi;
  coverage?: CoverageApi;
  availability?: AvailabilityApi;
  /** Clock for tests. */
  now?: () => number;
}
