// Exhaustive tests of the pure counter/rate arithmetic: decoding, wraps at 2^32 and 2^64,
// reboots, discontinuities, missing samples, interval jitter, glitches, speed 0 or absent.
import fc from 'fast-check';
import t from 'tap';
import {
  counterDelta,
  decodeCounter,
  deviceRates,
  interfaceRates,
  intervalMs,
  TWO_32,
  TWO_64,
  uptimeVerdict,
  type CounterReading,
  type InterfaceReading,
  type RateOutcome,
} from '../../src/probes/snmp/counters.js';

const c64 = (v: bigint | number): CounterReading => ({ value: BigInt(v), width: 64 });
const c32 = (v: bigint | number): CounterReading => ({ value: BigInt(v), width: 32 });

function rates(o: RateOutcome) {
  if (o.kind !== 'rates') throw new Error(`expected rates, got ${JSON.stringify(o)}`);
  return o;
}

void t.test('decodeCounter: Counter64 from minimal-length BER buffers', async (t) => {
  t.equal(decodeCounter(Buffer.from([0x00]), 64), 0n);
  t.equal(decodeCounter(Buffer.from([0x7f]), 64), 127n);
  t.equal(decodeCounter(Buffer.from([0x00, 0x80]), 64), 128n, 'sign byte before a high bit');
  t.equal(decodeCounter(Buffer.from([0x01, 0x2a, 0x05, 0xf2, 0x00]), 64), 5_000_000_000n, '5 bytes');
  t.equal(decodeCounter(Buffer.from('ffffffffffffffff', 'hex'), 64), TWO_64 - 1n, '8 bytes');
  t.equal(decodeCounter(Buffer.from('00ffffffffffffffff', 'hex'), 64), TWO_64 - 1n, '9 bytes with the sign byte');
  t.equal(decodeCounter(Buffer.from('01ffffffffffffffff', 'hex'), 64), undefined, '9 bytes without a zero sign byte: too big');
  t.equal(decodeCounter(Buffer.alloc(0), 64), undefined, 'empty buffer');
  t.equal(decodeCounter(Buffer.alloc(10), 64), undefined, '10 bytes');
  for (let len = 1; len <= 8; len++) {
    const b = Buffer.alloc(len, 0xab);
    t.equal(decodeCounter(b, 64), BigInt(`0x${b.toString('hex')}`), `${len} bytes`);
  }
});

void t.test('decodeCounter: numbers, bigints and junk', async (t) => {
  t.equal(decodeCounter(4294967295, 32), TWO_32 - 1n);
  t.equal(decodeCounter(4294967296, 32), undefined, 'Counter32 out of range');
  t.equal(decodeCounter(-1, 32), undefined);
  t.equal(decodeCounter(1.5, 32), undefined);
  t.equal(decodeCounter(Number.NaN, 32), undefined);
  t.equal(decodeCounter(12n, 64), 12n);
  t.equal(decodeCounter(TWO_64, 64), undefined);
  t.equal(decodeCounter(Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]), 32), undefined, 'a 5-byte buffer is too big for 32 bits');
  t.equal(decodeCounter('12', 64), undefined);
  t.equal(decodeCounter(null, 64), undefined);
  t.equal(decodeCounter(undefined, 32), undefined);
  t.equal(decodeCounter({}, 32), undefined);
});

