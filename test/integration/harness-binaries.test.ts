// Proves the missing-binary policy shared by every harness helper: with CI=true a test whose
// service binary is absent FAILS naming the binary; otherwise it is skipped with the reason.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { findBinary, requireBinary } from '../helpers/binaries.js';

const FIXTURE = fileURLToPath(new URL('../helpers/missing-binary-fixture.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runFixture(ci: boolean): Promise<{ code: number | null; out: string }> {
  // A clean environment: without tap's own variables the child reports like a standalone test.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TAP|_TAPJS|NODE_V8_COVERAGE|CI$)/.test(k)),
  );
  if (ci) env.CI = 'true';
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', FIXTURE],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

// tap queues and awaits its subtests itself, so their promises are deliberately not awaited.
void t.test('findBinary finds sbin daemons and not nonsense', async (t) => {
  t.equal(findBinary('netcov-no-such-binary'), undefined);
  t.match(findBinary('sh') ?? '', /\/sh$/, 'finds sh');
  t.equal(requireBinary(t, 'sh'), findBinary('sh'), 'requireBinary returns the path when present');
});

void t.test('CI=true: a missing binary fails the test, naming it', async (t) => {
  const { code, out } = await runFixture(true);
  t.not(code, 0, 'exit status is non-zero');
  t.match(out, /not ok \d+ - required binary missing in CI: 'netcov-no-such-binary'/);
});

void t.test('without CI: a missing binary skips the test with the reason', async (t) => {
  const { code, out } = await runFixture(false);
  if (code !== 0) t.comment(out);
  t.equal(code, 0, 'exit status 0');
  t.match(out, /# SKIP skipped: 'netcov-no-such-binary' not found on PATH/);
  t.notMatch(out, /not ok/);
});
