// The alert engine on a manual clock with the shipped 235-point inventory, the real SQLite store
// and a real webhook receiver (node:http): ICMP rounds are fed as the probe publishes them, so
// root cause, hold, no-storm recovery, DEGRADED, flapping (SNMP link traps), acks, repeats,
// escalation, silences, maintenance and restart are checked through the real pipeline, fast.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { loadInventory } from '../../src/inventory/load.js';
import { createAlerting, type Alerting } from '../../src/alerts/index.js';
import { ObservationBus, type PointEvent, type SnmpObservation } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import { memorySink } from '../helpers/memory-sink.js';
import { ManualClock, hookSummary, icmpRound, startWebhookReceiver, type RoundSpec } from '../helpers/alerting.js';

const inv = loadInventory().inventory;
const ROUND_MS = 5000;

interface Harness {
  alerting: Alerting;
  clock: ManualClock;
  hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  bus: ObservationBus;
  dir: string;
  round(spec?: RoundSpec): Promise<void>;
  rounds(n: number, spec?: RoundSpec): Promise<void>;
  tick(ms?: number): Promise<void>;
  reopen(): Promise<void>;
  pages(): string[];
  /** What the engine wrote to the sink, encoded by the real line-protocol encoder (throws on a schema mismatch). */
  lines(): string[];
}

