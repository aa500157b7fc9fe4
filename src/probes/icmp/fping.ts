// fping backend: one fping process per round (per address family) for all targets, targets on
// stdin, `-C N -q` summaries parsed into echoes per target. fping does the timing in C, so a round
// of thousands of targets costs netcov one spawn and one parse.
import { isIP } from 'node:net';
import { assertSafeTarget } from '../../inventory/address.js';
import { runProcess, type RunResult } from '../../util/run-process.js';
import type { Echo } from './stats.js';
import { expectedRoundMs, type EchoSettings, type Pinger, type TargetEchoes } from './types.js';

/**
 * Arguments of one fping round (fping 5.1). Targets come on stdin (`-f -`), never argv.
 * - `-C N -q`: N echoes per target, one summary line per target at the end, no per-echo output;
 * - `-p`, `-t`: period and per-echo timeout (in count mode the timeout otherwise defaults to the
 *   period), `-i`: pace between any two requests;
 * - `-B 1 -r 0`: no retries or back-off (they only apply outside count mode; stated so a future
 *   change of mode cannot silently add echoes);
 * - `-4`/`-6`: one family per process, so a host name resolves the way the round expects.
 */
export function fpingArgs(s: EchoSettings, family: 4 | 6): string[] {
  return [
    `-${family}`,
    '-C', String(s.count),
    '-q',
    '-p', String(s.periodMs),
    '-t', String(s.timeoutMs),
    '-i', String(s.sendIntervalMs),
    '-B', '1',
    '-r', '0',
    '-f', '-',
  ];
}

export interface FpingParse {
  /** Echoes per target named in the output (only targets that were asked for). */
  echoes: Map<string, Echo[]>;
  /** Targets with more than one summary line (the first line is kept). */
  duplicates: string[];
  /** Lines that are not a summary of a requested target (warnings, ICMP errors, noise). */
  stray: string[];
}

// "127.66.0.1 : 0.05 - 0.04": a target, a colon, then one token per echo ("-" = lost).
const SUMMARY = /^(\S+)\s+:\s+(.+)$/;
const RTT = /^\d+(?:\.\d+)?$/;

/** Parse fping `-C N -q` output (stderr, and stdout for safety) for the requested targets. Pure. */
export function parseFpingOutput(texts: readonly string[], targets: Iterable<string>): FpingParse {
  const wanted = new Set(targets);
  const echoes = new Map<string, Echo[]>();
  const duplicates: string[] = [];
  const stray: string[] = [];
  for (const text of texts) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '') continue;
      const m = SUMMARY.exec(line);
      const tokens = m ? m[2]!.trim().split(/\s+/) : [];
      if (!m || !wanted.has(m[1]!) || !tokens.every((t) => t === '-' || RTT.test(t))) {
        stray.push(line);
        continue;
      }
      const target = m[1]!;
      if (echoes.has(target)) {
        duplicates.push(target);
        continue;
      }
      echoes.set(target, tokens.map((t) => (t === '-' ? null : Number(t))));
    }
  }
  return { echoes, duplicates, stray };
}

/** Why fping's run says nothing usable about a target missing from its output. */
function missingReason(run: RunResult, deadlineMs: number): string {
  if (run.spawnError) return `fping could not be started: ${run.spawnError.message}`;
  if (run.timedOut) return `fping did not finish within ${deadlineMs} ms`;
  if (run.exitSignal) return `fping killed by ${run.exitSignal}`;
  const lastLine = run.stderr.trim().split('\n').filter((l) => !SUMMARY.test(l)).pop();
  return `fping exited with status ${String(run.code)}${lastLine ? `: ${lastLine}` : ''}`;
}

/** Results of one fping run for `targets`, given what the process did. Pure. */
export function fpingResults(targets: readonly string[], run: RunResult, count: number, deadlineMs: number): { results: Map<string, TargetEchoes>; parse: FpingParse } {
  const parse = parseFpingOutput([run.stderr, run.stdout], targets);
  const results = new Map<string, TargetEchoes>();
  // Exit status 2 is "some address not found": targets then missing were not resolved. 0 and 1
  // (some unreachable) are normal; anything else (3 bad arguments, 4 system call failure, a
  // signal, a timeout) means the round did not happen for whatever is missing.
  const resolvedAll = run.code === 0 || run.code === 1 || run.code === 2;
  for (const target of targets) {
    const echoes = parse.echoes.get(target);
    if (echoes) {
      if (echoes.length !== count) {
        results.set(target, { echoes, resultCode: 0, error: `fping reported ${echoes.length} echoes, ${count} requested` });
      } else {
        results.set(target, { echoes, resultCode: 0 });
      }
    } else if (resolvedAll && run.code === 2 && isIP(target) === 0) {
      results.set(target, { echoes: [], resultCode: 1, error: `unknown host ${target}` });
    } else {
      results.set(target, { echoes: [], resultCode: 2, error: missingReason(run, deadlineMs) });
    }
  }
  return { results, parse };
}

export interface FpingOptions {
  /** Absolute path of fping. */
  path: string;
  /** Called with what the parser set aside, for a debug log. */
  onParseIssues?: (issues: { duplicates: string[]; stray: string[]; exitCode: number | null }) => void;
}

/** A Pinger running fping; every address is re-validated before anything is spawned. */
export function createFpingPinger(options: FpingOptions): Pinger {
  return {
    backend: 'fping',
    async ping(addresses, settings, signal) {
      for (const a of addresses) assertSafeTarget(a);
      const byFamily: Record<4 | 6, string[]> = { 4: [], 6: [] };
      for (const a of new Set(addresses)) byFamily[isIP(a) === 6 ? 6 : 4].push(a);
      const out = new Map<string, TargetEchoes>();
      await Promise.all(
        ([4, 6] as const).filter((f) => byFamily[f].length > 0).map(async (family) => {
          const targets = byFamily[family];
          // Twice the expected duration plus a margin: generous, since a killed fping loses the
          // whole round, yet it bounds a hung process.
          const deadlineMs = 2 * expectedRoundMs(targets.length, settings) + 2000;
          const run = await runProcess(options.path, fpingArgs(settings, family), {
            stdin: `${targets.join('\n')}\n`,
            deadlineMs,
            ...(signal ? { signal } : {}),
          });
          const { results, parse } = fpingResults(targets, run, settings.count, deadlineMs);
          if (parse.duplicates.length || parse.stray.length) options.onParseIssues?.({ duplicates: parse.duplicates, stray: parse.stray, exitCode: run.code });
          for (const [k, v] of results) out.set(k, v);
        }),
      );
      return out;
    },
  };
}
