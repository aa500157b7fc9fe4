// GET /api/v1/summary, GET /api/v1/points (filters, paging, search without diacritics),
// GET /api/v1/points/:id (state, last ICMP and SNMP figures, interfaces, open alerts, topology).
import Type from 'typebox';
import type { Inventory, Point } from '../../inventory/model.js';
import type { App, RouteContext } from '../app.js';
import type { PointsView } from '../deps.js';
import { sendError } from '../errors.js';
import { filterPoints, listParam, stateOf, summarize } from '../point-list.js';
import { BEARER, Closed, ERROR_RESPONSES, Page, PagingQuery, PointId, UnitCode, page } from '../schemas.js';
import { isoTime } from '../time.js';
import { AlertItem } from './alerts.js';

const Counts = Type.Record(Type.String(), Type.Integer());

const SummaryBody = Closed({
  generated_at: Type.String(),
  total: Type.Integer(),
  by_state: Counts,
  by_kind: Type.Record(Type.String(), Counts),
  level: Type.String({ description: 'Level of the units listed.' }),
  units: Type.Array(Closed({ code: Type.String(), name: Type.String(), level: Type.String(), points: Type.Integer(), by_state: Counts })),
});

const UnitRef = Closed({ code: Type.String(), name: Type.String(), level: Type.String() });

const PointItem = Closed({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  unit: UnitRef,
  units: Type.Record(Type.String(), Type.String(), { description: 'Unit code per level on the point\'s path: {province, district, commune}.' }),
  address: Type.String(),
  upstream: Type.Optional(Type.String()),
  state: Type.String({ description: 'UP, DEGRADED, DOWN, UNREACHABLE, FLAPPING, MAINTENANCE, UNKNOWN (not judged yet).' }),
  hard: Type.Boolean(),
  since: Type.Optional(Type.String()),
  percent_packet_loss: Type.Optional(Type.Number()),
  average_response_ms: Type.Optional(Type.Number()),
  last_icmp_at: Type.Optional(Type.String()),
});

const Interface = Closed({
  if_index: Type.Integer(),
  if_name: Type.String(),
  if_alias: Type.String(),
  oper_status: Type.Integer(),
  admin_status: Type.Integer(),
  high_speed_mbps: Type.Optional(Type.Number()),
  in_bits_per_second: Type.Optional(Type.Number()),
  out_bits_per_second: Type.Optional(Type.Number()),
  in_utilization_pct: Type.Optional(Type.Number()),
  out_utilization_pct: Type.Optional(Type.Number()),
  in_errors_per_second: Type.Optional(Type.Number()),
  out_errors_per_second: Type.Optional(Type.Number()),
});

const Icmp = Closed({
  time: Type.String(),
  packets_transmitted: Type.Integer(),
  packets_received: Type.Integer(),
  percent_packet_loss: Type.Number(),
  minimum_response_ms: Type.Optional(Type.Number()),
  average_response_ms: Type.Optional(Type.Number()),
  median_response_ms: Type.Optional(Type.Number()),
  maximum_response_ms: Type.Optional(Type.Number()),
  standard_deviation_ms: Type.Optional(Type.Number()),
  jitter_ms: Type.Optional(Type.Number()),
  result_code: Type.Integer(),
});

const Snmp = Closed({
  time: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
  uptime_s: Type.Optional(Type.Number()),
  poll_duration_ms: Type.Number(),
  interfaces: Type.Array(Interface),
});

const PointRef = Closed({ id: Type.String(), name: Type.String(), kind: Type.String(), state: Type.String() });

const PointDetail = Closed({
  ...PointItem.properties,
  reason: Type.Optional(Type.String()),
  lat: Type.Number(),
  lon: Type.Number(),
  path: Type.Array(UnitRef, { description: 'Administrative units from the province down to the point\'s unit.' }),
  icmp: Type.Optional(Icmp),
  snmp: Type.Optional(Snmp),
  alerts: Type.Array(AlertItem, { description: 'Open alerts (firing or acknowledged) of this point.' }),
  upstream_chain: Type.Array(PointRef, { description: 'Points between this one and the core, nearest first.' }),
  dependants: Type.Array(PointRef, { description: 'Points whose upstream is this one.' }),
  all_dependants: Type.Integer({ description: 'Every point that reaches the core through this one.' }),
});

function unitRef(inv: Inventory, code: string) {
  const u = inv.unit(code);
  return { code, name: u?.name ?? code, level: u?.level ?? '' };
}

export function pointItem(inv: Inventory, view: PointsView, p: Point) {
  const st = view.state(p.id);
  const icmp = view.lastIcmp(p.id);
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    unit: unitRef(inv, p.unit),
    units: inv.unitTags(p.unit),
    address: p.address,
    upstream: p.upstream,
    state: stateOf(view, p.id),
    hard: st?.hard ?? false,
    since: isoTime(st?.sinceMs),
    percent_packet_loss: icmp?.percentPacketLoss,
    average_response_ms: icmp?.averageResponseMs,
    last_icmp_at: isoTime(icmp?.timeMs),
  };
}

const ref = (view: PointsView) => (p: Point) => ({ id: p.id, name: p.name, kind: p.kind, state: stateOf(view, p.id) });

const StateParam = Type.Array(Type.String({ maxLength: 200, pattern: '^[A-Za-z_,]*$' }), { maxItems: 20, description: 'States, repeated or comma-separated (UP, DOWN …).' });
const KindParam = Type.Array(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_,-]*$' }), { maxItems: 20, description: 'Point kinds (agency, district, commune), repeated or comma-separated.' });

