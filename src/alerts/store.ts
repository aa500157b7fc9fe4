// The durable alert store: SQLite through better-sqlite3 in WAL mode with synchronous=FULL, one
// file under <state_dir>. Open alerts, acknowledgements, silences, maintenance windows, the
// notification outbox (delivery history) and the point states survive a restart and a SIGKILL:
// a committed transaction is in the WAL and fsynced before commit returns.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  AlertDetails,
  AlertEvent,
  AlertRecord,
  AlertState,
  ConditionName,
  DeliveryStatus,
  MaintenanceWindow,
  NotificationKind,
  NotificationRecord,
  PointState,
  Severity,
  Silence,
} from './types.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE alerts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     fingerprint TEXT NOT NULL,
     point_id TEXT NOT NULL,
     -- Administrative unit of the point (or of the dead zone), for filters by unit.
     unit TEXT NOT NULL,
     condition TEXT NOT NULL,
     severity TEXT NOT NULL,
     state TEXT NOT NULL,
     labels TEXT NOT NULL,
     details TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     resolved_at INTEGER,
     acked_by TEXT,
     acked_at INTEGER,
     ack_comment TEXT,
     receivers TEXT NOT NULL,
     escalation TEXT NOT NULL,
     notified_at INTEGER,
     last_notified_at INTEGER,
     repeat_count INTEGER NOT NULL DEFAULT 0,
     escalations_sent INTEGER NOT NULL DEFAULT 0
   );
   -- At most one open alert per fingerprint: a restart can never open a duplicate.
   CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts(fingerprint) WHERE resolved_at IS NULL;
   CREATE INDEX alerts_point ON alerts(point_id, started_at);
   CREATE INDEX alerts_started ON alerts(started_at);
   CREATE INDEX alerts_unit ON alerts(unit);
   CREATE TABLE alert_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
     time INTEGER NOT NULL,
     type TEXT NOT NULL,
     actor TEXT,
     detail TEXT
   );
   CREATE INDEX alert_events_alert ON alert_events(alert_id);
   CREATE TABLE notifications (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
     kind TEXT NOT NULL,
     seq INTEGER NOT NULL,
     receiver TEXT NOT NULL,
     integration TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT,
     recoverable INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     delivered_at INTEGER,
     -- The dedup key: one delivery per alert, kind, sequence and integration, ever.
     UNIQUE (alert_id, kind, seq, integration)
   );
   CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
   CREATE TABLE silences (
     id TEXT PRIMARY KEY,
     matchers TEXT NOT NULL,
     starts_at INTEGER NOT NULL,
     ends_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     comment TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE maintenance (
     id TEXT PRIMARY KEY,
     point_ids TEXT NOT NULL,
     unit_codes TEXT NOT NULL,
     starts_at INTEGER,
     ends_at INTEGER,
     cron TEXT,
     duration_min INTEGER,
     comment TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE point_states (
     point_id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
];

export interface AlertFilter {
  /** Only alerts not resolved (firing or acknowledged). */
  open?: boolean;
  states?: AlertState[];
  pointIds?: string[];
  /** Administrative unit codes (pass a unit and its descendants to filter "within"). */
  units?: string[];
  conditions?: ConditionName[];
  severities?: Severity[];
  /** Started at or after / before (ms). */
  sinceMs?: number;
  untilMs?: number;
  limit?: number;
  offset?: number;
}

interface AlertRow {
  id: number;
  fingerprint: string;
  point_id: string;
  condition: string;
  severity: string;
  state: string;
  labels: string;
  details: string;
  started_at: number;
  updated_at: number;
  resolved_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
  ack_comment: string | null;
  receivers: string;
  escalation: string;
  notified_at: number | null;
  last_notified_at: number | null;
  repeat_count: number;
  escalations_sent: number;
}

interface NotificationRow {
  id: number;
  alert_id: number;
  kind: string;
  seq: number;
  receiver: string;
  integration: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  recoverable: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
  updated_at: number;
}

interface MaintenanceRow {
  id: string;
  point_ids: string;
  unit_codes: string;
  starts_at: number | null;
  ends_at: number | null;
  cron: string | null;
  duration_min: number | null;
  comment: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

function toAlert(r: AlertRow): AlertRecord {
  const a: AlertRecord = {
    id: r.id,
    fingerprint: r.fingerprint,
    pointId: r.point_id,
    condition: r.condition as ConditionName,
    severity: r.severity as Severity,
    state: r.state as AlertState,
    labels: JSON.parse(r.labels) as Record<string, string>,
    details: JSON.parse(r.details) as AlertDetails,
    startedAtMs: r.started_at,
    updatedAtMs: r.updated_at,
    receivers: JSON.parse(r.receivers) as string[],
    escalation: JSON.parse(r.escalation) as AlertRecord['escalation'],
    repeatCount: r.repeat_count,
    escalationsSent: r.escalations_sent,
  };
  const optional = { resolvedAtMs: r.resolved_at, ackedBy: r.acked_by, ackedAtMs: r.acked_at, ackComment: r.ack_comment, notifiedAtMs: r.notified_at, lastNotifiedAtMs: r.last_notified_at };
  for (const [k, v] of Object.entries(optional)) if (v !== null) (a as unknown as Record<string, unknown>)[k] = v;
  return a;
}

function alertParams(a: Omit<AlertRecord, 'id'>) {
  return {
    fingerprint: a.fingerprint,
    point_id: a.pointId,
    unit: a.labels.unit ?? '',
    condition: a.condition,
    severity: a.severity,
    state: a.state,
    labels: JSON.stringify(a.labels),
    details: JSON.stringify(a.details),
    started_at: a.startedAtMs,
    updated_at: a.updatedAtMs,
    resolved_at: a.resolvedAtMs ?? null,
    acked_by: a.ackedBy ?? null,
    acked_at: a.ackedAtMs ?? null,
    ack_comment: a.ackComment ?? null,
    receivers: JSON.stringify(a.receivers),
    escalation: JSON.stringify(a.escalation),
    notified_at: a.notifiedAtMs ?? null,
    last_notified_at: a.lastNotifiedAtMs ?? null,
    repeat_count: a.repeatCount,
    escalations_sent: a.escalationsSent,
  };
}

function toNotification(r: NotificationRow): NotificationRecord {
  const n: NotificationRecord = {
    id: r.id,
    alertId: r.alert_id,
    kind: r.kind as NotificationKind,
    seq: r.seq,
    receiver: r.receiver,
    integration: r.integration,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
  if (r.last_error !== null) n.lastError = r.last_error;
  if (r.recoverable !== null) n.recoverable = r.recoverable === 1;
  if (r.delivered_at !== null) n.deliveredAtMs = r.delivered_at;
  return n;
}

function toSilence(r: SilenceRow): Silence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as Silence['matchers'],
    startsAtMs: r.starts_at,
    endsAtMs: r.ends_at,
    createdBy: r.created_by,
    comment: r.comment,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
}

function toMaintenance(r: MaintenanceRow): MaintenanceWindow {
  const w: MaintenanceWindow = {
    id: r.id,
    pointIds: JSON.parse(r.point_ids) as string[],
    unitCodes: JSON.parse(r.unit_codes) as string[],
    comment: r.comment,
    createdBy: r.created_by,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
    source: 'store',
  };
  if (r.starts_at !== null) w.startsAtMs = r.starts_at;
  if (r.ends_at !== null) w.endsAtMs = r.ends_at;
  if (r.cron !== null) w.cron = r.cron;
  if (r.duration_min !== null) w.durationMin = r.duration_min;
  return w;
}

const OPEN_STATUSES: DeliveryStatus[] = ['pending', 'muted', 'retrying'];

export class AlertStore {
  readonly file: string;
  readonly #db: Database.Database;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
  }

  /** Open (creating when needed) the store at `file`; migrates the schema. */
  static open(file: string): AlertStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    // WAL: the API reads while a round writes, and a crash never leaves a half-written page.
    // FULL: each commit is fsynced, so a page recorded as sent stays recorded across a power cut.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return new AlertStore(file, db);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  get journalMode(): string {
    return this.#db.pragma('journal_mode', { simple: true }) as string;
  }

  /** Run `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  // ------------------------------------------------------------------ point states
  loadPointStates(): Map<string, PointState> {
    const rows = this.#db.prepare('SELECT point_id, state FROM point_states').all() as { point_id: string; state: string }[];
    return new Map(rows.map((r) => [r.point_id, JSON.parse(r.state) as PointState]));
  }

  savePointStates(states: readonly PointState[], nowMs: number): void {
    const put = this.#db.prepare('INSERT INTO point_states (point_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(point_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at');
    this.transaction(() => {
      for (const s of states) put.run(s.pointId, JSON.stringify(s), nowMs);
    });
  }

  // ------------------------------------------------------------------ alerts
  openAlerts(): AlertRecord[] {
    return (this.#db.prepare('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY id').all() as AlertRow[]).map(toAlert);
  }

  alert(id: number): AlertRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  insertAlert(a: Omit<AlertRecord, 'id'>): AlertRecord {
    const p = alertParams(a);
    const cols = Object.keys(p);
    const info = this.#db.prepare(`INSERT INTO alerts (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(p);
    return { ...a, id: Number(info.lastInsertRowid) };
  }

  updateAlert(a: AlertRecord): void {
    const p = alertParams(a);
    const sets = Object.keys(p).map((c) => `${c} = @${c}`);
    this.#db.prepare(`UPDATE alerts SET ${sets.join(', ')} WHERE id = @id`).run({ ...p, id: a.id });
  }

  listAlerts(filter: AlertFilter = {}): AlertRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, values: readonly string[] | undefined) => {
      if (!values?.length) return;
      where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    if (filter.open) where.push('resolved_at IS NULL');
    inList('state', filter.states);
    inList('point_id', filter.pointIds);
    inList('unit', filter.units);
    inList('condition', filter.conditions);
    inList('severity', filter.severities);
    if (filter.sinceMs !== undefined) {
      where.push('started_at >= ?');
      params.push(filter.sinceMs);
    }
    if (filter.untilMs !== undefined) {
      where.push('started_at < ?');
      params.push(filter.untilMs);
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ? OFFSET ?`;
    params.push(filter.limit ?? 1000, filter.offset ?? 0);
    return (this.#db.prepare(sql).all(...params) as AlertRow[]).map(toAlert);
  }

  addEvent(alertId: number, timeMs: number, type: AlertEvent['type'], actor?: string, detail?: Record<string, unknown>): void {
    this.#db.prepare('INSERT INTO alert_events (alert_id, time, type, actor, detail) VALUES (?, ?, ?, ?, ?)').run(alertId, timeMs, type, actor ?? null, detail ? JSON.stringify(detail) : null);
  }

  events(alertId: number): AlertEvent[] {
    const rows = this.#db.prepare('SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id').all(alertId) as { id: number; alert_id: number; time: number; type: string; actor: string | null; detail: string | null }[];
    return rows.map((r) => {
      const e: AlertEvent = { id: r.id, alertId: r.alert_id, timeMs: r.time, type: r.type as AlertEvent['type'] };
      if (r.actor !== null) e.actor = r.actor;
      if (r.detail !== null) e.detail = JSON.parse(r.detail) as Record<string, unknown>;
      return e;
    });
  }

  // ------------------------------------------------------------------ notifications (outbox)
  /** Queue a delivery; returns undefined when that (alert, kind, seq, integration) was queued before. */
  enqueue(n: { alertId: number; kind: NotificationKind; seq: number; receiver: string; integration: string; nowMs: number }): NotificationRecord | undefined {
    const info = this.#db
      .prepare(
        `INSERT OR IGNORE INTO notifications (alert_id, kind, seq, receiver, integration, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
      )
      .run(n.alertId, n.kind, n.seq, n.receiver, n.integration, n.nowMs, n.nowMs, n.nowMs);
    if (info.changes === 0) return undefined;
    return this.notification(Number(info.lastInsertRowid));
  }

  notification(id: number): NotificationRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM notifications WHERE id = ?').get(id) as NotificationRow | undefined;
    return row ? toNotification(row) : undefined;
  }

  /** Deliveries waiting to go out whose time has come, oldest first. */
  dueNotifications(nowMs: number, limit = 100): NotificationRecord[] {
    const rows = this.#db
      .prepare(`SELECT * FROM notifications WHERE status IN (${OPEN_STATUSES.map(() => '?').join(', ')}) AND next_attempt_at <= ? ORDER BY id LIMIT ?`)
      .all(...OPEN_STATUSES, nowMs, limit) as NotificationRow[];
    return rows.map(toNotification);
  }

  updateNotification(n: NotificationRecord): void {
    this.#db
      .prepare('UPDATE notifications SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, recoverable = ?, updated_at = ?, delivered_at = ? WHERE id = ?')
      .run(n.status, n.attempts, n.nextAttemptAtMs, n.lastError ?? null, n.recoverable === undefined ? null : n.recoverable ? 1 : 0, n.updatedAtMs, n.deliveredAtMs ?? null, n.id);
  }

  notificationsFor(alertId: number): NotificationRecord[] {
    return (this.#db.prepare('SELECT * FROM notifications WHERE alert_id = ? ORDER BY id').all(alertId) as NotificationRow[]).map(toNotification);
  }

  /** Cancel deliveries of an alert still waiting (e.g. a muted page whose alert resolved). */
  cancelOpenNotifications(alertId: number, kinds: NotificationKind[], nowMs: number): number {
    const info = this.#db
      .prepare(
        `UPDATE notifications SET status = 'cancelled', updated_at = ? WHERE alert_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) AND status IN (${OPEN_STATUSES.map(() => '?').join(', ')})`,
      )
      .run(nowMs, alertId, ...kinds, ...OPEN_STATUSES);
    return info.changes;
  }

  // ------------------------------------------------------------------ silences
  silences(): Silence[] {
    return (this.#db.prepare('SELECT * FROM silences ORDER BY created_at').all() as SilenceRow[]).map(toSilence);
  }

  silence(id: string): Silence | undefined {
    const row = this.#db.prepare('SELECT * FROM silences WHERE id = ?').get(id) as SilenceRow | undefined;
    return row ? toSilence(row) : undefined;
  }

  putSilence(s: Silence): void {
    this.#db
      .prepare(
        `INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           created_by = excluded.created_by, comment = excluded.comment, updated_at = excluded.updated_at`,
      )
      .run(s.id, JSON.stringify(s.matchers), s.startsAtMs, s.endsAtMs, s.createdBy, s.comment, s.createdAtMs, s.updatedAtMs);
  }

  deleteSilence(id: string): boolean {
    return this.#db.prepare('DELETE FROM silences WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------------ maintenance
  maintenanceWindows(): MaintenanceWindow[] {
    return (this.#db.prepare('SELECT * FROM maintenance ORDER BY created_at').all() as MaintenanceRow[]).map(toMaintenance);
  }

  maintenance(id: string): MaintenanceWindow | undefined {
    const row = this.#db.prepare('SELECT * FROM maintenance WHERE id = ?').get(id) as MaintenanceRow | undefined;
    return row ? toMaintenance(row) : undefined;
  }

  putMaintenance(w: MaintenanceWindow): void {
    this.#db
      .prepare(
        `INSERT INTO maintenance (id, point_ids, unit_codes, starts_at, ends_at, cron, duration_min, comment, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET point_ids = excluded.point_ids, unit_codes = excluded.unit_codes, starts_at = excluded.starts_at,
           ends_at = excluded.ends_at, cron = excluded.cron, duration_min = excluded.duration_min, comment = excluded.comment,
           created_by = excluded.created_by, updated_at = excluded.updated_at`,
      )
      .run(
        w.id,
        JSON.stringify(w.pointIds),
        JSON.stringify(w.unitCodes),
        w.startsAtMs ?? null,
        w.endsAtMs ?? null,
        w.cron ?? null,
        w.durationMin ?? null,
        w.comment,
        w.createdBy,
        w.createdAtMs,
        w.updatedAtMs,
      );
  }

  deleteMaintenance(id: string): boolean {
    return this.#db.prepare('DELETE FROM maintenance WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------------ housekeeping
  /** Delete resolved alerts (with their events and deliveries) and expired silences older than `beforeMs`. */
  prune(beforeMs: number): { alerts: number; silences: number } {
    return this.transaction(() => ({
      alerts: this.#db.prepare('DELETE FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?').run(beforeMs).changes,
      silences: this.#db.prepare('DELETE FROM silences WHERE ends_at < ?').run(beforeMs).changes,
    }));
  }
}
