// ONE test suite for every BatchQueue (telegraf's buffer_suite_test.go style): the durable disk
// spool and the memory queue must keep the same contract. Tests that need durability (restart
// replay) run for the implementations that declare it; everything else runs for all.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryQueue, type BatchInput, type BatchQueue } from '../../src/sink/queue.js';
import { DiskSpool, type FsyncPolicy } from '../../src/sink/spool.js';
import { silentLogger } from '../../src/util/log.js';

interface QueueUnderTest {
  queue: BatchQueue;
  /** Simulate a restart: close and open a new queue over the same storage (durable kinds only). */
  reopen?: () => Promise<BatchQueue>;
}

interface Impl {
  name: string;
  durable: boolean;
  create(t: Test, opts: { maxBytes: number }): Promise<QueueUnderTest>;
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-spool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const diskImpl = (fsync: FsyncPolicy): Impl => ({
  name: `disk spool (fsync ${fsync})`,
  durable: true,
  async create(t, { maxBytes }) {
    const dir = join(tempDir(t), 'spool');
    const make = async () => {
      const q = new DiskSpool({ dir, maxBytes, segmentBytes: Math.max(1024, Math.floor(maxBytes / 8)), fsync, fsyncIntervalMs: 20 }, silentLogger());
      await q.open();
      t.teardown(() => q.close());
      return q;
    };
    let queue = await make();
    return {
      queue,
      reopen: async () => {
        await queue.close();
        queue = await make();
        return queue;
      },
    };
  },
});

const IMPLS: Impl[] = [
  {
    name: 'memory queue',
    durable: false,
    async create(_t, { maxBytes }) {
      const queue = new MemoryQueue({ maxBytes }, silentLogger());
      await queue.open();
      return { queue };
    },
  },
  diskImpl('always'),
  diskImpl('interval'),
  diskImpl('never'),
];

const T0 = 1_700_000_000_000;
const BIG = 64 * 1024 * 1024;

/** Batch number `n` with `points` lines; Vietnamese text and a quoted newline inside a string field. */
function batch(n: number, points = 3): BatchInput {
  const lines = Array.from(
    { length: points },
    (_, i) => `ping,point_id=commune-${n},name=UBND\\ xã\\ Ea\\ Tiêu note="dòng ${i}\nhết" ${T0 + n * 1000 + i}`,
  );
  return { payload: lines.join('\n'), points, oldestMs: T0 + n * 1000 };
}

/** Take everything out of the queue, acknowledging each batch, and return the batch numbers. */
async function drain(q: BatchQueue): Promise<BatchInput[]> {
  const out: BatchInput[] = [];
  for (;;) {
    const b = await q.peek();
    if (b === undefined) return out;
    out.push({ payload: b.payload, points: b.points, oldestMs: b.oldestMs });
    if (!(await q.ack(b.id))) throw new Error(`ack of the head ${b.id} returned false`);
  }
}
const numbers = (bs: BatchInput[]) => bs.map((b) => (b.oldestMs - T0) / 1000);

for (const impl of IMPLS) {
  void t.test(impl.name, async (t) => {
    t.test('empty queue', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: BIG });
      t.equal(await queue.peek(), undefined);
      t.match(queue.stats(), { batches: 0, points: 0, oldestMs: undefined, droppedPoints: 0, droppedBatches: 0 });
      t.equal(await queue.ack(12345), false, 'ack of an unknown id');
    });

