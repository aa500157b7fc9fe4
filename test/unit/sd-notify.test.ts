// sd_notify message building, the watchdog period rules and the notifier's behaviour, with a
// recording sender in place of the socket (the real socket is exercised by
// test/integration/run-systemd.test.ts, which plays systemd's side with a real AF_UNIX socket).
import t from 'tap';
import { createSdNotifier, notifyMessage, watchdogPeriodMs, type DatagramSender } from '../../src/util/sd-notify.js';
import { silentLogger } from '../../src/util/log.js';

function recorder(): DatagramSender & { sent: { text: string; path: string }[]; closed: boolean } {
  const r = {
    sent: [] as { text: string; path: string }[],
    closed: false,
    send(message: Buffer, path: string, done: (err?: Error) => void) {
      r.sent.push({ text: message.toString(), path });
      done();
    },
    close() {
      r.closed = true;
    },
  };
  return r;
}

t.test('messages: one assignment per line, STATUS kept on one line', async (t) => {
  t.equal(notifyMessage({ READY: 1, STATUS: 'ok' }), 'READY=1\nSTATUS=ok');
  t.equal(notifyMessage({ STATUS: 'a\nWATCHDOG=trigger\r\nb' }), 'STATUS=a WATCHDOG=trigger b', 'a newline cannot smuggle an assignment');
  t.equal(notifyMessage({ STATUS: 'x'.repeat(1000) }).length, 'STATUS='.length + 400);
});

t.test('watchdog period: WATCHDOG_USEC for this pid only', async (t) => {
  t.equal(watchdogPeriodMs({}, 10), undefined);
  t.equal(watchdogPeriodMs({ WATCHDOG_USEC: '60000000' }, 10), 60_000);
  t.equal(watchdogPeriodMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '10' }, 10), 60_000);
  t.equal(watchdogPeriodMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '11' }, 10), undefined, 'meant for another process');
  t.equal(watchdogPeriodMs({ WATCHDOG_USEC: '0' }, 10), undefined);
  t.equal(watchdogPeriodMs({ WATCHDOG_USEC: 'x' }, 10), undefined);
});

t.test('outside systemd every call is a no-op', async (t) => {
  const sender = recorder();
  const sd = createSdNotifier(silentLogger(), { env: {}, openSocket: () => sender });
  t.equal(sd.enabled, false);
  sd.ready('x');
  sd.stopping();
  sd.startWatchdog(() => true);
  sd.close();
  t.same(sender.sent, []);
});

t.test('an abstract socket is refused, not misaddressed', async (t) => {
  const sender = recorder();
  const sd = createSdNotifier(silentLogger(), { env: { NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' }, openSocket: () => sender });
  t.equal(sd.enabled, false);
  sd.ready();
  t.same(sender.sent, []);
});

t.test('under systemd: READY with MAINPID, RELOADING, STOPPING, STATUS; env unset for children', async (t) => {
  const sender = recorder();
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(process.pid), OTHER: 'kept' };
  const sd = createSdNotifier(silentLogger(), { env, openSocket: () => sender });
  t.equal(sd.enabled, true);
  t.equal(sd.watchdogMs, 2000);
  t.same(env, { OTHER: 'kept' }, 'NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID removed');
  sd.ready('monitoring 235 points');
  sd.reloading();
  sd.stopping('stopping (SIGTERM)');
  sd.status('hi');
  t.equal(sender.sent.length, 4);
  t.ok(sender.sent.every((s) => s.path === '/run/systemd/notify'));
  t.equal(sender.sent[0]?.text, `READY=1\nMAINPID=${process.pid}\nSTATUS=monitoring 235 points`);
  t.match(sender.sent[1]?.text, /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
  t.equal(sender.sent[2]?.text, 'STOPPING=1\nSTATUS=stopping (SIGTERM)');
  t.equal(sender.sent[3]?.text, 'STATUS=hi');
  sd.close();
  t.equal(sender.closed, true);
  sd.ready();
  t.equal(sender.sent.length, 4, 'nothing is sent after close');
});

t.test('watchdog: pings every period/2 while healthy, skips while not', async (t) => {
  const sender = recorder();
  const sd = createSdNotifier(silentLogger(), { env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '100000' }, openSocket: () => sender });
  let healthy = true;
  sd.startWatchdog(() => healthy);
  await new Promise((r) => setTimeout(r, 180));
  const pings = sender.sent.filter((s) => s.text === 'WATCHDOG=1').length;
  t.ok(pings >= 2 && pings <= 4, `about 3 pings in 180 ms at a 50 ms period (got ${pings})`);
  healthy = false;
  const before = sender.sent.length;
  await new Promise((r) => setTimeout(r, 150));
  t.equal(sender.sent.length, before, 'no ping while unhealthy');
  healthy = true;
  await new Promise((r) => setTimeout(r, 120));
  t.ok(sender.sent.length > before, 'pings resume');
  sd.close();
  const after = sender.sent.length;
  await new Promise((r) => setTimeout(r, 120));
  t.equal(sender.sent.length, after, 'close stops the watchdog');
});

t.test('a socket that cannot be opened disables the notifier instead of crashing', async (t) => {
  const sd = createSdNotifier(silentLogger(), {
    env: { NOTIFY_SOCKET: '/x' },
    openSocket: () => {
      throw new Error('no addon');
    },
  });
  t.equal(sd.enabled, false);
  sd.ready();
});
