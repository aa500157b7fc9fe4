// Every query of every shipped dashboard, run against a real influxd filled by netcov's own code:
// real fping rounds over the shipped inventory (with real nftables faults: a dark district point,
// a dark commune behind it, a lossy commune) seen by the real alerting engine, real SNMP polls of netcov's simulated agents (with a reboot and a silent agent),
// the self-metrics of the real scheduler and sink, the inventory facts, the coverage model on the
// sample feeds (data/coverage-sample), all written through the real sink (spool → InfluxDB 1.x API, with its setup of
// retention policies and continuous query). Macros and template variables are substituted as
// Grafana does; every query must answer without error and with at least one row.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createAlerting } from '../../src/alerts/index.js';
import { parseConfig } from '../../src/config/load.js';
import { CoverageService } from '../../src/coverage/service.js';
import { loadInventory } from '../../src/inventory/load.js';
import { Inventory, type Point } from '../../src/inventory/model.js';
import { inventoryInfoSamples } from '../../src/metrics/inventory-info.js';
import { PING_ROLLUP } from '../../src/metrics/schema.js';
import { pointStateSamples } from '../../src/metrics/point-state.js';
import { selfSamples } from '../../src/metrics/self.js';
import { ObservationBus } from '../../src/observations.js';
import { createFpingPinger } from '../../src/probes/icmp/fping.js';
import { probeRound, type EchoSettings } from '../../src/probes/icmp/index.js';
import { icmpSamples } from '../../src/probes/icmp/metrics.js';
import { eventSample } from '../../src/probes/snmp/metrics.js';
import { createSnmpSource } from '../../src/probes/snmp/source.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { startSnmpAgents } from '../../src/sim/snmp-agents.js';
import { rollupSelect } from '../../src/sink/influx-v1.js';
import { createSink } from '../../src/sink/index.js';
import { silentLogger } from '../../src/util/log.js';
import { DASHBOARDS } from '../../src/dashboards/build.js';
import {
  dashboardQueries, interpolate, resolveVariables, runInfluxQL, variableIsUsed, type GrafanaDashboard,
} from '../helpers/grafana.js';
import { requireBinaries } from '../helpers/binaries.js';
import { faultTable } from '../helpers/nft.js';
import { freeUdpPort } from '../helpers/ports.js';
import { makeTempDir } from '../helpers/process.js';
import { startInfluxd } from '../helpers/services.js';

const REPO = resolve(import.meta.dirname, '../..');
const log = silentLogger();
const shipped = loadInventory().inventory;

// Points of this test get addresses of their own (other tests fault 127.66.x.y at the same time).
// One district shows every state: its district point is dark (DOWN, the root), one commune behind
// it is dark too (UNREACHABLE), one loses half its echoes (DEGRADED; also the SNMP-polled point
// the point dashboard is checked with), the others answer (UP).
const DISTRICT = '646';
const DISTRICT_POINT = shipped.points.find((p) => p.kind === 'district' && p.unit === DISTRICT)!;
const communes = shipped.points.filter((p) => p.kind === 'commune' && p.upstream === DISTRICT_POINT.id);
const DARK = communes[0]!;
const LOSSY = communes[1]!;
const others = shipped.points.filter((p) => p.kind === 'district' && p.id !== DISTRICT_POINT.id).slice(0, 2);
const snmpPoints = [LOSSY, ...others];
const SNMP_A = LOSSY;
const ADDRESS: Record<string, string> = {
  [DARK.id]: '127.99.8.1',
  [LOSSY.id]: '127.99.8.2', // ICMP: 50 % dropped; SNMP: a simulated agent
  [DISTRICT_POINT.id]: '127.99.8.3',
  [others[0]!.id]: '127.99.8.11',
  [others[1]!.id]: '127.99.8.12', // no agent there: its polls time out
};
const inventory = new Inventory({
  levels: shipped.levels,
  units: [...shipped.units.values()],
  villages: [...shipped.villages],
  points: shipped.points.map((p): Point => (ADDRESS[p.id] ? { ...p, address: ADDRESS[p.id]! } : p)),
  ...(shipped.bounds ? { bounds: shipped.bounds } : {}),
});

const ROUNDS = 6;
const ROUND_STEP_MS = 10_000;
const QUICK: EchoSettings = { count: 3, periodMs: 50, timeoutMs: 300, sendIntervalMs: 1 };
// Enough echoes that a 50 % random drop never looks clean (≤ 3 of 20 lost: p ≈ 0.1 %) or dark.
const LOSSY_SETTINGS: EchoSettings = { count: 20, periodMs: 20, timeoutMs: 300, sendIntervalMs: 1 };

