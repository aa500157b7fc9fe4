// Per-round ICMP statistics for one target, as a pure function of the echoes of the round:
// what fping and the ping fallback both reduce to, so the two backends report the same figures.
import type { IcmpObservation } from '../../observations.js';

/** One echo of a round: its RTT in ms, or null when no reply came back within the timeout. */
export type Echo = number | null;

/** Telegraf's result codes: 0 the probe ran (even with 100% loss), 1 unknown host, 2 ping error. */
export type ResultCode = IcmpObservation['resultCode'];

export type RoundFigures = Omit<IcmpObservation, 'pointId' | 'timeMs'>;

// fping prints µs resolution; arithmetic on such values leaves float noise (0.30000000000000004)
// that would show up in InfluxDB and in tests. Nanoseconds are far below what ICMP can tell apart.
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * Statistics of one round from its echoes, in the order they were sent.
 * - loss counts lost echoes over transmitted ones (100% when nothing was transmitted);
 * - RTT figures cover received echoes only and are absent when none came back;
 * - standard deviation is the population one (as ping and fping print it), 0 for one reply;
 * - jitter is the mean absolute difference of consecutive received RTTs (a lost echo is skipped,
 *   not treated as a gap), absent with fewer than two replies.
 */
export function roundFigures(echoes: readonly Echo[], resultCode: ResultCode = 0): RoundFigures {
  const rtts: number[] = [];
  for (const e of echoes) {
    if (e === null) continue;
    if (!Number.isFinite(e) || e < 0) throw new RangeError(`RTT must be a finite number ≥ 0 ms, got ${String(e)}`);
    rtts.push(e);
  }
  const transmitted = echoes.length;
  const received = rtts.length;
  const figures: RoundFigures = {
    transmitted,
    received,
    percentPacketLoss: transmitted === 0 ? 100 : round6(((transmitted - received) / transmitted) * 100),
    resultCode,
  };
  if (received === 0) return figures;

  const sum = rtts.reduce((a, b) => a + b, 0);
  const mean = sum / received;
  const sorted = [...rtts].sort((a, b) => a - b);
  const mid = Math.floor(received / 2);
  const median = received % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const variance = rtts.reduce((acc, r) => acc + (r - mean) ** 2, 0) / received;

  figures.minimumResponseMs = round6(sorted[0]!);
  figures.averageResponseMs = round6(mean);
  figures.medianResponseMs = round6(median);
  figures.maximumResponseMs = round6(sorted[received - 1]!);
  figures.standardDeviationMs = round6(Math.sqrt(variance));
  if (received >= 2) {
    let diffs = 0;
    for (let i = 1; i < received; i++) diffs += Math.abs(rtts[i]! - rtts[i - 1]!);
    figures.jitterMs = round6(diffs / (received - 1));
  }
  return figures;
}

/** Figures of a round that could not run for a target (unknown host, ping error): nothing sent. */
export function failedRound(resultCode: 1 | 2): RoundFigures {
  return roundFigures([], resultCode);
}
