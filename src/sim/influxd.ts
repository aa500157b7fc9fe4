// Debian's influxd (1.x) started for the demo (`--with-influxd`): its own config, data and log in a
// directory of the demo, HTTP and RPC on loopback ports, stopped with the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../util/executable.js';

export interface LocalInfluxd {
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** True when something answers InfluxDB's /ping at `url` within `timeoutMs`. */
export async function influxAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 204 || res.ok;
  } catch {
    return false;
  }
}

/**
 * influxd.conf for a private instance: everything under `dir`, listening on loopback only, quiet
 * logs (pure). `auth` turns on HTTP authentication (the test harness then creates the first admin).
 */
export function influxdConfig(dir: string, httpPort: number, rpcPort: number, opts: { auth?: boolean } = {}): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'reporting-disabled = true',
    `bind-address = ${q(`127.0.0.1:${rpcPort}`)}`,
    '[meta]',
    `  dir = ${q(join(dir, 'meta'))}`,
    '  logging-enabled = false',
    '[data]',
    `  dir = ${q(join(dir, 'data'))}`,
    `  wal-dir = ${q(join(dir, 'wal'))}`,
    '  query-log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[http]',
    `  bind-address = ${q(`127.0.0.1:${httpPort}`)}`,
    '  log-enabled = false',
    `  auth-enabled = ${opts.auth === true}`,
    '[continuous_queries]',
    '  log-enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
  ].join('\n');
}

/** Start influxd in `dir`; undefined when the binary is not installed. Rejects if it does not answer. */
export async function startLocalInfluxd(dir: string, httpPort: number, rpcPort: number, timeoutMs = 20_000): Promise<LocalInfluxd | undefined> {
  const bin = findExecutable('influxd');
  if (!bin) return undefined;
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(conf, influxdConfig(dir, httpPort, rpcPort));
  const logFile = join(dir, 'influxd.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, ['-config', conf], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never outlive the demo, even when it ends abruptly.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  child.once('error', () => undefined); // a spawn failure shows as exit; reported below
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await influxAnswers(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`influxd did not answer at ${url} (see ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, logFile, stop };
}
