// Proves the influxd harness on the real Debian influxd 1.6: create a database, write line
// protocol over HTTP, read it back with InfluxQL, then stop/restart on the same port and data
// dir and check the points survived (what the zero-loss test builds on).
import t from 'tap';
import { startInfluxd } from '../helpers/services.js';

interface QueryResponse {
  results?: {
    statement_id?: number;
    error?: string;
    series?: { name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> }[];
  }[];
  error?: string;
}

async function influxQuery(url: string, q: string, db?: string, method: 'GET' | 'POST' = 'GET'): Promise<QueryResponse> {
  const params = new URLSearchParams({ q, epoch: 'ms' });
  if (db !== undefined) params.set('db', db);
  // Schema changes must be POSTed in InfluxDB 1.x; reads may be GET.
  const res = await fetch(`${url}/query?${params.toString()}`, { method });
  const body = (await res.json()) as QueryResponse;
  if (res.status !== 200 || body.error !== undefined || body.results?.some((r) => r.error !== undefined)) {
    throw new Error(`query ${q} -> HTTP ${res.status}: ${JSON.stringify(body)}`);
  }
  return body;
}

async function writeLines(url: string, db: string, lines: readonly string[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: lines.join('\n'),
  });
  const text = await res.text();
  if (res.status !== 204) throw new Error(`write -> HTTP ${res.status}: ${text}`);
}

const DB = 'netcov_harness';
const T0 = 1_700_000_000_000; // ms, fixed so the assertions are exact
const LINES = [
  `rtt,point=127.66.1.1,district=buon-ma-thuot value=1.5,loss=0i ${T0}`,
  `rtt,point=127.66.1.1,district=buon-ma-thuot value=2.25,loss=0i ${T0 + 1000}`,
  `rtt,point=127.66.1.2,district=ea-hleo value=40.125,loss=3i ${T0 + 2000}`,
];

async function readBack(url: string): Promise<unknown[][]> {
  const res = await influxQuery(url, `SELECT "value", "loss", "point" FROM "rtt" ORDER BY time ASC`, DB);
  return res.results?.[0]?.series?.[0]?.values ?? [];
}

const EXPECTED = [
  [T0, 1.5, 0, '127.66.1.1'],
  [T0 + 1000, 2.25, 0, '127.66.1.1'],
  [T0 + 2000, 40.125, 3, '127.66.1.2'],
];

// tap queues and awaits its subtests itself, so their promises are deliberately not awaited.
void t.test('influxd harness: write, query, survive a restart', async (t) => {
  const influx = await startInfluxd(t);
  if (influx === undefined) return;
  t.match(influx.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback');

  await influxQuery(influx.url, `CREATE DATABASE "${DB}"`, undefined, 'POST');
  await writeLines(influx.url, DB, LINES);
  t.same(await readBack(influx.url), EXPECTED, 'points read back with InfluxQL');

  const count = await influxQuery(influx.url, 'SELECT count("value") FROM "rtt" GROUP BY "point"', DB);
  const perPoint = Object.fromEntries(
    (count.results?.[0]?.series ?? []).map((s) => [s.tags?.point ?? '?', s.values[0]?.[1]]),
  );
  t.same(perPoint, { '127.66.1.1': 2, '127.66.1.2': 1 }, 'GROUP BY tag works');

  await influx.stop();
  t.notOk(influx.running, 'stopped');
  await t.rejects(fetch(`${influx.url}/ping`), 'nothing answers while stopped');

  await influx.restart();
  t.ok(influx.running, 'running again');
  t.same(await readBack(influx.url), EXPECTED, 'data survived stop/restart on the same port and dir');

  // And it still accepts writes after the restart.
  await writeLines(influx.url, DB, [`rtt,point=127.66.1.3,district=krong-pac value=7,loss=0i ${T0 + 3000}`]);
  t.equal((await readBack(influx.url)).length, 4, 'write after restart is stored');
});
