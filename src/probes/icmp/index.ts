// The ICMP probe: picks a backend (fping, else the ping package), groups points by their
// (interval, count, timeout) so each group is one fping process per round, and turns a round's
// echoes into one IcmpObservation per point (points sharing an address share one target).
import type { Config } from '../../config/schema.js';
import { addressProblem } from '../../inventory/address.js';
import type { Point } from '../../inventory/model.js';
import type { IcmpObservation } from '../../observations.js';
import { findExecutable } from '../../util/executable.js';
import type { Logger } from '../../util/log.js';
import { createFpingPinger } from './fping.js';
import { createPingFallbackPinger } from './ping-fallback.js';
import { failedRound, roundFigures } from './stats.js';
import type { EchoSettings, Pinger, TargetEchoes } from './types.js';

export type { EchoSettings, Pinger, TargetEchoes } from './types.js';

export type IcmpConfig = Config['icmp'];

/** Points pinged together: same interval and echo settings. */
export interface IcmpGroup {
  /** Stable name, e.g. "5s-3x-1000ms" (used as the scheduler job name). */
  key: string;
  intervalS: number;
  settings: EchoSettings;
  points: Point[];
}

/** Echo settings of a point: its inventory overrides over the config defaults. */
export function pointSettings(point: Point, icmp: IcmpConfig): { intervalS: number; settings: EchoSettings } {
  return {
    intervalS: point.icmp.intervalS ?? icmp.interval_s,
    settings: {
      count: point.icmp.count ?? icmp.count,
      periodMs: icmp.period_ms,
      timeoutMs: point.icmp.timeoutMs ?? icmp.timeout_ms,
      sendIntervalMs: icmp.send_interval_ms,
    },
  };
}

/** Group points by (interval, count, timeout), largest group first. Pure. */
export function groupPoints(points: readonly Point[], icmp: IcmpConfig): IcmpGroup[] {
  const groups = new Map<string, IcmpGroup>();
  for (const p of points) {
    const { intervalS, settings } = pointSettings(p, icmp);
    const key = `${intervalS}s-${settings.count}x-${settings.timeoutMs}ms`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, intervalS, settings, points: [] }));
    g.points.push(p);
  }
  return [...groups.values()].sort((a, b) => b.points.length - a.points.length || a.key.localeCompare(b.key));
}

/** Thrown when the configured backend cannot run here. */
export class IcmpBackendError extends Error {
  override name = 'IcmpBackendError';
}

/** The backend config.icmp.backend asks for; `auto` takes fping when it is found. */
export function chooseBackend(icmp: IcmpConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): Pinger {
  const fping = icmp.backend === 'ping' ? undefined : findExecutable(icmp.fping_path, env);
  if (fping) {
    log.info({ event: 'icmp_backend', backend: 'fping', path: fping }, 'ICMP backend: fping');
    return createFpingPinger({
      path: fping,
      onParseIssues: (issues) => log.debug({ event: 'fping_output_unparsed', ...issues, stray: issues.stray.slice(0, 5) }, 'fping printed lines that are not summaries'),
    });
  }
  if (icmp.backend === 'fping') throw new IcmpBackendError(`icmp.backend is "fping" but "${icmp.fping_path}" was not found or is not executable (install the Debian package fping)`);
  if (!findExecutable('ping', env)) throw new IcmpBackendError('neither fping nor ping was found: install the Debian package fping (preferred) or iputils-ping');
  const level = icmp.backend === 'auto' ? 'warn' : 'info';
  log[level]({ event: 'icmp_backend', backend: 'ping', concurrency: icmp.ping_concurrency }, icmp.backend === 'auto' ? `fping ("${icmp.fping_path}") not found: falling back to one ping process per target` : 'ICMP backend: ping');
  return createPingFallbackPinger({ concurrency: icmp.ping_concurrency });
}

/**
 * One round for `points` with `settings`: every distinct safe address pinged once, the result
 * fanned out to each point with that address. A point whose address is unsafe (the inventory
 * should have refused it) is never handed to the backend and reports result code 2.
 */
export async function probeRound(pinger: Pinger, points: readonly Point[], settings: EchoSettings, timeMs: number, signal?: AbortSignal): Promise<{ observations: IcmpObservation[]; errors: Map<string, string> }> {
  const safe = [...new Set(points.map((p) => p.address))].filter((a) => addressProblem(a) === undefined);
  const results: Map<string, TargetEchoes> = safe.length ? await pinger.ping(safe, settings, signal) : new Map();
  const observations: IcmpObservation[] = [];
  const errors = new Map<string, string>();
  for (const p of points) {
    const problem = addressProblem(p.address);
    const r: TargetEchoes = problem ? { echoes: [], resultCode: 2, error: `refused: ${problem}` } : (results.get(p.address) ?? { echoes: [], resultCode: 2, error: `${pinger.backend} returned no result` });
    const figures = r.resultCode === 0 ? roundFigures(r.echoes, 0) : failedRound(r.resultCode);
    observations.push({ pointId: p.id, timeMs, ...figures });
    if (r.error) errors.set(p.id, r.error);
  }
  return { observations, errors };
}
