// Fallback backend when fping is absent: the `ping` package, which runs the system ping once per
// target (argument array, no shell). Costly (one process per target, ~80× fping's CPU for the
// province), so targets run with bounded concurrency. Its figures arrive as strings ("unknown"
// for a dead host); only its per-reply times and the raw output's summary line are trusted here.
import { isIP } from 'node:net';
import pingPackage from 'ping';
import type { PingConfig, PingResponse } from 'ping';
import { assertSafeTarget } from '../../inventory/address.js';
import type { Echo } from './stats.js';
import type { EchoSettings, Pinger, TargetEchoes } from './types.js';

const SUMMARY = /(\d+) packets transmitted, (\d+) (?:packets )?received/;
const NAME_ERROR = /not known|unknown host|failure in name resolution|no address associated/i;

/** Echoes of one target from a ping package response (iputils output). Pure. */
export function echoesFromPingResponse(res: Pick<PingResponse, 'output' | 'times'>, target: string): TargetEchoes {
  const output = typeof res.output === 'string' ? res.output : '';
  const summary = SUMMARY.exec(output);
  if (!summary) {
    if (NAME_ERROR.test(output)) return { echoes: [], resultCode: 1, error: `unknown host ${target}` };
    const firstLine = output.trim().split('\n')[0] ?? '';
    return { echoes: [], resultCode: 2, error: `ping failed${firstLine && firstLine !== 'unknown' ? `: ${firstLine}` : ''}` };
  }
  const transmitted = Number(summary[1]);
  const received = Number(summary[2]);
  // The package collects a time for every line with three "=" (replies, including duplicates) in
  // output order; drop the "(DUP!)" ones so a duplicated reply is not counted twice.
  const replyLines = output.split('\n').filter((l) => (l.match(/=/g) ?? []).length >= 3);
  const rtts = res.times.filter((t, i) => Number.isFinite(t) && !(replyLines[i] ?? '').includes('DUP!')).slice(0, received);
  const echoes: Echo[] = [...rtts];
  while (echoes.length < transmitted) echoes.push(null);
  return { echoes, resultCode: 0 };
}

/** Arguments for the ping package; iputils accepts fractional seconds for -i and -W. */
export function pingConfig(s: EchoSettings, target: string): PingConfig {
  return {
    numeric: true,
    // false keeps the package from adding its own integer-second "-W"; ours goes in `extra`.
    timeout: false as unknown as number,
    min_reply: s.count,
    v6: isIP(target) === 6,
    extra: ['-i', (s.periodMs / 1000).toFixed(3), '-W', (s.timeoutMs / 1000).toFixed(3)],
  };
}

export interface PingFallbackOptions {
  /** ping processes at once. */
  concurrency: number;
  /** Replaceable for tests; defaults to the package's promise API. */
  probe?: (target: string, config: PingConfig) => Promise<PingResponse>;
}

/** A Pinger running the system ping through the `ping` package, `concurrency` targets at a time. */
export function createPingFallbackPinger(options: PingFallbackOptions): Pinger {
  const probe = options.probe ?? ((target: string, config: PingConfig) => pingPackage.promise.probe(target, config));
  return {
    backend: 'ping',
    async ping(addresses, settings, signal) {
      for (const a of addresses) assertSafeTarget(a);
      const unique = [...new Set(addresses)];
      const out = new Map<string, TargetEchoes>();
      let next = 0;
      const worker = async () => {
        while (next < unique.length && !signal?.aborted) {
          const target = unique[next++]!;
          try {
            out.set(target, echoesFromPingResponse(await probe(target, pingConfig(settings, target)), target));
          } catch (err) {
            out.set(target, { echoes: [], resultCode: 2, error: `ping could not run: ${(err as Error).message}` });
          }
        }
      };
      const all = Promise.all(Array.from({ length: Math.min(options.concurrency, unique.length) }, worker));
      // The package cannot kill its ping processes: on abort the round is discarded at once and
      // running pings finish on their own (bounded by count × period + timeout); workers stop
      // taking targets.
      if (signal) {
        let onAbort: (() => void) | undefined;
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason as Error);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          await Promise.race([all, aborted]);
        } finally {
          signal.removeEventListener('abort', onAbort!);
        }
        // Workers still running after an abort end quietly (they catch their own errors).
        all.catch(() => undefined);
      } else {
        await all;
      }
      signal?.throwIfAborted();
      return out;
    },
  };
}
