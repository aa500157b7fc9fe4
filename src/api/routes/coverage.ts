// Planners' routes: GET /api/v1/coverage/units/:code (KPIs of a unit and its children),
// GET /api/v1/coverage/gaps (dead-zone villages as JSON, CSV for Excel, GeoJSON for QGIS), and the
// feed pushes POST /api/v1/coverage/measurements and /cells/status (CSV, JSON or JSON lines), which
// answer with the same per-row report as a file feed. Registered in their own scope: the pushes
// take the raw body text whatever its type, and hand it to the feed parsers.
import Type from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteContext } from '../app.js';
import type { CoverageApi, FeedFormat, IngestReport, UnitCoverageReport } from '../deps.js';
import { sendDownload, sendError } from '../errors.js';
import { gapsCsv, gapsGeoJson } from '../gaps-export.js';
import { BEARER, Closed, ERROR_RESPONSES, PagingQuery, UnitCode, page } from '../schemas.js';
import { isoTime } from '../time.js';

const CarrierCov = Closed({ carrier: Type.String(), name: Type.String(), covered_population: Type.Integer(), covered_pct: Type.Number(), villages_covered: Type.Integer() });

const UnitCov = {
  code: Type.String(),
  name: Type.String(),
  level: Type.String(),
  population: Type.Integer(),
  covered_population: Type.Integer(),
  covered_pct: Type.Number({ description: 'Population-weighted 4G coverage, 0–100.' }),
  villages: Type.Integer(),
  villages_covered: Type.Integer(),
  dead_zone_villages: Type.Integer(),
  conflict_villages: Type.Integer({ description: 'Villages where a carrier report says covered and fresh measurements say none.' }),
  dead_zone_population: Type.Integer(),
  by_carrier: Type.Array(CarrierCov),
};

const UnitReport = Closed({ ...UnitCov, computed_at: Type.String(), children: Type.Array(Closed(UnitCov)) });

const Gap = Closed({
  village_code: Type.String(),
  village: Type.String(),
  village_type: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  population: Type.Integer(),
  units: Type.Record(Type.String(), Type.Object({ code: Type.String(), name: Type.String() })),
  best_level: Type.String(),
  evidence: Type.String(),
  conflict: Type.Boolean(),
  since: Type.Optional(Type.String()),
  cause: Type.Optional(Type.String({ description: 'cell_outage (down cells covered it) or no_coverage.' })),
  carriers: Type.Array(
    Closed({
      carrier: Type.String(),
      radio: Type.String(),
      level: Type.String(),
      evidence: Type.String(),
      rsrp_median_dbm: Type.Optional(Type.Number()),
      measurements: Type.Integer(),
      evidence_time: Type.Optional(Type.String()),
      conflict: Type.Boolean(),
    }),
  ),
});

const MAX_PROBLEMS_SHOWN = 1000;

const Report = Closed({
  feed: Type.String(),
  applied: Type.Boolean({ description: 'False: the input was refused as a whole and the current state is untouched.' }),
  rows_read: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  problems: Type.Array(Closed({ row: Type.Integer(), reason: Type.String() }), { description: `Rejected rows with their number and reason (the first ${MAX_PROBLEMS_SHOWN}).` }),
  problems_truncated: Type.Boolean(),
  reasons: Type.Record(Type.String(), Type.Integer(), { description: 'Rejected rows by reason code (bad_coordinates, outside_province, wrong_mcc, unknown_radio, rsrp_range …).' }),
  notes: Type.Array(Type.String()),
  duration_ms: Type.Integer(),
  error: Type.Optional(Type.String()),
});

const Refused = Closed({ ...ERROR_RESPONSES[400].properties, report: Type.Optional(Report) });

type UnitView = Omit<UnitCoverageReport, 'children' | 'computedAtMs'>;

