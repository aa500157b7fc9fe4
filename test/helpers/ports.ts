// Hands out free loopback ports for test services.
//
// Why not just bind port 0 and read the number back: a service we stop and restart later (the
// zero-loss test stops influxd for a minute) must get the SAME port back, so the port must not
// be handed to anyone else meanwhile. Two measures make that hold:
//  - ports come from below the kernel's ephemeral range, so outgoing client sockets never take them;
//  - each port handed out is reserved with a lock file (O_EXCL, holding our pid) in a directory
//    shared by all test processes, so parallel tap jobs never get the same one. Locks of dead
//    processes are reclaimed; ours are removed when this process exits.
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PortProtocol = 'tcp' | 'udp' | 'tcp+udp';

export interface FreePortOptions {
  /** Which protocols must be free on the port (default 'tcp'). */
  protocol?: PortProtocol;
  /** Addresses the port must be free on (default ['127.0.0.1']); all must be loopback. */
  hosts?: readonly string[];
}

const LOCK_DIR = join(tmpdir(), 'netcov-test-ports');
const reserved = new Set<number>();
let exitHookInstalled = false;

function portRange(): [number, number] {
  // Stay below the ephemeral range (Linux default 32768–60999) and above well-known ports.
  let ephemeralLow = 32768;
  try {
    const [lo] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(lo);
    if (Number.isInteger(n) && n > 0) ephemeralLow = n;
  } catch {
    // not Linux, or /proc unavailable: keep the default
  }
  const hi = Math.min(ephemeralLow, 65536);
  const lo = hi > 20000 ? 20000 : 10000;
  return [lo, hi];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drop every reservation of this process (also called from the harness's signal hook). */
export function releaseAllPorts(): void {
  for (const port of reserved) {
    try {
      unlinkSync(join(LOCK_DIR, String(port)));
    } catch {
      // already gone
    }
  }
  reserved.clear();
}

/** Reserve `port` across processes; false if another live process holds it. */
function tryReserve(port: number): boolean {
  if (mkdirSync(LOCK_DIR, { recursive: true }) !== undefined) {
    // Shared by every user's test processes, like /tmp itself (mkdir's mode is cut by the umask).
    chmodSync(LOCK_DIR, 0o1777);
  }
  const file = join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      reserved.add(port);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', releaseAllPorts);
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        // vanished between the two calls: retry
      }
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) return false;
      try {
        unlinkSync(file); // stale lock of a dead process
      } catch {
        // someone else reclaimed it first
      }
    }
  }
  return false;
}

function release(port: number): void {
  if (!reserved.delete(port)) return;
  try {
    unlinkSync(join(LOCK_DIR, String(port)));
  } catch {
    // already gone
  }
}

function canBindTcp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function canBindUdp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

function assertLoopback(host: string): void {
  // Tests only ever listen on loopback (see docs/platform-notes.md).
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new Error(`freePort: ${host} is not an IPv4 loopback address (127.0.0.0/8)`);
  }
}

/**
 * A port that is free for `protocol` on every address in `hosts`, reserved for this process
 * until it exits (or {@link releasePort}). Not an ephemeral port, so it stays usable after a stop.
 */
export async function freePort(options: FreePortOptions = {}): Promise<number> {
  const protocol = options.protocol ?? 'tcp';
  const hosts = options.hosts ?? ['127.0.0.1'];
  if (hosts.length === 0) throw new Error('freePort: hosts must not be empty');
  hosts.forEach(assertLoopback);
  const [lo, hi] = portRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    if (reserved.has(port) || !tryReserve(port)) continue;
    let ok = true;
    for (const host of hosts) {
      if (protocol !== 'udp' && !(await canBindTcp(port, host))) ok = false;
      if (ok && protocol !== 'tcp' && !(await canBindUdp(port, host))) ok = false;
      if (!ok) break;
    }
    if (ok) return port;
    release(port);
  }
  throw new Error(`freePort: no free ${protocol} port found in ${lo}-${hi - 1} after 200 tries`);
}

/** A free TCP port on `host` (default 127.0.0.1). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return freePort({ protocol: 'tcp', hosts: [host] });
}

/** A free UDP port on every address in `hosts` (default 127.0.0.1). */
export function freeUdpPort(hosts: readonly string[] = ['127.0.0.1']): Promise<number> {
  return freePort({ protocol: 'udp', hosts });
}

/** Give a port back before the process exits (optional; reservations end with the process). */
export function releasePort(port: number): void {
  release(port);
}
