// The rows netcov writes about itself and its inventory for Grafana: self-figures (process, sink,
// scheduler jobs, notification receivers), the inventory facts (point_info, unit_info,
// village_info) and the point_state snapshot; all encodable by the real line-protocol encoder
// (so the schema accepts them), and the periodic writer's behaviour with a recording sink.
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';
import { inventoryInfoSamples, LABEL_VARIABLE_REGEX } from '../../src/metrics/inventory-info.js';
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import { POINT_STATUS_CODES, pointStateSamples } from '../../src/metrics/point-state.js';
import type { Sample } from '../../src/metrics/schema.js';
import { selfSamples, startPeriodicWriter, startSelfMetrics } from '../../src/metrics/self.js';
import type { JobStats } from '../../src/scheduler/index.js';
import type { MetricSink, SinkStats } from '../../src/sink/types.js';
import { silentLogger } from '../../src/util/log.js';

const { inventory } = loadInventory();

const sinkStats: SinkStats = {
  pointsAccepted: 100, pointsWritten: 90, pointsRetried: 5, pointsDropped: 2, pointsDroppedSpoolFull: 2, pointsDroppedRejected: 0, pointsDroppedSpoolError: 0,
  pointsBuffered: 10, spoolPoints: 8, spoolBatches: 1, spoolBytes: 4096, spoolSegments: 1, oldestSpooledAgeMs: 1234.6, writeErrors: 3, state: 'spooling',
};
const job: JobStats = { name: 'icmp/5s-3x-1000ms', intervalMs: 5000, rounds: 7, failures: 1, overruns: 2, missedTicks: 0, aborted: 0, running: false, lastDurationMs: 812.5, maxDurationMs: 1500, totalDurationMs: 5000, lastStartMs: 1 };

/** A sink that records what it is given (unit test double: the real sink runs in the integration tests). */
class RecordingSink implements MetricSink {
  samples: Sample[] = [];
  throwOnWrite = false;
  async start() {}
  write(samples: readonly Sample[]) {
    if (this.throwOnWrite) throw new Error('boom');
    this.samples.push(...samples);
  }
  async flush() {}
  async stop() {}
  stats() {
    return sinkStats;
  }
}

t.test('selfSamples: one row per component and instance, counters as they are', async (t) => {
  const rows = selfSamples({ process: { uptimeS: 12.5, rssBytes: 1000, heapUsedBytes: 500, eventLoopDelayMs: 3.2 }, sink: sinkStats, jobs: [job], receivers: [{ name: 'webhook', sent: 4, failed: 1 }] }, 'h1', 1_700_000_000_000);
  t.same(rows.map((r) => [r.tags.component, r.tags.name]), [['process', ''], ['sink', ''], ['scheduler', 'icmp/5s-3x-1000ms'], ['notify', 'webhook']]);
  t.ok(rows.every((r) => r.measurement === 'netcov' && r.tags.host === 'h1' && r.timeMs === 1_700_000_000_000));
  t.match(rows[1]!.fields, { points_accepted: 100, points_written: 90, points_retried: 5, points_dropped: 2, write_errors: 3, spool_bytes: 4096, spool_segments: 1, oldest_spooled_age_ms: 1235, sink_state: 'spooling' });
  t.match(rows[2]!.fields, { rounds: 7, failures: 1, overruns: 2, missed_ticks: 0, aborted: 0, last_duration_ms: 812.5, max_duration_ms: 1500, interval_ms: 5000 });
  t.same(rows[3]!.fields, { notifications_sent: 4, notifications_failed: 1 });
  const lines = encodeSamples(rows);
  t.equal(lines.length, 4, 'the schema accepts every row');
  t.match(lines[0]!.line, /^netcov,component=process,host=h1 uptime_s=12.5,rss_bytes=1000i,heap_used_bytes=500i,event_loop_delay_ms=3.2 1700000000000$/, 'an empty name tag is left out');
  // Without sink, jobs or receivers only the process row is written; no event-loop figure before there is one.
  const bare = selfSamples({ process: { uptimeS: 1, rssBytes: 1, heapUsedBytes: 1 } }, 'h', 0);
  t.equal(bare.length, 1);
  t.notOk('event_loop_delay_ms' in bare[0]!.fields);
});

t.test('selfSamples: the SNMP poller and trap listener, failures and rejections summed over their kinds', async (t) => {
  const rows = selfSamples(
    {
      process: { uptimeS: 1, rssBytes: 1, heapUsedBytes: 1 },
      snmp: { polls: 470, failures: { timeout: 3, auth: 2 }, discontinuities: 1, rateGlitches: 4, malformedResponses: 7 },
      traps: { datagrams: 12, received: 9, unknownSources: 2, rejected: { community: 1, decode: 2 } },
    },
    'h',
    5,
  );
  t.same(rows.map((r) => r.tags.component), ['process', 'snmp', 'snmp_traps']);
  t.same(rows[1]!.fields, { polls: 470, poll_failures: 5, discontinuities: 1, rate_glitches: 4, malformed_responses: 7 });
  t.same(rows[2]!.fields, { trap_datagrams: 12, traps_received: 9, traps_unknown_source: 2, traps_rejected: 3 });
  t.equal(encodeSamples(rows).length, 3, 'the schema accepts every row');
});

