// The narrow client the ICMP probe reaches the network through: a Pinger sends N echoes to each of
// many addresses and reports the echoes per address. fping and the ping package implement it;
// unit tests replace it.
import type { Echo, ResultCode } from './stats.js';

/** How one round pings its targets. */
export interface EchoSettings {
  /** Echo requests per target. */
  count: number;
  /** Milliseconds between echoes to one target (fping -p). */
  periodMs: number;
  /** Milliseconds to wait for each reply (fping -t). */
  timeoutMs: number;
  /** Milliseconds between any two echo requests of the round (fping -i); the pace across targets. */
  sendIntervalMs: number;
}

/** What a backend saw for one address in one round. */
export interface TargetEchoes {
  /** Echoes in the order sent (null = lost); empty when nothing could be sent. */
  echoes: Echo[];
  resultCode: ResultCode;
  /** Why the result code is not 0 (unknown host, fping exit status …), for the log. */
  error?: string;
}

export interface Pinger {
  readonly backend: 'fping' | 'ping';
  /**
   * Ping every address (already unique and validated by the caller, which validates again here
   * anyway) and resolve with one entry per address. Never rejects for a per-target problem;
   * rejects only when aborted (the round is then discarded) or on a programming error.
   */
  ping(addresses: readonly string[], settings: EchoSettings, signal?: AbortSignal): Promise<Map<string, TargetEchoes>>;
}

/** Longest a round of `targets` addresses should take: the deadline a backend enforces on itself. */
export function expectedRoundMs(targets: number, s: EchoSettings): number {
  // fping sends echo k to every target in one sweep paced by -i, and starts a sweep no sooner
  // than -p after the previous one; the last reply may take the full timeout.
  const sweepMs = targets * s.sendIntervalMs;
  return (s.count - 1) * Math.max(s.periodMs, sweepMs) + sweepMs + s.timeoutMs;
}
