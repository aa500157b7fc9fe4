// Run a program to completion with an argument array (never a shell), optional stdin, a deadline
// and an AbortSignal; collect its output. Used by the fping backend and the nftables helpers.
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  /** Kill the child (SIGKILL) after this many ms; the result then has timedOut = true. */
  deadlineMs?: number;
  /** Aborting kills the child and rejects with the signal's reason. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the program could not be started (ENOENT, EACCES …). */
  spawnError?: Error;
  pid?: number;
}

/** Resolves when the child is gone; rejects only when `signal` aborts. */
export function runProcess(path: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
      env: options.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      spawnError = e;
    });
    const timer = options.deadlineMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.deadlineMs);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.stdin !== undefined && child.stdin) {
      // A child that exits before reading all of stdin (bad arguments) makes the write fail with
      // EPIPE; its exit status says what went wrong, so the write error itself is not interesting.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }
    child.on('close', (code, exitSignal) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: spawnError ? null : code,
        exitSignal,
        timedOut,
        ...(spawnError ? { spawnError } : {}),
        ...(child.pid !== undefined ? { pid: child.pid } : {}),
      });
    });
  });
}
