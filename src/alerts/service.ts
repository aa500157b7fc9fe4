// The alerting service the HTTP API calls (no HTTP here): list and read alerts with filters,
// acknowledge, silences and maintenance windows (create, read, update, delete), point states.
// Inputs are validated here and errors carry a code the API maps to a status (404, 400, 409).
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/model.js';
import { cronProblem } from './cron.js';
import type { AlertEngine } from './engine.js';
import { configWindows } from './engine.js';
import { matcherProblem, parseMatcher, windowActiveUntil } from './mute.js';
import type { AlertStore } from './store.js';
import type { AlertState, ConditionName, MaintenanceWindow, Matcher, PointStatus, Severity, Silence } from './types.js';
import { alertView, eventView, maintenanceView, notificationView, pointStateView, silenceView, type AlertView } from './view.js';

export type AlertServiceErrorCode = 'not_found' | 'invalid' | 'conflict';

export class AlertServiceError extends Error {
  constructor(
    readonly code: AlertServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AlertServiceError';
  }
}

export interface AlertQuery {
  /** 'open' (firing or acknowledged, the default), 'all', or a list of states. */
  state?: 'open' | 'all' | AlertState[];
  point_id?: string;
  /** Alerts of points serving this unit or a unit below it (and dead zones in it). */
  unit?: string;
  severity?: Severity[];
  condition?: ConditionName[];
  /** ISO 8601: alerts started at or after / before. */
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export interface MatcherInput {
  name: string;
  value: string;
  is_regex?: boolean;
  is_equal?: boolean;
}

export interface SilenceInput {
  /** Objects, or strings in the amtool form: severity="critical", district=~"645|646", point_id!="x". */
  matchers: (MatcherInput | string)[];
  /** ISO 8601; default now. */
  starts_at?: string;
  /** ISO 8601; or give duration_min. */
  ends_at?: string;
  duration_min?: number;
  created_by: string;
  comment: string;
}

export interface MaintenanceInput {
  point_ids?: string[];
  unit_codes?: string[];
  /** One-off: both (ISO 8601). Recurring: optional bounds. */
  starts_at?: string;
  ends_at?: string;
  /** Recurring: 5-field cron in config.timezone and the minutes each occurrence lasts. */
  cron?: string;
  duration_min?: number;
  comment?: string;
  created_by: string;
}

export interface PointStateQuery {
  status?: PointStatus[];
  kind?: string;
  unit?: string;
}

const MAX_LIMIT = 1000;

function parseTime(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AlertServiceError('invalid', `${what}: "${text}" is not an ISO 8601 time`);
  return ms;
}

export class AlertService {
  constructor(
    private readonly deps: { config: Config; inventory: Inventory; store: AlertStore; engine: AlertEngine },
  ) {}

  #now(): number {
    return this.deps.engine.clock.now();
  }

