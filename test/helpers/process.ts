// Child-process and temp-dir plumbing shared by the service helpers: spawn a daemon with an
// argument array (never a shell) with its output going straight to a log file, wait until it is
// ready or fail with the log tail, and make sure nothing outlives the test process: teardown stops
// services gracefully, and an exit/signal hook SIGKILLs whatever is left and removes temp dirs.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { releaseAllPorts } from './ports.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

export interface ChildService {
  readonly name: string;
  readonly child: ChildProcess;
  /** File receiving the child's stdout and stderr. */
  readonly logFile: string;
  /** Resolves once the process has exited (or failed to spawn); never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** The exit status once exited, else undefined. */
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves when the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

export interface SpawnServiceOptions {
  logFile: string;
  cwd?: string;
  /** Full environment for the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  releaseAllPorts();
  if (process.env.NETCOV_KEEP_TEST_DIRS === '1') return;
  for (const dir of tempDirs) {
    try {
      // Retries: a daemon just SIGKILLed may still be creating files for a moment.
      rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {
      // best effort while the process is going down
    }
  }
  tempDirs.clear();
}

// SIGALRM is how tap ends a test process that hit its timeout; no 'exit' event follows it.
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'];

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Re-raise with our listener gone: whatever else listens (tap's signal-exit) now behaves as if
  // we had never been there, and if nobody listens the default action ends the process.
  process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' covers normal ends and process.exit(); handlers must be synchronous, hence SIGKILL.
  process.on('exit', killAllNow);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Spawn `command args...` (no shell) with stdout+stderr appended to `logFile`. */
export function spawnService(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnServiceOptions,
): ChildService {
  installHooks();
  // Give the child the file descriptor itself: no piping through our event loop, and the log
  // is complete even if this process dies first.
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      info = { code, signal };
      resolve(info);
    });
    child.once('error', (error) => {
      // 'error' without 'exit' means the spawn itself failed.
      if (child.pid === undefined) {
        live.delete(child);
        info = { code: null, signal: null, error };
        resolve(info);
      }
    });
  });

  return {
    name,
    child,
    logFile: options.logFile,
    exited,
    exitInfo: () => info,
    async stop(graceMs = 5000) {
      if (info !== undefined) return info;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Last `maxLines` lines (at most ~4 KB) of a log file, or a note that it is missing/empty. */
export function logTail(file: string, maxLines = 30): string {
  if (!existsSync(file)) return `(no ${file})`;
  const text = readFileSync(file, 'utf8').slice(-4096).trimEnd();
  if (text === '') return `(${file} is empty)`;
  return text.split('\n').slice(-maxLines).join('\n');
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `failed to spawn: ${info.error.message}`;
  return info.signal ? `was killed by ${info.signal}` : `exited with code ${String(info.code)}`;
}

/** An Error carrying the tails of the given log files, for a service that did not come up. */
export function startupError(message: string, logFiles: readonly string[]): Error {
  const tails = logFiles.map((f) => `--- last lines of ${f} ---\n${logTail(f)}`).join('\n');
  return new Error(`${message}\n${tails}`);
}

export interface WaitReadyOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Extra log files to quote on failure besides the child's own. */
  logFiles?: readonly string[];
  /** Pause between probes (ms, default 50). */
  intervalMs?: number;
}

/**
 * Poll `probe` until it returns true. Rejects, quoting the logs, if the process exits first or
 * the deadline passes; the caller is expected to stop the service then.
 */
export async function waitReady(
  svc: ChildService,
  probe: () => Promise<boolean>,
  options: WaitReadyOptions,
): Promise<void> {
  const logs = [svc.logFile, ...(options.logFiles ?? [])];
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const before = svc.exitInfo();
    if (before !== undefined) {
      throw startupError(`${svc.name} ${describeExit(before)} before it was ready`, logs);
    }
    let ready = false;
    try {
      ready = await probe();
    } catch {
      ready = false;
    }
    if (ready) return;
    const after = svc.exitInfo();
    if (after !== undefined) {
      throw startupError(`${svc.name} ${describeExit(after)} before it was ready`, logs);
    }
    if (Date.now() >= deadline) {
      throw startupError(`${svc.name} was not ready within ${options.timeoutMs} ms`, logs);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/**
 * A fresh temp dir (mode 0755 so a service that drops privileges can read it), removed in `t`'s
 * teardown and, failing that, when the process exits. Set NETCOV_KEEP_TEST_DIRS=1 to keep it.
 */
export function makeTempDir(t: Test, prefix: string): string {
  installHooks();
  const dir = mkdtempSync(join(tmpdir(), `netcov-${prefix}-`));
  chmodSync(dir, 0o755);
  tempDirs.add(dir);
  t.teardown(() => removeTempDir(dir, t));
  return dir;
}

function removeTempDir(dir: string, t: Test): void {
  tempDirs.delete(dir);
  if (process.env.NETCOV_KEEP_TEST_DIRS === '1') {
    t.comment(`kept ${dir} (NETCOV_KEEP_TEST_DIRS=1)`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
