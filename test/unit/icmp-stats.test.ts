// Round statistics (pure): every figure checked by hand, edge cases, and properties that must hold
// for any round (fast-check).
import t from 'tap';
import fc from 'fast-check';
import { failedRound, roundFigures } from '../../src/probes/icmp/stats.js';

t.test('all echoes answered', async (t) => {
  const f = roundFigures([1, 2, 3, 4]);
  t.same(f, {
    transmitted: 4,
    received: 4,
    percentPacketLoss: 0,
    resultCode: 0,
    minimumResponseMs: 1,
    averageResponseMs: 2.5,
    medianResponseMs: 2.5,
    maximumResponseMs: 4,
    standardDeviationMs: Math.round(Math.sqrt(1.25) * 1e6) / 1e6,
    jitterMs: 1,
  });
});

t.test('median of an odd count, unsorted input, jitter follows send order', async (t) => {
  const f = roundFigures([5, 1, 3]);
  t.equal(f.medianResponseMs, 3);
  t.equal(f.minimumResponseMs, 1);
  t.equal(f.maximumResponseMs, 5);
  t.equal(f.averageResponseMs, 3);
  // |1-5| + |3-1| = 6 over 2 differences
  t.equal(f.jitterMs, 3);
});

t.test('losses: counted, skipped for RTT figures, skipped (not gaps) for jitter', async (t) => {
  const f = roundFigures([0.05, null, 0.04, null]);
  t.equal(f.transmitted, 4);
  t.equal(f.received, 2);
  t.equal(f.percentPacketLoss, 50);
  t.equal(f.minimumResponseMs, 0.04);
  t.equal(f.maximumResponseMs, 0.05);
  t.equal(f.averageResponseMs, 0.045);
  t.equal(f.medianResponseMs, 0.045);
  t.equal(f.standardDeviationMs, 0.005);
  t.equal(f.jitterMs, 0.01);
});

t.test('one reply: stddev 0, no jitter', async (t) => {
  const f = roundFigures([null, 0.7, null]);
  t.equal(f.received, 1);
  t.equal(f.percentPacketLoss, Math.round((200 / 3) * 1e6) / 1e6);
  t.equal(f.standardDeviationMs, 0);
  t.equal(f.medianResponseMs, 0.7);
  t.notOk('jitterMs' in f);
});

t.test('everything lost: 100%, no RTT figures at all', async (t) => {
  const f = roundFigures([null, null, null]);
  t.same(f, { transmitted: 3, received: 0, percentPacketLoss: 100, resultCode: 0 });
});

t.test('nothing transmitted: 100% loss, and the failed-round shape', async (t) => {
  t.same(roundFigures([]), { transmitted: 0, received: 0, percentPacketLoss: 100, resultCode: 0 });
  t.same(failedRound(1), { transmitted: 0, received: 0, percentPacketLoss: 100, resultCode: 1 });
  t.same(failedRound(2), { transmitted: 0, received: 0, percentPacketLoss: 100, resultCode: 2 });
});

t.test('zero RTTs are valid; float noise is rounded away', async (t) => {
  const f = roundFigures([0, 0.1, 0.2]);
  t.equal(f.minimumResponseMs, 0);
  t.equal(f.averageResponseMs, 0.1);
  t.equal(f.jitterMs, 0.1);
  t.equal(roundFigures([0.1, 0.2]).averageResponseMs, 0.15);
});

t.test('invalid RTTs are refused', async (t) => {
  t.throws(() => roundFigures([-1]), RangeError);
  t.throws(() => roundFigures([NaN]), RangeError);
  t.throws(() => roundFigures([Infinity]), RangeError);
});

t.test('properties over arbitrary rounds', async (t) => {
  const echo = fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: null });
  fc.assert(
    fc.property(fc.array(echo, { maxLength: 50 }), (echoes) => {
      const f = roundFigures(echoes);
      const rtts = echoes.filter((e): e is number => e !== null);
      if (f.transmitted !== echoes.length || f.received !== rtts.length) return false;
      if (f.percentPacketLoss < 0 || f.percentPacketLoss > 100) return false;
      if (rtts.length === 0) return f.minimumResponseMs === undefined && f.jitterMs === undefined && f.percentPacketLoss === 100;
      const eps = 1e-5;
      const ordered = f.minimumResponseMs! <= f.medianResponseMs! + eps && f.medianResponseMs! <= f.maximumResponseMs! + eps
        && f.minimumResponseMs! <= f.averageResponseMs! + eps && f.averageResponseMs! <= f.maximumResponseMs! + eps;
      const spread = f.maximumResponseMs! - f.minimumResponseMs!;
      const bounded = f.standardDeviationMs! >= 0 && f.standardDeviationMs! <= spread / 2 + eps && (f.jitterMs === undefined ? rtts.length < 2 : f.jitterMs <= spread + eps);
      return ordered && bounded;
    }),
  );
  t.pass('properties hold');
});
