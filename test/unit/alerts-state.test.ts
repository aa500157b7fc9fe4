// The pure point state machine and Nagios flap detection: every row of the transition table in
// src/alerts/state.ts, DEGRADED with hysteresis, soft/hard DOWN, the hold and the reset after an
// upstream recovers, interfaces (oper-down since, errors, utilisation, link traps).
import t from 'tap';
import { DEFAULT_FLAP_OPTIONS, FLAP_HISTORY_LENGTH, emptyFlapState, percentStateChange, recordFlapResult } from '../../src/alerts/flapping.js';
import { DEFAULT_STATE_OPTIONS, initialPointState, median, step, windowFigures, type StateOptions, type StepInput } from '../../src/alerts/state.js';
import type { PointState } from '../../src/alerts/types.js';
import type { IcmpObservation, InterfaceObservation } from '../../src/observations.js';

const opts: StateOptions = DEFAULT_STATE_OPTIONS;

function icmp(timeMs: number, received: number, medianMs = 1, transmitted = 3): StepInput {
  const o: IcmpObservation = { pointId: 'p', timeMs, transmitted, received, percentPacketLoss: (100 * (transmitted - received)) / transmitted, resultCode: 0 };
  if (received > 0) o.medianResponseMs = medianMs;
  return { kind: 'icmp', observation: o };
}

/** Run inputs through step, returning every state and every event. */
function run(inputs: StepInput[], start: PointState = initialPointState('p', 0), o: StateOptions = opts) {
  let s = start;
  const states: PointState[] = [];
  const events: { from: string; to: string; toType: string }[] = [];
  inputs.forEach((input, i) => {
    const r = step(s, input, 1000 * (i + 1), o);
    s = r.next;
    states.push(s);
    events.push(...r.events.map((e) => ({ from: e.from, to: e.to, toType: e.toType })));
  });
  return { s, states, events };
}

const ok = { kind: 'topology', topology: { verdict: 'upstream_ok' } } as const;

t.test('flapping: Nagios weights, fixed denominator, hysteresis', async (t) => {
  t.equal(percentStateChange([]), 0);
  t.equal(percentStateChange([0, 0, 0]), 0);
  // A full history alternating every result: 20 changes weighing 0.75 … 1.25 (mean 1) → 100 %.
  const alternating = Array.from({ length: FLAP_HISTORY_LENGTH }, (_, i) => i % 2);
  t.ok(Math.abs(percentStateChange(alternating) - 100) < 1e-9, 'every result a change: 100%');
  // The newest change weighs 1.25 → 1.25/20 = 6.25 %, the oldest 0.75 → 3.75 %.
  const newest = [...Array(20).fill(0), 1];
  t.ok(Math.abs(percentStateChange(newest) - 6.25) < 1e-9, 'one change at the newest end: 6.25%');
  const oldest = [1, ...Array(20).fill(0)];
  t.ok(Math.abs(percentStateChange(oldest) - 3.75) < 1e-9, 'one change at the oldest end: 3.75%');
  t.ok(Math.abs(percentStateChange([0, 1]) - 6.25) < 1e-9, 'a short history counts as padded at its oldest end');

  let f = emptyFlapState();
  const seen: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    f = recordFlapResult(f, i % 2, DEFAULT_FLAP_OPTIONS);
    seen.push(f.flapping);
  }
  t.ok(f.flapping, 'alternating results start flapping');
  // Five newest changes weigh 5.99/20 = 29.9 %: the sixth brings it over 30 %.
  t.equal(seen.indexOf(true), 6, 'it starts once the weighted change reaches 30 % (the 6th change)');
  t.ok(f.results.length <= FLAP_HISTORY_LENGTH);
  // Steady results: the percentage decays; flapping stops only below the low threshold.
  let steps = 0;
  while (f.flapping) {
    f = recordFlapResult(f, 0, DEFAULT_FLAP_OPTIONS);
    steps++;
    if (f.flapping) t.ok(f.percent >= DEFAULT_FLAP_OPTIONS.lowPct, 'still flapping only at or above the low threshold');
  }
  t.ok(f.percent < DEFAULT_FLAP_OPTIONS.lowPct, 'stopped below the low threshold');
  t.ok(steps > 1, 'hysteresis: it does not stop on the first steady result');
});

