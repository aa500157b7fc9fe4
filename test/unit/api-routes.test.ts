// Every route of the HTTP API through inject(): 200/201/204, 400 naming the field, 401 without or
// with a bad token, 403 with the wrong role, 404; response bodies scanned for every configured
// secret. The services behind the routes are in-memory doubles here (test/helpers/api-fakes.ts);
// the real alert store and coverage model are exercised in api-real.test.ts.
import t from 'tap';
import { buildApp, ApiConfigError } from '../../src/api/app.js';
import { parseConfig } from '../../src/config/load.js';
import { SECRETS, TEST_NOW, TOKENS, alertRecord, fakeDeps, testConfig } from '../helpers/api-fakes.js';
import type { GapView } from '../../src/api/deps.js';

const bearer = (role: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[role]}` });
const FUTURE = '2031-01-01T00:00:00Z';

const GAPS: GapView[] = [
  {
    villageCode: 'V1',
    villageName: 'Buôn Đrăng Phôk',
    villageType: 'buôn',
    lat: 12.9,
    lon: 107.7,
    population: 420,
    units: { province: '66', district: '645', commune: '24181' },
    unitNames: { province: 'Tỉnh Đắk Lắk', district: 'Huyện Ea H\'leo', commune: 'Xã Ea Tam' },
    bestLevel: 'none',
    evidence: 'predicted',
    sinceMs: Date.UTC(2025, 0, 1, 17, 0, 0),
    conflict: false,
    cause: 'no_coverage',
    carriers: [{ carrier: 'viettel', radio: 'LTE', level: 'none', evidence: 'predicted', measurements: 0, conflict: false }],
  },
];

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  need: 'read' | 'operator' | 'ingest' | 'public';
  ok: number;
  payload?: unknown;
  headers?: Record<string, string>;
  bad?: { url?: string; payload?: unknown; field: string };
  missing?: { url: string; payload?: unknown };
}

const CASES: Case[] = [
  { name: 'healthz', method: 'GET', url: '/healthz', need: 'public', ok: 200 },
  { name: 'readyz', method: 'GET', url: '/readyz', need: 'public', ok: 200 },
  { name: 'metrics', method: 'GET', url: '/metrics', need: 'read', ok: 200 },
  { name: 'summary', method: 'GET', url: '/api/v1/summary', need: 'read', ok: 200, bad: { url: '/api/v1/summary?level=galaxy', field: 'querystring.level' }, missing: { url: '/api/v1/summary?unit=99999' } },
  { name: 'points', method: 'GET', url: '/api/v1/points?state=UNKNOWN&kind=commune&unit=647&q=buon&limit=5', need: 'read', ok: 200, bad: { url: '/api/v1/points?limit=0', field: 'querystring.limit' } },
  { name: 'point', method: 'GET', url: '/api/v1/points/district-647', need: 'read', ok: 200, bad: { url: '/api/v1/points/bad%20id', field: 'params.id' }, missing: { url: '/api/v1/points/commune-1' } },
  { name: 'alerts', method: 'GET', url: '/api/v1/alerts?state=firing,acknowledged&unit=647', need: 'read', ok: 200, bad: { url: '/api/v1/alerts?state=sleeping', field: 'querystring.state' } },
  { name: 'alert', method: 'GET', url: '/api/v1/alerts/1', need: 'read', ok: 200, bad: { url: '/api/v1/alerts/abc', field: 'params.id' }, missing: { url: '/api/v1/alerts/999' } },
  {
    name: 'ack',
    method: 'POST',
    url: '/api/v1/alerts/1/ack',
    need: 'operator',
    ok: 200,
    payload: { who: 'Nguyễn Văn An', comment: 'đang xử lý' },
    bad: { payload: { who: { name: 'x' } }, field: 'body.who' },
    missing: { url: '/api/v1/alerts/999/ack', payload: {} },
    // alert 1 is open (firing), alert 2 resolved
  },
  { name: 'silences', method: 'GET', url: '/api/v1/silences', need: 'read', ok: 200 },
  {
    name: 'silence create',
    method: 'POST',
    url: '/api/v1/silences',
    need: 'operator',
    ok: 201,
    payload: { matchers: [{ name: 'district', value: '647' }], ends_at: FUTURE, comment: 'thay cáp quang' },
    bad: { payload: { matchers: [{ name: 'district', value: '(' , is_regex: true }], ends_at: FUTURE, comment: 'x' }, field: 'body.matchers[0].value' },
  },
  { name: 'silence delete', method: 'DELETE', url: '/api/v1/silences/{silence}', need: 'operator', ok: 204, bad: { url: '/api/v1/silences/bad%20id', field: 'params.id' }, missing: { url: '/api/v1/silences/none' } },
  { name: 'maintenance', method: 'GET', url: '/api/v1/maintenance', need: 'read', ok: 200 },
  {
    name: 'maintenance create',
    method: 'POST',
    url: '/api/v1/maintenance',
    need: 'operator',
    ok: 201,
    payload: { unit_codes: ['647'], starts_at: '2025-01-15T03:00:00Z', ends_at: FUTURE, comment: 'bảo trì' },
    bad: { payload: { point_ids: ['commune-1'], starts_at: '2025-01-15T03:00:00Z', ends_at: FUTURE, comment: 'x' }, field: 'body.point_ids[0]' },
  },
  { name: 'maintenance delete', method: 'DELETE', url: '/api/v1/maintenance/{window}', need: 'operator', ok: 204, missing: { url: '/api/v1/maintenance/none' } },
  {
    name: 'availability',
    method: 'GET',
    url: '/api/v1/availability?from=2025-01-01T00:00:00Z&to=2025-01-15T00:00:00Z&level=district',
    need: 'read',
    ok: 200,
    bad: { url: '/api/v1/availability?from=yesterday', field: 'querystring.from' },
  },
  { name: 'coverage unit', method: 'GET', url: '/api/v1/coverage/units/647', need: 'read', ok: 200, bad: { url: '/api/v1/coverage/units/a%20b', field: 'params.code' }, missing: { url: '/api/v1/coverage/units/12345678' } },
  { name: 'coverage gaps', method: 'GET', url: '/api/v1/coverage/gaps?unit=24181', need: 'read', ok: 200, bad: { url: '/api/v1/coverage/gaps?carrier=telstra', field: 'querystring.carrier' }, missing: { url: '/api/v1/coverage/gaps?unit=99999' } },
  {
    name: 'measurements push',
    method: 'POST',
    url: '/api/v1/coverage/measurements',
    need: 'ingest',
    ok: 200,
    headers: { 'content-type': 'text/csv' },
    payload: 'time,mnc,radio,lat,lon,rsrp\n2025-01-01T00:00:00Z,04,LTE,12.7,108.1,-95\n2025-01-01T00:00:00Z,04,LTE,12.7,108.1,-999\n',
    bad: { payload: 'garbage', field: 'body' },
  },
  {
    name: 'cell status push',
    method: 'POST',
    url: '/api/v1/coverage/cells/status',
    need: 'ingest',
    ok: 200,
    headers: { 'content-type': 'application/json' },
    payload: '[{"cell":"452-04-LTE-1-2","up":false,"since":"2025-01-01T00:00:00Z"}]',
    bad: { url: '/api/v1/coverage/cells/status?format=xml', field: 'querystring.format' },
  },
];

const CONFIG_WINDOW = `alerts:
  maintenance:
    - { id: night, units: ["66"], cron: "0 22 * * 6", duration_min: 60, comment: "bảo trì định kỳ" }`;

async function setup(t: { teardown(fn: () => unknown): void }, apiExtra = '') {
  const set = fakeDeps(
    { config: testConfig(apiExtra, CONFIG_WINDOW) },
    { gaps: GAPS, alerts: [alertRecord('commune-24181'), alertRecord('district-647', { state: 'resolved', resolvedAtMs: TEST_NOW - 1800_000 })] },
  );
  const svc = set.alerting.service;
  const silence = svc.createSilence({ matchers: [{ name: 'point_id', value: 'x' }], ends_at: FUTURE, created_by: 'a', comment: 'c' });
  const window = svc.createMaintenance({ point_ids: ['district-647'], starts_at: '2025-01-15T00:00:00Z', ends_at: FUTURE, created_by: 'a', comment: 'c' });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
  });
  return { app, ids: { silence: silence.id, window: window.id }, ...set };
}

function assertNoSecret(t: { notOk(value: unknown, message: string): unknown }, body: string, what: string) {
  for (const s of SECRETS) t.notOk(body.includes(s), `${what}: no configured secret in the response`);
}

t.test('each route: success, 401, 403, 400 naming the field, 404; no secret in any body', async (t) => {
  const roles = ['read', 'operator', 'ingest'] as const;
  for (const c of CASES) {
    await t.test(c.name, async (t) => {
      const { app, ids } = await setup(t);
      const url = c.url.replace('{silence}', ids.silence).replace('{window}', ids.window);
      const send = (headers: Record<string, string>, over: { url?: string; payload?: unknown } = {}) =>
        app.inject({ method: c.method, url: over.url ?? url, headers: { ...c.headers, ...headers }, ...((over.payload ?? c.payload) !== undefined ? { payload: (over.payload ?? c.payload) as string } : {}) });
      const owner = c.need === 'public' ? {} : bearer(c.need === 'read' ? 'read' : c.need);
      const ok = await send(owner);
      t.equal(ok.statusCode, c.ok, `${c.method} ${c.url} → ${c.ok}: ${ok.body.slice(0, 300)}`);
      assertNoSecret(t, ok.body, c.name);
      t.equal(ok.headers['x-content-type-options'], 'nosniff', 'helmet headers');
      if (c.need !== 'public') {
        const none = await send({});
        t.equal(none.statusCode, 401, 'no token → 401');
        t.match(String(none.headers['www-authenticate']), /^Bearer/);
        t.equal(JSON.parse(none.body).error, 'missing_token');
        const wrong = await send({ authorization: 'Bearer not-a-token-of-this-daemon-xxxxxx' });
        t.equal(wrong.statusCode, 401, 'bad token → 401');
        t.equal(JSON.parse(wrong.body).error, 'invalid_token');
        const basic = await send({ authorization: `Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}` });
        t.equal(basic.statusCode, 401, 'basic auth is not a bearer token');
        for (const r of roles) {
          const allowed = c.need === r || (c.need === 'read' && r === 'operator');
          if (allowed) continue;
          const res = await send(bearer(r));
          t.equal(res.statusCode, 403, `role ${r} → 403`);
          t.equal(JSON.parse(res.body).error, 'forbidden');
        }
        const admin = await send(bearer('admin'));
        t.not(admin.statusCode, 403, 'admin may use every route');
      }
      if (c.bad) {
        const bad = await send(owner, c.bad);
        t.equal(bad.statusCode, 400, `bad input → 400: ${bad.body.slice(0, 300)}`);
        const body = JSON.parse(bad.body) as { field?: string; message: string };
        t.equal(body.field, c.bad.field, 'the 400 names the field');
        t.match(body.message, c.bad.field.split('[')[0]!, 'and so does its message');
      }
      if (c.missing) {
        const missing = await send(owner, c.missing);
        t.equal(missing.statusCode, 404, `unknown resource → 404: ${missing.body.slice(0, 200)}`);
      }
    });
  }
});

t.test('public_read opens read routes but never writes', async (t) => {
  const { app } = await setup(t, '  public_read: true');
  t.equal((await app.inject({ url: '/api/v1/summary' })).statusCode, 200);
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', payload: {} })).statusCode, 401);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/coverage/measurements', headers: { 'content-type': 'text/csv' }, payload: 'a\n1' })).statusCode, 401);
  t.equal((await app.inject({ url: '/api/v1/summary', headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } })).statusCode, 401, 'a wrong token is refused even where reads are public');
});

t.test('unknown routes 404, unknown parameters and body fields 400', async (t) => {
  const { app } = await setup(t);
  const r = await app.inject({ url: '/api/v2/nothing', headers: bearer('read') });
  t.equal(r.statusCode, 404);
  const q = await app.inject({ url: '/api/v1/points?stat=DOWN', headers: bearer('read') });
  t.equal(q.statusCode, 400);
  t.equal(JSON.parse(q.body).field, 'querystring.stat');
  const b = await app.inject({ method: 'POST', url: '/api/v1/silences', headers: bearer('operator'), payload: { matchers: [{ name: 'a', value: 'b' }], ends_at: FUTURE, comment: 'c', extra: 1 } });
  t.equal(b.statusCode, 400);
  t.equal(JSON.parse(b.body).field, 'body.extra');
  const json = await app.inject({ method: 'POST', url: '/api/v1/silences', headers: { ...bearer('operator'), 'content-type': 'application/json' }, payload: '{"matchers": [' });
  t.equal(json.statusCode, 400, 'broken JSON → 400');
  const past = await app.inject({ method: 'POST', url: '/api/v1/silences', headers: bearer('operator'), payload: { matchers: [{ name: 'a', value: 'b' }], ends_at: '2020-01-01T00:00:00Z', comment: 'c' } });
  t.equal(JSON.parse(past.body).field, 'body.ends_at');
  const media = await app.inject({ method: 'POST', url: '/api/v1/coverage/measurements', headers: { ...bearer('ingest'), 'content-type': 'application/xml' }, payload: '<a/>' });
  t.equal(media.statusCode, 415, 'unknown body type → 415');
});

t.test('alert lifecycle through the routes, on the real alert store', async (t) => {
  const { app, alerting } = await setup(t);
  const list = JSON.parse((await app.inject({ url: '/api/v1/alerts', headers: bearer('read') })).body);
  t.equal(list.items.length, 1, 'open alerts by default');
  t.equal(list.items[0].point_id, 'commune-24181');
  t.equal(list.more, false);
  const all = JSON.parse((await app.inject({ url: '/api/v1/alerts?state=all&limit=1', headers: bearer('read') })).body);
  t.equal(all.items.length, 1);
  t.equal(all.more, true, 'a second page follows');
  const inUnit = JSON.parse((await app.inject({ url: '/api/v1/alerts?unit=645', headers: bearer('read') })).body);
  t.equal(inUnit.items.length, 1, 'alerts of points within a district');
  const ack = await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: bearer('operator') });
  t.equal(ack.statusCode, 200, "an ack with no body takes the token's name");
  t.equal(JSON.parse(ack.body).acknowledged.by, 'operator-holder');
  t.equal(alerting.store.alert(1)!.state, 'acknowledged', 'stored');
  const again = await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: bearer('operator'), payload: {} });
  t.equal(again.statusCode, 409, 'already acknowledged');
  const resolved = await app.inject({ method: 'POST', url: '/api/v1/alerts/2/ack', headers: bearer('operator'), payload: {} });
  t.equal(resolved.statusCode, 409, 'a resolved alert cannot be acknowledged');
  const windows = JSON.parse((await app.inject({ url: '/api/v1/maintenance', headers: bearer('read') })).body);
  t.ok(windows.items.some((w: { id: string; source: string }) => w.id === 'config:night' && w.source === 'config'), 'config windows listed');
  const cfgWindow = await app.inject({ method: 'DELETE', url: '/api/v1/maintenance/config:night', headers: bearer('operator') });
  t.equal(cfgWindow.statusCode, 409, 'a window from the config file is read-only');
  const recurring = await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { point_ids: ['district-647'], cron: '0 22 * * 6', comment: 'x' } });
  t.equal(recurring.statusCode, 400);
  t.equal(JSON.parse(recurring.body).field, 'body.duration_min');
  const badCron = await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { point_ids: ['district-647'], cron: '0 25 * * 6', duration_min: 60, comment: 'x' } });
  t.equal(JSON.parse(badCron.body).field, 'body.cron');
  const weekly = await app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { unit_codes: ['645'], cron: '0 22 * * 6', duration_min: 90, comment: 'thay UPS' } });
  t.equal(weekly.statusCode, 201);
  t.equal(JSON.parse(weekly.body).cron, '0 22 * * 6');
  const point = JSON.parse((await app.inject({ url: '/api/v1/points/commune-24181', headers: bearer('read') })).body);
  t.equal(point.alerts.length, 1, 'the point page lists its open alert');
  t.same(point.upstream_chain.map((p: { id: string }) => p.id), ['district-645', 'agency-stttt'], 'upstream chain, nearest first');
  t.same(point.path.map((u: { code: string }) => u.code), ['66', '645', '24181']);
  const silences = JSON.parse((await app.inject({ url: '/api/v1/silences', headers: bearer('read') })).body);
  t.equal(silences.items[0].status, 'active');
});

t.test('services not wired answer 503', async (t) => {
  const set = fakeDeps({ alerts: undefined, coverage: undefined, availability: undefined });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
  });
  for (const url of ['/api/v1/alerts', '/api/v1/silences', '/api/v1/maintenance', '/api/v1/coverage/units/66', '/api/v1/coverage/gaps', '/api/v1/availability?from=2025-01-01T00:00:00Z']) {
    t.equal((await app.inject({ url, headers: bearer('read') })).statusCode, 503, url);
  }
  t.equal((await app.inject({ url: '/api/v1/summary', headers: bearer('read') })).statusCode, 200);
});

t.test('availability: levels as data, InfluxDB failure is a 503', async (t) => {
  const { app, availability } = await setup(t);
  const r = await app.inject({ url: '/api/v1/availability?from=2025-01-01T00:00:00Z&level=commune&format=csv', headers: bearer('read') });
  t.equal(r.statusCode, 200);
  t.ok(r.body.startsWith('\uFEFF'), 'CSV with BOM');
  t.match(r.body, /Tỷ lệ hoạt động/);
  t.equal(availability.calls.at(-1)!.level, 'commune');
  t.equal(availability.calls.at(-1)!.toMs, Date.UTC(2025, 0, 15, 3, 0, 0), 'to defaults to now');
  const rev = await app.inject({ url: '/api/v1/availability?from=2025-01-10T00:00:00Z&to=2025-01-01T00:00:00Z', headers: bearer('read') });
  t.equal(JSON.parse(rev.body).field, 'querystring.to');
  availability.fail = true;
  const down = await app.inject({ url: '/api/v1/availability?from=2025-01-01T00:00:00Z', headers: bearer('read') });
  t.equal(down.statusCode, 503);
  t.notMatch(down.body, /ECONNREFUSED/, 'no internal detail in the answer');
});

t.test('rate limit on write routes', async (t) => {
  const { app } = await setup(t, '  rate_limit: { max: 3, window_s: 60 }');
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'DELETE', url: '/api/v1/silences/none', headers: bearer('operator') })).statusCode);
  t.same(codes, [404, 404, 404, 429, 429]);
  t.equal((await app.inject({ url: '/api/v1/summary', headers: bearer('read') })).statusCode, 200, 'reads are not limited');
});

t.test('body size limit → 413', async (t) => {
  const { app } = await setup(t, '  body_limit_bytes: 1024\n  ingest_body_limit_bytes: 2048');
  const big = await app.inject({ method: 'POST', url: '/api/v1/silences', headers: bearer('operator'), payload: { matchers: [{ name: 'a', value: 'x'.repeat(2000) }], ends_at: FUTURE, comment: 'c' } });
  t.equal(big.statusCode, 413);
  const feed = await app.inject({ method: 'POST', url: '/api/v1/coverage/measurements', headers: { ...bearer('ingest'), 'content-type': 'text/csv' }, payload: 'a\n' + '1\n'.repeat(2000) });
  t.equal(feed.statusCode, 413);
});

t.test('CORS only when configured', async (t) => {
  const { app: off } = await setup(t);
  const r1 = await off.inject({ url: '/api/v1/summary', headers: { ...bearer('read'), origin: 'https://ioc.example.gov.vn' } });
  t.equal(r1.headers['access-control-allow-origin'], undefined, 'off by default');
  const { app: on } = await setup(t, '  cors_origins: ["https://ioc.example.gov.vn"]');
  const r2 = await on.inject({ url: '/api/v1/summary', headers: { ...bearer('read'), origin: 'https://ioc.example.gov.vn' } });
  t.equal(r2.headers['access-control-allow-origin'], 'https://ioc.example.gov.vn');
  const r3 = await on.inject({ url: '/api/v1/summary', headers: { ...bearer('read'), origin: 'https://evil.example' } });
  t.not(r3.headers['access-control-allow-origin'], 'https://evil.example');
});

t.test('token config: too short, missing or duplicated tokens refuse to start', async (t) => {
  const cfg = (tokens: string) => parseConfig(`api:\n  tokens:\n${tokens}`, 't.yaml');
  const deps = (config: ReturnType<typeof cfg>) => {
    const set = fakeDeps({ config });
    t.teardown(() => set.close());
    return set.deps;
  };
  await t.rejects(buildApp(deps(cfg('    - { name: a, role: read, token: short }'))), ApiConfigError);
  await t.rejects(buildApp(deps(cfg('    - { name: a, role: read }'))), ApiConfigError);
  const dup = 'x'.repeat(30);
  const err = await buildApp(deps(cfg(`    - { name: a, role: read, token: ${dup} }\n    - { name: b, role: admin, token: ${dup} }`))).catch((e: unknown) => e);
  t.ok(err instanceof ApiConfigError);
  t.notMatch(String((err as Error).message), dup, 'the message never shows a token');
});

t.test('OpenAPI document and docs page', async (t) => {
  const { app } = await setup(t);
  const doc = JSON.parse((await app.inject({ url: '/openapi.json' })).body);
  t.equal(doc.openapi, '3.0.3');
  for (const path of ['/api/v1/summary', '/api/v1/points', '/api/v1/points/{id}', '/api/v1/alerts', '/api/v1/alerts/{id}/ack', '/api/v1/silences', '/api/v1/silences/{id}', '/api/v1/maintenance', '/api/v1/maintenance/{id}', '/api/v1/availability', '/api/v1/coverage/units/{code}', '/api/v1/coverage/gaps', '/api/v1/coverage/measurements', '/api/v1/coverage/cells/status', '/healthz', '/readyz', '/metrics'])
    t.ok(doc.paths[path], `documented: ${path}`);
  t.same(doc.paths['/api/v1/summary'].get.security, [{ bearer: [] }]);
  t.ok(doc.components.securitySchemes.bearer);
  const page = await app.inject({ url: '/docs' });
  t.equal(page.statusCode, 200);
  t.match(page.body, /swagger-ui/i);
  assertNoSecret(t, JSON.stringify(doc), 'openapi');
});

t.test('the logger never sees the Authorization header', async (t) => {
  const lines: string[] = [];
  const { createLogger } = await import('../../src/util/log.js');
  const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  const set = fakeDeps({ log });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
  });
  app.addHook('onRequest', async (req) => req.log.info({ headers: req.headers }, 'headers seen'));
  await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: bearer('operator'), payload: {} });
  await app.inject({ url: '/api/v1/summary', headers: bearer('read') });
  const all = lines.join('\n');
  t.ok(lines.length > 0, 'something was logged');
  t.match(all, /"event":"api_request"/);
  for (const s of Object.values(TOKENS)) t.notOk(all.includes(s), 'no token in the log');
});