export function pointRoutes(app: App, ctx: RouteContext): void {
  const { inventory: inv, points: view } = ctx.deps;
  const readErrors = { 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403] };

  app.get(
    '/api/v1/summary',
    {
      config: { access: 'read' },
      schema: {
        tags: ['points'],
        summary: 'Points by state, overall, per kind and per administrative unit.',
        security: BEARER,
        querystring: Closed({
          unit: Type.Optional(UnitCode),
          level: Type.Optional(Type.String({ maxLength: 32, pattern: '^[A-Za-z0-9_]+$', description: 'Level of the units listed (default: the level below `unit` or below the province).' })),
        }),
        response: { 200: SummaryBody, ...readErrors, 404: ERROR_RESPONSES[404] },
      },
    },
    async (req, reply) => {
      const { unit, level } = req.query;
      if (unit !== undefined && !inv.unit(unit)) return sendError(reply, 404, `no administrative unit ${unit}`, { field: 'querystring.unit' });
      if (level !== undefined && !inv.levels.some((l) => l.name === level))
        return sendError(reply, 400, `querystring.level: must be one of ${inv.levels.map((l) => l.name).join(', ')}`, { field: 'querystring.level' });
      const s = summarize(inv, view, unit, level);
      return {
        generated_at: new Date(ctx.now()).toISOString(),
        total: s.total,
        by_state: s.byState,
        by_kind: s.byKind,
        level: s.level,
        units: s.units.map((u) => ({ code: u.code, name: u.name, level: u.level, points: u.points, by_state: u.byState })),
      };
    },
  );

  app.get(
    '/api/v1/points',
    {
      config: { access: 'read' },
      schema: {
        tags: ['points'],
        summary: 'Network points with their state; filters by state, kind, unit (any level) and text (diacritics optional).',
        security: BEARER,
        querystring: Closed({
          state: Type.Optional(StateParam),
          kind: Type.Optional(KindParam),
          unit: Type.Optional(UnitCode),
          q: Type.Optional(Type.String({ maxLength: 200, description: 'Words to find in id, name, address or unit names: "ea tam" finds "Ea Tam", "dak lak" finds "Đắk Lắk".' })),
          ...PagingQuery,
        }),
        response: { 200: Page(PointItem, 'A page of points.'), ...readErrors },
      },
    },
    async (req) => {
      const q = req.query;
      const list = filterPoints(inv, view, { states: listParam(q.state), kinds: listParam(q.kind), unit: q.unit, q: q.q });
      const p = page(list, q.limit, q.offset);
      return { ...p, items: p.items.map((pt) => pointItem(inv, view, pt)) };
    },
  );

  app.get(
    '/api/v1/points/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['points'],
        summary: 'One point: state, last ICMP and SNMP figures, interfaces, open alerts, upstream and dependants.',
        security: BEARER,
        params: Closed({ id: PointId }),
        response: { 200: PointDetail, ...readErrors, 404: ERROR_RESPONSES[404] },
      },
    },
    async (req, reply) => {
      const p = inv.point(req.params.id);
      if (!p) return sendError(reply, 404, `no point ${req.params.id}`, { error: 'not_found' });
      const icmp = view.lastIcmp(p.id);
      const snmp = view.lastSnmp(p.id);
      const alerts = ctx.deps.alerts ? await ctx.deps.alerts.listAlerts({ state: 'open', point_id: p.id }) : [];
      return {
        ...pointItem(inv, view, p),
        reason: view.state(p.id)?.reason,
        lat: p.lat,
        lon: p.lon,
        path: inv.ancestry(p.unit).map((u) => ({ code: u.code, name: u.name, level: u.level })),
        icmp: icmp && {
          time: new Date(icmp.timeMs).toISOString(),
          packets_transmitted: icmp.transmitted,
          packets_received: icmp.received,
          percent_packet_loss: icmp.percentPacketLoss,
          minimum_response_ms: icmp.minimumResponseMs,
          average_response_ms: icmp.averageResponseMs,
          median_response_ms: icmp.medianResponseMs,
          maximum_response_ms: icmp.maximumResponseMs,
          standard_deviation_ms: icmp.standardDeviationMs,
          jitter_ms: icmp.jitterMs,
          result_code: icmp.resultCode,
        },
        snmp: snmp && {
          time: new Date(snmp.timeMs).toISOString(),
          ok: snmp.ok,
          error: snmp.error,
          uptime_s: snmp.uptimeS,
          poll_duration_ms: snmp.pollDurationMs,
          interfaces: snmp.interfaces.map((i) => ({
            if_index: i.ifIndex,
            if_name: i.ifName,
            if_alias: i.ifAlias,
            oper_status: i.operStatus,
            admin_status: i.adminStatus,
            high_speed_mbps: i.highSpeedMbps,
            in_bits_per_second: i.inBitsPerSecond,
            out_bits_per_second: i.outBitsPerSecond,
            in_utilization_pct: i.inUtilizationPct,
            out_utilization_pct: i.outUtilizationPct,
            in_errors_per_second: i.inErrorsPerSecond,
            out_errors_per_second: i.outErrorsPerSecond,
          })),
        },
        alerts,
        upstream_chain: inv.upstreamChain(p.id).map(ref(view)),
        dependants: inv.directDependants(p.id).map(ref(view)),
        all_dependants: inv.allDependants(p.id).length,
      };
    },
  );
}
