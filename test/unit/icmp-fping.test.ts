// fping backend: argument list, and parsing of captured real fping 5.1 output (test/fixtures/fping,
// captured on loopback with nftables dropping all / half of the echoes to two addresses) plus
// nasty variants written by hand.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fpingArgs, fpingResults, parseFpingOutput } from '../../src/probes/icmp/fping.js';
import type { RunResult } from '../../src/util/run-process.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/fping/${name}`, import.meta.url), 'utf8');
const run = (over: Partial<RunResult>): RunResult => ({ stdout: '', stderr: '', code: 0, exitSignal: null, timedOut: false, ...over });

t.test('arguments: count mode, quiet, explicit timeout, targets from stdin, one family', async (t) => {
  t.same(fpingArgs({ count: 3, periodMs: 200, timeoutMs: 1000, sendIntervalMs: 1 }, 4), ['-4', '-C', '3', '-q', '-p', '200', '-t', '1000', '-i', '1', '-B', '1', '-r', '0', '-f', '-']);
  t.equal(fpingArgs({ count: 1, periodMs: 10, timeoutMs: 10, sendIntervalMs: 2 }, 6)[0], '-6');
});

t.test('captured output: alive, half lost, all lost, a repeated target, a missing IPv6 literal', async (t) => {
  const targets = ['127.66.9.7', '127.66.9.8', '127.66.9.9', '::1'];
  const r = run({ stderr: fixture('mixed.stderr'), stdout: fixture('mixed.stdout'), code: 2 });
  const { results, parse } = fpingResults(targets, r, 5, 5000);
  t.same(results.get('127.66.9.7'), { echoes: [0.055, 0.052, 0.058, 0.054, 0.054], resultCode: 0 }, 'first line of a repeated target wins');
  t.same(results.get('127.66.9.8'), { echoes: [0.013, null, null, null, 0.011], resultCode: 0 });
  t.same(results.get('127.66.9.9'), { echoes: [null, null, null, null, null], resultCode: 0 }, 'all lost is still a probe that ran');
  t.equal(results.get('::1')?.resultCode, 2, 'an IP literal fping did not report is an error, not an unknown host');
  t.match(results.get('::1')?.error, /status 2/);
  t.same(parse.duplicates, ['127.66.9.7']);
  t.same(parse.stray, []);
});

t.test('captured IPv6 output', async (t) => {
  const { echoes } = parseFpingOutput([fixture('ipv6.stderr'), fixture('ipv6.stdout')], ['::1']);
  t.same(echoes.get('::1'), [0.085, 0.047, 0.049]);
});

t.test('nasty variants', async (t) => {
  const text = [
    '',
    '   ',
    'fping: warning: something odd',
    'ICMP Host Unreachable from 127.0.0.1 for ICMP Echo sent to 127.66.1.2',
    '127.66.1.1 : duplicate for [0], 64 bytes, 0.05 ms',
    '127.66.1.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.01/0.02/0.03',
    '127.66.1.1 :   0.05   -   1234.5  \r',
    '127.66.1.3 : 0.1 0.2 0.3',
    'host.example : - - -',
    '127.66.1.2 : 0.1 abc 0.3',
    '127.66.1.2: 0.1 0.2 0.3',
    ': 1 2 3',
    'garbage without colon',
  ].join('\n');
  const { echoes, stray, duplicates } = parseFpingOutput([text], ['127.66.1.1', '127.66.1.2', 'host.example']);
  t.same(echoes.get('127.66.1.1'), [0.05, null, 1234.5], 'CR, extra spaces and big RTTs handled');
  t.same(echoes.get('host.example'), [null, null, null]);
  t.notOk(echoes.has('127.66.1.2'), 'a line with a non-number token or no space before the colon is not a summary');
  t.notOk(echoes.has('127.66.1.3'), 'a target that was not asked for is ignored');
  t.equal(stray.length, 9);
  t.same(duplicates, []);
});

t.test('summaries on stdout are accepted too (older fping versions)', async (t) => {
  const { echoes } = parseFpingOutput(['', '127.0.0.1 : 0.1 0.2\n'], ['127.0.0.1']);
  t.same(echoes.get('127.0.0.1'), [0.1, 0.2]);
});

t.test('missing targets: unknown host names (status 2), failures of the whole process', async (t) => {
  const lines = '127.66.1.1 : 0.1 0.2 0.3\n';
  const unknown = fpingResults(['127.66.1.1', 'gone.example', '127.66.1.9'], run({ stderr: lines, code: 2 }), 3, 1000).results;
  t.same(unknown.get('127.66.1.1'), { echoes: [0.1, 0.2, 0.3], resultCode: 0 });
  t.same(unknown.get('gone.example'), { echoes: [], resultCode: 1, error: 'unknown host gone.example' });
  t.equal(unknown.get('127.66.1.9')?.resultCode, 2);

  const perm = fpingResults(['127.66.1.1', 'a.example'], run({ stderr: 'fping: can\'t create socket (must run as root?)\n', code: 4 }), 3, 1000).results;
  t.same(perm.get('a.example'), { echoes: [], resultCode: 2, error: "fping exited with status 4: fping: can't create socket (must run as root?)" });

  const spawnError = fpingResults(['127.66.1.1'], run({ code: null, spawnError: new Error('spawn /x ENOENT') }), 3, 1000).results;
  t.match(spawnError.get('127.66.1.1'), { resultCode: 2, error: /could not be started: spawn \/x ENOENT/ });

  const timedOut = fpingResults(['127.66.1.1'], run({ code: null, exitSignal: 'SIGKILL', timedOut: true }), 3, 1234).results;
  t.match(timedOut.get('127.66.1.1'), { resultCode: 2, error: 'fping did not finish within 1234 ms' });

  const killed = fpingResults(['127.66.1.1'], run({ code: null, exitSignal: 'SIGSEGV' }), 3, 1000).results;
  t.match(killed.get('127.66.1.1'), { resultCode: 2, error: 'fping killed by SIGSEGV' });
});

t.test('a summary with another number of echoes than asked is kept and flagged', async (t) => {
  const { results } = fpingResults(['127.66.1.1'], run({ stderr: '127.66.1.1 : 0.1 -\n', code: 1 }), 3, 1000);
  t.same(results.get('127.66.1.1'), { echoes: [0.1, null], resultCode: 0, error: 'fping reported 2 echoes, 3 requested' });
});
