// Counter and rate arithmetic for SNMP interface counters: pure functions of two readings.
// Wraps (Counter32 at 2^32, Counter64 at 2^64) give correct rates; a reboot or a counter
// discontinuity gives NO rate and a reason, never a spike; a rate above the line speed is a glitch.
// Times are monotonic milliseconds, so a wall-clock step cannot distort a rate.

export const TWO_32 = 1n << 32n;
export const TWO_64 = 1n << 64n;

export type CounterWidth = 32 | 64;

export interface CounterReading {
  value: bigint;
  width: CounterWidth;
}

/**
 * Decode a counter as net-snmp delivers it: Counter32 as a number, Counter64 as a Buffer of
 * minimal BER length (1–9 bytes; a 9th, leading byte is BER's 0x00 sign byte). Returns undefined
 * for anything that is not an unsigned value of that width (a broken or hostile agent).
 */
export function decodeCounter(value: unknown, width: CounterWidth): bigint | undefined {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    n = BigInt(value);
  } else if (typeof value === 'bigint') {
    n = value;
  } else if (Buffer.isBuffer(value)) {
    if (value.length === 0 || value.length > 9) return undefined;
    if (value.length === 9 && value[0] !== 0) return undefined;
    n = BigInt(`0x${value.toString('hex')}`);
  } else {
    return undefined;
  }
  return n >= 0n && n < (width === 64 ? TWO_64 : TWO_32) ? n : undefined;
}

export type DeltaResult =
  | { ok: true; delta: bigint; wrapped: boolean }
  | { ok: false; reason: 'backwards' | 'width_changed' };

/**
 * Increase of a counter from `prev` to `cur`, allowing one wrap. A decrease is read as a wrap only
 * when the wrapped delta is plausible: at most `maxPlausible` (from the line speed) when given,
 * else at most 2^32 for a Counter32 (wraps are routine) and 2^63 for a Counter64 (a reset from a
 * large value gives a delta near 2^64, a genuine wrap a small one).
 */
export function counterDelta(prev: CounterReading, cur: CounterReading, maxPlausible?: bigint): DeltaResult {
  if (prev.width !== cur.width) return { ok: false, reason: 'width_changed' };
  if (cur.value >= prev.value) return { ok: true, delta: cur.value - prev.value, wrapped: false };
  const modulus = cur.width === 64 ? TWO_64 : TWO_32;
  const wrappedDelta = cur.value + modulus - prev.value;
  const limit = maxPlausible ?? (cur.width === 64 ? TWO_64 / 2n : TWO_32);
  return wrappedDelta <= limit ? { ok: true, delta: wrappedDelta, wrapped: true } : { ok: false, reason: 'backwards' };
}

// ------------------------------------------------------------------------------------- uptime

/** sysUpTime (TimeTicks, hundredths of a second) read at a monotonic time. */
export interface UptimeReading {
  atMs: number;
  uptimeTicks: number;
}

export type UptimeVerdict =
  | { rebooted: false; wrapped: boolean }
  | { rebooted: true; reason: 'uptime_backwards' | 'uptime_short' };

/**
 * Did the agent restart between two readings? sysUpTime going backwards means yes, unless it is
 * the 497-day TimeTicks wrap (the wrapped advance then matches the elapsed time). An uptime shorter
 * than the time since the previous reading also means yes (a reboot hidden by a long gap).
 * An agent whose uptime stands still is not called rebooted (some agents never advance it).
 */
export function uptimeVerdict(prev: UptimeReading, cur: UptimeReading): UptimeVerdict {
  const elapsedTicks = (cur.atMs - prev.atMs) / 10;
  // Agent clocks drift and responses are delayed: 5 s or 10 % of the gap, whichever is larger.
  const toleranceTicks = Math.max(500, elapsedTicks * 0.1);
  if (cur.uptimeTicks >= prev.uptimeTicks) {
    return cur.uptimeTicks + toleranceTicks < elapsedTicks ? { rebooted: true, reason: 'uptime_short' } : { rebooted: false, wrapped: false };
  }
  const wrappedAdvance = cur.uptimeTicks + 2 ** 32 - prev.uptimeTicks;
  if (Math.abs(wrappedAdvance - elapsedTicks) <= toleranceTicks) return { rebooted: false, wrapped: true };
  return { rebooted: true, reason: 'uptime_backwards' };
}

// --------------------------------------------------------------------------------- interfaces

