// systemd's readiness protocol (sd_notify) for the `Type=notify` unit: READY=1, RELOADING=1,
// STOPPING=1, STATUS=… and WATCHDOG=1 sent as datagrams to the AF_UNIX socket in $NOTIFY_SOCKET.
// Outside systemd (no $NOTIFY_SOCKET) every call is a no-op, so `netcov run` behaves the same.
//
// Why a native addon (unix-dgram): Node's core has no AF_UNIX datagram sockets, and the other ways
// are weaker. `systemd-notify` run as a child sends from its own short-lived PID; systemd 252
// (Debian 12) often cannot attribute the message once that PID has exited, so READY=1 can be lost
// and the unit times out, and it needs NotifyAccess=all (any process in the cgroup, fping included,
// could then change the service state). `sd-notify` (npm) wraps libsystemd and needs its headers
// to build. unix-dgram is a small, widely used addon (no library beyond libc) that lets the main
// process send the datagrams itself, so the unit keeps NotifyAccess=main.
import { createRequire } from 'node:module';
import type { Logger } from './log.js';

/** The one operation we need from a datagram socket (a test may pass its own). */
export interface DatagramSender {
  send(message: Buffer, path: string, done: (err?: Error) => void): void;
  close(): void;
}

export interface SdNotifyOptions {
  /** Environment read for NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID (default process.env). */
  env: NodeJS.ProcessEnv;
  /**
   * Remove the three variables from `env` once read, so children (fping, snmp tools) do not
   * inherit a socket that is not theirs (as sd_notify's unset_environment does). Default true.
   */
  unsetEnvironment: boolean;
  /** Opens the datagram socket; default: unix-dgram. */
  openSocket: () => DatagramSender;
}

export const DEFAULT_SD_NOTIFY: SdNotifyOptions = {
  env: process.env,
  unsetEnvironment: true,
  openSocket: openUnixDgram,
};

export interface SdNotifier {
  /** True when run by systemd with a usable notify socket. */
  readonly enabled: boolean;
  /** The watchdog period systemd expects pings within (WatchdogSec=), if any, in ms. */
  readonly watchdogMs: number | undefined;
  /** Start-up (or a reload) is complete. */
  ready(status?: string): void;
  /** A reload has begun; `ready()` ends it. */
  reloading(status?: string): void;
  /** Shutdown has begun. */
  stopping(status?: string): void;
  /** One line shown by `systemctl status`. */
  status(text: string): void;
  /**
   * Ping the watchdog every watchdogMs / 2 while `healthy()` says so. An unhealthy check skips the
   * ping (logged) and systemd restarts the service once WatchdogSec passes without one.
   */
  startWatchdog(healthy: () => boolean): void;
  /** Stop the watchdog timer and close the socket. */
  close(): void;
}

/** STATUS= is one line: newlines would start a new (unintended) assignment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 400);
}

/** Build the datagram text for a set of assignments (pure; exported for tests). */
export function notifyMessage(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? oneLine(v) : String(v)}`)
    .join('\n');
}

/** The watchdog period in ms for this process, or undefined (pure; exported for tests). */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited it is not.
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec / 1000;
}

function openUnixDgram(): DatagramSender {
  // createRequire: unix-dgram is CommonJS with a native binding; loaded only when systemd asks.
  const require = createRequire(import.meta.url);
  const unix = require('unix-dgram') as {
    createSocket(type: 'unix_dgram'): {
      send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
      close(): void;
      on(event: 'error', listener: (err: Error) => void): void;
    };
  };
  const socket = unix.createSocket('unix_dgram');
  // Errors are reported through each send's callback; this keeps a stray one from crashing us.
  socket.on('error', () => undefined);
  return {
    send: (message, path, done) => socket.send(message, 0, message.length, path, done),
    close: () => socket.close(),
  };
}

const disabled = (watchdogMs: number | undefined): SdNotifier => ({
  enabled: false,
  watchdogMs,
  ready: () => undefined,
  reloading: () => undefined,
  stopping: () => undefined,
  status: () => undefined,
  startWatchdog: () => undefined,
  close: () => undefined,
});

export function createSdNotifier(log: Logger, options: Partial<SdNotifyOptions> = {}): SdNotifier {
  const opts = { ...DEFAULT_SD_NOTIFY, ...options };
  const socketPath = opts.env.NOTIFY_SOCKET;
  const watchdogMs = watchdogPeriodMs(opts.env, process.pid);
  if (opts.unsetEnvironment) {
    delete opts.env.NOTIFY_SOCKET;
    delete opts.env.WATCHDOG_USEC;
    delete opts.env.WATCHDOG_PID;
  }
  if (socketPath === undefined || socketPath === '') return disabled(undefined);
  if (socketPath.startsWith('@')) {
    // Abstract sockets are used by some container managers, not by systemd's system instance.
    log.warn({ event: 'sd_notify_unsupported', socket: socketPath }, 'NOTIFY_SOCKET is an abstract socket, which netcov cannot reach: run it as Type=simple there');
    return disabled(watchdogMs);
  }
  let socket: DatagramSender;
  try {
    socket = opts.openSocket();
  } catch (err) {
    log.error({ event: 'sd_notify_unavailable', err: (err as Error).message }, 'cannot open the systemd notify socket (unix-dgram not built?); systemd will not see READY=1');
    return disabled(watchdogMs);
  }

  let watchdogTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastError = '';
  const send = (fields: Record<string, string | number>) => {
    if (closed) return;
    socket.send(Buffer.from(notifyMessage(fields)), socketPath, (err) => {
      // Log a failing socket once per distinct error, not every watchdog tick.
      if (err && err.message !== lastError) {
        lastError = err.message;
        log.error({ event: 'sd_notify_failed', err: err.message }, 'sending to the systemd notify socket failed');
      } else if (!err) lastError = '';
    });
  };
  const withStatus = (fields: Record<string, string | number>, status?: string) => (status === undefined ? fields : { ...fields, STATUS: status });

  return {
    enabled: true,
    watchdogMs,
    ready: (status) => send(withStatus({ READY: 1, MAINPID: process.pid }, status)),
    reloading: (status) =>
      // MONOTONIC_USEC lets systemd ≥ 253 (Type=notify-reload) match the reload; older ones ignore it.
      send(withStatus({ RELOADING: 1, MONOTONIC_USEC: String(process.hrtime.bigint() / 1000n) }, status)),
    stopping: (status) => send(withStatus({ STOPPING: 1 }, status)),
    status: (text) => send({ STATUS: text }),
    startWatchdog(healthy) {
      if (watchdogMs === undefined || watchdogTimer) return;
      let skipped = 0;
      watchdogTimer = setInterval(() => {
        let ok: boolean;
        try {
          ok = healthy();
        } catch (err) {
          log.error({ event: 'watchdog_check_failed', err: (err as Error).message }, 'health check threw');
          ok = false;
        }
        if (ok) {
          skipped = 0;
          send({ WATCHDOG: 1 });
        } else {
          skipped += 1;
          log.warn({ event: 'watchdog_ping_skipped', skipped, watchdog_ms: watchdogMs }, 'unhealthy: not pinging the systemd watchdog (systemd restarts netcov after WatchdogSec)');
        }
      }, Math.max(1, Math.floor(watchdogMs / 2)));
      // The watchdog must never be what keeps the process alive.
      watchdogTimer.unref();
    },
    close() {
      if (watchdogTimer) clearInterval(watchdogTimer);
      watchdogTimer = undefined;
      if (closed) return;
      closed = true;
      try {
        socket.close();
      } catch {
        // already closed: nothing to release
      }
    },
  };
}
