// The dashboards as shipped: the committed dashboards/ equals a fresh build; every dashboard is
// valid JSON with unique panel ids, panels inside the 24-column grid that never overlap, only the
// provisioned datasource uid, used variables, and queries built from the metric schema. The
// queries themselves run against a real influxd in test/integration/dashboards-influx.test.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { defaultConfig } from '../../src/config/load.js';
import { buildFiles, buildDashboards, DASHBOARDS, DEFAULT_DASHBOARDS_PATH } from '../../src/dashboards/build.js';
import { DATASOURCE_UID } from '../../src/dashboards/common.js';
import {
  and, byInterval, cmp, last, level, regexLiteral, select, since, source, subquery, tagIn, tagMatchesVar, timeFilter,
} from '../../src/dashboards/influxql.js';
import { loadInventory } from '../../src/inventory/load.js';
import { MEASUREMENTS, PING, PING_ROLLUP, RETENTION_POLICIES } from '../../src/metrics/schema.js';
import { allPanels, dashboardQueries, interpolate, variableIsUsed, type GrafanaDashboard } from '../helpers/grafana.js';

const REPO = resolve(import.meta.dirname, '../..');
const config = defaultConfig();
const { inventory } = loadInventory();
const settings = { influxUrl: config.sink.url, database: config.sink.database, dashboardsPath: DEFAULT_DASHBOARDS_PATH, minIntervalS: config.icmp.interval_s };
const files = buildFiles({ inventory, timezone: config.timezone }, settings);

void t.test('committed dashboards/ equals a fresh `npm run dashboards`', async (t) => {
  for (const f of files) {
    let committed = '';
    try {
      committed = readFileSync(join(REPO, 'dashboards', f.path), 'utf8');
    } catch {
      // reported by the equality below
    }
    t.equal(committed, f.text, `dashboards/${f.path} is up to date (run npm run dashboards)`);
  }
});

void t.test('the build is deterministic', async (t) => {
  const again = buildFiles({ inventory, timezone: config.timezone }, settings);
  t.same(again, files);
});

const dashboards = files.filter((f) => f.path.endsWith('.json')).map((f) => ({ path: f.path, d: JSON.parse(f.text) as GrafanaDashboard }));

void t.test('structure of every dashboard', async (t) => {
  t.equal(dashboards.length, DASHBOARDS.length, 'one JSON file per dashboard module');
  const uids = new Set<string>();
  for (const { path, d } of dashboards) {
    t.notOk(uids.has(d.uid), `${path}: uid ${d.uid} is unique`);
    uids.add(d.uid);
    const panels = allPanels(d);
    t.ok(panels.length > 0, `${path}: has panels`);

    const ids = panels.map((p) => p.id);
    t.ok(ids.every((id) => typeof id === 'number' && id > 0), `${path}: every panel has a positive id`);
    t.equal(new Set(ids).size, ids.length, `${path}: panel ids are unique`);

    const boxes = panels.map((p) => ({ title: p.title, ...p.gridPos! }));
    for (const b of boxes) {
      t.ok(b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.x + b.w <= 24, `${path}: "${b.title}" lies inside the 24-column grid (${JSON.stringify(b)})`);
    }
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`"${a.title}" and "${b.title}"`);
      }
    }
    t.same(overlaps, [], `${path}: no two panels overlap`);

    const refs: { where: string; uid: string | undefined }[] = [];
    for (const p of panels) {
      if (p.type === 'row') continue;
      refs.push({ where: `panel "${p.title}"`, uid: p.datasource?.uid });
      t.ok((p.targets ?? []).length > 0, `${path}: panel "${p.title}" has queries`);
      for (const q of p.targets ?? []) refs.push({ where: `panel "${p.title}" ${q.refId}`, uid: q.datasource?.uid });
    }
    for (const v of d.templating?.list ?? []) refs.push({ where: `variable ${v.name}`, uid: v.datasource?.uid });
    for (const a of d.annotations?.list ?? []) refs.push({ where: `annotation ${a.name}`, uid: a.datasource?.uid });
    const wrong = refs.filter((r) => r.uid !== DATASOURCE_UID);
    t.same(wrong, [], `${path}: every datasource reference is the provisioned uid ${DATASOURCE_UID}`);

    for (const v of d.templating?.list ?? []) t.ok(variableIsUsed(d, v.name), `${path}: variable $${v.name} is used`);

    // Every FROM names a measurement or rollup of the schema, in its retention policy.
    const known = new Set([
      ...Object.values(MEASUREMENTS).map((m) => `"${RETENTION_POLICIES[m.retention]}"."${m.name}"`),
      `"${RETENTION_POLICIES.rollup}"."${PING_ROLLUP.name}"`,
    ]);
    const texts = [...dashboardQueries(d).map((q) => q.query), ...(d.templating?.list ?? []).map((v) => String(v.query))];
    for (const q of texts) {
      const froms = [...q.matchAll(/FROM ("[^"]+"\."[^"]+")/g)].map((m) => m[1]!);
      t.ok(froms.length > 0 && froms.every((f) => known.has(f)), `${path}: FROM ${froms.join(', ')} are schema measurements`);
    }
  }
});