function unitJson(u: UnitView) {
  const int = Math.round;
  return {
    code: u.code,
    name: u.name,
    level: u.level,
    population: int(u.population),
    covered_population: int(u.coveredPopulation),
    covered_pct: u.coveredPct,
    villages: u.villages,
    villages_covered: u.villagesCovered,
    dead_zone_villages: u.deadZoneVillages,
    conflict_villages: u.conflictVillages,
    dead_zone_population: int(u.deadZonePopulation),
    by_carrier: u.byCarrier.map((c) => ({ carrier: c.carrier, name: c.name, covered_population: int(c.coveredPopulation), covered_pct: c.coveredPct, villages_covered: c.villagesCovered })),
  };
}

function reportJson(r: IngestReport) {
  return {
    feed: r.feed,
    applied: r.applied,
    rows_read: r.rowsRead,
    accepted: r.accepted,
    rejected: r.rejected,
    problems: r.problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => ({ row: p.row, reason: p.reason })),
    problems_truncated: r.problems.length > MAX_PROBLEMS_SHOWN || r.problemsNotListed > 0,
    reasons: r.reasons,
    notes: r.notes,
    duration_ms: Math.round(r.durationMs),
    error: r.error,
  };
}

/** Body media types the pushes take, and the feed format each means. */
const MEDIA_FORMATS: Record<string, FeedFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/plain': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/json-seq': 'jsonl',
};