t.test('own reach: UNKNOWN → UP; soft DOWN; hard DOWN only after N rounds and with the upstream checked', async (t) => {
  const first = run([icmp(1, 3)]);
  t.equal(first.s.status, 'UP');
  t.same(first.events, [{ from: 'UNKNOWN', to: 'UP', toType: 'hard' }]);

  const r = run([icmp(1, 3), icmp(2, 0), ok, icmp(3, 0), ok, icmp(4, 0), ok]);
  const statuses = r.states.map((s) => `${s.status}/${s.stateType}/${s.failedRounds}`);
  // The upstream_ok verdict of the earlier rounds still holds (it was checked during this streak): hard at once.
  t.same(statuses, ['UP/hard/0', 'DOWN/soft/1', 'DOWN/soft/1', 'DOWN/soft/2', 'DOWN/soft/2', 'DOWN/hard/3', 'DOWN/hard/3']);
  t.equal(r.s.failingSinceMs, 2, 'the streak started with the first failed round');
  t.equal(r.s.hardEligibleSinceMs, 6000, 'hard-eligible at the third failure');

  const held = run([icmp(1, 3), icmp(2, 0), icmp(3, 0), icmp(4, 0), { kind: 'topology', topology: { verdict: 'upstream_unknown' } }]);
  t.equal(held.s.status, 'DOWN');
  t.equal(held.s.stateType, 'soft', 'held: the upstream has not been checked, so not hard');

  const soft = run([icmp(1, 3), icmp(2, 0), ok, icmp(3, 0), ok, icmp(4, 3)]);
  t.equal(soft.s.status, 'UP');
  t.equal(soft.s.recoveredAtMs, undefined, 'a soft recovery is not a recovery');

  const hard = run([icmp(1, 3), icmp(2, 0), icmp(3, 0), icmp(4, 0), ok, icmp(5, 3)]);
  t.equal(hard.s.status, 'UP');
  t.equal(hard.s.recoveredAtMs, 5, 'a hard recovery records the round time');
  t.equal(hard.s.topology.verdict, 'none', 'an answering point has no topology verdict');

  const unknownFail = run([icmp(1, 0)]);
  t.equal(unknownFail.s.status, 'DOWN', 'a point never seen up and failing is soft DOWN');
  t.equal(unknownFail.s.stateType, 'soft');
});

t.test('topology: UNREACHABLE behind a failing upstream; fresh failures needed after it recovers', async (t) => {
  const cut = run([icmp(1, 3), icmp(2, 0), icmp(3, 0), icmp(4, 0), { kind: 'topology', topology: { verdict: 'upstream_down', rootId: 'd' } }]);
  t.equal(cut.s.status, 'UNREACHABLE');
  t.equal(cut.s.stateType, 'hard');
  // Upstream back, this point not yet answering: its earlier failures were the upstream's.
  const after = run([ok], cut.s);
  t.equal(after.s.failedRounds, 0, 'failures reset when the upstream recovers');
  t.equal(after.s.status, 'DOWN');
  t.equal(after.s.stateType, 'soft', 'soft: no page until N fresh failures');
  const fresh = run([icmp(10, 0), ok, icmp(11, 0), ok, icmp(12, 0), ok], after.s);
  t.equal(fresh.s.stateType, 'hard', 'three fresh failures make it hard');
});

t.test('maintenance and flapping take precedence in the shown status', async (t) => {
  const m = run([icmp(1, 3), { kind: 'maintenance', active: true }]);
  t.equal(m.s.status, 'MAINTENANCE');
  const back = run([{ kind: 'maintenance', active: false }], m.s);
  t.equal(back.s.status, 'UP');
  // 3 rounds down, 3 up, … as a link toggled every 15 s would look at 5 s rounds.
  const inputs: StepInput[] = [];
  for (let i = 0; i < 30; i++) inputs.push(icmp(i, Math.floor(i / 3) % 2 ? 0 : 3), ok);
  const f = run(inputs);
  t.ok(f.states.some((s) => s.status === 'FLAPPING'), 'a toggling point ends up FLAPPING');
});

