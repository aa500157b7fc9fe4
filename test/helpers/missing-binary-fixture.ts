// Fixture run in a child process by test/integration/harness-binaries.test.ts: a tap test that
// needs a binary which does not exist, so the missing-binary policy can be observed from outside
// (failing the current test cannot be asserted from inside that same test).
import t from 'tap';
import { requireBinary } from './binaries.js';

// tap queues and awaits its subtests itself.
void t.test('needs a missing binary', async (t) => {
  if (requireBinary(t, 'netcov-no-such-binary') === undefined) return;
  t.fail('requireBinary returned a path for a binary that does not exist');
});
