// The API's pure parts: diacritics-free search, CSV quoting, availability queries and sums over
// any inventory level (hand-computed), InfluxQL durations, readiness checks.
import t from 'tap';
import { foldText, matchesWords, queryWords } from '../../src/api/text.js';
import { csvCell, toCsv } from '../../src/api/csv.js';
import { aggregateAvailability, availabilityQuery, createInfluxAvailability, parseInfluxDuration } from '../../src/api/availability.js';
import { readinessChecks } from '../../src/api/wiring.js';
import { shippedInventory } from '../helpers/api-fakes.js';
import type { SinkStats } from '../../src/sink/types.js';

t.test('search folds diacritics, đ and case', async (t) => {
  t.equal(foldText('Đắk Lắk'), 'dak lak');
  t.equal(foldText("  Huyện  M'Đrắk "), "huyen m'drak");
  t.ok(matchesWords(foldText('UBND Xã Ea Tam'), queryWords('ea tam')));
  t.ok(matchesWords(foldText('UBND Xã Ea Tam'), queryWords('TAM ea')), 'any order');
  t.notOk(matchesWords(foldText('UBND Xã Ea Tam'), queryWords('ea tan')));
});

t.test('CSV cells: quotes, separators, formulas', async (t) => {
  t.equal(csvCell('Buôn "Ea", Ma'), '"Buôn ""Ea"", Ma"');
  t.equal(csvCell('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
  t.equal(csvCell(-95), '-95', 'numbers are not formulas');
  t.equal(csvCell(undefined), '');
  t.equal(toCsv(['a'], [['x']]), '\uFEFFa\r\nx\r\n');
});

t.test('InfluxQL durations', async (t) => {
  t.equal(parseInfluxDuration('30d'), 30 * 86_400_000);
  t.equal(parseInfluxDuration('1h30m'), 5_400_000);
  t.equal(parseInfluxDuration('INF'), Infinity);
  t.equal(parseInfluxDuration('30 days'), undefined);
});

t.test('availability: the query names the retention policy and only numbers are interpolated', async (t) => {
  const raw = availabilityQuery('raw', 1000.7, 2000);
  t.match(raw, /FROM "raw"\."ping" WHERE time >= 1000ms AND time < 2000ms GROUP BY "point_id"/);
  t.match(raw, /"packets_received" > 0/);
  t.match(availabilityQuery('rollup', 0, 1), /sum\("rounds"\) AS rounds FROM "rollup"\."ping_5m"/);
});

t.test('availability sums rounds up any level (hand-computed)', async (t) => {
  const inv = shippedInventory();
  const district = inv.point('district-645')!;
  const communes = inv.directDependants('district-645').filter((p) => p.kind === 'commune').slice(0, 2);
  const rounds = new Map([[district.id, 100], [communes[0]!.id, 100], [communes[1]!.id, 50]]);
  const up = new Map([[district.id, 100], [communes[0]!.id, 90], [communes[1]!.id, 50]]);
  const rows = aggregateAvailability(inv, 'district', rounds, up);
  const row = rows.find((r) => r.key === '645')!;
  t.equal(row.rounds, 250);
  t.equal(row.upRounds, 240);
  t.equal(row.uptimePct, 96, '240 / 250');
  t.equal(row.points, inv.points.filter((p) => inv.isWithin(p.unit, '645')).length, 'every point of the district counts');
  const points = aggregateAvailability(inv, 'point', rounds, up);
  t.equal(points.find((r) => r.key === communes[0]!.id)!.uptimePct, 90);
  t.equal(points.find((r) => r.key === 'agency-stttt')!.uptimePct, null, 'no data is not downtime');
  const province = aggregateAvailability(inv, 'province', rounds, up);
  t.equal(province.length, 1);
  t.equal(province[0]!.uptimePct, 96);
});

t.test('availability reads raw inside the retention, the rollup beyond it', async (t) => {
  const inv = shippedInventory();
  const asked: string[] = [];
  const now = Date.UTC(2025, 5, 1);
  const api = createInfluxAvailability({
    inventory: inv,
    rawRetentionMs: 30 * 86_400_000,
    now: () => now,
    query: async (q) => {
      asked.push(q);
      return [[{ name: 'ping', tags: { point_id: 'agency-stttt' }, columns: ['time', 'rounds'], values: [[0, 10]] }], [{ name: 'ping', tags: { point_id: 'agency-stttt' }, columns: ['time', 'up'], values: [[0, 9]] }]];
    },
  });
  const recent = await api.availability({ fromMs: now - 7 * 86_400_000, toMs: now, level: 'point' });
  t.equal(recent.source, 'raw');
  t.equal(recent.rows.find((r) => r.key === 'agency-stttt')!.uptimePct, 90);
  const old = await api.availability({ fromMs: now - 90 * 86_400_000, toMs: now - 60 * 86_400_000, level: 'district' });
  t.equal(old.source, 'rollup');
  t.match(asked[1], /"rollup"\."ping_5m"/);
});

t.test('readiness: inventory, probes that ran lately, a sink writing or spooling', async (t) => {
  const inv = shippedInventory();
  let now = 1_000_000;
  // Only the fields the readiness check reads; the sink's stats carry more.
  const stats = { pointsAccepted: 0, spoolBytes: 0, state: 'idle' } as Pick<SinkStats, 'pointsAccepted' | 'spoolBytes' | 'state'>;
  const job = { name: 'icmp/5s', intervalMs: 5000, rounds: 1, failures: 0, overruns: 0, missedTicks: 0, aborted: 0, running: false, lastDurationMs: 1, maxDurationMs: 1, totalDurationMs: 1, lastStartMs: now };
  const jobs = [job];
  const checks = readinessChecks({ inventory: inv, jobs: () => jobs, sink: { stats: () => stats } as never, startedAtMs: () => 0 }, () => now);
  const verdict = () => Object.fromEntries(checks.map((c) => [c.name, c.check().ok]));
  t.same(verdict(), { inventory: true, probes: true, sink: true });
  stats.pointsAccepted = 10;
  t.equal(verdict().sink, false, 'idle with points to write is not ready');
  stats.state = 'spooling';
  t.equal(verdict().sink, true, 'spooling (InfluxDB down) is ready: nothing is lost');
  now += 60_000;
  t.equal(verdict().probes, false, 'no round for 60 s at a 5 s interval');
  jobs.length = 0;
  t.equal(verdict().probes, false, 'no probe job');
});
