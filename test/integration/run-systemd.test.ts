// `netcov run` as systemd sees it: this test plays the service manager's side of sd_notify with a
// real AF_UNIX datagram socket in $NOTIFY_SOCKET (what systemd does for Type=notify), sends the
// signals systemctl would, and checks READY=1 (with MAINPID), WATCHDOG=1 pings, RELOADING=1 then
// READY=1 around a SIGHUP reload, a broken config on reload being refused while the daemon keeps
// running, and STOPPING=1 then exit 0 on SIGTERM. No PID 1 systemd runs in this container; the
// protocol on the socket is the same.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/process.js';

interface DgramSocket {
  bind(path: string): void;
  on(event: 'message', cb: (buf: Buffer) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}
const unix = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };

/** Resolves when `check` is true, polling; rejects with `what` after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A daemon that probes nothing and listens nowhere: this test is about its lifecycle. */
const quietConfig = (stateDir: string, icmpIntervalS = 5) => `
state_dir: ${JSON.stringify(stateDir)}
icmp: { enabled: false, interval_s: ${icmpIntervalS} }
snmp: { enabled: false, traps: { enabled: false } }
sink: { kind: none }
api: { enabled: false }
`;

t.test('READY, WATCHDOG, RELOADING/READY on SIGHUP, refused broken reload, STOPPING on SIGTERM', async (t) => {
  const dir = makeTempDir(t, 'netcov-run-');
  const configFile = join(dir, 'netcov.yaml');
  writeFileSync(configFile, quietConfig(join(dir, 'state')));

  const socketPath = join(dir, 'notify.sock');
  const server = unix.createSocket('unix_dgram');
  const messages: string[] = [];
  server.on('message', (buf) => messages.push(buf.toString()));
  server.on('error', (err) => t.fail(`notify socket: ${err.message}`));
  server.bind(socketPath);
  t.teardown(() => server.close());

  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/main.ts'), 'run', '--config', configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '400000', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const events = () => out.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const count = (re: RegExp) => messages.filter((m) => re.test(m)).length;

  await until(() => count(/^READY=1/m) === 1, `READY=1\n${out}`);
  t.match(messages.find((m) => m.startsWith('READY=1')), new RegExp(`MAINPID=${child.pid}\\nSTATUS=monitoring 235 points`), 'READY names the main pid and a status');

  await until(() => count(/^WATCHDOG=1$/) >= 2, 'two watchdog pings');
  t.pass('the watchdog is pinged (period 400 ms → every 200 ms)');

  // A good reload: RELOADING=1, then READY=1 again; what changed, and what needs a restart, is logged.
  writeFileSync(configFile, quietConfig(join(dir, 'state2'), 7));
  child.kill('SIGHUP');
  await until(() => count(/^READY=1/m) === 2, `READY=1 after the reload\n${out}`);
  const reloading = messages.findIndex((m) => m.startsWith('RELOADING=1'));
  const readyAgain = messages.findLastIndex((m) => m.startsWith('READY=1'));
  t.ok(reloading >= 0 && reloading < readyAgain, 'RELOADING=1 comes before the second READY=1');
  await until(() => events().some((e) => e.event === 'reload_done'), 'reload_done in the log');
  const done = events().find((e) => e.event === 'reload_done');
  t.same(done?.changed, ['icmp.interval_s', 'state_dir']);
  t.same(done?.restart_required, ['state_dir'], 'state_dir only changes with a restart, and the log says so');

  // A broken config: refused, logged with file and key, and the daemon keeps running.
  writeFileSync(configFile, `${quietConfig(join(dir, 'state2'))}\nbogus_key: 1\n`);
  child.kill('SIGHUP');
  await until(() => count(/^READY=1/m) === 3, 'READY=1 after the failed reload');
  await until(() => events().some((e) => e.event === 'reload_failed'), 'reload_failed in the log');
  t.match(events().find((e) => e.event === 'reload_config_error')?.msg, /netcov\.yaml: bogus_key/, 'the problem names the file and the key');
  t.match(messages.findLast((m) => m.startsWith('READY=1')), /STATUS=reload failed \(configuration errors\)/);
  t.equal(child.exitCode, null, 'still running after a failed reload');

  child.kill('SIGTERM');
  t.equal(await exited, 0, `exit 0 on SIGTERM\n${out.slice(-2000)}`);
  t.ok(count(/^STOPPING=1/m) === 1, 'STOPPING=1 sent');
  t.ok(events().some((e) => e.event === 'daemon_stopped'), 'daemon_stopped logged');
});

t.test('without NOTIFY_SOCKET nothing changes: the daemon starts and stops on SIGINT', async (t) => {
  const dir = makeTempDir(t, 'netcov-run-');
  const configFile = join(dir, 'netcov.yaml');
  writeFileSync(configFile, quietConfig(join(dir, 'state')));
  const env = { ...process.env };
  delete env.NOTIFY_SOCKET;
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/main.ts'), 'run', '--config', configFile], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await until(() => out.includes('"daemon_started"'), `daemon_started\n${out}`);
  child.kill('SIGINT');
  t.equal(await exited, 0, out.slice(-1000));
});
