// runProcess: argument arrays reach the program verbatim (no shell), stdin is delivered, and the
// failure modes (missing program, deadline, abort, a child that ignores its stdin) are reported,
// not thrown. Uses coreutils programs.
import t from 'tap';
import { runProcess } from '../../src/util/run-process.js';

t.test('arguments verbatim, stdin delivered, output collected', async (t) => {
  const echo = await runProcess('/bin/echo', ['$(id)', ';', '`id`', '|', '-f/etc/passwd']);
  t.equal(echo.stdout, '$(id) ; `id` | -f/etc/passwd\n', 'no shell interpreted anything');
  t.equal(echo.code, 0);
  const cat = await runProcess('/bin/cat', [], { stdin: 'a\nb\n' });
  t.equal(cat.stdout, 'a\nb\n');
  const err = await runProcess('/bin/ls', ['/nonexistent-netcov']);
  t.not(err.code, 0);
  t.match(err.stderr, /nonexistent-netcov/);
});

t.test('a missing program is a result, not an exception', async (t) => {
  const r = await runProcess('/nonexistent/program', [], { stdin: 'x\n' });
  t.equal(r.code, null);
  t.match(r.spawnError?.message, /ENOENT/);
});

t.test('a child that exits without reading a large stdin (EPIPE) is reported normally', async (t) => {
  const r = await runProcess('/bin/true', [], { stdin: 'x'.repeat(4 * 1024 * 1024) });
  t.equal(r.code, 0);
});

t.test('deadline kills the child; abort kills it and rejects', async (t) => {
  const started = Date.now();
  const late = await runProcess('/bin/sleep', ['5'], { deadlineMs: 100 });
  t.equal(late.timedOut, true);
  t.equal(late.exitSignal, 'SIGKILL');
  t.ok(Date.now() - started < 3000);
  const c = new AbortController();
  setTimeout(() => c.abort(new Error('stopping')), 50);
  await t.rejects(runProcess('/bin/sleep', ['5'], { signal: c.signal }), { message: 'stopping' });
  await t.rejects(runProcess('/bin/sleep', ['5'], { signal: AbortSignal.abort(new Error('already')) }), { message: 'already' });
});