    t.test('append then peek/ack in order, payloads intact', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: BIG });
      for (let n = 1; n <= 5; n++) t.same(await queue.append(batch(n, n)), { droppedPoints: 0, droppedBatches: 0, rejected: false });
      t.match(queue.stats(), { batches: 5, points: 15, oldestMs: T0 + 1000 });
      const first = await queue.peek();
      t.same(await queue.peek(), first, 'peek without ack returns the same batch');
      t.same({ payload: first?.payload, points: first?.points, oldestMs: first?.oldestMs }, batch(1, 1), 'payload, points and time survive');
      t.ok(queue.has(first?.id ?? -1));
      const got = await drain(queue);
      t.same(numbers(got), [1, 2, 3, 4, 5], 'oldest first');
      t.same(got, [1, 2, 3, 4, 5].map((n) => batch(n, n)), 'every payload byte-identical (UTF-8, newlines)');
      t.match(queue.stats(), { batches: 0, points: 0, oldestMs: undefined });
      t.notOk(queue.has(first?.id ?? -1), 'acked batch is gone');
    });

    t.test('appends while the head is out for delivery keep their place', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: BIG });
      await queue.append(batch(1));
      const head = await queue.peek();
      await queue.append(batch(2));
      await queue.append(batch(3));
      t.equal(await queue.ack(head!.id), true);
      await queue.append(batch(4));
      t.same(numbers(await drain(queue)), [2, 3, 4]);
    });

    t.test('a second ack of the same batch returns false and changes nothing', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: BIG });
      await queue.append(batch(1));
      await queue.append(batch(2));
      const head = await queue.peek();
      await queue.ack(head!.id);
      const second = await queue.peek();
      await queue.append(batch(3));
      t.equal(await queue.ack(head!.id), false, 'double ack: no longer queued');
      t.equal(await queue.ack(second!.id), true);
      t.same(numbers(await drain(queue)), [3]);
    });

    t.test('concurrent appends are stored in call order', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: BIG });
      await Promise.all(Array.from({ length: 20 }, (_, i) => queue.append(batch(i + 1))));
      t.same(numbers(await drain(queue)), Array.from({ length: 20 }, (_, i) => i + 1));
    });

    t.test('full: the OLDEST batches are dropped and counted exactly', async (t) => {
      const one = Buffer.byteLength(batch(1, 10).payload);
      const maxBytes = one * 12; // room for roughly 10 batches with framing
      const { queue } = await impl.create(t, { maxBytes });
      let reportedDrops = 0;
      const appended = 60;
      for (let n = 1; n <= appended; n++) {
        const r = await queue.append(batch(n, 10));
        t.equal(r.rejected, false);
        reportedDrops += r.droppedPoints;
        t.ok(queue.stats().bytes <= maxBytes, `bytes within the cap after batch ${n}`);
      }
      const st = queue.stats();
      t.ok(st.droppedPoints > 0, 'something was dropped');
      t.equal(st.droppedPoints, reportedDrops, 'stats agree with what append reported');
      t.equal(st.droppedPoints, st.droppedBatches * 10);
      t.equal(st.points + st.droppedPoints, appended * 10, 'kept + dropped = appended, exactly');
      const kept = numbers(await drain(queue));
      const firstKept = appended - kept.length + 1;
      t.same(kept, Array.from({ length: kept.length }, (_, i) => firstKept + i), 'what is kept is the newest, without gaps');
      t.equal(st.droppedBatches, firstKept - 1, 'what is dropped is the oldest');
    });

    t.test('a batch larger than the whole queue is refused and counted', async (t) => {
      const { queue } = await impl.create(t, { maxBytes: 1024 });
      const huge = { payload: 'x'.repeat(2048), points: 7, oldestMs: T0 };
      t.same(await queue.append(huge), { droppedPoints: 7, droppedBatches: 1, rejected: true });
      t.match(queue.stats(), { batches: 0, droppedPoints: 7, droppedBatches: 1 });
    });

    t.test('a batch dropped while out for delivery and then accepted is not counted as lost', async (t) => {
      const one = Buffer.byteLength(batch(1, 10).payload);
      const { queue } = await impl.create(t, { maxBytes: one * 6 });
      await queue.append(batch(1, 10));
      const inFlight = await queue.peek();
      let n = 2;
      while (queue.has(inFlight!.id)) await queue.append(batch(n++, 10));
      const dropped = queue.stats().droppedPoints;
      t.ok(dropped >= 10, 'the in-flight batch was dropped with its storage');
      t.equal(await queue.ack(inFlight!.id), false, 'ack says it was no longer queued');
      t.equal(queue.stats().droppedPoints, dropped - 10, 'its 10 points are taken back out of the count');
      t.equal(queue.stats().points + queue.stats().droppedPoints, (n - 1) * 10 - 10, 'kept + dropped = appended - delivered');
    });

    if (!impl.durable) return;

    t.test('restart: everything not acknowledged is replayed in order, nothing acknowledged is', async (t) => {
      const q = await impl.create(t, { maxBytes: BIG });
      for (let n = 1; n <= 6; n++) await q.queue.append(batch(n, n));
      for (let i = 0; i < 2; i++) await q.queue.ack((await q.queue.peek())!.id);
      const reopened = await q.reopen!();
      t.match(reopened.stats(), { batches: 4, points: 3 + 4 + 5 + 6, oldestMs: T0 + 3000 });
      await reopened.append(batch(7, 7));
      t.same(await drain(reopened), [3, 4, 5, 6, 7].map((n) => batch(n, n)), 'replayed, then the new batch');
      const again = await q.reopen!();
      t.equal(again.stats().batches, 0, 'a drained spool stays drained across restarts');
    });

    t.test('restart keeps the drop count of the run that dropped (exact numbers survive in the log)', async (t) => {
      const one = Buffer.byteLength(batch(1, 10).payload);
      const q = await impl.create(t, { maxBytes: one * 12 });
      for (let n = 1; n <= 40; n++) await q.queue.append(batch(n, 10));
      const before = q.queue.stats();
      const reopened = await q.reopen!();
      t.equal(reopened.stats().points, before.points, 'kept points survive the restart');
      t.equal(reopened.stats().droppedPoints, 0, 'drop counters are per process (as Telegraf\'s)');
      const kept = numbers(await drain(reopened));
      t.equal(kept.at(-1), 40);
      t.equal(kept.length * 10 + before.droppedPoints, 400);
    });
  });
}