t.test('DEGRADED: loss or median RTT over the window, with hysteresis; failed rounds are not counted', async (t) => {
  t.same(windowFigures([{ timeMs: 0, transmitted: 3, received: 2, medianMs: 4 }, { timeMs: 1, transmitted: 3, received: 3, medianMs: 2 }]), { lossPct: (100 * 1) / 6, medianMs: 3 });
  t.equal(median([5, 1, 3]), 3);
  const few = run([icmp(1, 2), icmp(2, 2)]);
  t.notOk(few.s.degraded, 'fewer than min_rounds: not judged');
  const lossy = run([icmp(1, 2), icmp(2, 2), icmp(3, 2)]);
  t.ok(lossy.s.degraded, '33 % loss over 3 rounds');
  t.equal(lossy.s.status, 'DEGRADED');
  // 12 % loss: between clear (10) and enter (20) → stays degraded.
  const mid = run(Array.from({ length: 12 }, (_, i) => icmp(10 + i, i < 4 ? 2 : 3, 1, 3)), lossy.s);
  t.ok(mid.s.lossPct! >= 10 && mid.s.lossPct! < 20, `window loss ${mid.s.lossPct}`);
  t.ok(mid.s.degraded, 'between the thresholds it stays DEGRADED');
  const clean = run(Array.from({ length: 12 }, (_, i) => icmp(30 + i, 3)), mid.s);
  t.notOk(clean.s.degraded, 'clean window clears it');
  const slow = run([icmp(1, 3, 200), icmp(2, 3, 200), icmp(3, 3, 200)]);
  t.ok(slow.s.degraded, 'median RTT above rtt_ms');
  const afterOutage = run([icmp(1, 3), icmp(2, 3), icmp(3, 3), icmp(4, 0), icmp(5, 0), icmp(6, 0), ok, icmp(7, 3)]);
  t.notOk(afterOutage.s.degraded, 'rounds with no reply at all are DOWN, not loss: no DEGRADED after a recovery');
});

t.test('interfaces: oper-down since, errors, utilisation, link traps, failed polls', async (t) => {
  const iface = (over: Partial<InterfaceObservation>): InterfaceObservation => ({ ifIndex: 2, ifName: 'ge-0/0/1', ifAlias: 'Uplink to district', operStatus: 1, adminStatus: 1, ...over });
  const snmp = (timeMs: number, i: InterfaceObservation[], okPoll = true): StepInput => ({ kind: 'snmp', observation: { pointId: 'p', timeMs, ok: okPoll, pollDurationMs: 5, interfaces: i } });
  const r = run([snmp(1000, [iface({})]), snmp(2000, [iface({ operStatus: 2 })]), snmp(3000, [iface({ operStatus: 2, inErrorsPerSecond: 5, outUtilizationPct: 95 })])]);
  const i = r.s.interfaces['2']!;
  t.ok(i.uplink, 'alias matches the uplink pattern');
  t.equal(i.operDownSinceMs, 2000, 'down since the first poll that saw it down');
  t.equal(i.errorsAboveSinceMs, 3000);
  t.equal(i.utilizationAboveSinceMs, 3000);
  const admin = run([snmp(4000, [iface({ operStatus: 2, adminStatus: 2 })])], r.s);
  t.equal(admin.s.interfaces['2']!.operDownSinceMs, undefined, 'admin-down is not a fault');
  const failed = run([snmp(5000, [], false)], r.s);
  t.equal(failed.s, r.s, 'a failed poll changes nothing');
  const trap = run([{ kind: 'link', event: { pointId: 'p', timeMs: 6000, type: 'link_up', source: 'trap', ifIndex: 2 } }], r.s);
  t.ok(trap.s.interfaces['2']!.operUp, 'linkUp trap sets the link up');
  t.equal(trap.s.interfaces['2']!.operDownSinceMs, undefined);
  const other = run([{ kind: 'link', event: { pointId: 'p', timeMs: 6000, type: 'cold_start', source: 'trap' } }], r.s);
  t.equal(other.s, r.s, 'other events change nothing');
  const access = run([snmp(1000, [iface({ ifIndex: 7, ifName: 'ge-0/0/7', ifAlias: 'office' })])]);
  t.notOk(access.s.interfaces['7']!.uplink, 'other ports are not uplinks');
});

t.test('the round during which a hard-DOWN point comes back stays out of the DEGRADED window', async (t) => {
  // A fresh state (as after a restart during an outage): three failed rounds, the link back in the
  // middle of the next round (1 of 3 replies), then clean rounds. Counting that round would make
  // 2 lost of 9 echoes = 22 % ≥ 20 %: a DEGRADED page right after the recovery notice.
  const { states } = run([ok, icmp(1, 0), icmp(2, 0), icmp(3, 0), icmp(4, 1), icmp(5, 3), icmp(6, 3), icmp(7, 3)]);
  t.equal(states[3]!.reach, 'DOWN');
  t.same(states.slice(4).map((s) => [s.reach, s.degraded]), [['UP', false], ['UP', false], ['UP', false], ['UP', false]]);
  t.same(states[7]!.recent.map((r) => r.received), [3, 3, 3], 'only the clean rounds are judged');
  // A soft DOWN (one lost round) is no outage: the next round counts as usual.
  const soft = run([ok, icmp(1, 3), icmp(2, 0), icmp(3, 1)]);
  t.same(soft.s.recent.map((r) => r.received), [3, 1]);
});
