// A planner's queries over a real listening port (127.0.0.1, any free port), answered by the real
// coverage model fed with the sample feeds (data/coverage-sample) on the shipped inventory:
// the commune's dead-zone villages as CSV (UTF-8 BOM, Vietnamese headers and names intact, times
// in Asia/Ho_Chi_Minh) and as GeoJSON, checked by a strict RFC 7946 structural check (below; no
// GeoJSON package is a dependency, and QGIS/GDAL is not installed here).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, listenApp } from '../../src/api/app.js';
import { CoverageService } from '../../src/coverage/service.js';
import { silentLogger } from '../../src/util/log.js';
import { TOKENS, fakeDeps, shippedInventory, testConfig } from '../helpers/api-fakes.js';
import { UTF8_BOM } from '../../src/api/csv.js';
import { gapsCsv } from '../../src/api/gaps-export.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.UTC(2025, 6, 1, 3, 0, 0);

/** RFC 7946 §3: a FeatureCollection of Features with Point geometries in lon/lat, nothing foreign. */
function geoJsonProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(doc)) return ['root is not an object'];
  if (doc.type !== 'FeatureCollection') problems.push('root.type is not FeatureCollection');
  if ('crs' in doc) problems.push('root has a crs member (RFC 7946 §4: WGS 84 only)');
  if (!Array.isArray(doc.features)) return [...problems, 'features is not an array'];
  doc.features.forEach((f: unknown, i) => {
    const at = `features[${i}]`;
    if (!isObj(f)) return problems.push(`${at} is not an object`);
    if (f.type !== 'Feature') problems.push(`${at}.type is not Feature`);
    if ('id' in f && typeof f.id !== 'string' && typeof f.id !== 'number') problems.push(`${at}.id is neither string nor number`);
    if (!(f.properties === null || isObj(f.properties))) problems.push(`${at}.properties is neither null nor an object`);
    const g = f.geometry;
    if (!isObj(g)) return problems.push(`${at}.geometry is not an object`);
    if (g.type !== 'Point') problems.push(`${at}.geometry.type is not Point`);
    const c = g.coordinates;
    if (!Array.isArray(c) || c.length < 2 || c.length > 3 || !c.every((x) => typeof x === 'number' && Number.isFinite(x))) return problems.push(`${at}.geometry.coordinates is not a position`);
    const [lon, lat] = c as number[];
    if (lon! < -180 || lon! > 180 || lat! < -90 || lat! > 90) problems.push(`${at}: position out of range`);
    return undefined;
  });
  return problems;
}

t.test('the strict GeoJSON check refuses what QGIS would', async (t) => {
  t.same(geoJsonProblems({ type: 'FeatureCollection', features: [] }), []);
  t.ok(geoJsonProblems({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [12.7, 200] }, properties: {} }] }).length);
  t.ok(geoJsonProblems({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: ['108'] }, properties: {} }] }).length);
  t.ok(geoJsonProblems({ type: 'Feature' }).length);
});

