// Runs periodic jobs (an ICMP round per group, later SNMP polls) on a fixed grid: rounds of one job
// never overlap (a tick that finds the previous round still running is an overrun: counted, logged
// and skipped), first starts are jittered so jobs spread out, and stop() awaits running rounds up
// to a cap, then aborts them.
//
// Timers, not node-cron: intervals here are seconds or fractions of one (5 s, 0.5 s in tests) and
// need not divide a minute (7 s), which a cron expression cannot say; node-cron's noOverlap
// would also skip silently, where we must count and log the skip. A drift-free grid
// (start + k·interval) keeps rounds evenly spaced however long each one takes. Cron stays the
// right tool for wall-clock schedules in config.timezone (reports at 07:00), which is not this.
import type { Logger } from '../util/log.js';

export interface JobContext {
  /** Aborted when the scheduler stops and the round outlives the stop cap. */
  signal: AbortSignal;
  /** 1 for the first round of the job. */
  round: number;
  /** When the round was due on the grid, ms since the epoch. */
  scheduledMs: number;
}

export interface JobDefinition {
  /** Unique name, used in logs and self-metrics (e.g. "icmp/5s-3x-1000ms"). */
  name: string;
  intervalMs: number;
  /** First start is delayed by a random 0…startJitterMs (default: min(interval, DEFAULT_SCHEDULER.maxStartJitterMs)). */
  startJitterMs?: number;
  run(ctx: JobContext): Promise<void>;
}

export interface JobStats {
  name: string;
  intervalMs: number;
  /** Rounds that completed without error. */
  rounds: number;
  /** Rounds whose run() threw or rejected. */
  failures: number;
  /** Ticks skipped because the previous round was still running. */
  overruns: number;
  /** Ticks skipped because the process itself was stalled past them (event loop blocked, suspend). */
  missedTicks: number;
  /** Rounds aborted by stop(). */
  aborted: number;
  running: boolean;
  lastDurationMs: number;
  maxDurationMs: number;
  totalDurationMs: number;
  /** Start of the last round, ms since the epoch (0 before the first). */
  lastStartMs: number;
}

/** The timer functions the scheduler uses; unit tests pass a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerOptions {
  clock: Clock;
  /** Uniform in [0, 1); replaceable for tests. */
  random: () => number;
  /** Cap on the default start jitter, ms. */
  maxStartJitterMs: number;
  /** How long stop() waits for running rounds before aborting them, ms. */
  stopTimeoutMs: number;
  /** How long stop() then waits for aborted rounds to wind down, ms. */
  abortGraceMs: number;
}

export const DEFAULT_SCHEDULER: SchedulerOptions = {
  clock: SYSTEM_CLOCK,
  random: Math.random,
  maxStartJitterMs: 10_000,
  stopTimeoutMs: 4_000,
  abortGraceMs: 1_000,
};