void t.test('decodeCounter round-trips every 64-bit value in minimal BER form', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: TWO_64 - 1n }), (n) => {
      let hex = n.toString(16);
      if (hex.length % 2) hex = `0${hex}`;
      if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`; // BER sign byte
      return decodeCounter(Buffer.from(hex, 'hex'), 64) === n;
    }),
    { numRuns: 2000 },
  );
  t.pass('property held');
});

void t.test('counterDelta: forward, Counter32 wrap, Counter64 wrap, resets', async (t) => {
  t.same(counterDelta(c32(10), c32(15)), { ok: true, delta: 5n, wrapped: false });
  t.same(counterDelta(c32(0), c32(0)), { ok: true, delta: 0n, wrapped: false });
  t.same(counterDelta(c32(TWO_32 - 10n), c32(5)), { ok: true, delta: 15n, wrapped: true }, 'wrap at 2^32');
  t.same(counterDelta(c32(TWO_32 - 1n), c32(0)), { ok: true, delta: 1n, wrapped: true }, 'wrap to exactly 0');
  t.same(counterDelta(c64(TWO_64 - 1000n), c64(5000)), { ok: true, delta: 6000n, wrapped: true }, 'wrap at 2^64');
  t.same(counterDelta(c64(5_000_000_000n), c64(1000)), { ok: false, reason: 'backwards' }, 'Counter64 reset is not a wrap');
  t.same(counterDelta(c32(3_000_000_000), c32(100), 1_000_000n), { ok: false, reason: 'backwards' }, 'implausible wrap given line speed');
  t.same(counterDelta(c32(TWO_32 - 100n), c32(100), 1_000_000n), { ok: true, delta: 200n, wrapped: true }, 'plausible wrap given line speed');
  t.same(counterDelta(c32(5), c64(6)), { ok: false, reason: 'width_changed' });
});

void t.test('counterDelta: a wrapped delta always equals (cur - prev) mod 2^w', async (t) => {
  for (const width of [32, 64] as const) {
    const mod = width === 64 ? TWO_64 : TWO_32;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: mod - 1n }), fc.bigInt({ min: 0n, max: mod - 1n }), (a, b) => {
        const d = counterDelta({ value: a, width }, { value: b, width }, mod);
        return d.ok && d.delta === (((b - a) % mod) + mod) % mod && d.wrapped === b < a;
      }),
      { numRuns: 1000 },
    );
  }
  t.pass('property held');
});

void t.test('uptimeVerdict', async (t) => {
  const at = (s: number, ticks: number) => ({ atMs: s * 1000, uptimeTicks: ticks });
  t.same(uptimeVerdict(at(0, 100_000), at(60, 106_000)), { rebooted: false, wrapped: false }, 'normal advance');
  t.same(uptimeVerdict(at(0, 100_000), at(60, 106_300)), { rebooted: false, wrapped: false }, 'agent clock a bit fast');
  t.same(uptimeVerdict(at(0, 100_000), at(60, 100_000)), { rebooted: false, wrapped: false }, 'uptime standing still is not a reboot');
  t.same(uptimeVerdict(at(0, 100_000), at(60, 2_000)), { rebooted: true, reason: 'uptime_backwards' }, 'reboot');
  t.same(uptimeVerdict(at(0, 100_000), at(60, 99_999)), { rebooted: true, reason: 'uptime_backwards' }, 'one tick back is a restart');
  t.same(uptimeVerdict(at(0, 2 ** 32 - 1000), at(60, 5000)), { rebooted: false, wrapped: true }, 'TimeTicks wrap after 497 days');
  t.same(uptimeVerdict(at(0, 1000), at(3600, 120_000)), { rebooted: true, reason: 'uptime_short' }, 'reboot hidden by an hour without samples');
  t.same(uptimeVerdict(at(0, 1000), at(3600, 361_000)), { rebooted: false, wrapped: false }, 'an hour without samples, no reboot');
});

const iface = (atS: number, counters: InterfaceReading['counters'], extra: Partial<InterfaceReading> = {}): InterfaceReading => ({
  atMs: atS * 1000,
  name: 'ge-0/0/0',
  counters,
  speedBitsPerSecond: 100e6,
  ...extra,
});

void t.test('interfaceRates: bits per second, utilisation and per-second rates', async (t) => {
  const a = iface(0, { inOctets: c64(1000), outOctets: c64(0), inErrors: c32(10), outDiscards: c32(0), inUcastPkts: c64(0) });
  const b = iface(60, { inOctets: c64(1000 + 7_500_000), outOctets: c64(750_000), inErrors: c32(70), outDiscards: c32(6), inUcastPkts: c64(600) });
  const r = rates(interfaceRates(a, b));
  t.equal(r.rates.inBitsPerSecond, 1_000_000, '7.5 MB in 60 s = 1 Mbit/s');
  t.equal(r.rates.outBitsPerSecond, 100_000);
  t.equal(r.rates.inUtilizationPct, 1, '1 Mbit/s of 100 Mbit/s');
  t.equal(r.rates.outUtilizationPct, 0.1);
  t.equal(r.rates.inErrorsPerSecond, 1);
  t.equal(r.rates.outDiscardsPerSecond, 0.1);
  t.equal(r.rates.inUcastPacketsPerSecond, 10);
  t.equal(r.rates.outErrorsPerSecond, undefined, 'counter absent: no rate');
  t.same(r.glitches, []);
});

void t.test('interfaceRates: first reading and zero elapsed are baselines', async (t) => {
  const a = iface(0, { inOctets: c64(0) });
  t.same(interfaceRates(undefined, a), { kind: 'baseline' });
  t.same(interfaceRates(a, iface(0.5, { inOctets: c64(10) })), { kind: 'baseline' }, 'shorter than minIntervalMs');
  t.same(interfaceRates(a, iface(-5, { inOctets: c64(10) })), { kind: 'baseline' }, 'time went backwards');
});

void t.test('interfaceRates: interval jitter uses the real elapsed time', async (t) => {
  // 1 Mbit/s constant traffic read at uneven intervals gives 1 Mbit/s each time.
  const times = [0, 58.7, 121.2, 179.9, 245.0];
  let prev: InterfaceReading | undefined;
  for (const s of times) {
    const cur = iface(s, { inOctets: c64(Math.round(s * 125_000)) });
    const o = interfaceRates(prev, cur);
    if (prev) t.ok(Math.abs((rates(o).rates.inBitsPerSecond ?? 0) - 1_000_000) < 1, `at ${s} s`);
    prev = cur;
  }
});

void t.test('interfaceRates: a missing sample averages over the longer gap', async (t) => {
  const a = iface(0, { inOctets: c64(0) });
  const c = iface(120, { inOctets: c64(15_000_000) }); // the poll at 60 s was lost
  t.equal(rates(interfaceRates(a, c)).rates.inBitsPerSecond, 1_000_000);
});

void t.test('interfaceRates: Counter32 wrap gives the right rate, no spike', async (t) => {
  const a = iface(0, { inOctets: c32(TWO_32 - 3_750_000n) });
  const b = iface(60, { inOctets: c32(3_750_000) });
  const r = rates(interfaceRates(a, b));
  t.equal(r.rates.inBitsPerSecond, 1_000_000);
  t.same(r.wrapped, ['inOctets']);
});

void t.test('interfaceRates: Counter64 wrap at 2^64 gives the right rate', async (t) => {
  const a = iface(0, { inOctets: c64(TWO_64 - 3_750_000n) }, { speedBitsPerSecond: 10e9 });
  const b = iface(60, { inOctets: c64(3_750_000) }, { speedBitsPerSecond: 10e9 });
  const r = rates(interfaceRates(a, b));
  t.equal(r.rates.inBitsPerSecond, 1_000_000);
  t.same(r.wrapped, ['inOctets']);
});

void t.test('interfaceRates: counter backwards is a discontinuity, never a spike', async (t) => {
  const a = iface(0, { inOctets: c64(5_000_000_000n), outOctets: c64(10) });
  const b = iface(60, { inOctets: c64(1000), outOctets: c64(20) });
  t.same(interfaceRates(a, b), { kind: 'discontinuity', reason: 'counter_backwards', counter: 'inOctets' });
  // Counter32 reset whose wrapped delta would exceed line speed: a discontinuity too.
  const c = iface(0, { inOctets: c32(3_000_000_000) }, { speedBitsPerSecond: 10e6 });
  const d = iface(60, { inOctets: c32(100) }, { speedBitsPerSecond: 10e6 });
  t.same(interfaceRates(c, d), { kind: 'discontinuity', reason: 'counter_backwards', counter: 'inOctets' });
});

void t.test('interfaceRates: ifCounterDiscontinuityTime change and a replaced interface', async (t) => {
  const a = iface(0, { inOctets: c64(0) }, { discontinuityTicks: 0 });
  const b = iface(60, { inOctets: c64(10) }, { discontinuityTicks: 4711 });
  t.same(interfaceRates(a, b), { kind: 'discontinuity', reason: 'counter_discontinuity_time' });
  const c = iface(60, { inOctets: c64(10) }, { name: 'ge-0/0/9' });
  t.same(interfaceRates(iface(0, { inOctets: c64(0) }), c), { kind: 'discontinuity', reason: 'interface_replaced' });
  const d = iface(60, { inOctets: c64(10) }, { discontinuityTicks: undefined });
  t.equal(interfaceRates(a, d).kind, 'rates', 'agent stopped reporting it: no verdict from it');
});

void t.test('interfaceRates: above line speed is a glitch, counted and discarded per direction', async (t) => {
  const a = iface(0, { inOctets: c64(0), outOctets: c64(0), inErrors: c32(0), outErrors: c32(0) });
  const b = iface(60, { inOctets: c64(1_000_000_000), outOctets: c64(750_000), inErrors: c32(6), outErrors: c32(6) }); // in: 133 Mbit/s on 100
  const r = rates(interfaceRates(a, b));
  t.same(r.glitches, ['in']);
  t.equal(r.rates.inBitsPerSecond, undefined);
  t.equal(r.rates.inUtilizationPct, undefined);
  t.equal(r.rates.inErrorsPerSecond, undefined, 'the glitched direction keeps no rate');
  t.equal(r.rates.outBitsPerSecond, 100_000);
  t.equal(r.rates.outErrorsPerSecond, 0.1);
  // Exactly at line speed, and within the timing tolerance, is accepted.
  const full = rates(interfaceRates(a, iface(60, { inOctets: c64(750_000_000) })));
  t.equal(full.rates.inUtilizationPct, 100);
  const over = rates(interfaceRates(a, iface(60, { inOctets: c64(760_000_000) })));
  t.ok((over.rates.inUtilizationPct ?? 0) > 100 && over.glitches.length === 0, '1.3 % over: timing tolerance');
});

void t.test('interfaceRates: speed 0 or absent gives bps but no utilisation and no glitch check', async (t) => {
  const a = iface(0, { inOctets: c64(0) }, { speedBitsPerSecond: 0 });
  const b = iface(60, { inOctets: c64(75e9) }, { speedBitsPerSecond: 0 });
  const r = rates(interfaceRates(a, b));
  t.equal(r.rates.inBitsPerSecond, 1e10);
  t.equal(r.rates.inUtilizationPct, undefined);
  t.same(r.glitches, []);
  const c = rates(interfaceRates({ ...a, speedBitsPerSecond: undefined }, { ...b, speedBitsPerSecond: undefined }));
  t.equal(c.rates.inBitsPerSecond, 1e10);
  t.equal(c.rates.inUtilizationPct, undefined);
});

void t.test('interfaceRates: Counter32 octets on a line that can wrap them in the interval', async (t) => {
  // 1 Gbit/s moves 2^32 octets in ~34 s: a 60 s delta of a Counter32 is ambiguous.
  const a = iface(0, { inOctets: c32(0), outOctets: c64(0) }, { speedBitsPerSecond: 1e9 });
  const b = iface(60, { inOctets: c32(1000), outOctets: c64(7_500_000) }, { speedBitsPerSecond: 1e9 });
  const r = rates(interfaceRates(a, b));
  t.same(r.ambiguous, ['in']);
  t.equal(r.rates.inBitsPerSecond, undefined);
  t.equal(r.rates.outBitsPerSecond, 1_000_000, 'the Counter64 direction is fine');
});

void t.test('interfaceRates: HC counters appearing or disappearing skip that counter only', async (t) => {
  const a = iface(0, { inOctets: c32(0), outOctets: c64(0) });
  const b = iface(60, { inOctets: c64(10), outOctets: c64(750_000) });
  const r = rates(interfaceRates(a, b));
  t.equal(r.rates.inBitsPerSecond, undefined);
  t.equal(r.rates.outBitsPerSecond, 100_000);
});

void t.test('deviceRates: a reboot gives no rate on any interface', async (t) => {
  const mk = (atS: number, uptime: number, octets: number) => ({
    atMs: atS * 1000,
    uptimeTicks: uptime,
    interfaces: new Map([
      [1, iface(atS, { inOctets: c64(octets) })],
      [2, iface(atS, { inOctets: c64(octets * 2) }, { name: 'lan0' })],
    ]),
  });
  const first = deviceRates(undefined, mk(0, 500_000, 1_000_000));
  t.same([...first.interfaces.values()].map((o) => o.kind), ['baseline', 'baseline']);
  const normal = deviceRates(mk(0, 500_000, 1_000_000), mk(60, 506_000, 1_750_000));
  t.equal(normal.reboot, undefined);
  t.equal(rates(normal.interfaces.get(1) ?? { kind: 'baseline' }).rates.inBitsPerSecond, 100_000);
  // Reboot: uptime back to 30 s; counters restarted low, but even if they had grown, no rate.
  const rebooted = deviceRates(mk(60, 506_000, 1_750_000), mk(120, 3000, 9_000_000));
  t.equal(rebooted.reboot, 'uptime_backwards');
  t.same([...rebooted.interfaces.values()], [
    { kind: 'discontinuity', reason: 'uptime_backwards' },
    { kind: 'discontinuity', reason: 'uptime_backwards' },
  ]);
  // Without sysUpTime, a counter going backwards still catches it per interface.
  const noUptime = deviceRates(
    { atMs: 0, interfaces: new Map([[1, iface(0, { inOctets: c64(5e9) })]]) },
    { atMs: 60_000, interfaces: new Map([[1, iface(60, { inOctets: c64(10) })]]) },
  );
  t.same(noUptime.interfaces.get(1), { kind: 'discontinuity', reason: 'counter_backwards', counter: 'inOctets' });
  // A new interface after the previous poll is a baseline, not an event.
  const grown = deviceRates(
    { atMs: 0, uptimeTicks: 100, interfaces: new Map() },
    { atMs: 60_000, uptimeTicks: 6100, interfaces: new Map([[7, iface(60, { inOctets: c64(10) })]]) },
  );
  t.same(grown.interfaces.get(7), { kind: 'baseline' });
});

void t.test('property: no rate ever exceeds line speed × (1 + tolerance)', async (t) => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: TWO_64 - 1n }),
      fc.bigInt({ min: 0n, max: TWO_64 - 1n }),
      fc.constantFrom(32 as const, 64 as const),
      fc.integer({ min: 1, max: 3600 }),
      fc.constantFrom(10e6, 100e6, 1e9, 10e9),
      (x, y, width, elapsedS, speed) => {
        const mod = width === 64 ? TWO_64 : TWO_32;
        const a = iface(0, { inOctets: { value: x % mod, width } }, { speedBitsPerSecond: speed });
        const b = iface(elapsedS, { inOctets: { value: y % mod, width } }, { speedBitsPerSecond: speed });
        const o = interfaceRates(a, b);
        return o.kind !== 'rates' || o.rates.inBitsPerSecond === undefined || o.rates.inBitsPerSecond <= speed * 1.02 + 1e-6;
      },
    ),
    { numRuns: 3000 },
  );
  t.pass('property held');
});

void t.test('intervalMs: the agent clock when it agrees with ours, else ours', async (t) => {
  t.equal(intervalMs({ atMs: 0 }, { atMs: 60_000 }), 60_000, 'no agent clock');
  t.equal(intervalMs({ atMs: 0, agentTicks: 1000 }, { atMs: 60_400, agentTicks: 7000 }), 60_000, 'our reading was delayed 400 ms: the agent knows better');
  t.equal(intervalMs({ atMs: 0, agentTicks: 1000 }, { atMs: 60_000, agentTicks: 1000 }), 60_000, 'uptime standing still');
  t.equal(intervalMs({ atMs: 0, agentTicks: 7000 }, { atMs: 60_000, agentTicks: 1000 }), 60_000, 'uptime backwards');
  t.equal(intervalMs({ atMs: 0, agentTicks: 0 }, { atMs: 60_000, agentTicks: 9000 }), 60_000, 'agent clock 50 % fast: not trusted');
  t.equal(intervalMs({ atMs: 0, agentTicks: 0 }, { atMs: 5_000, agentTicks: 650 }), 6_500, 'within 2 s on a short interval');
});

void t.test('interfaceRates: a late local timestamp does not bend the rate when the agent clock is there', async (t) => {
  const a = iface(0, { inOctets: c64(0) }, { agentTicks: 100 });
  // Read at agent time +60 s, but our event loop saw the answer 1.5 s late.
  const b = iface(61.5, { inOctets: c64(7_500_000) }, { agentTicks: 6100 });
  t.equal(rates(interfaceRates(a, b)).rates.inBitsPerSecond, 1_000_000);
});
