// GET /api/v1/availability?from&to&level: uptime % per point or per unit of any inventory level,
// from the ping data in InfluxDB, for SLA reports (JSON, or CSV for a spreadsheet).
import Type from 'typebox';
import type { App, RouteContext } from '../app.js';
import { toCsv } from '../csv.js';
import { sendDownload, sendError } from '../errors.js';
import { header } from '../messages.js';
import { BEARER, Closed, ERROR_RESPONSES, IsoTime } from '../schemas.js';

const MAX_RANGE_MS = 400 * 86_400_000;

const Row = Closed({
  key: Type.String({ description: 'Point id or unit code.' }),
  name: Type.String(),
  points: Type.Integer(),
  rounds: Type.Integer({ description: 'Rounds with data in the range.' }),
  up_rounds: Type.Integer(),
  uptime_pct: Type.Union([Type.Number(), Type.Null()], { description: 'up_rounds / rounds × 100; null without data.' }),
});

const Body = Closed({
  from: Type.String(),
  to: Type.String(),
  level: Type.String(),
  source: Type.String({ description: 'raw (round by round) or rollup (5-minute windows, for ranges older than the raw retention).' }),
  items: Type.Array(Row),
});

export function availabilityRoutes(app: App, ctx: RouteContext): void {
  const inv = ctx.deps.inventory;
  app.get(
    '/api/v1/availability',
    {
      config: { access: 'read' },
      schema: {
        tags: ['availability'],
        summary: 'Uptime % for SLA reports, per point or per administrative unit of any level.',
        security: BEARER,
        querystring: Closed({
          from: IsoTime,
          to: Type.Optional(IsoTime),
          level: Type.String({ default: 'point', maxLength: 32, pattern: '^[A-Za-z0-9_]+$', description: 'point, or a level of the inventory (province, district, commune …).' }),
          format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
        }),
        response: { 200: Body, 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403], 503: ERROR_RESPONSES[503] },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const levels = ['point', ...inv.levels.map((l) => l.name)];
      if (!levels.includes(q.level)) return sendError(reply, 400, `querystring.level: must be one of ${levels.join(', ')}`, { field: 'querystring.level' });
      const fromMs = Date.parse(q.from);
      const toMs = q.to === undefined ? ctx.now() : Date.parse(q.to);
      if (!(toMs > fromMs)) return sendError(reply, 400, 'querystring.to: must be after from', { field: 'querystring.to' });
      if (toMs - fromMs > MAX_RANGE_MS) return sendError(reply, 400, 'querystring.from: the range may span at most 400 days', { field: 'querystring.from' });
      if (!ctx.deps.availability) return sendError(reply, 503, 'no InfluxDB configured (sink.kind) to compute availability from');
      let result;
      try {
        result = await ctx.deps.availability.availability({ fromMs, toMs, level: q.level });
      } catch (err) {
        req.log.warn({ event: 'availability_query_failed', err: String(err) }, 'InfluxDB query failed');
        return sendError(reply, 503, 'InfluxDB did not answer the availability query; retry later');
      }
      const items = result.rows.map((r) => ({ key: r.key, name: r.name, points: r.points, rounds: r.rounds, up_rounds: r.upRounds, uptime_pct: r.uptimePct }));
      if (q.format === 'csv') {
        const lang = ctx.deps.config.language;
        const cols = ['key', 'name', 'points', 'rounds', 'up_rounds', 'uptime_pct'] as const;
        const csv = toCsv(
          cols.map((c) => header(lang, c)),
          items.map((i) => cols.map((c) => i[c])),
        );
        return sendDownload(reply, 'text/csv; charset=utf-8', `availability-${q.level}.csv`, csv);
      }
      return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), level: q.level, source: result.source, items };
    },
  );
}
