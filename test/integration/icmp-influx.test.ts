// End to end with real parts: the shipped 235-point inventory (loopback), real fping, the real sink
// (durable spool → InfluxDB 1.x API) and a real influxd. A run of R rounds leaves exactly R `ping`
// points per point id (InfluxQL count per id), with the Telegraf field names and the point tags.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon.js';
import { loadInventory } from '../../src/inventory/load.js';
import { ObservationBus } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import { requireBinary, startInfluxd } from '../helpers/services.js';

const R = 3;

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

async function query(url: string, q: string): Promise<InfluxSeries[]> {
  const res = await fetch(`${url}/query?db=netcov&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: InfluxSeries[]; error?: string }[] };
  const r = body.results[0]!;
  if (r.error) throw new Error(r.error);
  return r.series ?? [];
}

t.test(`${R} rounds of the shipped inventory: exactly ${R} ping points per point id in InfluxDB`, async (t) => {
  if (!requireBinary(t, 'fping')) return;
  const influxd = await startInfluxd(t);
  if (!influxd) return;
  const stateDir = mkdtempSync(join(tmpdir(), 'netcov-icmp-influx-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  // Rounds of 1 s; all 235 loopback points answer, so fping ends well inside the interval.
  const config = parseConfig(
    [`state_dir: ${JSON.stringify(stateDir)}`, 'icmp:', '  backend: fping', '  interval_s: 1', '  timeout_ms: 500', 'sink:', '  kind: influx_v1', `  url: ${influxd.url}`, '  flush_interval_ms: 200'].join('\n'),
    'test.yaml',
  );
  const { inventory } = loadInventory();
  const bus = new ObservationBus();
  const daemon = createDaemon({ config, inventory, log: silentLogger(), bus });
  let rounds = 0;
  const done = new Promise<void>((resolve) => {
    bus.on('icmp', (observations) => {
      if (observations.length !== 235) t.fail(`a round of ${observations.length} observations`);
      // Stop as the R-th round is handed over: no further round may start.
      if (++rounds === R) daemon.stop('test').then(resolve, (err: unknown) => t.error(err));
    });
  });
  await daemon.start();
  await done;
  t.equal(rounds, R);

  const counts = await query(influxd.url, 'SELECT count(packets_transmitted) FROM "raw"."ping" GROUP BY point_id');
  t.equal(counts.length, 235, 'every point id has points');
  const perId = new Map(counts.map((s) => [s.tags!.point_id!, s.values[0]![1]]));
  t.same([...perId.keys()].sort(), inventory.points.map((p) => p.id).sort());
  t.same([...new Set(perId.values())], [R], `exactly ${R} per point id`);

  // One point in full: field names and tags as documented.
  const p = inventory.point('commune-24118')!;
  const [series] = await query(influxd.url, `SELECT * FROM "raw"."ping" WHERE point_id = '${p.id}'`);
  const row = Object.fromEntries(series!.columns.map((c, i) => [c, series!.values[0]![i]]));
  // Other test files may fault some 127.66.x.y addresses meanwhile: the figures are checked for
  // consistency, not for zero loss.
  const received = row.packets_received as number;
  t.ok(received >= 0 && received <= 3);
  t.equal(row.percent_packet_loss, Math.round(((3 - received) / 3) * 100 * 1e6) / 1e6);
  t.match(row, {
    packets_transmitted: 3,
    result_code: 0,
    point_id: p.id,
    kind: 'commune',
    url: p.address,
    upstream: p.upstream,
    commune: p.unit,
  });
  for (const f of ['minimum_response_ms', 'average_response_ms', 'median_response_ms', 'maximum_response_ms', 'standard_deviation_ms']) t.type(row[f], received > 0 ? 'number' : 'object', f); // null when absent
  t.type(row.jitter_ms, received > 1 ? 'number' : 'object', 'jitter_ms');
  // Over all points, the round figures are there: most points answer.
  const [withRtt] = await query(influxd.url, 'SELECT count(average_response_ms) FROM "raw"."ping"');
  t.ok((withRtt!.values[0]![1] as number) > 0, 'RTT fields written');
});
