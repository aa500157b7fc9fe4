// API fuzz: fast-check drives random paths, query strings, headers and bodies at every route (as
// admin, so requests get past authentication into validation and the handlers). No answer may be a
// 5xx, every JSON answer must parse, and the process must survive. Services are in-memory doubles.
import t from 'tap';
import fc from 'fast-check';
import { buildApp } from '../../src/api/app.js';
import { TOKENS, alertRecord, fakeDeps, testConfig } from '../helpers/api-fakes.js';

const ROUTES: { method: 'GET' | 'POST' | 'DELETE'; path: string; keys: string[] }[] = [
  { method: 'GET', path: '/healthz', keys: [] },
  { method: 'GET', path: '/readyz', keys: [] },
  { method: 'GET', path: '/metrics', keys: [] },
  { method: 'GET', path: '/api/v1/summary', keys: ['unit', 'level'] },
  { method: 'GET', path: '/api/v1/points', keys: ['state', 'kind', 'unit', 'q', 'limit', 'offset'] },
  { method: 'GET', path: '/api/v1/points/:id', keys: [] },
  { method: 'GET', path: '/api/v1/alerts', keys: ['state', 'severity', 'condition', 'point', 'unit', 'limit', 'offset'] },
  { method: 'GET', path: '/api/v1/alerts/:id', keys: [] },
  { method: 'POST', path: '/api/v1/alerts/:id/ack', keys: [] },
  { method: 'GET', path: '/api/v1/silences', keys: [] },
  { method: 'POST', path: '/api/v1/silences', keys: [] },
  { method: 'DELETE', path: '/api/v1/silences/:id', keys: [] },
  { method: 'GET', path: '/api/v1/maintenance', keys: [] },
  { method: 'POST', path: '/api/v1/maintenance', keys: [] },
  { method: 'DELETE', path: '/api/v1/maintenance/:id', keys: [] },
  { method: 'GET', path: '/api/v1/availability', keys: ['from', 'to', 'level', 'format'] },
  { method: 'GET', path: '/api/v1/coverage/units/:code', keys: [] },
  { method: 'GET', path: '/api/v1/coverage/gaps', keys: ['unit', 'carrier', 'radio', 'format', 'limit', 'offset'] },
  { method: 'POST', path: '/api/v1/coverage/measurements', keys: ['format'] },
  { method: 'POST', path: '/api/v1/coverage/cells/status', keys: ['format'] },
];

