// Availability for SLA reports against the REAL influxd 1.6: ping samples made by netcov's own
// encoder and sink from ICMP observations, then the API's availability path (its InfluxQL, run
// through the sink's InfluxDB client) over raw data and over the 5-minute rollup.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createInfluxAvailability } from '../../src/api/availability.js';
import { influxQuery } from '../../src/api/wiring.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { IcmpObservation } from '../../src/observations.js';
import { icmpSamples } from '../../src/probes/icmp/metrics.js';
import { InfluxV1Target } from '../../src/sink/influx-v1.js';
import { createSink, createTarget } from '../../src/sink/index.js';
import { silentLogger } from '../../src/util/log.js';
import { startInfluxd } from '../helpers/services.js';

t.test('uptime % per point and per district from what netcov wrote', async (t) => {
  const influxd = await startInfluxd(t);
  if (!influxd) return;
  const stateDir = mkdtempSync(join(tmpdir(), 'netcov-avail-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const config = parseConfig(`state_dir: ${stateDir}\nsink: { kind: influx_v1, url: "${influxd.url}", flush_interval_ms: 50 }\n`, 'avail.yaml');
  const log = silentLogger();
  const { inventory } = loadInventory();
  const sink = createSink(config, log);
  await sink.start();

  // 20 rounds, 15 s apart, filling two whole 5-minute windows: the district point of Buôn Đôn (647)
  // is up throughout; one of its communes answers in rounds 0–14 (some echoes lost) and loses every
  // echo of rounds 15–19; a commune of another district has no data at all.
  const up = 'district-647';
  const flaky = inventory.directDependants(up)[0]!.id;
  const fiveMin = 300_000;
  const startMs = Math.floor((Date.now() - 3_600_000) / fiveMin) * fiveMin;
  for (let i = 0; i < 20; i++) {
    const timeMs = startMs + i * 15_000;
    const round = (pointId: string, received: number): IcmpObservation => ({
      pointId, timeMs, transmitted: 3, received, percentPacketLoss: ((3 - received) / 3) * 100, resultCode: 0,
      ...(received ? { minimumResponseMs: 0.05, averageResponseMs: 0.06, medianResponseMs: 0.06, maximumResponseMs: 0.07, standardDeviationMs: 0.01, jitterMs: 0.01 } : {}),
    });
    sink.write(icmpSamples(inventory, [round(up, 3), round(flaky, i < 15 ? (i % 2 ? 3 : 1) : 0)]));
  }
  await sink.flush();
  await sink.stop();

  const query = influxQuery(config, log)!;
  t.ok(query, 'the v1 sink gives the API a query function');
  const fromMs = startMs;
  const toMs = startMs + 2 * fiveMin;
  const raw = createInfluxAvailability({ inventory, query, rawRetentionMs: 30 * 86_400_000 });
  const perPoint = await raw.availability({ fromMs, toMs, level: 'point' });
  t.equal(perPoint.source, 'raw');
  const row = (id: string) => perPoint.rows.find((r) => r.key === id)!;
  t.match(row(up), { rounds: 20, upRounds: 20, uptimePct: 100 });
  t.match(row(flaky), { rounds: 20, upRounds: 15, uptimePct: 75 }, 'a round with any reply is up; a fully lost round is down');
  t.match(row('commune-24118'), { rounds: 0, uptimePct: null }, 'no data is not downtime');

  const perDistrict = await raw.availability({ fromMs, toMs, level: 'district' });
  const buonDon = perDistrict.rows.find((r) => r.key === '647')!;
  t.match(buonDon, { rounds: 40, upRounds: 35, uptimePct: 87.5 }, 'points with data in the district, summed');

  // Older than the raw retention: the answer comes from "rollup"."ping_5m" (filled here by the
  // sink's own backfill, as after a replay), where a window with any reply counts as up.
  const target = createTarget(config, log);
  t.ok(target instanceof InfluxV1Target);
  await (target as InfluxV1Target).backfillRollups(fromMs, toMs);
  const old = createInfluxAvailability({ inventory, query, rawRetentionMs: 60_000 });
  const fromRollup = await old.availability({ fromMs, toMs, level: 'point' });
  t.equal(fromRollup.source, 'rollup');
  t.match(fromRollup.rows.find((r) => r.key === up), { rounds: 20, uptimePct: 100 });
  t.match(fromRollup.rows.find((r) => r.key === flaky), { rounds: 20, upRounds: 20, uptimePct: 100 }, 'both windows had replies');
});
