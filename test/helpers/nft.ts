// nftables faults for tests: a fresh fault table (src/sim/nft.ts) that is deleted in the test's
// teardown even when the test fails. Without nft or root: CI=true fails the test, elsewhere it
// is skipped with the reason (the same policy as requireBinary).
import type { Test } from 'tap';
import { createFaultTable, deleteStaleFaultTables, nftAvailability, type FaultTable } from '../../src/sim/nft.js';
import { isCi, requireBinary } from './binaries.js';

let staleCleaned = false;

/** A fault table for `t`, or undefined when faults cannot be injected here (then `return`). */
export async function faultTable(t: Test, tag = 'test'): Promise<FaultTable | undefined> {
  if (requireBinary(t, 'nft') === undefined) return undefined;
  const availability = nftAvailability();
  if (!availability.ok) {
    if (isCi()) {
      t.fail(`nftables faults unavailable in CI: ${availability.reason}`);
    } else {
      t.comment(`skipping: ${availability.reason}`);
      if (t.counts.total === 0) t.plan(0, `skipped: ${availability.reason}`);
    }
    return undefined;
  }
  if (!staleCleaned) {
    staleCleaned = true;
    const stale = await deleteStaleFaultTables();
    if (stale.length) t.comment(`deleted fault tables left by dead processes: ${stale.join(', ')}`);
  }
  const table = await createFaultTable({ tag });
  t.teardown(() => table.delete());
  return table;
}