  #unitsWithin(code: string): string[] {
    const inv = this.deps.inventory;
    if (!inv.unit(code)) throw new AlertServiceError('invalid', `unknown administrative unit "${code}"`);
    return [code, ...inv.descendants(code).map((u) => u.code)];
  }

  // ------------------------------------------------------------------ alerts
  listAlerts(q: AlertQuery = {}): AlertView[] {
    const state = q.state ?? 'open';
    const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_LIMIT);
    const filter = {
      ...(state === 'open' ? { open: true } : state === 'all' ? {} : { states: state }),
      ...(q.point_id ? { pointIds: [q.point_id] } : {}),
      ...(q.unit ? { units: this.#unitsWithin(q.unit) } : {}),
      ...(q.severity?.length ? { severities: q.severity } : {}),
      ...(q.condition?.length ? { conditions: q.condition } : {}),
      ...(q.since ? { sinceMs: parseTime(q.since, 'since')! } : {}),
      ...(q.until ? { untilMs: parseTime(q.until, 'until')! } : {}),
      limit,
      offset: Math.max(0, q.offset ?? 0),
    };
    return this.deps.store.listAlerts(filter).map(alertView);
  }

  /** One alert with its history (events) and every delivery attempt's outcome. */
  getAlert(id: number) {
    const a = this.deps.store.alert(id);
    if (!a) throw new AlertServiceError('not_found', `no alert ${id}`);
    const muted = a.state === 'resolved' ? undefined : this.deps.engine.muteReason(a);
    return {
      ...alertView(a),
      muted: muted ?? null,
      events: this.deps.store.events(id).map(eventView),
      notifications: this.deps.store.notificationsFor(id).map(notificationView),
    };
  }

  acknowledge(id: number, who: string, comment = ''): AlertView {
    if (!who.trim()) throw new AlertServiceError('invalid', 'who acknowledges must be given');
    const a = this.deps.store.alert(id);
    if (!a) throw new AlertServiceError('not_found', `no alert ${id}`);
    if (a.state === 'resolved') throw new AlertServiceError('conflict', `alert ${id} is already resolved`);
    if (a.state === 'acknowledged') throw new AlertServiceError('conflict', `alert ${id} was already acknowledged by ${a.ackedBy ?? '?'}`);
    return alertView(this.deps.engine.acknowledge(id, who.trim(), comment));
  }

  // ------------------------------------------------------------------ silences
  listSilences(opts: { include_expired?: boolean } = {}) {
    const now = this.#now();
    return this.deps.store
      .silences()
      .filter((s) => opts.include_expired || s.endsAtMs > now)
      .map((s) => silenceView(s, now));
  }

  getSilence(id: string) {
    const s = this.deps.store.silence(id);
    if (!s) throw new AlertServiceError('not_found', `no silence ${id}`);
    return silenceView(s, this.#now());
  }

  createSilence(input: SilenceInput) {
    const now = this.#now();
    const s = this.#silence(randomUUID(), input, now, now);
    this.deps.store.putSilence(s);
    this.deps.engine.reloadMutes();
    return silenceView(s, now);
  }

  updateSilence(id: string, input: SilenceInput) {
    const old = this.deps.store.silence(id);
    if (!old) throw new AlertServiceError('not_found', `no silence ${id}`);
    const now = this.#now();
    const s = this.#silence(id, input, old.createdAtMs, now);
    this.deps.store.putSilence(s);
    this.deps.engine.reloadMutes();
    return silenceView(s, now);
  }

  /** Expire a silence now (kept for the record, as Alertmanager does); a future one is deleted. */
  deleteSilence(id: string): void {
    const s = this.deps.store.silence(id);
    if (!s) throw new AlertServiceError('not_found', `no silence ${id}`);
    const now = this.#now();
    if (s.startsAtMs > now) this.deps.store.deleteSilence(id);
    else if (s.endsAtMs > now) this.deps.store.putSilence({ ...s, endsAtMs: now, updatedAtMs: now });
    this.deps.engine.reloadMutes();
  }

  #silence(id: string, input: SilenceInput, createdAtMs: number, now: number): Silence {
    if (!input.created_by?.trim()) throw new AlertServiceError('invalid', 'created_by must be given');
    if (!Array.isArray(input.matchers) || input.matchers.length === 0) throw new AlertServiceError('invalid', 'a silence needs at least one matcher');
    const matchers: Matcher[] = input.matchers.map((m) => {
      if (typeof m === 'string') {
        const parsed = parseMatcher(m);
        if (typeof parsed === 'string') throw new AlertServiceError('invalid', parsed);
        return parsed;
      }
      const matcher: Matcher = { name: m.name, value: m.value, isRegex: m.is_regex ?? false, isEqual: m.is_equal ?? true };
      const bad = matcherProblem(matcher);
      if (bad) throw new AlertServiceError('invalid', `matcher ${m.name}: ${bad}`);
      return matcher;
    });
    const startsAtMs = parseTime(input.starts_at, 'starts_at') ?? now;
    const endsAtMs = parseTime(input.ends_at, 'ends_at') ?? (input.duration_min !== undefined ? startsAtMs + input.duration_min * 60_000 : undefined);
    if (endsAtMs === undefined) throw new AlertServiceError('invalid', 'give ends_at or duration_min');
    if (endsAtMs <= startsAtMs) throw new AlertServiceError('invalid', 'ends_at must be after starts_at');
    if (endsAtMs <= now) throw new AlertServiceError('invalid', 'ends_at is in the past');
    return { id, matchers, startsAtMs, endsAtMs, createdBy: input.created_by.trim(), comment: input.comment ?? '', createdAtMs, updatedAtMs: now };
  }

  // ------------------------------------------------------------------ maintenance
  #allWindows(): MaintenanceWindow[] {
    return [...configWindows(this.deps.config), ...this.deps.store.maintenanceWindows()];
  }

  listMaintenance(opts: { active?: boolean } = {}) {
    const now = this.#now();
    return this.#allWindows()
      .map((w) => maintenanceView(w, windowActiveUntil(w, now, this.deps.config.timezone)))
      .filter((v) => !opts.active || v.active);
  }

  getMaintenance(id: string) {
    const w = this.#allWindows().find((x) => x.id === id);
    if (!w) throw new AlertServiceError('not_found', `no maintenance window ${id}`);
    return maintenanceView(w, windowActiveUntil(w, this.#now(), this.deps.config.timezone));
  }

  createMaintenance(input: MaintenanceInput) {
    const now = this.#now();
    const w = this.#window(randomUUID(), input, now, now);
    this.deps.store.putMaintenance(w);
    this.deps.engine.reloadMutes();
    return maintenanceView(w, windowActiveUntil(w, now, this.deps.config.timezone));
  }

  updateMaintenance(id: string, input: MaintenanceInput) {
    if (id.startsWith('config:')) throw new AlertServiceError('conflict', `${id} comes from the configuration file; edit it there`);
    const old = this.deps.store.maintenance(id);
    if (!old) throw new AlertServiceError('not_found', `no maintenance window ${id}`);
    const now = this.#now();
    const w = this.#window(id, input, old.createdAtMs, now);
    this.deps.store.putMaintenance(w);
    this.deps.engine.reloadMutes();
    return maintenanceView(w, windowActiveUntil(w, now, this.deps.config.timezone));
  }

  deleteMaintenance(id: string): void {
    if (id.startsWith('config:')) throw new AlertServiceError('conflict', `${id} comes from the configuration file; edit it there`);
    if (!this.deps.store.deleteMaintenance(id)) throw new AlertServiceError('not_found', `no maintenance window ${id}`);
    this.deps.engine.reloadMutes();
  }

  #window(id: string, input: MaintenanceInput, createdAtMs: number, now: number): MaintenanceWindow {
    const inv = this.deps.inventory;
    if (!input.created_by?.trim()) throw new AlertServiceError('invalid', 'created_by must be given');
    const pointIds = input.point_ids ?? [];
    const unitCodes = input.unit_codes ?? [];
    if (!pointIds.length && !unitCodes.length) throw new AlertServiceError('invalid', 'give point_ids or unit_codes');
    for (const id of pointIds) if (!inv.point(id)) throw new AlertServiceError('invalid', `unknown point "${id}"`);
    for (const code of unitCodes) if (!inv.unit(code)) throw new AlertServiceError('invalid', `unknown administrative unit "${code}"`);
    const w: MaintenanceWindow = { id, pointIds, unitCodes, comment: input.comment ?? '', createdBy: input.created_by.trim(), createdAtMs, updatedAtMs: now, source: 'store' };
    const starts = parseTime(input.starts_at, 'starts_at');
    const ends = parseTime(input.ends_at, 'ends_at');
    if (starts !== undefined) w.startsAtMs = starts;
    if (ends !== undefined) w.endsAtMs = ends;
    if (input.cron !== undefined) {
      const bad = cronProblem(input.cron);
      if (bad) throw new AlertServiceError('invalid', `cron: ${bad}`);
      if (!input.duration_min || input.duration_min < 1) throw new AlertServiceError('invalid', 'a recurring window needs duration_min ≥ 1');
      w.cron = input.cron;
      w.durationMin = input.duration_min;
    } else {
      if (starts === undefined || ends === undefined) throw new AlertServiceError('invalid', 'give starts_at and ends_at (one-off) or cron and duration_min (recurring)');
      if (ends <= starts) throw new AlertServiceError('invalid', 'ends_at must be after starts_at');
    }
    return w;
  }

  // ------------------------------------------------------------------ point states
  pointStates(q: PointStateQuery = {}) {
    const inv = this.deps.inventory;
    const within = q.unit ? new Set(this.#unitsWithin(q.unit)) : undefined;
    return this.deps.engine
      .pointStates()
      .filter((s) => {
        const p = inv.point(s.pointId);
        if (!p) return false;
        if (q.status?.length && !q.status.includes(s.status)) return false;
        if (q.kind && p.kind !== q.kind) return false;
        return !within || within.has(p.unit);
      })
      .map(pointStateView);
  }

  pointState(id: string) {
    const s = this.deps.engine.pointState(id);
    if (!s) throw new AlertServiceError('not_found', `no point ${id}`);
    return pointStateView(s);
  }

  /** Counts for a status bar: points per status, open alerts per severity. */
  summary() {
    const points: Record<string, number> = {};
    for (const s of this.deps.engine.pointStates()) points[s.status] = (points[s.status] ?? 0) + 1;
    const alerts: Record<string, number> = {};
    for (const a of this.deps.store.openAlerts()) alerts[a.severity] = (alerts[a.severity] ?? 0) + 1;
    return { points, open_alerts: alerts };
  }
}