export const COUNTER_NAMES = [
  'inOctets',
  'outOctets',
  'inUcastPkts',
  'outUcastPkts',
  'inErrors',
  'outErrors',
  'inDiscards',
  'outDiscards',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

/** One interface's counters at one monotonic time. */
export interface InterfaceReading {
  atMs: number;
  /** ifName (or ifDescr): a different name under the same ifIndex is a different interface. */
  name: string;
  counters: Partial<Record<CounterName, CounterReading>>;
  /** Line speed in bit/s (ifHighSpeed × 10^6, or ifSpeed); undefined or 0 when unknown. */
  speedBitsPerSecond?: number;
  /** IF-MIB ifCounterDiscontinuityTime (sysUpTime ticks at the last discontinuity), when the agent has it. */
  discontinuityTicks?: number;
  /** sysUpTime (ticks) read in the same answer as the counters: the agent's clock at the reading. */
  agentTicks?: number;
}

export interface InterfaceRates {
  inBitsPerSecond?: number;
  outBitsPerSecond?: number;
  inUtilizationPct?: number;
  outUtilizationPct?: number;
  inUcastPacketsPerSecond?: number;
  outUcastPacketsPerSecond?: number;
  inErrorsPerSecond?: number;
  outErrorsPerSecond?: number;
  inDiscardsPerSecond?: number;
  outDiscardsPerSecond?: number;
}

export type Direction = 'in' | 'out';

export type DiscontinuityReason =
  | 'uptime_backwards'
  | 'uptime_short'
  | 'counter_backwards'
  | 'counter_discontinuity_time'
  | 'interface_replaced';

export type RateOutcome =
  /** Rates for the interval; a direction listed in `glitches` had a rate above line speed and has no rates. */
  | { kind: 'rates'; rates: InterfaceRates; glitches: Direction[]; wrapped: CounterName[]; ambiguous: Direction[] }
  /** No previous reading (first poll, new interface) or no time elapsed: nothing to compare. */
  | { kind: 'baseline' }
  /** The counters were reset or replaced: no rate for this interval. */
  | { kind: 'discontinuity'; reason: DiscontinuityReason; counter?: CounterName };

export interface RateOptions {
  /**
   * Fraction above line speed still accepted as timing error of the two readings (a delayed
   * response stretches a reading); above it a rate is a glitch and discarded.
   */
  glitchTolerance: number;
  /** Shortest interval rates are computed over, ms; shorter (e.g. a re-poll right after a trap) re-baselines. */
  minIntervalMs: number;
}

export const DEFAULT_RATE_OPTIONS: RateOptions = { glitchTolerance: 0.02, minIntervalMs: 1000 };

const PER_SECOND: Record<Exclude<CounterName, 'inOctets' | 'outOctets'>, keyof InterfaceRates> = {
  inUcastPkts: 'inUcastPacketsPerSecond',
  outUcastPkts: 'outUcastPacketsPerSecond',
  inErrors: 'inErrorsPerSecond',
  outErrors: 'outErrorsPerSecond',
  inDiscards: 'inDiscardsPerSecond',
  outDiscards: 'outDiscardsPerSecond',
};

const direction = (c: CounterName): Direction => (c.startsWith('in') ? 'in' : 'out');

/**
 * Time between two readings, ms. The agent's own clock (sysUpTime read with the counters) is
 * preferred: it is free of network delay, of the agent's queue and of our own event-loop lag,
 * which under load can move a local timestamp by a good fraction of a second. It is used only
 * when it agrees with the local clock (within 2 s or 10 %): an agent whose uptime stands still,
 * jumps or wrapped falls back to local time.
 */
export function intervalMs(prev: Pick<InterfaceReading, 'atMs' | 'agentTicks'>, cur: Pick<InterfaceReading, 'atMs' | 'agentTicks'>): number {
  const localMs = cur.atMs - prev.atMs;
  if (prev.agentTicks === undefined || cur.agentTicks === undefined) return localMs;
  const agentMs = (cur.agentTicks - prev.agentTicks) * 10;
  return agentMs > 0 && Math.abs(agentMs - localMs) <= Math.max(2000, localMs * 0.1) ? agentMs : localMs;
}

/** Rates of one interface between two readings (see RateOutcome). */
export function interfaceRates(
  prev: InterfaceReading | undefined,
  cur: InterfaceReading,
  options: RateOptions = DEFAULT_RATE_OPTIONS,
): RateOutcome {
  if (prev === undefined) return { kind: 'baseline' };
  if (prev.name !== cur.name) return { kind: 'discontinuity', reason: 'interface_replaced' };
  if (prev.discontinuityTicks !== undefined && cur.discontinuityTicks !== undefined && prev.discontinuityTicks !== cur.discontinuityTicks)
    return { kind: 'discontinuity', reason: 'counter_discontinuity_time' };
  const elapsedMs = intervalMs(prev, cur);
  if (!(elapsedMs >= options.minIntervalMs)) return { kind: 'baseline' };
  const elapsedS = elapsedMs / 1000;
  const speed = cur.speedBitsPerSecond !== undefined && cur.speedBitsPerSecond > 0 ? cur.speedBitsPerSecond : undefined;
  // Most octets the line can carry in the interval (with the timing tolerance): the bound for wraps and glitches.
  const maxOctets = speed === undefined ? undefined : BigInt(Math.ceil((speed / 8) * elapsedS * (1 + options.glitchTolerance)));

  const deltas: Partial<Record<CounterName, bigint>> = {};
  const wrapped: CounterName[] = [];
  const ambiguous = new Set<Direction>();
  for (const name of COUNTER_NAMES) {
    const a = prev.counters[name];
    const b = cur.counters[name];
    if (a === undefined || b === undefined) continue;
    const isOctets = name === 'inOctets' || name === 'outOctets';
    const d = counterDelta(a, b, isOctets ? maxOctets : undefined);
    if (!d.ok) {
      if (d.reason === 'width_changed') continue; // the agent switched HC ↔ 32-bit: no rate for this counter, no event
      return { kind: 'discontinuity', reason: 'counter_backwards', counter: name };
    }
    // A Counter32 of octets on a line that can move 2^32 octets in the interval may have wrapped
    // more than once: its delta cannot be known, so that direction gets no rate.
    if (isOctets && b.width === 32 && maxOctets !== undefined && maxOctets >= TWO_32) ambiguous.add(direction(name));
    deltas[name] = d.delta;
    if (d.wrapped) wrapped.push(name);
  }

  const rates: InterfaceRates = {};
  const glitches: Direction[] = [];
  for (const dir of ['in', 'out'] as const) {
    if (ambiguous.has(dir)) continue;
    const octets = deltas[dir === 'in' ? 'inOctets' : 'outOctets'];
    if (octets !== undefined) {
      const bps = (Number(octets) * 8) / elapsedS;
      if (speed !== undefined && bps > speed * (1 + options.glitchTolerance)) {
        glitches.push(dir);
        continue; // the whole direction is suspect: keep none of its rates
      }
      rates[dir === 'in' ? 'inBitsPerSecond' : 'outBitsPerSecond'] = bps;
      if (speed !== undefined) rates[dir === 'in' ? 'inUtilizationPct' : 'outUtilizationPct'] = (bps / speed) * 100;
    }
    for (const [counter, rateName] of Object.entries(PER_SECOND) as [CounterName, keyof InterfaceRates][]) {
      const d = deltas[counter];
      if (d !== undefined && direction(counter) === dir) rates[rateName] = Number(d) / elapsedS;
    }
  }
  return { kind: 'rates', rates, glitches, wrapped, ambiguous: [...ambiguous] };
}

// ------------------------------------------------------------------------------------- device

export interface DeviceReading {
  atMs: number;
  uptimeTicks?: number;
  interfaces: ReadonlyMap<number, InterfaceReading>;
}

export interface DeviceRates {
  /** Set when the agent restarted: no interface has rates this interval. */
  reboot?: 'uptime_backwards' | 'uptime_short';
  interfaces: Map<number, RateOutcome>;
}

/** Rates of every interface of a device between two polls, with the reboot check first. */
export function deviceRates(prev: DeviceReading | undefined, cur: DeviceReading, options: RateOptions = DEFAULT_RATE_OPTIONS): DeviceRates {
  const out: DeviceRates = { interfaces: new Map() };
  if (prev !== undefined && prev.uptimeTicks !== undefined && cur.uptimeTicks !== undefined) {
    const verdict = uptimeVerdict({ atMs: prev.atMs, uptimeTicks: prev.uptimeTicks }, { atMs: cur.atMs, uptimeTicks: cur.uptimeTicks });
    if (verdict.rebooted) {
      out.reboot = verdict.reason;
      for (const ifIndex of cur.interfaces.keys()) out.interfaces.set(ifIndex, { kind: 'discontinuity', reason: verdict.reason });
      return out;
    }
  }
  for (const [ifIndex, reading] of cur.interfaces) out.interfaces.set(ifIndex, interfaceRates(prev?.interfaces.get(ifIndex), reading, options));
  return out;
}
