// Unit tests of the SNMP source with in-memory agents behind the session interface (no network):
// per-point failures, slow and dead agents not delaying others, rates and discontinuity events,
// samples that encode, re-polls, the scheduler, secrets kept out of logs, sessions closed on stop.
import t from 'tap';
import { defaultConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { loadInventory } from '../../src/inventory/load.js';
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import type { Sample } from '../../src/metrics/schema.js';
import { ObservationBus, type PointEvent, type SnmpObservation } from '../../src/observations.js';
import { createSnmpSource, type OpenClient } from '../../src/probes/snmp/source.js';
import { SnmpError, type SessionCredential } from '../../src/probes/snmp/session.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { FakeRouter } from '../helpers/fake-snmp.js';
import { captureLog } from '../helpers/log-capture.js';

const { inventory } = loadInventory('test/fixtures/inventory-2level');
const [CORE, A, B, C, D] = inventory.points.map((p) => p.id) as [string, string, string, string, string];
const address = (id: string) => inventory.point(id)?.address ?? '';

function setup(routers: Map<string, FakeRouter>, opts: { concurrency?: number; clockMs?: () => number; intervalS?: number } = {}) {
  const config = defaultConfig();
  config.snmp.concurrency = opts.concurrency ?? 16;
  config.snmp.interval_s = opts.intervalS ?? 60;
  config.snmp.credentials.default = { version: '2c', community: new Secret('SECRET-COMMUNITY', 'inline') };
  const bus = new ObservationBus();
  const observations: SnmpObservation[] = [];
  const events: PointEvent[] = [];
  const samples: Sample[] = [];
  const opened: { host: string; credential: SessionCredential; client: ReturnType<FakeRouter['client']> }[] = [];
  bus.on('snmp', (o) => observations.push(o));
  bus.on('event', (e) => events.push(e));
  const openClient: OpenClient = (target, credential) => {
    const router = routers.get(target.host);
    if (!router) throw new Error(`no fake router at ${target.host}`);
    const client = router.client();
    opened.push({ host: target.host, credential, client });
    return client;
  };
  const captured = captureLog();
  const scheduler = new Scheduler(captured.log, { random: () => 0 });
  let mono = 0;
  const source = createSnmpSource({
    snmp: config.snmp,
    inventory,
    bus,
    scheduler,
    log: captured.log,
    write: (s) => samples.push(...s),
    openClient,
    monotonicMs: opts.clockMs ?? (() => (mono += 1)),
    options: { recheckMinSpacingMs: 50 },
  });
  return { config, bus, observations, events, samples, opened, captured, scheduler, source };
}

const routersFor = (ids: string[], make: (id: string) => FakeRouter = () => new FakeRouter()) => new Map(ids.map((id) => [address(id), make(id)]));

void t.test('every point gets an observation; a failing point fails alone and names itself', async (t) => {
  const routers = routersFor([CORE, A, B, C, D]);
  (routers.get(address(B)) as FakeRouter).options.fail = () => new SnmpError('auth', 'SNMPv3 user "x": authentication failed: wrong digest: check auth_key and auth_protocol');
  const { source, observations, captured, samples } = setup(routers);
  await Promise.all([CORE, A, B, C, D].map((id) => source.pollNow(id)));
  t.equal(observations.length, 5);
  const bad = observations.find((o) => o.pointId === B);
  t.equal(bad?.ok, false);
  t.equal(bad?.errorKind, 'auth');
  t.match(bad?.error, /authentication failed/);
  t.ok(observations.filter((o) => o.pointId !== B).every((o) => o.ok && o.interfaces.length === 3), 'the others are fine');
  const failed = captured.events('snmp_poll_failed');
  t.equal(failed.length, 1);
  t.equal(failed[0]?.point_id, B);
  t.equal(failed[0]?.error_kind, 'auth');
  t.doesNotThrow(() => encodeSamples(samples), 'every sample matches the metric schema');
  const snmpRows = samples.filter((s) => s.measurement === 'snmp');
  t.same(snmpRows.find((s) => s.tags.point_id === B)?.fields.result, 'auth');
  t.same(snmpRows.find((s) => s.tags.point_id === A)?.fields.result_code, 0);
  // Logged once per change, not per poll; and once when it recovers.
  await source.pollNow(B);
  t.equal(captured.events('snmp_poll_failed').length, 1);
  delete (routers.get(address(B)) as FakeRouter).options.fail;
  await source.pollNow(B);
  t.equal(captured.events('snmp_poll_recovered').length, 1);
  t.notOk(captured.text().includes('SECRET-COMMUNITY'), 'the community never reaches the log');
});

void t.test('a dead and a slow agent do not delay the others', async (t) => {
  const routers = routersFor([CORE, A, B, C, D]);
  (routers.get(address(A)) as FakeRouter).options.delayMs = 400;
  (routers.get(address(B)) as FakeRouter).options.delayMs = 400;
  (routers.get(address(B)) as FakeRouter).options.fail = () => new SnmpError('timeout', 'no response');
  const { source, observations } = setup(routers, { concurrency: 4 });
  const started = Date.now();
  const done = new Map<string, number>();
  await Promise.all([A, B, CORE, C, D].map((id) => source.pollNow(id).then(() => done.set(id, Date.now() - started))));
  for (const id of [CORE, C, D]) t.ok((done.get(id) ?? 1e9) < 200, `${id} finished in ${done.get(id)} ms`);
  t.ok((done.get(A) ?? 0) >= 350, 'the slow one took its time');
  t.equal(observations.find((o) => o.pointId === B)?.errorKind, 'timeout');
});

void t.test('rates from successive polls; a reboot is one discontinuity event and no rate', async (t) => {
  const r = new FakeRouter({ interfaces: 2 });
  let nowMs = 0;
  const { source, observations, events, samples } = setup(new Map([[address(A), r]]), { clockMs: () => nowMs });
  await source.pollNow(A);
  t.equal(observations[0]?.interfaces[0]?.inBitsPerSecond, undefined, 'first poll: baseline only');
  r.advance(60, [125_000, 1_250_000]);
  nowMs += 60_000;
  await source.pollNow(A);
  const second = observations[1];
  t.equal(second?.interfaces[0]?.inBitsPerSecond, 1_000_000);
  t.equal(second?.interfaces[0]?.inUtilizationPct, 1);
  t.equal(second?.interfaces[1]?.inBitsPerSecond, 10_000_000);
  t.equal(second?.uptimeS, 1060);
  const ifRow = samples.filter((s) => s.measurement === 'interface').at(-2);
  t.same(
    { tags: { ifName: ifRow?.tags.ifName, ifIndex: ifRow?.tags.ifIndex, ifAlias: ifRow?.tags.ifAlias }, bps: ifRow?.fields.in_bps, raw: ifRow?.fields.ifHCInOctets },
    { tags: { ifName: 'uplink0', ifIndex: '1', ifAlias: 'to district' }, bps: 1_000_000, raw: 7_500_000n },
  );
  r.reboot();
  r.advance(30, [125_000, 125_000]);
  nowMs += 60_000;
  await source.pollNow(A);
  t.equal(observations[2]?.interfaces[0]?.inBitsPerSecond, undefined, 'no rate across a reboot');
  t.equal(events.length, 1);
  t.match(events[0], { pointId: A, type: 'discontinuity', source: 'poll', detail: /reboot/ });
  t.equal(samples.filter((s) => s.measurement === 'snmp').at(-1)?.fields.discontinuities, 2);
  r.advance(60, [125_000, 125_000]);
  nowMs += 60_000;
  await source.pollNow(A);
  t.equal(observations[3]?.interfaces[0]?.inBitsPerSecond, 1_000_000, 'rates resume after the reboot');
  t.equal(source.stats().discontinuities, 2);
  t.doesNotThrow(() => encodeSamples(samples));
});

void t.test('an auth failure closes the session so the next poll starts afresh', async (t) => {
  const r = new FakeRouter();
  let fail = true;
  r.options.fail = () => (fail ? new SnmpError('auth', 'wrong digest') : undefined);
  const { source, opened } = setup(new Map([[address(A), r]]));
  await source.pollNow(A);
  t.equal(opened.length, 1);
  t.ok(opened[0]?.client.closed, 'closed after the auth error');
  fail = false;
  const res = await source.pollNow(A);
  t.equal(res?.error, undefined);
  t.equal(opened.length, 2, 'a new session');
  // A timeout keeps the session (nothing is wrong with it).
  r.options.fail = () => new SnmpError('timeout', 'no response');
  await source.pollNow(A);
  t.notOk(opened[1]?.client.closed);
});

void t.test('recheck: polls soon, coalesces, and runs again after a poll in flight', async (t) => {
  const r = new FakeRouter();
  const { source, observations } = setup(new Map([[address(A), r]]), { clockMs: () => performance.now() });
  t.same(source.recheck([A, 'no-such-point']), ['no-such-point']);
  source.recheck([A]);
  source.recheck([A]);
  await new Promise((res) => setTimeout(res, 150));
  t.equal(observations.length, 1, 'three requests, one poll');
  r.options.delayMs = 100;
  const inFlight = source.pollNow(A);
  source.recheck([A]);
  await inFlight;
  await new Promise((res) => setTimeout(res, 300));
  t.equal(observations.length, 3, 'the re-poll asked during a poll ran after it');
  t.equal(source.stats().rechecks, 2);
});

void t.test('the scheduler polls each point on its own interval; stop closes the sessions', async (t) => {
  const routers = routersFor([CORE, A, B, C, D]);
  const { source, observations, scheduler, opened } = setup(routers, { intervalS: 0.2 });
  source.start();
  scheduler.start();
  await new Promise((res) => setTimeout(res, 700));
  await scheduler.stop();
  await source.stop();
  const perPoint = new Map<string, number>();
  for (const o of observations) perPoint.set(o.pointId, (perPoint.get(o.pointId) ?? 0) + 1);
  for (const id of [CORE, A, B, C, D]) t.ok((perPoint.get(id) ?? 0) >= 2, `${id} polled ${perPoint.get(id)} times`);
  t.same(scheduler.stats().map((s) => s.name).sort(), [CORE, A, B, C, D].map((id) => `snmp/${id}`).sort());
  t.ok(opened.length >= 5 && opened.every((o) => o.client.closed), 'every session closed');
});

void t.test('points with an unknown profile or credential are named and skipped', async (t) => {
  const routers = routersFor([CORE, A, B, C, D]);
  const config = defaultConfig();
  const captured = captureLog();
  const points = inventory.points.map((p) => (p.id === A ? { ...p, snmpProfile: 'nope' } : p.id === B ? { ...p, snmpCredential: 'missing' } : p));
  const source = createSnmpSource({
    snmp: config.snmp,
    inventory,
    bus: new ObservationBus(),
    scheduler: new Scheduler(),
    log: captured.log,
    points,
    openClient: (target) => (routers.get(target.host) as FakeRouter).client(),
  });
  t.equal(source.stats().points, 3);
  t.same(captured.events('snmp_point_skipped').map((l) => l.point_id).sort(), [A, B].sort());
  t.equal(await source.pollNow(A), undefined);
});
