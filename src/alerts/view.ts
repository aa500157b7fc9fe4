// The JSON face of alerts, silences, maintenance windows and point states: what the API returns
// and what a webhook carries. snake_case keys, ISO 8601 UTC times, no internal bookkeeping.
import type { AlertRecord, MaintenanceWindow, NotificationRecord, PointState, Silence, AlertEvent } from './types.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export interface AlertView {
  id: number;
  fingerprint: string;
  point_id: string;
  condition: string;
  severity: string;
  state: string;
  labels: Record<string, string>;
  figures: Record<string, number>;
  interface: { if_index: number; if_name: string; if_alias: string } | null;
  affected: { point_id: string; name: string; kind: string; unit: string; unit_name: string }[];
  affected_units: { code: string; name: string; population: number }[];
  affected_population: number;
  still_down: { point_id: string; name: string }[];
  note: string | null;
  started_at: string;
  updated_at: string;
  resolved_at: string | null;
  acknowledged: { by: string; at: string | null; comment: string } | null;
  receivers: string[];
  repeat_count: number;
  escalations_sent: number;
}

export function alertView(a: AlertRecord): AlertView {
  const d = a.details;
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    point_id: a.pointId,
    condition: a.condition,
    severity: a.severity,
    state: a.state,
    labels: a.labels,
    figures: d.figures,
    interface: d.interface ? { if_index: d.interface.ifIndex, if_name: d.interface.ifName, if_alias: d.interface.ifAlias } : null,
    affected: d.affected.map((p) => ({ point_id: p.pointId, name: p.name, kind: p.kind, unit: p.unit, unit_name: p.unitName })),
    affected_units: d.affectedUnits,
    affected_population: d.affectedPopulation,
    still_down: (d.stillDown ?? []).map((p) => ({ point_id: p.pointId, name: p.name })),
    note: d.note ?? null,
    started_at: iso(a.startedAtMs)!,
    updated_at: iso(a.updatedAtMs)!,
    resolved_at: iso(a.resolvedAtMs),
    acknowledged: a.ackedBy !== undefined ? { by: a.ackedBy, at: iso(a.ackedAtMs), comment: a.ackComment ?? '' } : null,
    receivers: a.receivers,
    repeat_count: a.repeatCount,
    escalations_sent: a.escalationsSent,
  };
}

export function notificationView(n: NotificationRecord) {
  return {
    id: n.id,
    kind: n.kind,
    seq: n.seq,
    receiver: n.receiver,
    integration: n.integration,
    status: n.status,
    attempts: n.attempts,
    recoverable: n.recoverable ?? null,
    last_error: n.lastError ?? null,
    created_at: iso(n.createdAtMs),
    delivered_at: iso(n.deliveredAtMs),
    next_attempt_at: n.status === 'retrying' || n.status === 'pending' || n.status === 'muted' ? iso(n.nextAttemptAtMs) : null,
  };
}

export function eventView(e: AlertEvent) {
  return { time: iso(e.timeMs), type: e.type, actor: e.actor ?? null, detail: e.detail ?? null };
}

export function silenceView(s: Silence, nowMs: number) {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, is_regex: m.isRegex, is_equal: m.isEqual })),
    starts_at: iso(s.startsAtMs),
    ends_at: iso(s.endsAtMs),
    status: nowMs < s.startsAtMs ? 'pending' : nowMs < s.endsAtMs ? 'active' : 'expired',
    created_by: s.createdBy,
    comment: s.comment,
    created_at: iso(s.createdAtMs),
    updated_at: iso(s.updatedAtMs),
  };
}

export function maintenanceView(w: MaintenanceWindow, activeUntilMs: number | undefined) {
  return {
    id: w.id,
    source: w.source,
    point_ids: w.pointIds,
    unit_codes: w.unitCodes,
    starts_at: iso(w.startsAtMs),
    ends_at: iso(w.endsAtMs),
    cron: w.cron ?? null,
    duration_min: w.durationMin ?? null,
    comment: w.comment,
    created_by: w.createdBy,
    active: activeUntilMs !== undefined,
    active_until: iso(activeUntilMs),
  };
}

export function pointStateView(s: PointState) {
  return {
    point_id: s.pointId,
    status: s.status,
    state_type: s.stateType,
    since: iso(s.sinceMs),
    reach: s.reach,
    failed_rounds: s.failedRounds,
    last_check: iso(s.lastCheckMs),
    last_ok: iso(s.lastOkMs),
    loss_pct: s.lossPct ?? null,
    median_rtt_ms: s.medianMs ?? null,
    flap_pct: Math.round(s.flap.percent * 10) / 10,
    root_id: s.topology.verdict === 'upstream_down' ? s.topology.rootId : null,
    maintenance: s.maintenance,
    interfaces: Object.values(s.interfaces).map((i) => ({
      if_index: i.ifIndex,
      if_name: i.ifName,
      if_alias: i.ifAlias,
      uplink: i.uplink,
      admin_up: i.adminUp,
      oper_up: i.operUp,
      errors_per_s: i.errorsPerSecond ?? null,
      utilization_pct: i.utilizationPct ?? null,
      flap_pct: Math.round(i.flap.percent * 10) / 10,
      flapping: i.flap.flapping,
    })),
  };
}