/** Values that tend to break parsers: numbers at the edges, unicode, separators, long runs. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '0', '-1', '1e309', 'NaN', '9007199254740993', 'null', 'true', '[]', '{}', '%', '..', '../../etc/passwd', 'Đắk Lắk', 'ea tam', '647', '24181', 'commune-24181', 'LTE', 'viettel', 'csv', 'geojson', 'district', 'firing,resolved', '2025-01-01T00:00:00Z', '2025-13-45T99:99:99Z', 'x'.repeat(5000)),
  fc.integer().map(String),
  fc.double().map(String),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({
    matchers: fc.array(fc.record({ name: nasty, value: nasty, is_regex: fc.oneof(fc.boolean(), nasty), is_equal: fc.boolean() }, { requiredKeys: [] }), { maxLength: 3 }),
    ends_at: nasty,
    starts_at: nasty,
    comment: nasty,
    who: nasty,
    point_ids: fc.array(nasty, { maxLength: 3 }),
    unit_codes: fc.array(nasty, { maxLength: 3 }),
    cron: nasty,
    duration_min: fc.oneof(fc.integer(), nasty),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.array(fc.array(nasty, { maxLength: 6 }), { maxLength: 5 }).map((rows) => rows.map((r) => r.join(',')).join('\n')),
  fc.string({ maxLength: 200 }),
);

const contentType = fc.constantFrom(undefined, 'application/json', 'text/csv', 'application/x-ndjson', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1');
const auth = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${TOKENS.admin}`) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, `Bearer ${TOKENS.read}`, `Bearer ${TOKENS.ingest}`, 'Bearer', 'Bearer  ', 'bearer x', `Basic ${TOKENS.admin}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`) },
);

/** null most of the time: a wrong method or an extra path segment only ends in a 404. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: a });

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  params: fc.array(nasty, { minLength: 2, maxLength: 2 }),
  query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('unit', 'state', 'limit', 'offset', 'format', 'from', 'level', 'q', 'carrier', 'radio'), fc.string({ maxLength: 8 })), nasty), { maxLength: 5 }),
  method: rarely(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS')),
  body,
  contentType,
  auth,
  extraPath: rarely(fc.string({ maxLength: 10 })),
});

t.test('random requests at every route: no 5xx, JSON answers parse', async (t) => {
  const set = fakeDeps({ config: testConfig('  rate_limit: { max: 100000, window_s: 60 }\n  public_read: true') }, { alerts: [alertRecord('commune-24181')] });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
  });
  let requests = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      let i = 0;
      let path = r.route.path.replace(/:[a-z]+/g, () => encodeURIComponent(r.params[i++] ?? ''));
      if (r.extraPath !== null) path += `/${encodeURIComponent(r.extraPath)}`;
      const qs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      const headers: Record<string, string> = {};
      if (r.auth !== undefined) headers.authorization = r.auth;
      if (r.contentType !== undefined && r.body !== undefined) headers['content-type'] = r.contentType;
      const res = await app.inject({ method: r.method ?? r.route.method, url: qs ? `${path}?${qs}` : path, headers, ...(r.body !== undefined ? { payload: r.body } : {}) });
      requests++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${r.method ?? r.route.method} ${path}?${qs}: ${res.body.slice(0, 300)}`);
      const method = r.method ?? r.route.method;
      if (method !== 'HEAD' && res.statusCode !== 204 && String(res.headers['content-type'] ?? '').startsWith('application/json')) JSON.parse(res.body);
    }),
    { numRuns: Number(process.env.API_FUZZ_RUNS ?? 1500), seed: process.env.API_FUZZ_SEED ? Number(process.env.API_FUZZ_SEED) : undefined },
  );
  t.ok(requests > 0);
  t.ok([...statuses.keys()].some((s) => s === 200), 'some requests got through to a handler');
  t.ok([...statuses.keys()].some((s) => s === 400), 'some were refused by validation');
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
});

t.test('valid-shaped writes with random values: no 5xx', async (t) => {
  const set = fakeDeps({ config: testConfig('  rate_limit: { max: 100000, window_s: 60 }') });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
  });
  const isoish = fc.oneof(fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()), nasty);
  await fc.assert(
    fc.asyncProperty(
      fc.record({ name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), value: nasty, is_regex: fc.boolean(), is_equal: fc.boolean() }),
      isoish,
      isoish,
      nasty,
      fc.array(fc.constantFrom('commune-24181', 'district-647', 'agency-stttt', 'nope'), { maxLength: 3 }),
      fc.option(fc.constantFrom('0 22 * * 6', '*/5 * * * *', '61 * * * *', 'a b c d e', '* * * *'), { nil: undefined }),
      async (matcher, startsAt, endsAt, comment, pointIds, cron) => {
        const h = { authorization: `Bearer ${TOKENS.operator}` };
        const s = await app.inject({ method: 'POST', url: '/api/v1/silences', headers: h, payload: { matchers: [matcher], starts_at: startsAt, ends_at: endsAt, comment } });
        if (s.statusCode >= 500) throw new Error(`silence: ${s.body}`);
        const m = await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: h, payload: { point_ids: pointIds, starts_at: startsAt, ends_at: endsAt, comment, ...(cron ? { cron, duration_min: 30 } : {}) } });
        if (m.statusCode >= 500) throw new Error(`maintenance: ${m.body}`);
      },
    ),
    { numRuns: Number(process.env.API_FUZZ_RUNS ?? 500) },
  );
  t.pass('no 5xx');
});