void t.test('every panel, annotation and variable query of every dashboard returns rows from netcov data', async (t) => {
  const bins = requireBinaries(t, ['fping', 'influxd']);
  if (!bins) return;
  const influx = await startInfluxd(t);
  if (!influx) return;
  const faults = await faultTable(t, 'dash');
  if (!faults) return;
  await faults.dropEcho(ADDRESS[DARK.id]!);
  await faults.dropEcho(ADDRESS[DISTRICT_POINT.id]!);
  await faults.dropEchoPercent(ADDRESS[LOSSY.id]!, 50);

  const config = parseConfig('', 'test.yaml');
  config.sink.url = influx.url;
  config.sink.spool.dir = join(makeTempDir(t, 'dash-spool'), 'spool');
  config.sink.flush_interval_ms = 100;
  const sink = createSink(config, log);
  await sink.start();
  t.teardown(() => sink.stop());

  // ---- inventory facts, as the daemon writes them at start
  sink.write(inventoryInfoSamples(inventory, Date.now() - ROUNDS * ROUND_STEP_MS));

  // ---- alerting: the real engine on the bus, writing point_status and alerts through the sink
  config.alerts.store_file = join(makeTempDir(t, 'dash-alerts'), 'alerts.sqlite');
  const bus = new ObservationBus();
  bus.on('icmp', (observations) => sink.write(icmpSamples(inventory, observations)));
  bus.on('event', (e) => {
    const s = eventSample(inventory, e);
    if (s) sink.write([s]);
  });
  const alerting = createAlerting({ config, inventory, log, sink, bus });
  alerting.start();
  t.teardown(() => alerting.stop());

  // ---- ICMP: real fping rounds through the real scheduler, stamped 10 s apart over the last minute
  const pinger = createFpingPinger({ path: bins.fping });
  const scheduler = new Scheduler(log, { maxStartJitterMs: 0 });
  const t0 = Date.now() - ROUNDS * ROUND_STEP_MS;
  const steady = inventory.points.filter((p) => p.id !== LOSSY.id);
  const lossy = inventory.point(LOSSY.id)!;
  const receivers = { name: 'webhook', sent: 0, failed: 0 };
  let rounds = 0;
  scheduler.add({
    name: 'icmp/test',
    intervalMs: 700,
    async run(ctx) {
      if (ctx.round > ROUNDS) return;
      const timeMs = t0 + (ctx.round - 1) * ROUND_STEP_MS;
      const [a, b] = await Promise.all([probeRound(pinger, steady, QUICK, timeMs, ctx.signal), probeRound(pinger, [lossy], LOSSY_SETTINGS, timeMs, ctx.signal)]);
      bus.emit('icmp', [...a.observations, ...b.observations]);
      // The self-figures at the same instants, as startSelfMetrics writes them every interval.
      receivers.sent += 1;
      if (ctx.round === 3) receivers.failed += 1;
      sink.write(selfSamples({ process: { uptimeS: process.uptime(), rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed, eventLoopDelayMs: 1 }, sink: sink.stats(), jobs: scheduler.stats(), receivers: [{ ...receivers }] }, 'test-host', timeMs + 1));
      rounds = ctx.round;
    },
  });
  scheduler.start();

  // ---- SNMP: netcov's simulated agents, polled by the real SNMP source meanwhile
  const agentPort = await freeUdpPort(['127.99.8.2', '127.99.8.11']);
  const agents = await startSnmpAgents({ agents: [{ address: '127.99.8.2', name: SNMP_A.id }, { address: '127.99.8.11', name: others[0]!.id }], port: agentPort, workers: 1, interfaces: 3 });
  t.teardown(() => agents.stop());
  config.snmp.port = agentPort;
  config.snmp.timeout_ms = 300;
  config.snmp.retries = 0;
  const polled = snmpPoints.map((p) => inventory.point(p.id)!); // with this test's addresses
  const snmp = createSnmpSource({ snmp: config.snmp, inventory, bus, scheduler: new Scheduler(log), log, write: (s) => sink.write(s), points: polled });
  t.teardown(() => snmp.stop());
  const pollAll = () => Promise.all(snmpPoints.map((p) => snmp.pollNow(p.id)));
  await pollAll();
  await sleep(1100);
  await pollAll(); // rates from the second poll on
  await agents.reboot('127.99.8.2');
  await sleep(300);
  await snmp.pollNow(SNMP_A.id); // sysUpTime went backwards: a discontinuity event, no rate
  await agents.setSilent('127.99.8.2', true);
  await snmp.pollNow(SNMP_A.id); // a failed poll (timeout)
  await agents.setSilent('127.99.8.2', false);
  await sleep(1100);
  await snmp.pollNow(SNMP_A.id);

  // ---- coverage: the model over the shipped sample feeds (with its base-station outage)
  const cov = new CoverageService({ config, inventory, log, sink, stateDir: null });
  for (const kind of ['cells', 'status', 'measurements', 'reports'] as const) {
    const report = await cov.ingest(kind, readFileSync(join(REPO, 'data/coverage-sample', `${kind}.csv`), 'utf8'), 'csv', { feed: `sample-${kind}`, mode: 'replace' });
    t.ok(report.applied, `sample ${kind} feed applied`);
  }
  t.ok(cov.recompute(), 'coverage computed');

  const deadline = Date.now() + 60_000;
  while (rounds < ROUNDS && Date.now() < deadline) await sleep(100);
  t.equal(rounds, ROUNDS, `${ROUNDS} ICMP rounds ran`);
  await scheduler.stop();
  // The engine's statuses now, as the daemon's point_state writer snapshots them every minute.
  const states = new Map(alerting.engine.pointStates().map((p) => [p.pointId, p.status]));
  t.match(Object.fromEntries([DISTRICT_POINT, DARK, LOSSY].map((p) => [p.id, states.get(p.id)])), { [DISTRICT_POINT.id]: 'DOWN', [DARK.id]: 'UNREACHABLE', [LOSSY.id]: 'DEGRADED' }, 'the engine saw the faults');
  sink.write(pointStateSamples(inventory, alerting.engine.pointStates(), Date.now()));
  await sink.flush();
  t.equal(sink.stats().pointsDropped, 0, 'the sink dropped nothing');

  // The continuous query runs every 5 minutes; compute the rollup now with the sink's own SELECT … INTO.
  const backfill = await runInfluxQL(influx.url, config.sink.database, rollupSelect(PING_ROLLUP, config.sink.database, 'time > now() - 1h'));
  t.notOk(backfill.error, `rollup backfill: ${backfill.error ?? 'ok'}`);

  // ---- every dashboard, as committed, as Grafana would run it
  const run = (q: string) => runInfluxQL(influx.url, config.sink.database, q);
  let checked = 0;
  let expected = 0;
  for (const m of DASHBOARDS) {
    const d = JSON.parse(readFileSync(join(REPO, 'dashboards', `${m.file}.json`), 'utf8')) as GrafanaDashboard;
    const passes = [
      { label: 'chosen values', useAll: false },
      { label: 'All', useAll: true },
    ];
    for (const pass of passes) {
      if (pass.useAll && !(d.templating?.list ?? []).some((v) => v.includeAll)) continue;
      const { vars, problems } = await resolveVariables(d, run, {
        useAll: pass.useAll,
        prefer: {
          point: (o) => o.find((x) => x.value === SNMP_A.id)?.value,
          [inventory.levels[1]!.name]: (o) => o.find((x) => x.value === DISTRICT)?.value,
          [inventory.levels[2]?.name ?? '-']: () => undefined,
        },
      });
      t.same(problems, [], `${m.file} (${pass.label}): every variable resolves to a value`);
      for (const v of d.templating?.list ?? []) t.ok(variableIsUsed(d, v.name), `${m.file}: $${v.name} is used`);
      // The lowest level goes to All in the "chosen values" pass too: a commune has one point, and
      // the drill-down should show every state.
      const lowest = inventory.levels.at(-1)!.name;
      if (!pass.useAll && vars.has(lowest) && inventory.levels.length > 1) vars.set(lowest, { value: '.*', regex: '.*' });
      const failures: string[] = [];
      expected += dashboardQueries(d).length;
      for (const q of dashboardQueries(d)) {
        const text = interpolate(q.query, vars);
        const r = await run(text);
        checked++;
        if (r.error) failures.push(`${q.where}: ${r.error}\n    ${text}`);
        else if (!r.series.some((s) => s.values.length > 0)) failures.push(`${q.where}: no rows\n    ${text}`);
      }
      t.same(failures, [], `${m.file} (${pass.label}): every query answers with rows`);
    }
  }
  t.ok(expected > 0 && checked === expected, `${checked} queries ran, every panel's and annotation's in every pass`);
});
