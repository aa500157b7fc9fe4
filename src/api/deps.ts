// What the HTTP API needs from the rest of netcov, as narrow read views and write services.
// Routes depend only on these interfaces; the daemon's wiring (src/api/wiring.ts) adapts the
// real components (alert engine, coverage model, sink, scheduler) to them. Unit tests use small
// in-memory implementations. Any method may answer synchronously or with a promise.
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/model.js';
import type { IcmpObservation, SnmpObservation } from '../observations.js';
import type { AlertService } from '../alerts/service.js';
import type { CoverageService } from '../coverage/service.js';
import type { GapView, UnitCoverageReport } from '../coverage/views.js';
import type { FeedFormat, IngestReport } from '../coverage/feeds/index.js';
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
// Alerts (src/alerts/service.ts) and coverage (src/coverage/service.ts): the routes call the real
// services through these slices of them. The services validate and throw AlertServiceError /
// CoverageQueryError, which the API maps to 400/404/409; their views are the JSON (one shape for
// the API and the webhooks).

export type AlertsApi = Pick<
  AlertService,
  'listAlerts' | 'getAlert' | 'acknowledge' | 'listSilences' | 'createSilence' | 'deleteSilence' | 'listMaintenance' | 'createMaintenance' | 'deleteMaintenance'
>;

export type CoverageApi = Pick<CoverageService, 'unit' | 'gaps' | 'ingestMeasurements' | 'ingestCellStatus'>;

export type { GapView, UnitCoverageReport, IngestReport, FeedFormat };

/** Thrown by the API's own checks when an input is well-formed but not acceptable (→ 400 naming the field). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
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
