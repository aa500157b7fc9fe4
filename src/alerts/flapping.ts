// Flap detection as Nagios does it (base/flapping.c): the weighted percentage of state changes
// over the last 21 results, newer changes weighing more (0.75 → 1.25), with separate start (high)
// and stop (low) thresholds so a borderline object does not flap in and out of FLAPPING itself.

/** Results kept per object, as in Nagios (MAX_STATE_HISTORY_ENTRIES). */
export const FLAP_HISTORY_LENGTH = 21;
const LOW_CURVE = 0.75;
const HIGH_CURVE = 1.25;

export interface FlapOptions {
  /** Start flapping when the weighted change percentage reaches this. */
  highPct: number;
  /** Stop flapping when it falls below this. */
  lowPct: number;
}

/** Nagios' host defaults are 20/5; netcov starts later because a 3-echo round on a lossy link fails outright now and then. */
export const DEFAULT_FLAP_OPTIONS: FlapOptions = { highPct: 30, lowPct: 15 };

export interface FlapState {
  /** Recent results, oldest first: any comparable state code (0 ok / 1 failed, or an oper status). */
  results: number[];
  /** Weighted state-change percentage over `results`, 0–100. */
  percent: number;
  flapping: boolean;
}

export function emptyFlapState(): FlapState {
  return { results: [], percent: 0, flapping: false };
}

/**
 * Weighted percentage of state changes. The denominator is fixed at 20 transitions: a short
 * history counts as one filled with its first state (Nagios fills the history at start-up).
 */
export function percentStateChange(results: readonly number[]): number {
  const transitions = FLAP_HISTORY_LENGTH - 1;
  const offset = transitions - (results.length - 1); // pad the oldest end of a short history
  let weighted = 0;
  for (let i = 1; i < results.length; i++) {
    if (results[i] === results[i - 1]) continue;
    const x = i + offset; // 1 … 20, newest = 20
    weighted += ((x - 1) * (HIGH_CURVE - LOW_CURVE)) / (transitions - 1) + LOW_CURVE;
  }
  return (weighted * 100) / transitions;
}

/** Record one result and re-evaluate flapping with hysteresis. Pure. */
export function recordFlapResult(prev: FlapState, result: number, opts: FlapOptions): FlapState {
  const results = [...prev.results, result].slice(-FLAP_HISTORY_LENGTH);
  const percent = percentStateChange(results);
  const flapping = prev.flapping ? percent >= opts.lowPct : percent >= opts.highPct;
  return { results, percent, flapping };
}
