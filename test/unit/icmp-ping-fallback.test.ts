// ping-package backend: reading its responses (captured real iputils output in test/fixtures/ping),
// its arguments, bounded concurrency and abort. The package's probe function is replaced by a
// test double here only; test/integration/icmp-faults.test.ts runs the real one.
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { PingConfig, PingResponse } from 'ping';
import { createPingFallbackPinger, echoesFromPingResponse, pingConfig } from '../../src/probes/icmp/ping-fallback.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ping/${name}`, import.meta.url), 'utf8');
const settings = { count: 3, periodMs: 200, timeoutMs: 500, sendIntervalMs: 1 };

/** What the package returns for an output: times from lines with three "=", strings elsewhere. */
function response(output: string): PingResponse {
  const times = output.split('\n').filter((l) => (l.match(/=/g) ?? []).length >= 3).map((l) => Number(/([0-9.]+) *ms/.exec(l)?.[1]));
  return { inputHost: 'x', host: 'x', alive: times.length > 0, output, time: times[0] ?? 'unknown', times, min: 'unknown', max: 'unknown', avg: 'unknown', stddev: 'unknown', packetLoss: 'unknown' } as PingResponse;
}

t.test('captured outputs: alive, dead, partial loss', async (t) => {
  t.same(echoesFromPingResponse(response(fixture('alive.txt')), '127.66.9.7'), { echoes: [0.019, 0.042, 0.047], resultCode: 0 });
  t.same(echoesFromPingResponse(response(fixture('dead.txt')), '127.66.9.9'), { echoes: [null, null, null], resultCode: 0 });
  t.same(echoesFromPingResponse(response(fixture('partial.txt')), '127.66.9.8'), { echoes: [0.048, 0.042, null, null, null, null], resultCode: 0 });
});

t.test('duplicate replies are not counted twice', async (t) => {
  const out = [
    'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.',
    '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.030 ms',
    '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.090 ms (DUP!)',
    '64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.040 ms',
    '',
    '--- 127.0.0.1 ping statistics ---',
    '2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 201ms',
  ].join('\n');
  t.same(echoesFromPingResponse(response(out), '127.0.0.1').echoes, [0.03, 0.04]);
});

t.test('unknown host and other failures (the package says "unknown")', async (t) => {
  t.same(echoesFromPingResponse(response('ping: gone.example: Name or service not known\n'), 'gone.example'), { echoes: [], resultCode: 1, error: 'unknown host gone.example' });
  t.same(echoesFromPingResponse(response('ping: gone.example: Temporary failure in name resolution\n'), 'gone.example').resultCode, 1);
  t.same(echoesFromPingResponse(response('ping: socket: Operation not permitted\n'), '127.0.0.1'), { echoes: [], resultCode: 2, error: 'ping failed: ping: socket: Operation not permitted' });
  t.same(echoesFromPingResponse({ output: 'unknown', times: [] }, '127.0.0.1'), { echoes: [], resultCode: 2, error: 'ping failed' });
});

t.test('arguments: count, fractional interval and timeout, family', async (t) => {
  const c = pingConfig(settings, '127.0.0.1');
  t.equal(c.min_reply, 3);
  t.equal(c.timeout, false, 'no integer-second -W from the package');
  t.same(c.extra, ['-i', '0.200', '-W', '0.500']);
  t.equal(c.v6, false);
  t.equal(pingConfig(settings, '::1').v6, true);
});

t.test('bounded concurrency, one probe per distinct address, a throwing probe is one failed target', async (t) => {
  let active = 0;
  let peak = 0;
  const seen: string[] = [];
  const probe = async (target: string, _c: PingConfig) => {
    seen.push(target);
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
    if (target === '127.0.0.9') throw new Error('boom');
    return response(fixture('alive.txt'));
  };
  const pinger = createPingFallbackPinger({ concurrency: 3, probe });
  const targets = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 1}`);
  const out = await pinger.ping([...targets, '127.0.0.1'], settings);
  t.equal(peak, 3);
  t.equal(seen.length, 10, 'the repeated address is pinged once');
  t.equal(out.size, 10);
  t.same(out.get('127.0.0.9'), { echoes: [], resultCode: 2, error: 'ping could not run: boom' });
  t.equal(out.get('127.0.0.1')?.resultCode, 0);
});

t.test('abort rejects promptly', async (t) => {
  const probe = () => new Promise<PingResponse>((r) => setTimeout(() => r(response(fixture('alive.txt'))), 50));
  const pinger = createPingFallbackPinger({ concurrency: 1, probe });
  const controller = new AbortController();
  const p = pinger.ping(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'], settings, controller.signal);
  setTimeout(() => controller.abort(new Error('stop')), 10);
  const started = Date.now();
  await t.rejects(p, { message: 'stop' });
  t.ok(Date.now() - started < 45, 'did not wait for the running probe');
});
