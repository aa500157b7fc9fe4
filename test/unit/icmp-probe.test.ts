// ICMP probe core: grouping by per-point overrides, fan-out of one address to several points,
// unsafe targets refused before any process starts, samples for the `ping` measurement, and the
// source's rechecks and error logging. Backends are test doubles here except where a recorder
// script stands in for fping to prove what (and whether anything) reaches a process.
import t from 'tap';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import { UnsafeTargetError } from '../../src/inventory/address.js';
import { checkInventory, loadInventory, SHIPPED_INVENTORY_DIR } from '../../src/inventory/load.js';
import type { Point } from '../../src/inventory/model.js';
import { ObservationBus, type IcmpObservation } from '../../src/observations.js';
import { createFpingPinger } from '../../src/probes/icmp/fping.js';
import { chooseBackend, groupPoints, IcmpBackendError, probeRound, type EchoSettings, type Pinger, type TargetEchoes } from '../../src/probes/icmp/index.js';
import { icmpSample, icmpSamples } from '../../src/probes/icmp/metrics.js';
import { createPingFallbackPinger } from '../../src/probes/icmp/ping-fallback.js';
import { createIcmpSource } from '../../src/probes/icmp/source.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { silentLogger } from '../../src/util/log.js';
import { captureLog } from '../helpers/log-capture.js';

const { inventory } = loadInventory();
const icmp = defaultConfig().icmp;
const settings: EchoSettings = { count: 3, periodMs: 200, timeoutMs: 1000, sendIntervalMs: 1 };
const point = (id: string, address: string, overrides: Point['icmp'] = {}): Point => ({ ...inventory.points[0]!, id, address, icmp: overrides });

/** A Pinger double: answers from a table, records every call. */
function tablePinger(answers: Record<string, TargetEchoes>): Pinger & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    backend: 'fping',
    calls,
    async ping(addresses) {
      calls.push([...addresses]);
      return new Map(addresses.filter((a) => answers[a]).map((a) => [a, answers[a]!]));
    },
  };
}

function capture() {
  const { log, records } = captureLog('debug');
  return { log, lines: records };
}

t.test('groups: one per (interval, count, timeout), defaults from config', async (t) => {
  const pts = [point('a', '127.0.0.1'), point('b', '127.0.0.2', { count: 5 }), point('c', '127.0.0.3'), point('d', '127.0.0.4', { intervalS: 30, timeoutMs: 300 }), point('e', '127.0.0.5', { count: 5 })];
  const groups = groupPoints(pts, icmp);
  t.same(groups.map((g) => [g.key, g.points.map((p) => p.id)]), [
    ['5s-3x-1000ms', ['a', 'c']],
    ['5s-5x-1000ms', ['b', 'e']],
    ['30s-3x-300ms', ['d']],
  ]);
  t.same(groups[2]!.settings, { count: 3, periodMs: 200, timeoutMs: 300, sendIntervalMs: 1 });
  t.equal(groupPoints(inventory.points, icmp).length, 1, 'the shipped inventory is one group');
  t.equal(groupPoints(inventory.points, icmp)[0]!.points.length, 235);
});

t.test('a round: one target per distinct address, fanned out to every point with it', async (t) => {
  const pinger = tablePinger({
    '127.0.0.1': { echoes: [0.1, 0.2, 0.3], resultCode: 0 },
    '127.0.0.2': { echoes: [null, null, null], resultCode: 0 },
    'gone.example': { echoes: [], resultCode: 1, error: 'unknown host gone.example' },
  });
  const pts = [point('a', '127.0.0.1'), point('a2', '127.0.0.1'), point('b', '127.0.0.2'), point('c', 'gone.example'), point('d', '127.0.0.4')];
  const { observations, errors } = await probeRound(pinger, pts, settings, 1234);
  t.same(pinger.calls, [['127.0.0.1', '127.0.0.2', 'gone.example', '127.0.0.4']]);
  const byId = Object.fromEntries(observations.map((o) => [o.pointId, o]));
  t.match(byId.a, { timeMs: 1234, transmitted: 3, received: 3, percentPacketLoss: 0, averageResponseMs: 0.2, resultCode: 0 });
  t.same(byId.a2, { ...byId.a, pointId: 'a2' });
  t.match(byId.b, { transmitted: 3, received: 0, percentPacketLoss: 100, resultCode: 0 });
  t.same(byId.c, { pointId: 'c', timeMs: 1234, transmitted: 0, received: 0, percentPacketLoss: 100, resultCode: 1 });
  t.match(byId.d, { resultCode: 2 }, 'no answer from the backend is an error');
  t.same([...errors.keys()], ['c', 'd']);
});

