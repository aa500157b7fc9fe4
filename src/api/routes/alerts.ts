// GET /api/v1/alerts, POST /api/v1/alerts/:id/ack, GET/POST/DELETE /api/v1/silences and
// /api/v1/maintenance: the alert lifecycle for on-call staff. Reads need `read`, writes `operator`;
// writes are rate limited. Without the alerting service wired, these answer 503.
import Type, { type TSchema } from 'typebox';
import type { FastifyReply } from 'fastify';
import type { App, RouteContext } from '../app.js';
import type { AlertQuery } from '../../alerts/service.js';
import type { AlertState, ConditionName, Severity } from '../../alerts/types.js';
import { matcherProblem } from '../../alerts/mute.js';
import { cronProblem } from '../../alerts/cron.js';
import type { AlertsApi } from '../deps.js';
import { InputError } from '../deps.js';
import { sendError } from '../errors.js';
import { listParam } from '../point-list.js';
import { BEARER, Closed, ERROR_RESPONSES, FreeText, Id, IsoTime, PagingQuery, PointId, UnitCode } from '../schemas.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const NullableTime = Nullable(Type.String());

/** The alerting module's alert JSON (src/alerts/view.ts), as the OpenAPI document shows it. */
export const AlertItem = Closed({
  id: Type.Integer(),
  fingerprint: Type.String(),
  point_id: Type.String(),
  condition: Type.String({ description: 'down, degraded, flapping, if_down, if_errors, if_utilization, if_flapping, dead_zone.' }),
  severity: Type.String(),
  state: Type.String({ description: 'firing, acknowledged or resolved.' }),
  labels: Type.Record(Type.String(), Type.String()),
  figures: Type.Record(Type.String(), Type.Number()),
  interface: Nullable(Closed({ if_index: Type.Integer(), if_name: Type.String(), if_alias: Type.String() })),
  affected: Type.Array(Closed({ point_id: Type.String(), name: Type.String(), kind: Type.String(), unit: Type.String(), unit_name: Type.String() }), {
    description: 'Points cut off behind the root point (not paged on their own).',
  }),
  affected_units: Type.Array(Closed({ code: Type.String(), name: Type.String(), population: Type.Number() })),
  affected_population: Type.Number(),
  still_down: Type.Array(Closed({ point_id: Type.String(), name: Type.String() })),
  note: Nullable(Type.String()),
  started_at: Type.String(),
  updated_at: Type.String(),
  resolved_at: NullableTime,
  acknowledged: Nullable(Closed({ by: Type.String(), at: NullableTime, comment: Type.String() })),
  receivers: Type.Array(Type.String()),
  repeat_count: Type.Integer(),
  escalations_sent: Type.Integer(),
});

const AlertDetail = Closed({
  ...AlertItem.properties,
  muted: Nullable(Type.String({ description: 'Why pages are held now (a silence or maintenance window).' })),
  events: Type.Array(Closed({ time: NullableTime, type: Type.String(), actor: Nullable(Type.String()), detail: Nullable(Type.Record(Type.String(), Type.Unknown())) })),
  notifications: Type.Array(
    Closed({
      id: Type.Integer(),
      kind: Type.String(),
      seq: Type.Integer(),
      receiver: Type.String(),
      integration: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      recoverable: Nullable(Type.Boolean()),
      last_error: Nullable(Type.String()),
      created_at: NullableTime,
      delivered_at: NullableTime,
      next_attempt_at: NullableTime,
    }),
  ),
});

const MatcherBody = Closed({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Label name (alertname, point_id, severity, district, commune …).' }),
  value: Type.String({ maxLength: 1000 }),
  is_regex: Type.Boolean({ default: false, description: 'Value is a regular expression, anchored at both ends.' }),
  is_equal: Type.Boolean({ default: true, description: 'False: select alerts whose label does NOT match.' }),
});

const SilenceItem = Closed({
  id: Type.String(),
  matchers: Type.Array(MatcherBody),
  starts_at: NullableTime,
  ends_at: NullableTime,
  status: Type.String({ description: 'pending, active or expired.' }),
  created_by: Type.String(),
  comment: Type.String(),
  created_at: NullableTime,
  updated_at: NullableTime,
});

const SilenceBody = Closed({
  matchers: Type.Array(MatcherBody, { minItems: 1, maxItems: 20 }),
  starts_at: Type.Optional(IsoTime),
  ends_at: IsoTime,
  created_by: Type.Optional(FreeText(100, 'Who silences (default: the token\'s name).')),
  comment: Type.String({ minLength: 1, maxLength: 1000, description: 'Why (required, as in Alertmanager).' }),
});

const MaintenanceItem = Closed({
  id: Type.String(),
  source: Type.String({ description: 'config (read-only, from the configuration file) or store (made through the API).' }),
  point_ids: Type.Array(Type.String()),
  unit_codes: Type.Array(Type.String()),
  starts_at: NullableTime,
  ends_at: NullableTime,
  cron: Nullable(Type.String()),
  duration_min: Nullable(Type.Number()),
  comment: Type.String(),
  created_by: Type.String(),
  active: Type.Boolean(),
  active_until: NullableTime,
});