t.test('a planner downloads a commune\'s dead-zone villages (real coverage model, real port)', async (t) => {
  const inventory = shippedInventory();
  const config = testConfig();
  const coverage = new CoverageService({ config, inventory, log: silentLogger(), now: () => NOW, stateDir: null });
  for (const kind of ['cells', 'status', 'reports', 'measurements'] as const) {
    const report = await coverage.ingest(kind, readFileSync(join(REPO, 'data/coverage-sample', `${kind}.csv`), 'utf8'), 'csv', { feed: `sample-${kind}`, mode: 'replace' });
    t.ok(report.applied, `${kind} feed applied`);
  }
  coverage.recompute();
  const set = fakeDeps({ coverage, config, now: () => NOW });
  const app = await buildApp(set.deps);
  t.teardown(async () => {
    await app.close();
    await set.close();
    await coverage.stop();
  });
  const { url, port } = await listenApp(app, { config: { ...config, api: { ...config.api, port: 0 } } });
  t.ok(port > 0 && url.startsWith('http://127.0.0.1:'), `listening on ${url}`);
  const get = (path: string, token: string = TOKENS.read) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  // The province's dead zones, then one commune that has several.
  const all = (await (await get('/api/v1/coverage/gaps?limit=1000')).json()) as { total: number; items: { village: string; units: Record<string, { code: string; name: string }>; population: number }[] };
  t.ok(all.total >= 10, `the sample has dead zones (${all.total})`);
  const byCommune = new Map<string, number>();
  for (const g of all.items) byCommune.set(g.units.commune!.code, (byCommune.get(g.units.commune!.code) ?? 0) + 1);
  const [commune] = [...byCommune.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const expected = all.items.filter((g) => g.units.commune!.code === commune);
  const communeName = expected[0]!.units.commune!.name;

  const res = await get(`/api/v1/coverage/gaps?unit=${commune}&format=csv`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  t.match(res.headers.get('content-disposition'), /attachment; filename="gaps-/);
  const bytes = Buffer.from(await res.arrayBuffer());
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte-order mark');
  const text = bytes.toString('utf8');
  t.ok(text.startsWith(UTF8_BOM));
  const lines = text.slice(1).trimEnd().split('\r\n');
  t.equal(lines[0], 'Mã thôn/buôn,Thôn/buôn,Loại,Mã huyện,Huyện,Mã xã,Xã,Dân số,Mức sóng tốt nhất,Căn cứ,Mâu thuẫn,Lõm sóng từ,Vĩ độ,Kinh độ', 'Vietnamese headers, one code and name per level');
  t.equal(lines.length - 1, expected.length, `one row per dead-zone village of ${communeName}`);
  for (const g of expected) t.ok(text.includes(g.village), `village name intact: ${g.village}`);
  t.ok(text.includes(communeName), `commune name with its diacritics: ${communeName}`);
  t.match(lines[1], /,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},/, 'since, in local time');

  const geo = await get(`/api/v1/coverage/gaps?unit=${commune}&format=geojson`);
  t.equal(geo.status, 200);
  t.match(geo.headers.get('content-type'), /^application\/geo\+json/);
  const doc = JSON.parse(await geo.text()) as { features: { properties: Record<string, unknown>; geometry: { coordinates: number[] } }[] };
  t.same(geoJsonProblems(doc), [], 'valid GeoJSON');
  t.equal(doc.features.length, expected.length);
  t.equal(doc.features[0]!.properties.commune, communeName);
  const [lon, lat] = doc.features[0]!.geometry.coordinates;
  t.ok(lon! > 107 && lon! < 109.5 && lat! > 12 && lat! < 13.5, 'longitude first, inside Đắk Lắk');

  // KPIs of the province and of a district, by code.
  const province = (await (await get('/api/v1/coverage/units/66')).json()) as { covered_pct: number; children: unknown[]; dead_zone_villages: number };
  t.ok(province.covered_pct > 98 && province.covered_pct < 100, `province 4G coverage ${province.covered_pct}%`);
  t.equal(province.children.length, 15, 'its 15 districts');
  t.equal(province.dead_zone_villages, all.total);

  const carrier = await get('/api/v1/coverage/gaps?carrier=viettel&radio=4G&limit=1');
  t.equal(carrier.status, 200, 'carrier and radio aliases are the model\'s');
  const bad = await get('/api/v1/coverage/gaps?carrier=telstra');
  t.equal(bad.status, 400);
  t.equal(((await bad.json()) as { field: string }).field, 'querystring.carrier');

  const push = await fetch(`${url}/api/v1/coverage/measurements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'text/csv' },
    // 18 good rows, then two bad ones (rows 20 and 21; the header is row 1): too few to refuse the push.
    body: ['time,mnc,radio,lat,lon,rsrp,rsrq,sinr', ...Array.from({ length: 18 }, (_, i) => `2025-06-30T01:${String(i).padStart(2, '0')}:00Z,04,LTE,12.70,108.05,-95,-10,12`), '2025-06-30T01:30:00Z,04,LTE,12.70,108.05,-999,-10,12', '2025-06-30T01:31:00Z,04,LTE,91,108.05,-95,-10,12'].join('\n'),
  });
  t.equal(push.status, 200);
  const report = (await push.json()) as { rows_read: number; accepted: number; rejected: number; problems: { row: number; reason: string }[] };
  t.equal(report.rows_read, 20);
  t.equal(report.accepted, 18);
  t.equal(report.rejected, 2);
  t.same(report.problems.map((p) => p.row), [20, 21], 'rejected rows by number, with a reason each');
  t.ok(report.problems.every((p) => p.reason.length > 0));
  const refused = await fetch(`${url}/api/v1/coverage/cells/status`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'text/csv' }, body: 'not,a,status,file\n1,2,3,4\n' });
  t.equal(refused.status, 400, 'a wholly unusable file is refused');
  t.equal(((await refused.json()) as { report: { applied: boolean } }).report.applied, false);
  t.equal((await fetch(`${url}/healthz`)).status, 200);
});

t.test('English CSV headers and level labels by config.language', async (t) => {
  const inv = shippedInventory();
  const csv = gapsCsv(inv, [], 'en', 'Asia/Ho_Chi_Minh');
  t.equal(csv, `${UTF8_BOM}Village code,Village,Type,District code,District,Commune code,Commune,Population,Best level,Evidence,Conflict,Dead zone since,Latitude,Longitude\r\n`);
});