async function harness(t: Test, extraYaml = ''): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-alerts-'));
  const hook = await startWebhookReceiver('s3cret');
  const yaml = `state_dir: ${dir}
notify:
  receivers:
    oncall:
      webhook_configs: [{ url: "${hook.url}", secret: s3cret }]
    managers:
      webhook_configs: [{ url: "${hook.url}?managers", secret: s3cret }]
  default_receivers: [oncall]
  retry: { initial_ms: 10, max_ms: 20 }
${extraYaml}`;
  const config = parseConfig(yaml, 'test.yaml');
  const clock = new ManualClock();
  const bus = new ObservationBus();
  // A memory sink that encodes every sample as the real writer does (throws on a schema mismatch).
  const sink = memorySink();
  const make = () => createAlerting({ config, inventory: inv, log: silentLogger(), clock, bus, sink, timers: false });
  const h: Harness = {
    alerting: make(),
    clock,
    hook,
    bus,
    dir,
    async round(spec = {}) {
      clock.advance(ROUND_MS);
      bus.emit('icmp', icmpRound(inv, clock.now(), spec));
      await h.alerting.dispatcher.drain();
    },
    async rounds(n, spec) {
      for (let i = 0; i < n; i++) await h.round(spec);
    },
    async tick(ms = 1000) {
      clock.advance(ms);
      h.alerting.engine.tick();
      await h.alerting.dispatcher.drain();
    },
    async reopen() {
      await h.alerting.stop();
      h.alerting = make();
      h.alerting.start();
    },
    pages: () => hookSummary(hook.received),
    lines: () => encodeSamples(sink.samples).map((l) => l.line),
  };
  h.alerting.start();
  t.teardown(async () => {
    await h.alerting.stop();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return h;
}

const COMMUNE = 'commune-24187'; // UBND Xã Ea Sol, behind district-645
const DISTRICT = 'district-645';
const behindDistrict = inv.allDependants(DISTRICT).map((p) => p.id);

t.test('one commune dark: one DOWN page after 3 failed rounds, one resolved, signed bodies', async (t) => {
  const h = await harness(t);
  await h.rounds(2);
  await h.rounds(2, { dark: [COMMUNE] });
  t.same(h.pages(), [], 'soft DOWN (2 rounds) pages nobody');
  t.equal(h.alerting.engine.pointState(COMMUNE)?.stateType, 'soft');
  await h.round({ dark: [COMMUNE] });
  t.same(h.pages(), [`firing down ${COMMUNE}`], 'the third failed round pages once');
  await h.rounds(5, { dark: [COMMUNE] });
  t.equal(h.pages().length, 1, 'no page per round');
  await h.round();
  t.same(h.pages(), [`firing down ${COMMUNE}`, `resolved down ${COMMUNE}`]);
  t.ok(h.hook.received.every((r) => r.signatureOk), 'every body carries a valid HMAC-SHA256 signature');
  const firing = h.hook.received[0]!.body;
  t.match(firing.title, /Mất kết nối: UBND Xã Ea Sol/);
  t.match(firing.text, /Xã Ea Sol, Huyện Ea H'leo/);
  t.match(firing.text, /\/api\/v1\/alerts\/\d+/);
  t.equal(h.hook.received[0]!.headers['x-netcov-delivery'], `netcov-${firing.alert.id}-firing-0`);
  const lines = h.lines();
  const alertLines = lines.filter((l) => l.startsWith('alerts,'));
  t.equal(alertLines.length, 2, 'two alert transitions written to the sink');
  t.match(alertLines[0], /condition=down/);
  t.match(alertLines[0], /state="firing"/);
  t.match(alertLines[1], /state="resolved"/);
  t.match(alertLines[0], /title="🔴 Mất kết nối: UBND Xã Ea Sol"/);
  const statusLines = lines.filter((l) => l.startsWith('point_status,') && l.includes(`point_id=${COMMUNE}`)).map((l) => /status="(\w+)".*state_type="(\w+)"/.exec(l)?.slice(1).join('/'));
  t.same(statusLines, ['UP/hard', 'DOWN/soft', 'DOWN/hard', 'UP/hard'], 'every status transition of the point');
});

t.test('a district dark with its communes: one page naming the district and its communes; recovery: one resolved', async (t) => {
  const h = await harness(t);
  const dark = [DISTRICT, ...behindDistrict];
  await h.rounds(2);
  await h.rounds(6, { dark });
  t.same(h.pages(), [`firing down ${DISTRICT}`], 'exactly one page, for the district; none for its communes');
  const page = h.hook.received[0]!.body;
  const affected = page.alert.affected as { point_id: string }[];
  t.same(affected.map((a) => a.point_id).sort(), [...behindDistrict].sort(), 'every point behind it is listed');
  const communes = behindDistrict.map((id) => inv.point(id)!.unit);
  const population = communes.reduce((sum, c) => sum + inv.population(c), 0);
  t.equal(page.alert.affected_population, population, 'population of the communes cut off');
  t.match(page.text, /Xã bị ảnh hưởng \(12\)/);
  t.match(page.text, new RegExp(`Dân số bị ảnh hưởng: ${new Intl.NumberFormat('vi-VN').format(population).replace(/\./g, '\\.')} người`));
  t.match(page.text, /Thị trấn Ea Drăng/, 'communes named with diacritics');
  for (const id of behindDistrict) t.equal(h.alerting.engine.pointState(id)?.status, 'UNREACHABLE', `${id} UNREACHABLE`);
  // Recovery: the district answers one round before its communes (routes converging).
  await h.round({ dark: behindDistrict });
  t.same(h.pages(), [`firing down ${DISTRICT}`], 'root recovered but its dependants not re-checked: nothing yet');
  await h.round();
  t.same(h.pages(), [`firing down ${DISTRICT}`, `resolved down ${DISTRICT}`], 'one resolved notice, no storm');
  t.match(h.hook.received[1]!.body.text, /12\/12 điểm phía sau đã kết nối lại/);
  await h.rounds(5);
  t.equal(h.pages().length, 2, 'and nothing more');
});

t.test('after a district recovers, a commune still dark pages on its own after 3 fresh rounds', async (t) => {
  const h = await harness(t);
  await h.round();
  await h.rounds(4, { dark: [DISTRICT, ...behindDistrict] });
  await h.round({ dark: [COMMUNE] });
  await h.round({ dark: [COMMUNE] });
  t.same(h.pages(), [`firing down ${DISTRICT}`, `resolved down ${DISTRICT}`]);
  t.match(h.hook.received[1]!.body.text, /Vẫn mất kết nối: UBND Xã Ea Sol/, 'the resolution names the point still down');
  t.equal(h.alerting.engine.pointState(COMMUNE)?.stateType, 'soft', 'its earlier failures were the district\'s');
  await h.round({ dark: [COMMUNE] });
  t.same(h.pages().length, 2, 'the failure in the district\'s recovery round does not count');
  await h.round({ dark: [COMMUNE] });
  t.same(h.pages().slice(2), [`firing down ${COMMUNE}`], 'three fresh failures: its own page');
});

t.test('hold: a dependant failing before its upstream was checked waits for that check', async (t) => {
  const h = await harness(t);
  await h.round();
  const all = inv.points.map((p) => p.id);
  // Rounds that do not include the district (as a per-point interval override would split them).
  const withoutDistrict = (spec: RoundSpec) => icmpRound(inv, h.clock.advance(ROUND_MS), spec).filter((o) => o.pointId !== DISTRICT);
  for (let i = 0; i < 3; i++) h.bus.emit('icmp', withoutDistrict({ dark: behindDistrict }));
  await h.alerting.dispatcher.drain();
  t.same(h.pages(), [], 'communes hard-eligible but the district was not checked since: held');
  t.equal(h.alerting.engine.pointState(COMMUNE)?.stateType, 'soft');
  h.bus.emit('icmp', icmpRound(inv, h.clock.advance(1000), { dark: [DISTRICT, ...behindDistrict] }).filter((o) => o.pointId === DISTRICT));
  await h.alerting.dispatcher.drain();
  t.equal(h.alerting.engine.pointState(COMMUNE)?.status, 'UNREACHABLE', 'the district failed its check: the communes are cut off');
  t.same(h.pages(), []);
  t.ok(all.length > 200);
});

t.test('hold deadline: an upstream never checked does not hide an outage forever', async (t) => {
  const h = await harness(t);
  await h.round();
  for (let i = 0; i < 3; i++) h.bus.emit('icmp', icmpRound(inv, h.clock.advance(ROUND_MS), { dark: [COMMUNE] }).filter((o) => o.pointId === COMMUNE));
  await h.alerting.dispatcher.drain();
  t.same(h.pages(), [], 'held');
  await h.tick(ROUND_MS + 3000);
  t.same(h.pages(), [`firing down ${COMMUNE}`], 'after the next round time it is judged on its own');
});

t.test('30% loss: a DEGRADED warning and no DOWN page', async (t) => {
  const h = await harness(t);
  const lossy = 'commune-24190';
  // 30 % of echoes lost: 1 of 3 in most rounds, 2 of 3 in some, all in one.
  const pattern = [2, 2, 3, 2, 1, 2, 3, 2, 0, 2, 2, 3, 2, 1, 2, 2];
  for (const received of pattern) await h.round({ partial: new Map([[lossy, received]]) });
  t.same(h.pages(), [`firing degraded ${lossy}`], 'one DEGRADED warning');
  t.equal(h.hook.received[0]!.body.alert.severity, 'warning');
  t.match(h.hook.received[0]!.body.text, /mất gói \d+%/);
  await h.rounds(14);
  t.same(h.pages(), [`firing degraded ${lossy}`, `resolved degraded ${lossy}`], 'clears when the loss is gone');
});

t.test('a link toggled every 15 s for 5 minutes: one FLAPPING notice, no link-down page (traps + polls, fake clock)', async (t) => {
  const h = await harness(t);
  const point = 'district-646';
  const uplink = { ifIndex: 1, ifName: 'ge-0/0/0', ifAlias: 'uplink' };
  const poll = (operStatus: number): SnmpObservation => ({ pointId: point, timeMs: h.clock.now(), ok: true, pollDurationMs: 10, interfaces: [{ ...uplink, operStatus, adminStatus: 1 }] });
  h.bus.emit('snmp', poll(1));
  let up = true;
  for (let s = 0; s < 300; s += 15) {
    up = !up;
    const ev: PointEvent = { pointId: point, timeMs: h.clock.now(), type: up ? 'link_up' : 'link_down', source: 'trap', ifIndex: 1, ifName: uplink.ifName };
    h.bus.emit('event', ev);
    for (let i = 0; i < 15; i++) {
      await h.tick(1000);
      if (h.clock.now() % 60_000 < 1000) h.bus.emit('snmp', poll(up ? 1 : 2)); // the 60 s poll sees the link as it is
    }
  }
  const flaps = h.pages().filter((p) => p === `firing if_flapping ${point}`);
  t.equal(flaps.length, 1, 'exactly one FLAPPING notice');
  t.same(h.pages().filter((p) => p.includes('if_down')), [], 'no link-down page while it flaps');
  t.match(h.hook.received.find((r) => r.body.alert.condition === 'if_flapping')!.body.title, /Đường truyền uplink chập chờn: UBND/);
  // Toggling stops with the link up; it stays FLAPPING until the history settles (polls only).
  h.bus.emit('event', { pointId: point, timeMs: h.clock.now(), type: 'link_up', source: 'trap', ifIndex: 1 });
  for (let i = 0; i < 25; i++) {
    h.clock.advance(60_000);
    h.bus.emit('snmp', poll(1));
  }
  await h.alerting.dispatcher.drain();
  t.equal(h.pages().filter((p) => p === `firing if_flapping ${point}`).length, 1, 'still one FLAPPING notice');
  t.equal(h.pages().filter((p) => p === `resolved if_flapping ${point}`).length, 1, 'one notice when it settles');
});

t.test('an uplink down (admin up) for 30 s pages; a 10 s blip does not', async (t) => {
  const h = await harness(t);
  const point = 'district-647';
  const poll = (operStatus: number): SnmpObservation => ({ pointId: point, timeMs: h.clock.now(), ok: true, pollDurationMs: 10, interfaces: [{ ifIndex: 3, ifName: 'wan0', ifAlias: '', operStatus, adminStatus: 1, highSpeedMbps: 100 }] });
  h.bus.emit('snmp', poll(1));
  h.bus.emit('event', { pointId: point, timeMs: h.clock.now(), type: 'link_down', source: 'trap', ifIndex: 3 });
  await h.tick(10_000);
  h.bus.emit('event', { pointId: point, timeMs: h.clock.now(), type: 'link_up', source: 'trap', ifIndex: 3 });
  await h.tick(1000);
  t.same(h.pages(), []);
  h.bus.emit('event', { pointId: point, timeMs: h.clock.now(), type: 'link_down', source: 'trap', ifIndex: 3 });
  await h.tick(31_000);
  t.same(h.pages(), [`firing if_down ${point}`]);
  t.match(h.hook.received[0]!.body.text, /cổng wan0/);
  h.bus.emit('snmp', poll(1));
  await h.tick(1000);
  t.same(h.pages(), [`firing if_down ${point}`, `resolved if_down ${point}`]);
});

t.test('acknowledge stops repeats; unacknowledged alerts repeat every 4 h and escalate after M minutes', async (t) => {
  const h = await harness(t, `  routes:\n    - { receivers: [oncall], escalate_after_min: 30, escalate_to: [managers] }\n`);
  await h.round();
  await h.rounds(3, { dark: [COMMUNE] });
  t.same(h.pages(), [`firing down ${COMMUNE}`]);
  await h.tick(29 * 60_000);
  t.equal(h.pages().length, 1, 'no escalation before 30 min');
  await h.tick(60_000);
  t.same(h.pages().slice(1), [`escalation down ${COMMUNE}`], 'escalated to managers');
  t.match(h.hook.received[1]!.body.text, /chưa ai xác nhận sau 3\d phút/);
  t.match(h.hook.received[1]!.body.title, /^⏫ Chuyển cấp/);
  await h.tick(210 * 60_000);
  t.same(h.pages().slice(2), [`repeat down ${COMMUNE}`], 'repeated after 4 h');
  const id = h.hook.received[0]!.body.alert.id;
  const acked = h.alerting.service.acknowledge(id, 'Nguyễn Văn An', 'đang xử lý');
  t.equal(acked.state, 'acknowledged');
  t.throws(() => h.alerting.service.acknowledge(id, 'x'), { code: 'conflict' });
  await h.tick(241 * 60_000);
  t.equal(h.pages().length, 3, 'no repeat once acknowledged');
  await h.round();
  t.same(h.pages().slice(3), [`resolved down ${COMMUNE}`, `resolved down ${COMMUNE}`], 'resolved goes to oncall and to the managers it escalated to');
  const view = h.alerting.service.getAlert(id);
  t.same(view.events.map((e) => e.type), ['opened', 'escalated', 'repeated', 'acknowledged', 'resolved']);
  t.equal(view.acknowledged?.by, 'Nguyễn Văn An');
  t.ok(view.notifications.every((n) => n.status === 'delivered'));
});

t.test('silences and maintenance hold pages; a page held by maintenance goes out if still down after it', async (t) => {
  const h = await harness(t);
  const svc = h.alerting.service;
  await h.round();
  const silence = svc.createSilence({ matchers: [`point_id="${COMMUNE}"`], duration_min: 60, created_by: 'ops', comment: 'known fibre cut' });
  await h.rounds(4, { dark: [COMMUNE] });
  t.same(h.pages(), [], 'silenced');
  t.equal(svc.listAlerts()[0]?.point_id, COMMUNE, 'the alert is open all the same');
  t.match(svc.getAlert(svc.listAlerts()[0]!.id).muted, /^silence /);
  await h.round();
  t.same(h.pages(), [], 'resolved while silenced: nothing was paged, nothing to resolve');
  svc.deleteSilence(silence.id);
  const w = svc.createMaintenance({ unit_codes: ['645'], starts_at: new Date(h.clock.now()).toISOString(), ends_at: new Date(h.clock.now() + 10 * 60_000).toISOString(), created_by: 'ops', comment: 'thay thiết bị' });
  await h.rounds(4, { dark: [DISTRICT, ...behindDistrict] });
  t.equal(h.alerting.engine.pointState(DISTRICT)?.status, 'MAINTENANCE', 'state shows MAINTENANCE');
  t.same(h.pages(), [], 'no page during maintenance');
  t.ok(svc.listMaintenance({ active: true }).some((m) => m.id === w.id));
  for (let i = 0; i < 11; i++) await h.tick(60_000);
  await h.round({ dark: [DISTRICT, ...behindDistrict] });
  t.same(h.pages(), [`firing down ${DISTRICT}`], 'still down after the window: the held page goes out');
  t.throws(() => svc.createSilence({ matchers: [], duration_min: 5, created_by: 'x', comment: '' }), { code: 'invalid' });
  t.throws(() => svc.createMaintenance({ point_ids: ['nope'], starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-02T00:00:00Z', created_by: 'x' }), { code: 'invalid' });
});

t.test('restart: open alerts, states and deliveries survive; no page twice; the recovery after restart is sent', async (t) => {
  const h = await harness(t);
  await h.round();
  await h.rounds(3, { dark: [COMMUNE] });
  t.same(h.pages(), [`firing down ${COMMUNE}`]);
  await h.reopen();
  t.equal(h.alerting.service.listAlerts().length, 1, 'the alert is still open after a restart');
  await h.rounds(5, { dark: [COMMUNE] });
  t.same(h.pages(), [`firing down ${COMMUNE}`], 'not paged again');
  await h.reopen();
  await h.round();
  t.same(h.pages(), [`firing down ${COMMUNE}`, `resolved down ${COMMUNE}`], 'recovery seen after a restart is sent');
});

t.test('a failing receiver: retried with backoff, recorded; the page arrives once it answers', async (t) => {
  const h = await harness(t);
  h.hook.setStatus(503);
  await h.round();
  await h.rounds(3, { dark: [COMMUNE] });
  const id = h.alerting.service.listAlerts()[0]!.id;
  let n = h.alerting.service.getAlert(id).notifications[0]!;
  t.equal(n.status, 'retrying');
  t.equal(n.recoverable, true);
  t.match(n.last_error, /HTTP 503/);
  h.hook.setStatus(200);
  await h.tick(1000);
  n = h.alerting.service.getAlert(id).notifications[0]!;
  t.equal(n.status, 'delivered');
  t.ok(n.attempts >= 2);
  t.same(h.pages(), [`firing down ${COMMUNE}`]);
  h.hook.setStatus(404);
  await h.round();
  n = h.alerting.service.getAlert(id).notifications[1]!;
  t.equal(n.status, 'failed', 'a 404 is not worth retrying');
  t.equal(n.recoverable, false);
});

t.test('dead zones from coverage become alerts, updated and cleared by key', async (t) => {
  const h = await harness(t);
  const unit = inv.unit('24187')!;
  const change = {
    kind: 'opened' as const,
    key: '24187|452-04-LTE-1-2',
    timeMs: h.clock.now(),
    sinceMs: h.clock.now() - 60_000,
    initial: false,
    cause: 'cell_outage' as const,
    unit: { code: unit.code, name: unit.name },
    ancestry: inv.ancestry(unit.code).map((u) => ({ code: u.code, name: u.name })),
    unitTags: inv.unitTags(unit.code),
    villages: [{ code: 'v1', name: 'Buôn Ea Sol', population: 812 }, { code: 'v2', name: 'Thôn 3', population: 640 }],
    population: 1452,
    remainingVillages: 2,
    causeCells: [],
    carriers: ['Viettel'],
    radios: ['LTE'],
  };
  h.bus.emit('dead_zone', change as never);
  await h.alerting.dispatcher.drain();
  t.same(h.pages(), ['firing dead_zone ']);
  t.match(h.hook.received[0]!.body.title, /Lõm sóng 4G: Xã Ea Sol/);
  t.match(h.hook.received[0]!.body.text, /Buôn Ea Sol/);
  t.match(h.hook.received[0]!.body.text, /Viettel/);
  h.bus.emit('dead_zone', { ...change, kind: 'cleared', villages: [change.villages[0]!], remainingVillages: 1 } as never);
  h.bus.emit('dead_zone', { ...change, kind: 'cleared', villages: [change.villages[1]!], remainingVillages: 0 } as never);
  await h.alerting.dispatcher.drain();
  t.same(h.pages(), ['firing dead_zone ', 'resolved dead_zone ']);
  t.same(h.alerting.service.listAlerts({ unit: '645' }), [], 'no open alert left in the district');
  t.equal(h.alerting.service.listAlerts({ unit: '645', state: 'all' }).length, 1, 'filter by unit finds it');
});
