// GET /api/v1/alerts, POST /api/v1/alerts/:id/ack, GET/POST/DELETE /api/v1/silences and
// /api/v1/maintenance: the alert lifecycle for on-call staff. Reads need `read`, writes `operator`;
// writes are rate limited. Without the alerting service wired, these answer 503.
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import type { App, RouteContext } from '../app.js';
import type { AlertStatus, AlertView, AlertsApi, MaintenanceView, SilenceView } from '../deps.js';
import { InputError } from '../deps.js';
import { sendError } from '../errors.js';
import { listParam } from '../point-list.js';
import { BEARER, Closed, ERROR_RESPONSES, FreeText, Id, IsoTime, Page, PagingQuery, PointId, UnitCode, page } from '../schemas.js';
import { isoTime } from '../time.js';

export const AlertItem = Closed({
  id: Type.String(),
  rule: Type.String(),
  severity: Type.String(),
  status: Type.String({ description: 'firing, acknowledged or resolved.' }),
  point_id: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String()),
  summary: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  starts_at: Type.String(),
  ends_at: Type.Optional(Type.String()),
  ack: Type.Optional(Closed({ by: Type.String(), comment: Type.String(), at: Type.String() })),
  affected_points: Type.Optional(Type.Array(Type.String())),
  affected_population: Type.Optional(Type.Integer()),
});

export function alertJson(a: AlertView) {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    status: a.status,
    point_id: a.pointId,
    unit: a.unit,
    summary: a.summary,
    labels: a.labels,
    starts_at: new Date(a.startsAtMs).toISOString(),
    ends_at: isoTime(a.endsAtMs),
    ack: a.ack && { by: a.ack.by, comment: a.ack.comment, at: new Date(a.ack.atMs).toISOString() },
    affected_points: a.affectedPoints,
    affected_population: a.affectedPopulation === undefined ? undefined : Math.round(a.affectedPopulation),
  };
}

const MatcherBody = Closed({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Label name (alertname, point_id, severity, district, commune …).' }),
  value: Type.String({ maxLength: 1000 }),
  is_regex: Type.Boolean({ default: false, description: 'Value is a regular expression, anchored at both ends.' }),
  is_equal: Type.Boolean({ default: true, description: 'False: select alerts whose label does NOT match.' }),
});

const SilenceItem = Closed({
  id: Type.String(),
  matchers: Type.Array(MatcherBody),
  starts_at: Type.String(),
  ends_at: Type.String(),
  created_by: Type.String(),
  comment: Type.String(),
});

const SilenceBody = Closed({
  matchers: Type.Array(MatcherBody, { minItems: 1, maxItems: 20 }),
  starts_at: Type.Optional(IsoTime),
  ends_at: IsoTime,
  created_by: Type.Optional(FreeText(100, 'Who silences (default: the token\'s name).')),
  comment: Type.String({ minLength: 1, maxLength: 1000, description: 'Why (required, as in Alertmanager).' }),
});

const Recurrence = Closed({
  cron: Type.String({ minLength: 9, maxLength: 100, pattern: '^[0-9*/,\\- A-Za-z]+$', description: '5-field cron expression in config.timezone, e.g. "0 22 * * 6" (Saturdays 22:00).' }),
  duration_s: Type.Integer({ minimum: 60, maximum: 7 * 86400, description: 'Length of each window.' }),
});

const MaintenanceItem = Closed({
  id: Type.String(),
  points: Type.Array(Type.String()),
  units: Type.Array(Type.String()),
  starts_at: Type.String(),
  ends_at: Type.String(),
  recurrence: Type.Optional(Recurrence),
  created_by: Type.String(),
  comment: Type.String(),
});

const MaintenanceBody = Closed({
  points: Type.Array(PointId, { maxItems: 1000, default: [] }),
  units: Type.Array(UnitCode, { maxItems: 1000, default: [] }),
  starts_at: IsoTime,
  ends_at: IsoTime,
  recurrence: Type.Optional(Recurrence),
  created_by: Type.Optional(FreeText(100, 'Who plans the work (default: the token\'s name).')),
  comment: Type.String({ minLength: 1, maxLength: 1000, description: 'What work, and who to call.' }),
});

const silenceJson = (s: SilenceView) => ({
  id: s.id,
  matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, is_regex: m.isRegex, is_equal: m.isEqual })),
  starts_at: new Date(s.startsAtMs).toISOString(),
  ends_at: new Date(s.endsAtMs).toISOString(),
  created_by: s.createdBy,
  comment: s.comment,
});