export function coverageRoutes(app: App, ctx: RouteContext): void {
  const inv = ctx.deps.inventory;
  const cfg = ctx.deps.config;
  const errors = { 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403], 503: ERROR_RESPONSES[503] };

  const service = (reply: FastifyReply): CoverageApi | undefined => {
    if (!ctx.deps.coverage) void sendError(reply, 503, 'the coverage model is not running in this daemon');
    return ctx.deps.coverage;
  };

  app.get(
    '/api/v1/coverage/units/:code',
    {
      config: { access: 'read' },
      schema: {
        tags: ['coverage'],
        summary: 'Population-weighted 4G coverage and dead zones of an administrative unit (any level) and of each of its children.',
        security: BEARER,
        params: Closed({ code: UnitCode }),
        response: { 200: UnitReport, ...errors, 404: ERROR_RESPONSES[404] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const report = inv.unit(req.params.code) ? await svc.unit(req.params.code) : undefined;
      if (!report) return sendError(reply, 404, `no administrative unit ${req.params.code}`, { error: 'not_found' });
      return { ...unitJson(report), computed_at: new Date(report.computedAtMs).toISOString(), children: report.children.map(unitJson) };
    },
  );

  app.get(
    '/api/v1/coverage/gaps',
    {
      config: { access: 'read' },
      schema: {
        tags: ['coverage'],
        summary: 'Dead-zone villages (no usable 4G) with their commune, district, population, evidence and since when; JSON, CSV (UTF-8 with BOM, for Excel) or GeoJSON (for QGIS).',
        security: BEARER,
        querystring: Closed({
          unit: Type.Optional(UnitCode),
          carrier: Type.Optional(Type.String({ maxLength: 32, pattern: '^[A-Za-z0-9_ -]+$', description: 'Only this carrier\'s gaps (villages it does not cover): id, MNC or name, e.g. viettel, 04.' })),
          radio: Type.Optional(Type.String({ maxLength: 8, pattern: '^[A-Za-z0-9]+$', description: 'Radio instead of the dead-zone radios: GSM, UMTS, LTE (4G), NR (5G).' })),
          format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('geojson')], { default: 'json' }),
          ...PagingQuery,
        }),
        response: { 200: Closed({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), population: Type.Integer(), items: Type.Array(Gap) }), ...errors, 404: ERROR_RESPONSES[404] },
      },
    },
    async (req, reply) => {
      const svc = service(reply);
      if (!svc) return reply;
      const q = req.query;
      if (q.unit !== undefined && !inv.unit(q.unit)) return sendError(reply, 404, `no administrative unit ${q.unit}`, { error: 'not_found', field: 'querystring.unit' });
      const gaps = await svc.gaps({ unit: q.unit, carrier: q.carrier, radio: q.radio });
      const stem = ['gaps', q.unit, q.carrier, q.radio].filter(Boolean).join('-');
      if (q.format === 'csv') {
        return sendDownload(reply, 'text/csv; charset=utf-8', `${stem}.csv`, gapsCsv(inv, gaps, cfg.language, cfg.timezone));
      }
      if (q.format === 'geojson') {
        return sendDownload(reply, 'application/geo+json; charset=utf-8', `${stem}.geojson`, JSON.stringify(gapsGeoJson(inv, gaps)));
      }
      const p = page(gaps, q.limit, q.offset);
      return {
        total: p.total,
        limit: p.limit,
        offset: p.offset,
        population: Math.round(gaps.reduce((s, g) => s + g.population, 0)),
        items: p.items.map((g) => ({
          village_code: g.villageCode,
          village: g.villageName,
          village_type: g.villageType,
          lat: g.lat,
          lon: g.lon,
          population: Math.round(g.population),
          units: Object.fromEntries(Object.entries(g.units).map(([level, code]) => [level, { code, name: g.unitNames[level] ?? code }])),
          best_level: g.bestLevel,
          evidence: g.evidence,
          conflict: g.conflict,
          since: isoTime(g.sinceMs),
          cause: g.cause,
          carriers: g.carriers.map((c) => ({
            carrier: c.carrier,
            radio: c.radio,
            level: c.level,
            evidence: c.evidence,
            rsrp_median_dbm: c.rsrpMedianDbm,
            measurements: c.measurements,
            evidence_time: isoTime(c.evidenceTimeMs),
            conflict: c.conflict,
          })),
        })),
      };
    },
  );

  // Feed pushes: the body is kept as text, whatever its declared type, for the feed parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.keys(MEDIA_FORMATS), { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const ingest = (feed: 'measurements' | 'cells/status', summary: string, run: (svc: CoverageApi, body: string, format: FeedFormat) => Promise<IngestReport>) =>
    app.post(
      `/api/v1/coverage/${feed}`,
      {
        config: { access: 'ingest', rateLimit: ctx.writeLimit },
        bodyLimit: cfg.api.ingest_body_limit_bytes,
        schema: {
          tags: ['coverage'],
          summary,
          security: BEARER,
          consumes: Object.keys(MEDIA_FORMATS),
          querystring: Closed({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('jsonl')], { description: 'Overrides the format the Content-Type implies.' })) }),
          response: { 200: Report, 400: Refused, 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403], 413: ERROR_RESPONSES[413], 415: ERROR_RESPONSES[415], 429: ERROR_RESPONSES[429], 503: ERROR_RESPONSES[503] },
        },
      },
      async (req: FastifyRequest<{ Querystring: { format?: FeedFormat } }>, reply) => {
        const svc = service(reply);
        if (!svc) return reply;
        const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const format = req.query.format ?? MEDIA_FORMATS[media] ?? 'csv';
        const body = typeof req.body === 'string' ? req.body : '';
        if (body.trim() === '') return sendError(reply, 400, 'body: empty; send CSV (text/csv), a JSON array (application/json) or JSON lines (application/x-ndjson)', { field: 'body' });
        const report = await run(svc, body, format);
        req.log.info({ event: 'feed_pushed', feed, by: req.principal?.name, rows: report.rowsRead, accepted: report.accepted, rejected: report.rejected, applied: report.applied }, 'feed pushed');
        if (!report.applied) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `body: refused as a whole: ${report.error ?? 'unusable input'}`, field: 'body', report: reportJson(report) });
        return reportJson(report);
      },
    );

  ingest('measurements', 'Push drive-test or crowdsourced measurements (CSV, JSON array or JSON lines); answers with the per-row report.', (svc, body, format) =>
    svc.ingestMeasurements(body, format),
  );
  ingest('cells/status', 'Push a carrier\'s cell status (cell key, up/down, since); answers with the per-row report.', (svc, body, format) => svc.ingestCellStatus(body, format));
}
