// Scheduler: no overlap (overruns counted and logged), a drift-free grid, jittered first starts
// within bounds, missed ticks after a stall, clean stop (await, then abort with a cap). Runs on a
// fake clock so the timings are exact and the test is fast on a loaded CI runner.
import t from 'tap';
import { Scheduler, type Clock, type JobContext } from '../../src/scheduler/index.js';
import { captureLog } from '../helpers/log-capture.js';

/** A manual clock: advance() fires due timers in time order, letting promises settle in between. */
class FakeClock implements Clock {
  nowMs = 1_000_000;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.nowMs;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.#timers.delete(h as number);
  };
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      await flush();
      const next = [...this.#timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.#timers.delete(next[0]);
      this.nowMs = Math.max(this.nowMs, next[1].at); // an overdue timer fires late, never back in time
      next[1].fn();
    }
    this.nowMs = end;
    await flush();
  }
  /** Jump the clock without firing timers, as a blocked event loop would see it. */
  stall(ms: number) {
    this.nowMs += ms;
  }
  get pending() {
    return this.#timers.size;
  }
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function capture() {
  const { log, records } = captureLog('debug');
  return { log, lines: records };
}

/** A job whose rounds take `durationMs` on the fake clock, recording start times. */
function timedJob(clock: FakeClock, durationMs: () => number) {
  const starts: number[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const run = async (ctx: JobContext) => {
    starts.push(clock.now());
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    try {
      await new Promise<void>((resolve, reject) => {
        const h = clock.setTimeout(resolve, durationMs());
        ctx.signal.addEventListener('abort', () => {
          clock.clearTimeout(h);
          reject(ctx.signal.reason as Error);
        });
      });
    } finally {
      concurrent--;
    }
  };
  return { run, starts, get maxConcurrent() { return maxConcurrent; } };
}

t.test('fixed grid, no jitter: rounds start every interval, whatever their duration', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0 });
  const job = timedJob(clock, () => 300);
  s.add({ name: 'a', intervalMs: 1000, run: job.run });
  const t0 = clock.now();
  s.start();
  await clock.advance(4200);
  t.same(job.starts.map((x) => x - t0), [0, 1000, 2000, 3000, 4000]);
  const [st] = s.stats();
  t.equal(st!.rounds, 4, 'the fifth is still running');
  t.equal(st!.running, true);
  t.equal(st!.overruns, 0);
  t.equal(st!.lastDurationMs, 300);
  t.equal(st!.totalDurationMs, 1200);
  const stopping = s.stop();
  await clock.advance(300); // stop awaits the running round on the scheduler's clock
  t.same(await stopping, []);
});

t.test('no overlap: a tick during a long round is an overrun, counted, logged and skipped', async (t) => {
  const clock = new FakeClock();
  const { log, lines } = capture();
  const s = new Scheduler(log, { clock, random: () => 0 });
  const durations = [2500, 100, 100, 100];
  const job = timedJob(clock, () => durations.shift() ?? 100);
  s.add({ name: 'slow', intervalMs: 1000, run: job.run });
  const t0 = clock.now();
  s.start();
  await clock.advance(5500);
  t.same(job.starts.map((x) => x - t0), [0, 3000, 4000, 5000], 'ticks at 1000 and 2000 skipped, the grid kept');
  t.equal(job.maxConcurrent, 1);
  const [st] = s.stats();
  t.equal(st!.overruns, 2);
  t.equal(st!.maxDurationMs, 2500);
  const overrunLogs = lines.filter((l) => l.event === 'round_overrun');
  t.equal(overrunLogs.length, 2);
  t.match(overrunLogs[0], { level: 'warn', job: 'slow', interval_ms: 1000, running_for_ms: 1000, overruns: 1 });
  await s.stop();
});

t.test('failures are counted and logged; the schedule goes on', async (t) => {
  const clock = new FakeClock();
  const { log, lines } = capture();
  const s = new Scheduler(log, { clock, random: () => 0 });
  let n = 0;
  s.add({ name: 'flaky', intervalMs: 100, run: async () => {
    if (++n % 2 === 1) throw new Error(`bad round ${n}`);
  } });
  s.start();
  await clock.advance(350);
  const [st] = s.stats();
  t.equal(n, 4);
  t.equal(st!.failures, 2);
  t.equal(st!.rounds, 2);
  t.equal(lines.filter((l) => l.event === 'round_failed').length, 2);
  await s.stop();
});

t.test('rounds receive their number and the grid time they were due', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0.5 });
  const ctxs: Omit<JobContext, 'signal'>[] = [];
  s.add({ name: 'c', intervalMs: 1000, startJitterMs: 400, run: async ({ round, scheduledMs }) => void ctxs.push({ round, scheduledMs }) });
  const t0 = clock.now();
  s.start();
  await clock.advance(2300);
  t.same(ctxs, [{ round: 1, scheduledMs: t0 + 200 }, { round: 2, scheduledMs: t0 + 1200 }, { round: 3, scheduledMs: t0 + 2200 }]);
  await s.stop();
});

