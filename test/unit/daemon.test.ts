// The daemon's wiring with a recording in-memory sink and a Pinger double (the real sink and fping
// run in test/integration/icmp-influx.test.ts and run-smoke.test.ts): the sink starts before any
// source and stops after them, every round reaches the sink as `ping` samples, a recheck on the
// bus pings at once, a failing start undoes itself, and a reload swaps the point groups.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configChanges } from '../../src/config/diff.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon.js';
import { loadInventory } from '../../src/inventory/load.js';
import { Inventory } from '../../src/inventory/model.js';
import type { Sample } from '../../src/metrics/schema.js';
import { ObservationBus, type IcmpObservation } from '../../src/observations.js';
import type { Pinger } from '../../src/probes/icmp/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { emptySinkStats, type MetricSink, type SinkStats } from '../../src/sink/types.js';
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import { captureLog } from '../helpers/log-capture.js';

const { inventory } = loadInventory();
// The alert store lives under state_dir: a temp dir, never /var/lib/netcov.
const stateDir = mkdtempSync(join(tmpdir(), 'netcov-daemon-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
const config = parseConfig(`state_dir: ${stateDir}\nicmp:\n  interval_s: 0.1\nsink:\n  kind: none\n`, 'test.yaml');

/** Records the order of lifecycle calls and every sample; write() refuses after stop, as the real one. */
class RecordingSink implements MetricSink {
  events: string[] = [];
  samples: Sample[] = [];
  #stopped = false;
  async start() {
    this.events.push('sink.start');
  }
  write(samples: readonly Sample[]) {
    if (this.#stopped) throw new Error('sink stopped');
    encodeSamples(samples); // as the real writer: throws on anything the metric schema does not know
    this.events.push('sink.write');
    this.samples.push(...samples);
  }
  async flush() {
    this.events.push('sink.flush');
  }
  async stop() {
    this.events.push('sink.stop');
    this.#stopped = true;
  }
  stats(): SinkStats {
    return { ...emptySinkStats(), pointsAccepted: this.samples.length };
  }
}

/** Every address answers with 3 echoes; records the calls and the lifecycle order. */
function answeringPinger(events: string[]): Pinger & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    backend: 'fping',
    calls,
    async ping(addresses) {
      events.push('ping');
      calls.push([...addresses]);
      return new Map(addresses.map((a) => [a, { echoes: [0.1, 0.2, 0.3], resultCode: 0 as const }]));
    },
  };
}

function capture() {
  const { log, records } = captureLog('debug');
  return { log, lines: records };
}

const waitFor = async (cond: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('lifecycle: sink first and last, rounds become ping samples for all 235 points', async (t) => {
  const sink = new RecordingSink();
  const pinger = answeringPinger(sink.events);
  const { log, lines } = capture();
  const bus = new ObservationBus();
  const rounds: IcmpObservation[][] = [];
  bus.on('icmp', (o) => rounds.push(o));
  const daemon = createDaemon({ config, inventory, log, sink, pinger, bus });
  await daemon.start();
  t.equal(sink.events[0], 'sink.start');
  await waitFor(() => rounds.length >= 3);
  t.ok(daemon.healthy());
  await daemon.stop('SIGTERM');
  t.equal(sink.events.at(-1), 'sink.stop', 'the sink stops last');
  t.notOk(sink.events.slice(sink.events.indexOf('sink.stop')).includes('ping'), 'no round after the sink stopped');
  t.equal(pinger.calls[0]!.length, new Set(inventory.points.map((p) => p.address)).size, 'one round pings every address once');
  const perPoint = new Map<string, number>();
  const pings = sink.samples.filter((s) => s.measurement === 'ping');
  for (const s of pings) perPoint.set(s.tags.point_id!, (perPoint.get(s.tags.point_id!) ?? 0) + 1);
  // Besides the rounds: the self-metrics and the inventory facts Grafana reads (src/metrics/self.ts, inventory-info.ts).
  // point_status: the alert engine's UNKNOWN → UP of every point (src/alerts).
  // Other components add their own measurements; every sample passed the schema check in write().
  t.ok(pings.length > 0, `ping among ${[...new Set(sink.samples.map((s) => s.measurement))].sort().join(', ')}`);
  t.equal(perPoint.size, 235);
  t.equal(new Set(perPoint.values()).size, 1, 'every point has the same number of samples');
  t.equal([...perPoint.values()][0], rounds.length, 'one sample per point per round');
  const events = lines.map((l) => l.event);
  t.ok(events.indexOf('icmp_started') < events.indexOf('daemon_started'), 'started before the daemon says so');
  // Components join the list as features land; what matters here is the relative order.
  const stopped = lines.filter((l) => l.event === 'component_stopped').map((l) => l.component);
  t.ok(stopped.indexOf('scheduler') >= 0 && stopped.indexOf('scheduler') < stopped.indexOf('icmp'), `rounds stop before the ICMP source (${stopped.join(' → ')})`);
  t.equal(stopped.at(-1), 'sink', 'the sink stops last');
});

t.test('a recheck on the bus pings those points at once', async (t) => {
  const sink = new RecordingSink();
  const pinger = answeringPinger(sink.events);
  const bus = new ObservationBus();
  // A long interval: the only early ping is the recheck.
  const slow = parseConfig(`state_dir: ${stateDir}\nicmp:\n  interval_s: 3600\nsink:\n  kind: none\n`, 'test.yaml');
  const scheduler = new Scheduler(undefined, { maxStartJitterMs: 3_600_000, random: () => 0.99 });
  const { log } = capture();
  const daemon = createDaemon({ config: slow, inventory, log, sink, pinger, bus, scheduler });
  await daemon.start();
  const p = inventory.point('district-645')!;
  bus.emit('recheck', [p.id]);
  const pings = () => sink.samples.filter((s) => s.measurement === 'ping');
  await waitFor(() => pings().length > 0);
  t.same(pinger.calls, [[p.address]]);
  t.same(pings().map((s) => s.tags.point_id), [p.id]);
  await daemon.stop('test');
});

t.test('a component that cannot start: the started ones are stopped again, the error surfaces', async (t) => {
  const sink = new RecordingSink();
  const { log, lines } = capture();
  const broken = parseConfig(`state_dir: ${stateDir}\nicmp:\n  backend: fping\n  fping_path: /nonexistent/fping\nsink:\n  kind: none\n`, 'test.yaml');
  const daemon = createDaemon({ config: broken, inventory, log, sink });
  await t.rejects(daemon.start(), /fping/);
  // The inventory facts are written as soon as the sink runs, and the last self-figures on the way down.
  t.equal(sink.events[0], 'sink.start');
  t.equal(sink.events.at(-1), 'sink.stop', 'the sink was stopped again');
  t.notOk(sink.events.includes('ping'), 'no probe ran');
  t.match(lines.find((l) => l.event === 'component_start_failed'), { component: 'icmp', level: 'error' });
});

t.test('reload: new points and per-point settings take effect; the sink is kept', async (t) => {
  const sink = new RecordingSink();
  const pinger = answeringPinger(sink.events);
  const { log } = capture();
  const daemon = createDaemon({ config, inventory, log, sink, pinger });
  await daemon.start();
  await waitFor(() => pinger.calls.length >= 1);
  // The next inventory: the first 10 points, one of them on a slower schedule of its own.
  const points = inventory.points.slice(0, 10).map((p, i) => (i === 0 ? { ...p, icmp: { count: 5 } } : p));
  const smaller = new Inventory({ levels: inventory.levels, units: [...inventory.units.values()], villages: [...inventory.villages], points });
  await daemon.reload({ config, inventory: smaller, changes: configChanges(config, config) });
  const before = pinger.calls.length;
  await waitFor(() => pinger.calls.length >= before + 4);
  const after = pinger.calls.slice(before);
  t.ok(after.every((c) => c.length <= 9), 'rounds now cover the new groups only');
  t.ok(after.some((c) => c.length === 1) && after.some((c) => c.length === 9), 'two groups: 1 point with count 5, 9 with the defaults');
  t.equal(sink.events.filter((e) => e === 'sink.stop').length, 0, 'the sink was not restarted');
  await daemon.stop('test');
});
