// The ICMP source as the daemon sees it: one scheduler job per point group, observations published
// on the bus, and on-demand rechecks of given points (after a trap). Per-point probe errors are
// logged when they appear, change or clear, not every round.
import type { Inventory, Point } from '../../inventory/model.js';
import type { IcmpObservation, ObservationBus } from '../../observations.js';
import type { Scheduler } from '../../scheduler/index.js';
import type { Logger } from '../../util/log.js';
import { chooseBackend, groupPoints, probeRound, type IcmpConfig, type IcmpGroup } from './index.js';
import { expectedRoundMs, type Pinger } from './types.js';

export interface IcmpSourceDeps {
  icmp: IcmpConfig;
  inventory: Inventory;
  bus: ObservationBus;
  scheduler: Scheduler;
  log: Logger;
  /** Backend override (tests); default chosen by config.icmp.backend. */
  pinger?: Pinger;
  /** Points to ping (default: every inventory point). */
  points?: readonly Point[];
}

export interface IcmpSource {
  readonly groups: readonly IcmpGroup[];
  /** Choose the backend and add one scheduler job per group. */
  start(): void;
  /** Ping these points now, outside the schedule; coalesces calls while one is running. */
  recheck(pointIds: readonly string[]): Promise<void>;
  /** Names of the scheduler jobs this source added (one per group). */
  readonly jobNames: readonly string[];
  /** Wait for (then abort) a running recheck; rounds belong to the scheduler. */
  stop(): Promise<void>;
}

export function createIcmpSource(deps: IcmpSourceDeps): IcmpSource {
  const { icmp, inventory, bus, scheduler } = deps;
  const log = deps.log.child({ component: 'icmp' });
  const points = deps.points ?? inventory.points;
  const groups = groupPoints(points, icmp);
  let pinger = deps.pinger;
  const lastError = new Map<string, string>();
  const stopController = new AbortController();

  function report(observations: IcmpObservation[], errors: Map<string, string>): void {
    for (const obs of observations) {
      const error = errors.get(obs.pointId);
      const before = lastError.get(obs.pointId);
      if (error === before) continue;
      const point = inventory.point(obs.pointId);
      const where = { point_id: obs.pointId, ...(point ? inventory.unitTags(point.unit) : {}), address: point?.address };
      if (error !== undefined) {
        lastError.set(obs.pointId, error);
        log.warn({ event: 'icmp_target_error', ...where, result_code: obs.resultCode, error }, `ICMP probe problem: ${error}`);
      } else {
        lastError.delete(obs.pointId);
        log.info({ event: 'icmp_target_recovered', ...where }, 'ICMP probe works again');
      }
    }
    bus.emit('icmp', observations);
  }

  async function runGroup(group: IcmpGroup, groupPointsList: readonly Point[], signal: AbortSignal): Promise<void> {
    const timeMs = Date.now();
    const { observations, errors } = await probeRound(pinger!, groupPointsList, group.settings, timeMs, signal);
    const down = observations.filter((o) => o.received === 0).length;
    log.debug({ event: 'icmp_round', group: group.key, points: observations.length, down, duration_ms: Date.now() - timeMs }, 'ICMP round done');
    report(observations, errors);
  }

  // Rechecks: ids that arrive while one runs wait for the next, so a trap storm costs one
  // process at a time, never one per trap.
  let pending = new Set<string>();
  let running: Promise<void> | undefined;

  async function drainRechecks(): Promise<void> {
    while (pending.size && !stopController.signal.aborted) {
      const ids = [...pending];
      pending = new Set();
      const selected = ids.map((id) => inventory.point(id)).filter((p): p is Point => p !== undefined && points.includes(p));
      const unknown = ids.filter((id) => !selected.some((p) => p.id === id));
      if (unknown.length) log.warn({ event: 'recheck_unknown_points', point_ids: unknown }, 'recheck asked for points the ICMP probe does not ping');
      for (const group of groupPoints(selected, icmp)) {
        log.info({ event: 'icmp_recheck', point_ids: group.points.map((p) => p.id) }, 'rechecking points now');
        await runGroup(group, group.points, stopController.signal);
      }
    }
  }

  function recheck(pointIds: readonly string[]): Promise<void> {
    for (const id of pointIds) pending.add(id);
    if (!pinger) return Promise.resolve();
    running ??= drainRechecks().finally(() => {
      running = undefined;
      // Ids added between the loop's last check and this callback would otherwise wait for the
      // next recheck.
      if (pending.size && !stopController.signal.aborted) {
        recheck([]).catch((err: unknown) => log.warn({ event: 'recheck_failed', err }, 'recheck failed'));
      }
    });
    return running;
  }

  const jobName = (g: IcmpGroup) => `icmp/${g.key}`;

  return {
    groups,
    jobNames: groups.map(jobName),
    start() {
      pinger ??= chooseBackend(icmp, log);
      for (const group of groups) {
        const expectedMs = expectedRoundMs(new Set(group.points.map((p) => p.address)).size, group.settings);
        if (expectedMs > group.intervalS * 1000) {
          log.warn({ event: 'icmp_round_too_long', group: group.key, expected_ms: expectedMs, interval_ms: group.intervalS * 1000 }, 'when its targets do not answer, a round of this group lasts longer than its interval and the next round is skipped (raise interval_s, or lower count, period_ms, timeout_ms or send_interval_ms)');
        }
        scheduler.add({ name: jobName(group), intervalMs: group.intervalS * 1000, run: ({ signal }) => runGroup(group, group.points, signal) });
      }
      log.info({ event: 'icmp_started', backend: pinger.backend, points: points.length, groups: groups.map((g) => ({ key: g.key, points: g.points.length })) }, 'ICMP probe started');
    },
    recheck,
    async stop() {
      if (!running) return;
      const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([running.catch(() => undefined), timeout]);
      stopController.abort(new Error('ICMP source stopped'));
      await running?.catch(() => undefined);
    },
  };
}