t.test('inventory facts: every point, unit and village, with labels variables can split', async (t) => {
  const rows = inventoryInfoSamples(inventory, 1000);
  const by = (m: string) => rows.filter((r) => r.measurement === m);
  t.equal(by('point_info').length, inventory.points.length);
  t.equal(by('unit_info').length, inventory.units.size);
  t.equal(by('village_info').length, inventory.villages.length);
  t.equal(encodeSamples(rows).length, rows.length, 'the schema accepts every row');

  const core = by('point_info').find((r) => r.tags.point_id === 'agency-stttt')!;
  t.match(core.fields, { name: 'Sở Thông tin và Truyền thông', lat: 12.65795, lon: 108.02951 });
  t.equal(core.fields.dependants, inventory.points.length - 1, 'every other point reaches the core through it');
  t.equal(core.tags.upstream, '', 'the core has no upstream');
  const regex = new RegExp(LABEL_VARIABLE_REGEX.slice(1, -1));
  const m = regex.exec(core.tags.label!);
  t.same([m?.groups?.value, m?.groups?.text], ['agency-stttt', 'Sở Thông tin và Truyền thông'], 'label → value (id) and text (name)');

  const district = by('unit_info').find((r) => r.tags.code === '646')!;
  t.match(district.tags, { level: 'district', parent: '66', province: '66', district: '646' });
  t.equal(district.fields.population, inventory.population('646'));
  t.equal(district.fields.villages, inventory.villagesWithin('646').length);
  t.equal(district.fields.points, inventory.points.filter((p) => inventory.isWithin(p.unit, '646')).length);
  const province = by('unit_info').find((r) => r.tags.level === 'province')!;
  t.equal(province.fields.points, inventory.points.length, 'the province counts every point');
  t.equal(province.tags.parent, '', 'the top unit has no parent');

  const v = inventory.villages[0]!;
  const village = by('village_info').find((r) => r.tags.village === v.code)!;
  t.match(village.fields, { name: v.name, unit_name: inventory.unit(v.unit)!.name, population: v.population });
  t.equal(village.tags.commune, v.unit);
});

t.test('point_state snapshot', async (t) => {
  const rows = pointStateSamples(inventory, [
    { pointId: 'district-646', status: 'DOWN', stateType: 'hard', sinceMs: 1_700_000_000_999, failedRounds: 4, lossPct: 100 },
    { pointId: 'commune-24211', status: 'UNREACHABLE', stateType: 'soft', sinceMs: 1_700_000_001_000, failedRounds: 4 },
    { pointId: 'no-such-point', status: 'UP', stateType: 'hard', sinceMs: 0, failedRounds: 0 },
  ], 5000);
  t.equal(rows.length, 2, 'points not in the inventory are skipped');
  t.match(rows[0], { measurement: 'point_state', tags: { point_id: 'district-646', district: '646' }, fields: { status: 'DOWN', status_code: POINT_STATUS_CODES.DOWN, state_type: 'hard', since_s: 1_700_000_000, failed_rounds: 4, loss_pct: 100 }, timeMs: 5000 });
  t.equal(encodeSamples(rows).length, 2, 'absent loss/median are left out, not written as 0');
  t.ok(POINT_STATUS_CODES.DOWN > POINT_STATUS_CODES.UNREACHABLE && POINT_STATUS_CODES.UNREACHABLE > POINT_STATUS_CODES.DEGRADED && POINT_STATUS_CODES.DEGRADED > POINT_STATUS_CODES.UP, 'worse statuses rank higher');
});

t.test('periodic writer: writes at start when asked, every interval, survives a throwing producer', async (t) => {
  const sink = new RecordingSink();
  let n = 0;
  let fail = false;
  const produce = (): Sample[] => {
    if (fail) throw new Error('producer bug');
    n++;
    return [{ measurement: 'netcov', tags: { component: 'process', name: '', host: 'h' }, fields: { uptime_s: n }, timeMs: n }];
  };
  const w = startPeriodicWriter(sink, produce, { name: 'test', intervalMs: 20, writeAtStart: true }, silentLogger());
  t.equal(sink.samples.length, 1, 'written at start');
  await new Promise((r) => setTimeout(r, 70));
  t.ok(sink.samples.length >= 3, `written every interval (${sink.samples.length})`);
  fail = true;
  await new Promise((r) => setTimeout(r, 50));
  fail = false;
  const before = sink.samples.length;
  await new Promise((r) => setTimeout(r, 50));
  t.ok(sink.samples.length > before, 'keeps writing after the producer threw');
  w.stop();
  const stopped = sink.samples.length;
  await new Promise((r) => setTimeout(r, 50));
  t.equal(sink.samples.length, stopped, 'nothing after stop');

  sink.throwOnWrite = true;
  const w2 = startPeriodicWriter(sink, produce, { name: 'test', intervalMs: 1000, writeAtStart: true }, silentLogger());
  t.pass('a throwing sink does not throw out of the writer');
  w2.stop();
});

t.test('startSelfMetrics collects the sources each time', async (t) => {
  const sink = new RecordingSink();
  const w = startSelfMetrics(sink, { sink: () => sinkStats, jobs: () => [job], receivers: () => [{ name: 'email', sent: 1, failed: 0 }] }, silentLogger(), { intervalMs: 3_600_000, host: 'h2' });
  w.writeNow();
  w.stop();
  t.same(sink.samples.map((s) => s.tags.component), ['process', 'sink', 'scheduler', 'notify']);
  t.ok(sink.samples.every((s) => s.tags.host === 'h2'));
  t.ok((sink.samples[0]!.fields.rss_bytes as number) > 0, 'real process figures');
});