const MaintenanceBody = Closed({
  point_ids: Type.Array(PointId, { maxItems: 1000, default: [] }),
  unit_codes: Type.Array(UnitCode, { maxItems: 1000, default: [] }),
  starts_at: Type.Optional(IsoTime),
  ends_at: Type.Optional(IsoTime),
  cron: Type.Optional(Type.String({ minLength: 9, maxLength: 100, pattern: '^[0-9*/,\\- A-Za-z]+$', description: 'Recurring: 5-field cron in config.timezone marking each start, e.g. "0 22 * * 6".' })),
  duration_min: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 1440, description: 'Recurring: length of each window, minutes.' })),
  created_by: Type.Optional(FreeText(100, 'Who plans the work (default: the token\'s name).')),
  comment: Type.String({ minLength: 1, maxLength: 1000, description: 'What work, and who to call.' }),
});

const STATES: readonly AlertState[] = ['firing', 'acknowledged', 'resolved'];
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

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
          state: Type.Optional(Type.Array(Type.String({ maxLength: 100, pattern: '^[a-z,]*$' }), { maxItems: 10, description: 'open (default), all, or firing, acknowledged, resolved (repeated or comma-separated).' })),
          severity: Type.Optional(Type.Array(Type.String({ maxLength: 100, pattern: '^[a-z,]*$' }), { maxItems: 10, description: 'critical, warning, info.' })),
          condition: Type.Optional(Type.Array(Type.String({ maxLength: 200, pattern: '^[a-z_,]*$' }), { maxItems: 10, description: 'down, degraded, flapping, if_down … (repeated or comma-separated).' })),
          point: Type.Optional(PointId),
          unit: Type.Optional(UnitCode),
          since: Type.Optional(IsoTime),
          until: Type.Optional(IsoTime),
          ...PagingQuery,
        }),
        response: {
          200: Closed({ limit: Type.Integer(), offset: Type.Integer(), more: Type.Boolean({ description: 'More alerts after this page.' }), items: Type.Array(AlertItem) }, 'A page of alerts.'),
          ...common,
        },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const q = req.query;
      const states = listParam(q.state, (s) => s.toLowerCase());
      let state: AlertQuery['state'];
      if (states?.length === 1 && (states[0] === 'open' || states[0] === 'all')) state = states[0];
      else if (states) {
        const bad = states.find((s) => !STATES.includes(s as AlertState));
        if (bad !== undefined) return sendError(reply, 400, `querystring.state: must be open, all, or some of ${STATES.join(', ')}`, { field: 'querystring.state' });
        state = states as AlertState[];
      }
      const severity = listParam(q.severity);
      const badSeverity = severity?.find((s) => !SEVERITIES.includes(s as Severity));
      if (badSeverity !== undefined) return sendError(reply, 400, `querystring.severity: must be some of ${SEVERITIES.join(', ')}`, { field: 'querystring.severity' });
      if (q.unit !== undefined && !inv.unit(q.unit)) return sendError(reply, 400, `querystring.unit: no administrative unit ${q.unit}`, { field: 'querystring.unit' });
      // One more than asked tells whether another page follows.
      const items = await svc.listAlerts({
        state,
        severity: severity as Severity[] | undefined,
        condition: listParam(q.condition) as ConditionName[] | undefined,
        point_id: q.point,
        unit: q.unit,
        since: q.since,
        until: q.until,
        limit: q.limit + 1,
        offset: q.offset,
      });
      return { limit: q.limit, offset: q.offset, more: items.length > q.limit, items: items.slice(0, q.limit) };
    },
  );

  // Notifications link here (alertUrl in src/alerts/index.ts): one alert with its history and deliveries.
  app.get(
    '/api/v1/alerts/:id',
    {
      ...read,
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its history (events) and every delivery attempt: the page a notification links to.',
        security: BEARER,
        params: Closed({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: AlertDetail, ...common, 404: ERROR_RESPONSES[404] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      return svc.getAlert(req.params.id);
    },
  );

  app.post(
    '/api/v1/alerts/:id/ack',
    {
      ...write,
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an open alert: repeats and escalation stop; it stays open until its condition clears (409 when resolved or already acknowledged).',
        security: BEARER,
        params: Closed({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        body: Type.Union([
          Closed({
            who: Type.Optional(FreeText(100, 'Who takes it (default: the token\'s name).')),
            comment: Type.Optional(FreeText(1000, 'What is being done.')),
          }),
          Type.Null(),
        ]),
        response: { 200: AlertItem, ...writeErrors, 409: ERROR_RESPONSES[409] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const body = req.body ?? {};
      return svc.acknowledge(req.params.id, who(body.who, req.principal?.name), body.comment?.trim() ?? '');
    },
  );

  app.get(
    '/api/v1/silences',
    {
      ...read,
      schema: {
        tags: ['alerts'],
        summary: 'Silences (label matchers with an expiry); expired ones with include_expired=true.',
        security: BEARER,
        querystring: Closed({ include_expired: Type.Boolean({ default: false }) }),
        response: { 200: Closed({ items: Type.Array(SilenceItem) }), ...common },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      return { items: await svc.listSilences({ include_expired: req.query.include_expired }) };
    },
  );

  app.post(
    '/api/v1/silences',
    { ...write, schema: { tags: ['alerts'], summary: 'Create a silence: matching alerts are not notified until it expires.', security: BEARER, body: SilenceBody, response: { 201: SilenceItem, ...writeErrors } } },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const b = req.body;
      const now = ctx.now();
      b.matchers.forEach((m, i) => {
        const problem = matcherProblem({ name: m.name, value: m.value, isRegex: m.is_regex, isEqual: m.is_equal });
        if (problem) throw new InputError(`body.matchers[${i}].value: ${problem}`, `body.matchers[${i}].value`);
      });
      const startsAtMs = b.starts_at === undefined ? now : Date.parse(b.starts_at);
      if (!(Date.parse(b.ends_at) > startsAtMs)) throw new InputError('body.ends_at: must be after starts_at', 'body.ends_at');
      if (!(Date.parse(b.ends_at) > now)) throw new InputError('body.ends_at: must be in the future', 'body.ends_at');
      const created = await svc.createSilence({ ...b, created_by: who(b.created_by, req.principal?.name) });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/v1/silences/:id',
    { ...write, schema: { tags: ['alerts'], summary: 'Expire a silence now (kept for the record; a future one is deleted).', security: BEARER, params: Closed({ id: Id }), response: { 204: Type.Null(), ...writeErrors } } },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      await svc.deleteSilence(req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/maintenance',
    {
      ...read,
      schema: {
        tags: ['alerts'],
        summary: 'Maintenance windows (points or units, one-off or recurring), from the configuration and the API.',
        security: BEARER,
        querystring: Closed({ active: Type.Boolean({ default: false, description: 'Only the windows active now.' }) }),
        response: { 200: Closed({ items: Type.Array(MaintenanceItem) }), ...common },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      return { items: await svc.listMaintenance({ active: req.query.active }) };
    },
  );

  app.post(
    '/api/v1/maintenance',
    {
      ...write,
      schema: {
        tags: ['alerts'],
        summary: 'Plan maintenance: pages for these points (or every point of these units) are held and their state shows MAINTENANCE. One-off (starts_at, ends_at) or recurring (cron, duration_min).',
        security: BEARER,
        body: MaintenanceBody,
        response: { 201: MaintenanceItem, ...writeErrors },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const b = req.body;
      // The service checks all of this too; here each refusal names its field.
      if (!b.point_ids.length && !b.unit_codes.length) throw new InputError('body.point_ids: give at least one point id or unit code', 'body.point_ids');
      b.point_ids.forEach((id, i) => {
        if (!inv.point(id)) throw new InputError(`body.point_ids[${i}]: no point ${id}`, `body.point_ids[${i}]`);
      });
      b.unit_codes.forEach((code, i) => {
        if (!inv.unit(code)) throw new InputError(`body.unit_codes[${i}]: no administrative unit ${code}`, `body.unit_codes[${i}]`);
      });
      if (b.cron !== undefined || b.duration_min !== undefined) {
        if (b.cron === undefined) throw new InputError('body.cron: a recurring window needs cron and duration_min', 'body.cron');
        if (b.duration_min === undefined) throw new InputError('body.duration_min: a recurring window needs cron and duration_min', 'body.duration_min');
        const problem = cronProblem(b.cron);
        if (problem) throw new InputError(`body.cron: ${problem}`, 'body.cron');
      } else if (b.starts_at === undefined || b.ends_at === undefined) {
        const field = b.starts_at === undefined ? 'starts_at' : 'ends_at';
        throw new InputError(`body.${field}: a one-off window needs starts_at and ends_at (or cron and duration_min)`, `body.${field}`);
      }
      if (b.starts_at !== undefined && b.ends_at !== undefined && !(Date.parse(b.ends_at) > Date.parse(b.starts_at))) throw new InputError('body.ends_at: must be after starts_at', 'body.ends_at');
      const created = await svc.createMaintenance({ ...b, cron: b.cron?.trim(), created_by: who(b.created_by, req.principal?.name) });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/v1/maintenance/:id',
    {
      ...write,
      schema: {
        tags: ['alerts'],
        summary: 'Cancel a maintenance window made through the API (windows from the configuration file are read-only: 409).',
        security: BEARER,
        params: Closed({ id: Id }),
        response: { 204: Type.Null(), ...writeErrors, 409: ERROR_RESPONSES[409] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      await svc.deleteMaintenance(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