void t.test('provisioning files', async (t) => {
  const ds = parse(files.find((f) => f.path === 'provisioning/datasources/netcov.yaml')!.text) as { datasources: Record<string, unknown>[] };
  t.equal(ds.datasources.length, 1);
  t.match(ds.datasources[0], { uid: DATASOURCE_UID, type: 'influxdb', url: config.sink.url, jsonData: { dbName: config.sink.database, version: 'InfluxQL' } });
  const prov = parse(files.find((f) => f.path === 'provisioning/dashboards/netcov.yaml')!.text) as { providers: Record<string, unknown>[] };
  t.match(prov.providers[0], { type: 'file', folder: 'netcov', options: { path: DEFAULT_DASHBOARDS_PATH } });
});

void t.test('dashboards follow the inventory\'s levels (two-level inventory)', async (t) => {
  const two = loadInventory(join(REPO, 'test/fixtures/inventory-2level')).inventory;
  const built = buildDashboards({ inventory: two, timezone: 'UTC' });
  const unitsDash = built.find((b) => b.module.file === 'netcov-units')!.dashboard as unknown as GrafanaDashboard;
  const names = (unitsDash.templating?.list ?? []).map((v) => v.name);
  t.same(names, two.levels.map((l) => l.name), 'one variable per level, in order');
  const second = unitsDash.templating!.list![1]!;
  t.match(String(second.query), new RegExp(`"parent" =~ /\\^\\$${two.levels[0]!.name}\\$/`), 'the second level is chained on the first');
});

void t.test('InfluxQL builder', async (t) => {
  const ping = source(PING);
  const q = select(ping).col(last(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), tagMatchesVar(level(PING, 'district'), 'district')).groupBy(byInterval(), ping.tag('point_id')).fill('null');
  t.equal(q.render(), 'SELECT last("percent_packet_loss") AS "loss" FROM "raw"."ping" WHERE $timeFilter AND "district" =~ /^$district$/ GROUP BY time($__interval), "point_id" fill(null)');
  const inner = subquery(q);
  t.equal(select(inner).col(last(inner.f('loss')), 'x').where(and(cmp(inner.f('loss'), '>=', 20), cmp(inner.f('loss'), '<', 100))).render(),
    `SELECT last("loss") AS "x" FROM (${q.render()}) WHERE "loss" >= 20 AND "loss" < 100`);
  t.equal(select(ping).col(last(ping.f('jitter_ms')), 'j').where(since('1d'), tagIn(ping.tag('kind'), ['a.b', 'c/d'])).render(),
    'SELECT last("jitter_ms") AS "j" FROM "raw"."ping" WHERE time > now() - 1d AND "kind" =~ /^(a\\.b|c\\/d)$/');
  t.equal(regexLiteral('x|y'), 'x\\|y');
  // Names the schema does not have are refused at build time (and by the compiler for measurements).
  t.throws(() => ping.f('no_such_field' as 'jitter_ms'));
  t.throws(() => select(inner).col(inner.f('nope' as 'loss'), 'n'));
  t.throws(() => select(ping).col(last(ping.f('jitter_ms')), 'a').col(last(ping.f('jitter_ms')), 'a'), 'duplicate alias');
  t.throws(() => since('1 day'));
  t.throws(() => tagMatchesVar(ping.tag('kind'), 'bad name'));
});

void t.test('Grafana interpolation helper', async (t) => {
  const vars = new Map([['district', { value: '643', regex: '643' }], ['point', { value: 'commune-24118', regex: 'commune-24118' }]]);
  t.equal(interpolate('SELECT x FROM y WHERE $timeFilter AND "district" =~ /^$district$/ GROUP BY time($__interval)', vars),
    'SELECT x FROM y WHERE time > now() - 1h AND "district" =~ /^643$/ GROUP BY time(10s)');
});