const maintenanceJson = (m: MaintenanceView) => ({
  id: m.id,
  points: m.points,
  units: m.units,
  starts_at: new Date(m.startsAtMs).toISOString(),
  ends_at: new Date(m.endsAtMs).toISOString(),
  recurrence: m.recurrence && { cron: m.recurrence.cron, duration_s: m.recurrence.durationS },
  created_by: m.createdBy,
  comment: m.comment,
});

const STATUSES: readonly AlertStatus[] = ['firing', 'acknowledged', 'resolved'];

function timeRange(startsAt: string | undefined, endsAt: string, nowMs: number): { startsAtMs: number; endsAtMs: number } {
  const startsAtMs = startsAt === undefined ? nowMs : Date.parse(startsAt);
  const endsAtMs = Date.parse(endsAt);
  if (!(endsAtMs > startsAtMs)) throw new InputError('body.ends_at: must be after starts_at', 'body.ends_at');
  if (!(endsAtMs > nowMs)) throw new InputError('body.ends_at: must be in the future', 'body.ends_at');
  return { startsAtMs, endsAtMs };
}

export function alertRoutes(app: App, ctx: RouteContext): void {
  const inv = ctx.deps.inventory;
  const read = { config: { access: 'read' as const } };
  const write = { config: { access: 'operator' as const, rateLimit: ctx.writeLimit } };
  const common = { 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403], 503: ERROR_RESPONSES[503] };
  const writeErrors = { ...common, 404: ERROR_RESPONSES[404], 413: ERROR_RESPONSES[413], 415: ERROR_RESPONSES[415], 429: ERROR_RESPONSES[429] };

  /** The service, or a 503 sent: alerting is optional in a deployment that only maps coverage. */
  const service = (reply: FastifyReply): AlertsApi | undefined => {
    if (!ctx.deps.alerts) void sendError(reply, 503, 'alerting is not running in this daemon');
    return ctx.deps.alerts;
  };
  const who = (given: string | undefined, principal: string | undefined) => (given?.trim() || principal || 'anonymous');

  app.get(
    '/api/v1/alerts',
    {
      ...read,
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first; by default the open ones (firing and acknowledged).',
        security: BEARER,
        querystring: Closed({
          status: Type.Optional(Type.Array(Type.String({ maxLength: 100, pattern: '^[a-z,]*$' }), { maxItems: 10, description: 'firing, acknowledged, resolved (repeated or comma-separated).' })),
          severity: Type.Optional(Type.String({ maxLength: 32, pattern: '^[A-Za-z_]+$' })),
          rule: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_]+$' })),
          point: Type.Optional(PointId),
          unit: Type.Optional(UnitCode),
          ...PagingQuery,
        }),
        response: { 200: Page(AlertItem, 'A page of alerts.'), ...common },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const q = req.query;
      const status = listParam(q.status, (s) => s.toLowerCase());
      const bad = status?.find((s) => !STATUSES.includes(s as AlertStatus));
      if (bad !== undefined) return sendError(reply, 400, `querystring.status: must be one of ${STATUSES.join(', ')}`, { field: 'querystring.status' });
      if (q.unit !== undefined && !inv.unit(q.unit)) return sendError(reply, 400, `querystring.unit: no administrative unit ${q.unit}`, { field: 'querystring.unit' });
      const list = await svc.alerts({ status: (status as AlertStatus[] | undefined) ?? ['firing', 'acknowledged'], severity: q.severity, rule: q.rule, pointId: q.point, unit: q.unit });
      const sorted = [...list].sort((a, b) => b.startsAtMs - a.startsAtMs);
      const p = page(sorted, q.limit, q.offset);
      return { ...p, items: p.items.map(alertJson) };
    },
  );

  app.post(
    '/api/v1/alerts/:id/ack',
    {
      ...write,
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert (stops repeats and escalation).',
        security: BEARER,
        params: Closed({ id: Id }),
        body: Type.Union([
          Closed({
            who: Type.Optional(FreeText(100, 'Who takes it (default: the token\'s name).')),
            comment: Type.Optional(FreeText(1000, 'What is being done.')),
          }),
          Type.Null(),
        ]),
        response: { 200: AlertItem, ...writeErrors, 409: ERROR_RESPONSES[400] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const body = req.body ?? {};
      const outcome = await svc.ack(req.params.id, who(body.who, req.principal?.name), body.comment ?? '', ctx.now());
      if (outcome.ok) return alertJson(outcome.alert);
      if (outcome.reason === 'not_found') return sendError(reply, 404, `no alert ${req.params.id}`, { error: 'not_found' });
      return sendError(reply, 409, `alert ${req.params.id} is already resolved`);
    },
  );

  app.get(
    '/api/v1/silences',
    { ...read, schema: { tags: ['alerts'], summary: 'Silences (label matchers with an expiry).', security: BEARER, response: { 200: Closed({ items: Type.Array(SilenceItem) }), ...common } } },
    async (_req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      return { items: (await svc.silences()).map(silenceJson) };
    },
  );

  app.post(
    '/api/v1/silences',
    { ...write, schema: { tags: ['alerts'], summary: 'Create a silence: matching alerts are not notified until it expires.', security: BEARER, body: SilenceBody, response: { 201: SilenceItem, ...writeErrors } } },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const b = req.body;
      b.matchers.forEach((m, i) => {
        if (!m.is_regex) return;
        try {
          new RegExp(`^(?:${m.value})$`);
        } catch {
          throw new InputError(`body.matchers[${i}].value: not a valid regular expression`, `body.matchers[${i}].value`);
        }
      });
      const range = timeRange(b.starts_at, b.ends_at, ctx.now());
      const created = await svc.addSilence({
        matchers: b.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.is_regex, isEqual: m.is_equal })),
        ...range,
        createdBy: who(b.created_by, req.principal?.name),
        comment: b.comment,
      });
      return reply.code(201).send(silenceJson(created));
    },
  );

  app.delete(
    '/api/v1/silences/:id',
    { ...write, schema: { tags: ['alerts'], summary: 'Expire a silence now.', security: BEARER, params: Closed({ id: Id }), response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      if (!(await svc.removeSilence(req.params.id))) return sendError(reply, 404, `no silence ${req.params.id}`, { error: 'not_found' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/maintenance',
    { ...read, schema: { tags: ['alerts'], summary: 'Maintenance windows (points or units, one-off or recurring).', security: BEARER, response: { 200: Closed({ items: Type.Array(MaintenanceItem) }), ...common } } },
    async (_req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      return { items: (await svc.maintenance()).map(maintenanceJson) };
    },
  );

  app.post(
    '/api/v1/maintenance',
    {
      ...write,
      schema: {
        tags: ['alerts'],
        summary: 'Plan maintenance: pages for these points (or every point of these units) are suppressed and their state shows MAINTENANCE.',
        security: BEARER,
        body: MaintenanceBody,
        response: { 201: MaintenanceItem, ...writeErrors },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const b = req.body;
      if (!b.points.length && !b.units.length) throw new InputError('body.points: give at least one point or unit', 'body.points');
      b.points.forEach((id, i) => {
        if (!inv.point(id)) throw new InputError(`body.points[${i}]: no point ${id}`, `body.points[${i}]`);
      });
      b.units.forEach((code, i) => {
        if (!inv.unit(code)) throw new InputError(`body.units[${i}]: no administrative unit ${code}`, `body.units[${i}]`);
      });
      if (b.recurrence && b.recurrence.cron.trim().split(/\s+/).length !== 5) throw new InputError('body.recurrence.cron: needs 5 fields (minute hour day month weekday)', 'body.recurrence.cron');
      const startsAtMs = Date.parse(b.starts_at);
      const endsAtMs = Date.parse(b.ends_at);
      if (!(endsAtMs > startsAtMs)) throw new InputError('body.ends_at: must be after starts_at', 'body.ends_at');
      const created = await svc.addMaintenance({
        points: b.points,
        units: b.units,
        startsAtMs,
        endsAtMs,
        recurrence: b.recurrence && { cron: b.recurrence.cron.trim(), durationS: b.recurrence.duration_s },
        createdBy: who(b.created_by, req.principal?.name),
        comment: b.comment,
      });
      return reply.code(201).send(maintenanceJson(created));
    },
  );

  app.delete(
    '/api/v1/maintenance/:id',
    { ...write, schema: { tags: ['alerts'], summary: 'Cancel a maintenance window.', security: BEARER, params: Closed({ id: Id }), response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      if (!(await svc.removeMaintenance(req.params.id))) return sendError(reply, 404, `no maintenance window ${req.params.id}`, { error: 'not_found' });
      return reply.code(204).send(null);
    },
  );
}
