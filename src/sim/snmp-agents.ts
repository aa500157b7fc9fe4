// A fast SNMP agent simulator: many simulated routers, each on its own loopback address
// (127.66.x.y, or any 127.0.0.0/8 range for thousands) on an unprivileged port, spread over worker
// threads. Each serves the system group and an IF-MIB ifTable/ifXTable (an uplink and LAN ports)
// whose counters grow with a day/night pattern (snmp-model.ts), with uptime, optional near-wrap
// counters, and controls for reboots, link changes, saturation and silence (incidents).
//
//   const sim = await startSnmpAgents({ agents: [{ address: '127.66.1.1', name: 'district-643' }] });
//   …
//   await sim.stop();
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type * as snmp from 'net-snmp';
import { isLoopback } from '../inventory/address.js';
import { TWO_64, type SimAgentOptions } from './snmp-model.js';
import type { WorkerAgentSpec, WorkerControl, WorkerInit, WorkerReply, WorkerRequest } from './snmp-agents-worker.js';

export interface SimAgent {
  /** A 127.0.0.0/8 address. */
  address: string;
  /** sysName (default: the address). */
  name?: string;
  uplinkMbps?: number;
}

export interface SnmpAgentsOptions {
  agents: readonly SimAgent[];
  /** UDP port on every address (unprivileged; default 1161). */
  port: number;
  /** v1/v2c communities served (default ['public']). */
  communities: readonly string[];
  /** v3 users served (net-snmp user objects, e.g. authPriv SHA/AES). */
  v3Users: readonly snmp.User[];
  /** Interfaces per device: ifIndex 1 is the uplink, the rest LAN ports. */
  interfaces: number;
  uplinkMbps: number;
  lanMbps: number;
  /** Mean uplink load, fraction of its speed. */
  uplinkLoad: number;
  /** Start counters this many seconds of traffic before 2^64, so Counter64 and Counter32 wrap soon (0: start at 0). */
  wrapInS: number;
  /** Worker threads (default: cores − 1, at least 1). */
  workers: number;
  /** Most varbinds in one GETBULK answer. */
  maxBulkVarbinds: number;
  /** Seed of the per-device variation. */
  seed: number;
}

export const DEFAULT_SNMP_AGENTS: Omit<SnmpAgentsOptions, 'agents'> = {
  port: 1161,
  communities: ['public'],
  v3Users: [],
  interfaces: 8,
  uplinkMbps: 100,
  lanMbps: 1000,
  uplinkLoad: 0.3,
  wrapInS: 0,
  workers: Math.max(1, availableParallelism() - 1),
  maxBulkVarbinds: 250,
  seed: 4711,
};