interface Job {
  def: JobDefinition;
  stats: JobStats;
  /** Grid origin: the first tick; tick k is at firstMs + k·interval. */
  firstMs: number;
  nextTick: number;
  timer: unknown;
  removed?: boolean;
  running?: { promise: Promise<void>; controller: AbortController };
}

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #log: Logger | undefined;
  readonly #jobs = new Map<string, Job>();
  #started = false;
  #stopping = false;

  constructor(log?: Logger, options: Partial<SchedulerOptions> = {}) {
    this.#opts = { ...DEFAULT_SCHEDULER, ...options };
    this.#log = log;
  }

  /** Add a job; it starts with the scheduler (or at once, jittered, if the scheduler runs). */
  add(def: JobDefinition): void {
    if (this.#stopping) throw new Error('scheduler is stopping');
    if (this.#jobs.has(def.name)) throw new Error(`job "${def.name}" already exists`);
    if (!(def.intervalMs > 0)) throw new RangeError(`job "${def.name}": interval must be > 0 ms`);
    const job: Job = {
      def,
      firstMs: 0,
      nextTick: 0,
      timer: undefined,
      stats: { name: def.name, intervalMs: def.intervalMs, rounds: 0, failures: 0, overruns: 0, missedTicks: 0, aborted: 0, running: false, lastDurationMs: 0, maxDurationMs: 0, totalDurationMs: 0, lastStartMs: 0 },
    };
    this.#jobs.set(def.name, job);
    if (this.#started) this.#arm(job);
  }

  /** Remove a job (a reload dropped it): no more rounds; resolves once its running round ends. */
  async remove(name: string): Promise<void> {
    const job = this.#jobs.get(name);
    if (!job) return;
    this.#jobs.delete(name);
    this.#opts.clock.clearTimeout(job.timer);
    job.removed = true;
    await job.running?.promise;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const job of this.#jobs.values()) this.#arm(job);
  }

  /** Copies of every job's figures, for logs and /metrics. */
  stats(): JobStats[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.stats, running: j.running !== undefined }));
  }

  /**
   * No new rounds; wait up to stopTimeoutMs for running ones, then abort them and wait up to
   * abortGraceMs more. Resolves with the names of jobs still running after that (normally none).
   */
  async stop(): Promise<string[]> {
    this.#stopping = true;
    for (const job of this.#jobs.values()) this.#opts.clock.clearTimeout(job.timer);
    const running = () => [...this.#jobs.values()].filter((j) => j.running !== undefined);
    if (running().length === 0) return [];
    await this.#settle(running(), this.#opts.stopTimeoutMs);
    const late = running();
    for (const job of late) {
      this.#log?.warn({ event: 'round_aborted', job: job.def.name, stop_timeout_ms: this.#opts.stopTimeoutMs }, 'round still running at stop: aborted');
      job.running?.controller.abort(new Error('scheduler stopped'));
    }
    if (late.length) await this.#settle(late, this.#opts.abortGraceMs);
    return running().map((j) => j.def.name);
  }

  #settle(jobs: Job[], capMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.#opts.clock.setTimeout(resolve, capMs);
      // Round promises never reject (#runRound catches), so allSettled is only belt and braces.
      void Promise.allSettled(jobs.map((j) => j.running?.promise)).then(() => {
        this.#opts.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  #arm(job: Job): void {
    const jitterCap = job.def.startJitterMs ?? Math.min(job.def.intervalMs, this.#opts.maxStartJitterMs);
    const delay = Math.floor(this.#opts.random() * Math.max(0, jitterCap));
    job.firstMs = this.#opts.clock.now() + delay;
    job.nextTick = 0;
    job.timer = this.#opts.clock.setTimeout(() => this.#tick(job), delay);
  }

  #tick(job: Job): void {
    if (this.#stopping || job.removed) return;
    const { clock } = this.#opts;
    const now = clock.now();
    const interval = job.def.intervalMs;
    const scheduledMs = job.firstMs + job.nextTick * interval;
    if (job.running) {
      job.stats.overruns++;
      this.#log?.warn(
        { event: 'round_overrun', job: job.def.name, interval_ms: interval, running_for_ms: now - job.stats.lastStartMs, overruns: job.stats.overruns },
        'previous round still running: this round is skipped',
      );
    } else {
      this.#runRound(job, scheduledMs);
    }
    // Next grid point strictly after now; grid points the process slept through are missed ticks.
    let k = job.nextTick + 1;
    const due = Math.floor((now - job.firstMs) / interval) + 1;
    if (due > k) {
      job.stats.missedTicks += due - k;
      this.#log?.warn({ event: 'ticks_missed', job: job.def.name, missed: due - k }, 'process stalled past scheduled rounds');
      k = due;
    }
    job.nextTick = k;
    job.timer = clock.setTimeout(() => this.#tick(job), Math.max(0, job.firstMs + k * interval - now));
  }

  #runRound(job: Job, scheduledMs: number): void {
    const { clock } = this.#opts;
    const controller = new AbortController();
    const startMs = clock.now();
    const round = job.stats.rounds + job.stats.failures + job.stats.aborted + 1;
    job.stats.lastStartMs = startMs;
    const promise = (async () => {
      try {
        await job.def.run({ signal: controller.signal, round, scheduledMs });
        job.stats.rounds++;
      } catch (err) {
        if (controller.signal.aborted) {
          job.stats.aborted++;
        } else {
          job.stats.failures++;
          this.#log?.error({ event: 'round_failed', job: job.def.name, err }, 'round failed');
        }
      } finally {
        const durationMs = clock.now() - startMs;
        job.stats.lastDurationMs = durationMs;
        job.stats.maxDurationMs = Math.max(job.stats.maxDurationMs, durationMs);
        job.stats.totalDurationMs += durationMs;
        job.running = undefined;
      }
    })();
    job.running = { promise, controller };
  }
}