t.test('unsafe targets never reach a process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-fping-recorder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const recorder = join(dir, 'fping');
  // Stands in for fping: records its arguments and stdin, prints nothing.
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\ncat > "${dir}/stdin"\nexit 0\n`);
  chmodSync(recorder, 0o755);
  const fping = createFpingPinger({ path: recorder });
  for (const bad of ['127.0.0.1;id', '-f/etc/passwd', '$(id)', '127.0.0.1\n-f/etc/shadow']) {
    await t.rejects(fping.ping(['127.0.0.1', bad], settings), UnsafeTargetError, `fping refuses ${JSON.stringify(bad)}`);
    t.notOk(existsSync(join(dir, 'stdin')), 'nothing was spawned');
  }
  let probed = 0;
  const fallback = createPingFallbackPinger({ concurrency: 4, probe: async () => {
    probed++;
    throw new Error('must not run');
  } });
  await t.rejects(fallback.ping(['127.0.0.1', '-f/etc/passwd'], settings), UnsafeTargetError);
  t.equal(probed, 0, 'the ping package was never called');

  // Through the probe: the unsafe point is reported as refused; only the safe address goes out.
  const { observations, errors } = await probeRound(fping, [point('ok', '127.0.0.1'), point('evil', '127.0.0.1;id'), point('opt', '-f/etc/passwd')], settings, 1);
  t.equal(readFileSync(join(dir, 'stdin'), 'utf8'), '127.0.0.1\n');
  t.same(readFileSync(join(dir, 'args'), 'utf8').trim().split('\n'), ['-4', '-C', '3', '-q', '-p', '200', '-t', '1000', '-i', '1', '-B', '1', '-r', '0', '-f', '-']);
  t.match(observations.find((o) => o.pointId === 'evil'), { resultCode: 2 });
  t.match(errors.get('evil'), /^refused: /);
  t.match(errors.get('opt'), /starts with "-"/);
  t.match(errors.get('ok'), /status 0|no result/, 'the recorder printed no summary');
});

t.test('the inventory refuses such addresses in the first place', async (t) => {
  for (const bad of ['127.0.0.1;id', '-f/etc/passwd']) {
    const dir = mkdtempSync(join(tmpdir(), 'netcov-inv-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(SHIPPED_INVENTORY_DIR, dir, { recursive: true });
    const file = join(dir, 'points.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('address: 127.66.0.5\n', `address: ${JSON.stringify(bad)}\n`));
    const report = checkInventory(dir);
    t.equal(report.inventory, undefined, `${bad}: no inventory`);
    t.match(report.errors.join('\n'), /address: address /);
  }
});

t.test('backend choice', async (t) => {
  const { log, lines } = capture();
  const env = { PATH: '/nonexistent' };
  t.equal(chooseBackend({ ...icmp, backend: 'auto' }, log).backend, 'fping', 'found on this machine');
  t.equal(chooseBackend({ ...icmp, backend: 'ping' }, log).backend, 'ping');
  t.throws(() => chooseBackend({ ...icmp, backend: 'fping', fping_path: '/nonexistent/fping' }, log, env), IcmpBackendError);
  // auto without fping falls back to ping (found in /usr/bin or /bin, which are always searched).
  t.equal(chooseBackend({ ...icmp, backend: 'auto', fping_path: '/nonexistent/fping' }, log, env).backend, 'ping');
  t.ok(lines.some((l) => l.event === 'icmp_backend' && l.level === 'warn' && l.backend === 'ping'), 'the fallback is a warning');
});

t.test('samples: Telegraf ping fields, point tags, absent RTTs when nothing came back', async (t) => {
  const p = inventory.point('commune-24118')!;
  const ok: IcmpObservation = { pointId: p.id, timeMs: 1_700_000_000_000, transmitted: 3, received: 2, percentPacketLoss: 33.333333, minimumResponseMs: 0.1, averageResponseMs: 0.15, medianResponseMs: 0.15, maximumResponseMs: 0.2, standardDeviationMs: 0.05, jitterMs: 0.1, resultCode: 0 };
  const s = icmpSample(inventory, ok)!;
  t.equal(s.measurement, 'ping');
  t.equal(s.timeMs, ok.timeMs);
  t.match(s.tags, { point_id: p.id, kind: 'commune', url: p.address, upstream: p.upstream, commune: p.unit });
  t.same(s.fields, { packets_transmitted: 3, packets_received: 2, percent_packet_loss: 33.333333, result_code: 0, minimum_response_ms: 0.1, average_response_ms: 0.15, median_response_ms: 0.15, maximum_response_ms: 0.2, standard_deviation_ms: 0.05, jitter_ms: 0.1 });
  const dead = icmpSample(inventory, { pointId: p.id, timeMs: 1, transmitted: 3, received: 0, percentPacketLoss: 100, resultCode: 0 })!;
  t.same(Object.keys(dead.fields).sort(), ['packets_received', 'packets_transmitted', 'percent_packet_loss', 'result_code']);
  t.equal(icmpSamples(inventory, [ok, { ...ok, pointId: 'no-such-point' }]).length, 1, 'unknown ids are skipped');
});

t.test('source: rechecks ping the given points now, coalesced; errors logged on change only', async (t) => {
  const bus = new ObservationBus();
  const { log, lines } = capture();
  let answer: TargetEchoes = { echoes: [], resultCode: 2, error: 'fping exited with status 4' };
  const calls: string[][] = [];
  let release: (() => void) | undefined;
  const pinger: Pinger = {
    backend: 'fping',
    async ping(addresses) {
      calls.push([...addresses]);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      return new Map(addresses.map((a) => [a, answer]));
    },
  };
  const scheduler = new Scheduler(silentLogger());
  const source = createIcmpSource({ icmp, inventory, bus, scheduler, log, pinger });
  const seen: IcmpObservation[][] = [];
  bus.on('icmp', (o) => seen.push(o));
  source.start();
  t.same(scheduler.stats().map((s) => s.name), ['icmp/5s-3x-1000ms']);
  const a = inventory.point('district-645')!;
  const b = inventory.point('commune-24118')!;
  const first = source.recheck([a.id]);
  // Two more while the first runs: they are merged into one second round.
  const second = source.recheck([b.id, 'no-such-point']);
  const third = source.recheck([b.id]);
  release!();
  await Promise.all([first, second, third]);
  t.same(calls, [[a.address], [b.address]]);
  t.same(seen.map((o) => o.map((x) => x.pointId)), [[a.id], [b.id]]);
  t.ok(lines.some((l) => l.event === 'recheck_unknown_points'));
  await source.recheck([a.id]);
  t.equal(lines.filter((l) => l.event === 'icmp_target_error' && l.point_id === a.id).length, 1, 'same error again: not logged again');
  answer = { echoes: [0.1], resultCode: 0 };
  await source.recheck([a.id]);
  t.match(lines.find((l) => l.event === 'icmp_target_recovered'), { point_id: a.id, address: a.address, ...inventory.unitTags(a.unit) });
  t.match(lines.find((l) => l.event === 'icmp_target_error'), { point_id: a.id, district: '645', province: '66', result_code: 2, error: 'fping exited with status 4' });
  await source.stop();
  await scheduler.stop();
});