t.test('jitter: first starts spread within [0, jitter), default min(interval, cap)', async (t) => {
  for (const r of [0, 0.25, 0.999999]) {
    const clock = new FakeClock();
    const s = new Scheduler(undefined, { clock, random: () => r, maxStartJitterMs: 3000 });
    const starts: Record<string, number> = {};
    const t0 = clock.now();
    s.add({ name: 'short', intervalMs: 1000, run: async () => void (starts.short ??= clock.now() - t0) });
    s.add({ name: 'long', intervalMs: 60_000, run: async () => void (starts.long ??= clock.now() - t0) });
    s.add({ name: 'explicit', intervalMs: 60_000, startJitterMs: 0, run: async () => void (starts.explicit ??= clock.now() - t0) });
    s.start();
    await clock.advance(3000);
    t.equal(starts.short, Math.floor(r * 1000), `interval bounds the jitter (r=${r})`);
    t.equal(starts.long, Math.floor(r * 3000), `the cap bounds the jitter (r=${r})`);
    t.equal(starts.explicit, 0);
    t.ok(starts.short! < 1000 && starts.long! < 3000);
    await s.stop();
  }
  // With the real random source, many first starts stay within bounds and are not all equal.
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const clock = new FakeClock();
    const s = new Scheduler(undefined, { clock });
    let first = -1;
    const t0 = clock.now();
    s.add({ name: 'x', intervalMs: 500, run: async () => void (first < 0 && (first = clock.now() - t0)) });
    s.start();
    await clock.advance(500);
    t.ok(first >= 0 && first < 500, 'within [0, interval)');
    seen.add(first);
    await s.stop();
  }
  t.ok(seen.size > 10, 'starts are spread');
});

t.test('a stall past several ticks: missed ticks counted, grid resumes', async (t) => {
  const clock = new FakeClock();
  const { log, lines } = capture();
  const s = new Scheduler(log, { clock, random: () => 0 });
  const job = timedJob(clock, () => 10);
  s.add({ name: 'm', intervalMs: 100, run: job.run });
  const t0 = clock.now();
  s.start();
  await clock.advance(50);
  clock.stall(370); // the process was frozen from 50 to 420
  await clock.advance(200);
  t.same(job.starts.map((x) => x - t0), [0, 420, 500, 600]);
  t.equal(s.stats()[0]!.missedTicks, 3, 'ticks at 200, 300, 400');
  t.equal(s.stats()[0]!.overruns, 0);
  t.ok(lines.some((l) => l.event === 'ticks_missed' && l.missed === 3));
  await s.stop();
});

t.test('jobs added while running start too; duplicate names and bad intervals are refused', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0 });
  s.start();
  let ran = 0;
  s.add({ name: 'late', intervalMs: 100, run: async () => void ran++ });
  await clock.advance(250);
  t.equal(ran, 3);
  t.throws(() => s.add({ name: 'late', intervalMs: 100, run: async () => undefined }), /already exists/);
  t.throws(() => s.add({ name: 'zero', intervalMs: 0, run: async () => undefined }), RangeError);
  await s.stop();
  t.throws(() => s.add({ name: 'after', intervalMs: 100, run: async () => undefined }), /stopping/);
});

t.test('clean stop: no new rounds, a running round is awaited', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0, stopTimeoutMs: 1000 });
  const job = timedJob(clock, () => 400);
  s.add({ name: 'a', intervalMs: 1000, run: job.run });
  s.start();
  await clock.advance(100);
  let stopped = false;
  const stopping = s.stop().then((left) => {
    stopped = true;
    return left;
  });
  await clock.advance(200);
  t.notOk(stopped, 'still waiting for the round');
  await clock.advance(200);
  t.ok(stopped);
  t.same(await stopping, []);
  t.equal(s.stats()[0]!.rounds, 1);
  t.equal(s.stats()[0]!.aborted, 0);
  await clock.advance(5000);
  t.equal(job.starts.length, 1, 'nothing runs after stop');
  t.equal(clock.pending, 0, 'no timer left behind');
});

t.test('stop cap: a round outliving it is aborted; one ignoring the abort is reported', async (t) => {
  const clock = new FakeClock();
  const { log, lines } = capture();
  const s = new Scheduler(log, { clock, random: () => 0, stopTimeoutMs: 1000, abortGraceMs: 500 });
  const job = timedJob(clock, () => 60_000);
  s.add({ name: 'hung', intervalMs: 100_000, run: job.run });
  s.add({ name: 'deaf', intervalMs: 100_000, run: () => new Promise<void>(() => undefined) });
  s.start();
  await clock.advance(10);
  let left: string[] | undefined;
  const stopping = s.stop().then((l) => (left = l));
  await clock.advance(999);
  t.equal(left, undefined);
  await clock.advance(600);
  await stopping;
  t.same(left, ['deaf'], 'the round that honours its signal is gone; the other is named');
  const hung = s.stats().find((x) => x.name === 'hung')!;
  t.equal(hung.aborted, 1);
  t.equal(hung.failures, 0, 'an aborted round is not a failure');
  t.equal(lines.filter((l) => l.event === 'round_aborted').length, 2);
});

t.test('stop with nothing running resolves at once', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0 });
  s.add({ name: 'a', intervalMs: 1000, startJitterMs: 500, run: async () => undefined });
  s.start();
  t.same(await s.stop(), []);
  t.equal(clock.pending, 0);
});

t.test('remove: no more rounds of that job, its running round is awaited, others go on', async (t) => {
  const clock = new FakeClock();
  const s = new Scheduler(undefined, { clock, random: () => 0 });
  const a = timedJob(clock, () => 300);
  const b = timedJob(clock, () => 10);
  s.add({ name: 'a', intervalMs: 1000, run: a.run });
  s.add({ name: 'b', intervalMs: 1000, run: b.run });
  s.start();
  await clock.advance(100);
  let removed = false;
  const removing = s.remove('a').then(() => (removed = true));
  await clock.advance(100);
  t.notOk(removed, 'waits for the running round');
  await clock.advance(150);
  await removing;
  t.ok(removed);
  await clock.advance(3000);
  t.equal(a.starts.length, 1);
  t.equal(b.starts.length, 4);
  t.same(s.stats().map((x) => x.name), ['b']);
  await s.remove('no-such-job');
  s.add({ name: 'a', intervalMs: 1000, run: a.run });
  t.same(s.stats().map((x) => x.name), ['b', 'a'], 'the name can be used again');
  await s.stop();
});