export interface SnmpAgents {
  readonly port: number;
  readonly addresses: readonly string[];
  /** The device restarts now: uptime and counters from zero. */
  reboot(address: string): Promise<void>;
  /** Take an interface down (no traffic, ifOperStatus 2) or up again. */
  setLink(address: string, ifIndex: number, up: boolean): Promise<void>;
  /** Fill an interface to 97 % of its speed, or back to its normal pattern. */
  saturate(address: string, ifIndex: number, on: boolean): Promise<void>;
  /** The agent stops answering (an SNMP-only fault; ping still answers), or answers again. */
  setSilent(address: string, on: boolean): Promise<void>;
  /** Datagrams received by all workers so far. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/** `count` loopback addresses 127.<a>.<b>.<c> from a /16 such as '127.68' (c = 1…254), for benchmarks. */
export function loopbackAddresses(count: number, prefix16 = '127.68'): string[] {
  if (!/^127\.\d{1,3}$/.test(prefix16)) throw new Error(`not a 127.x prefix: ${prefix16}`);
  const out: string[] = [];
  for (let b = 0; out.length < count; b++) {
    if (b > 255) throw new Error(`${prefix16}.0.0/16 holds at most ${256 * 254} addresses`);
    for (let c = 1; c <= 254 && out.length < count; c++) out.push(`${prefix16}.${b}.${c}`);
  }
  return out;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface WorkerHandle {
  worker: Worker;
  addresses: Set<string>;
  call(req: WithoutId<WorkerRequest>): Promise<Extract<WorkerReply, { id: number }>>;
}

/** The worker thread: TypeScript under tsx (tests, dev), where it first registers tsx's loader; .js in a build. */
function spawnWorker(init: WorkerInit): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return new Worker(new URL('./snmp-agents-worker.js', self), { workerData: init });
  const entry = new URL('./snmp-agents-worker.ts', self).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

function startWorker(init: WorkerInit): Promise<WorkerHandle> {
  const worker = spawnWorker(init);
  let nextId = 1;
  const waiting = new Map<number, (r: Extract<WorkerReply, { id: number }>) => void>();
  const handle: WorkerHandle = {
    worker,
    addresses: new Set(init.agents.map((a) => a.address)),
    call(req) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ ...req, id } as WorkerRequest);
      });
    },
  };
  return new Promise((resolve, reject) => {
    worker.on('message', (msg: WorkerReply) => {
      if ('id' in msg) {
        waiting.get(msg.id)?.(msg);
        waiting.delete(msg.id);
      } else if (msg.type === 'ready') resolve(handle);
      else reject(new Error(msg.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      for (const done of waiting.values()) done({ id: 0, ok: false, message: `simulator worker exited (${code})` });
      waiting.clear();
      reject(new Error(`simulator worker exited with code ${code} before it was ready`));
    });
  });
}

/** Start the simulated agents; resolves once every socket listens. */
export async function startSnmpAgents(options: Partial<SnmpAgentsOptions> & Pick<SnmpAgentsOptions, 'agents'>): Promise<SnmpAgents> {
  const o: SnmpAgentsOptions = { ...DEFAULT_SNMP_AGENTS, ...options };
  const seen = new Set<string>();
  for (const a of o.agents) {
    // Simulated traffic stays on this machine (network safety rule).
    if (!isLoopback(a.address)) throw new Error(`simulated agent address ${a.address} is not in 127.0.0.0/8`);
    if (seen.has(a.address)) throw new Error(`simulated agent address ${a.address} given twice`);
    seen.add(a.address);
  }
  if (o.agents.length === 0) throw new Error('no simulated agents asked for');
  const workers = Math.max(1, Math.min(o.workers, o.agents.length));
  // Octets at boot so that a wrap comes `wrapInS` seconds of mean uplink traffic after the start.
  const initialOctets = o.wrapInS > 0 ? TWO_64 - BigInt(Math.round(((o.uplinkMbps * 1e6 * o.uplinkLoad) / 8) * o.wrapInS)) : 0n;
  const shares: WorkerAgentSpec[][] = Array.from({ length: workers }, () => []);
  o.agents.forEach((a, i) => {
    const agentOptions: SimAgentOptions = {
      sysName: a.name ?? a.address,
      interfaces: o.interfaces,
      uplinkMbps: a.uplinkMbps ?? o.uplinkMbps,
      lanMbps: o.lanMbps,
      uplinkLoad: o.uplinkLoad,
      initialOctets,
      seed: o.seed + i * 7919,
    };
    shares[i % workers]?.push({ address: a.address, options: agentOptions });
  });
  const settled = await Promise.allSettled(
    shares.map((agents) =>
      startWorker({ port: o.port, communities: [...o.communities], v3Users: [...o.v3Users], interfaces: o.interfaces, maxBulkVarbinds: o.maxBulkVarbinds, agents }),
    ),
  );
  const handles = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const stop = async () => {
    await Promise.all(
      handles.map(async (h) => {
        await h.call({ op: 'stop' });
        await h.worker.terminate();
      }),
    );
  };
  if (failure) {
    await stop();
    throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
  }

  async function control(c: WorkerControl): Promise<void> {
    const h = handles.find((x) => x.addresses.has(c.address));
    if (!h) throw new Error(`no simulated agent at ${c.address}`);
    const r = await h.call({ op: 'control', control: c });
    if (!r.ok) throw new Error(r.message ?? 'simulator control failed');
  }

  return {
    port: o.port,
    addresses: o.agents.map((a) => a.address),
    reboot: (address) => control({ type: 'reboot', address }),
    setLink: (address, ifIndex, up) => control({ type: 'link', address, ifIndex, up }),
    saturate: (address, ifIndex, on) => control({ type: 'saturate', address, ifIndex, on }),
    setSilent: (address, on) => control({ type: 'silent', address, on }),
    async requests() {
      const replies = await Promise.all(handles.map((h) => h.call({ op: 'stats' })));
      return replies.reduce((n, r) => n + (r.requests ?? 0), 0);
    },
    stop,
  };
}
