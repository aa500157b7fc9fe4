// An in-memory SNMP agent behind the SnmpClient interface, for UNIT tests of the walker, the device
// reader and the source (integration tests use real snmpd / snmpsim / the simulator instead).
// GET / GETNEXT / GETBULK follow RFC 3416 over a sorted OID table; knobs truncate answers, fail,
// stall or behave like an SNMPv1 agent.
import * as snmp from 'net-snmp';
import { compareOids } from '../../src/probes/snmp/oids.js';
import { SnmpError, type SnmpClient, type SnmpVersion, type Varbind } from '../../src/probes/snmp/session.js';

export type Values = Map<string, Varbind>;

export interface FakeAgentOptions {
  version?: SnmpVersion;
  /** Most varbinds in one GETBULK answer (a small message size or net-snmp's agent). */
  maxVarbinds?: number;
  /** Delay of every answer, ms (a slow agent). */
  delayMs?: number;
  /** Throw this instead of answering (timeout, auth …). */
  fail?: () => SnmpError | undefined;
}

export class FakeAgent {
  values: Values = new Map();
  #sorted: string[] = [];
  requests = 0;
  options: FakeAgentOptions;

  constructor(options: FakeAgentOptions = {}) {
    this.options = options;
  }

  set(oid: string, type: snmp.ObjectType, value: unknown): this {
    this.values.set(oid, { oid, type, value });
    this.#sorted = [];
    return this;
  }

  delete(prefix: string): this {
    for (const k of [...this.values.keys()]) if (k === prefix || k.startsWith(`${prefix}.`)) this.values.delete(k);
    this.#sorted = [];
    return this;
  }

  #order(): string[] {
    if (this.#sorted.length !== this.values.size) this.#sorted = [...this.values.keys()].sort(compareOids);
    return this.#sorted;
  }

  next(oid: string): Varbind {
    const order = this.#order();
    // First OID strictly after `oid`.
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOids(order[mid] as string, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const found = order[lo];
    return found === undefined ? { oid, type: snmp.ObjectType.EndOfMibView, value: null } : (this.values.get(found) as Varbind);
  }

  async #answer<T>(make: () => T): Promise<T> {
    this.requests++;
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    const err = this.options.fail?.();
    if (err) throw err;
    return make();
  }

  client(): SnmpClient & { closed: boolean } {
    const version = this.options.version ?? '2c';
    const noSuchName = () => new SnmpError('agent', 'agent error: noSuchName', 2);
    const c = {
      version,
      closed: false,
      get: (oids: readonly string[]) =>
        this.#answer(() =>
          oids.map((oid) => {
            const v = this.values.get(oid);
            if (!v && version === '1') throw noSuchName();
            return v ?? { oid, type: snmp.ObjectType.NoSuchObject, value: null };
          }),
        ),
      getNext: (oids: readonly string[]) =>
        this.#answer(() =>
          oids.map((oid) => {
            const v = this.next(oid);
            if (v.type === snmp.ObjectType.EndOfMibView && version === '1') throw noSuchName();
            return v;
          }),
        ),
      getBulk: (oids: readonly string[], nonRepeaters: number, maxRepetitions: number) =>
        this.#answer(() => {
          if (version === '1') throw new SnmpError('protocol', 'GETBULK in v1');
          const max = this.options.maxVarbinds ?? Infinity;
          let budget = max;
          const lists: Varbind[][] = oids.slice(0, nonRepeaters).map((oid) => {
            budget--;
            return [this.next(oid)];
          });
          const cursors = oids.slice(nonRepeaters);
          const reps: Varbind[][] = cursors.map(() => []);
          for (let r = 0; r < maxRepetitions && budget > 0; r++) {
            for (let i = 0; i < cursors.length && budget > 0; i++) {
              const vb = this.next(cursors[i] as string);
              reps[i]?.push(vb);
              cursors[i] = vb.oid;
              budget--;
            }
          }
          return [...lists, ...reps];
        }),
      close: () => {
        c.closed = true;
      },
    };
    return c;
  }
}

export const SYS = { descr: '1.3.6.1.2.1.1.1.0', uptime: '1.3.6.1.2.1.1.3.0', name: '1.3.6.1.2.1.1.5.0' };

export interface FakeRouterOptions {
  interfaces?: number;
  /** Serve ifXTable (names, HC counters). */
  xTable?: boolean;
  /** Serve 64-bit counters (with xTable). */
  highCapacity?: boolean;
  speedMbps?: number;
  sysName?: string;
}

/** Octets per interface a router's counters carry; `advance` moves them (and uptime) forward. */
export class FakeRouter extends FakeAgent {
  uptimeTicks = 100_000;
  octets: bigint[];
  readonly ro: Required<FakeRouterOptions>;

  constructor(options: FakeRouterOptions & FakeAgentOptions = {}) {
    super(options);
    this.ro = { interfaces: 3, xTable: true, highCapacity: true, speedMbps: 100, sysName: 'fake', ...options };
    this.octets = Array.from({ length: this.ro.interfaces }, () => 0n);
    this.render();
  }

  /** Advance time: uptime by `seconds`, interface i by bytesPerSecond[i] × seconds. */
  advance(seconds: number, bytesPerSecond: number[]): void {
    this.uptimeTicks += Math.round(seconds * 100);
    this.octets = this.octets.map((o, i) => o + BigInt(Math.round((bytesPerSecond[i] ?? 0) * seconds)));
    this.render();
  }

  reboot(): void {
    this.uptimeTicks = 1000;
    this.octets = this.octets.map(() => 0n);
    this.render();
  }

  render(): void {
    const T = snmp.ObjectType;
    const { interfaces, xTable, highCapacity, speedMbps, sysName } = this.ro;
    this.set(SYS.descr, T.OctetString, Buffer.from('fake router'));
    this.set(SYS.uptime, T.TimeTicks, this.uptimeTicks);
    this.set(SYS.name, T.OctetString, Buffer.from(sysName));
    for (let i = 1; i <= interfaces; i++) {
      const octets = this.octets[i - 1] ?? 0n;
      const c32 = Number(octets % (1n << 32n));
      const c64 = Buffer.from(octets.toString(16).padStart(16, '0'), 'hex');
      this.set(`1.3.6.1.2.1.2.2.1.1.${i}`, T.Integer, i);
      this.set(`1.3.6.1.2.1.2.2.1.2.${i}`, T.OctetString, Buffer.from(`eth${i - 1}`));
      this.set(`1.3.6.1.2.1.2.2.1.5.${i}`, T.Gauge, speedMbps * 1e6);
      this.set(`1.3.6.1.2.1.2.2.1.7.${i}`, T.Integer, 1);
      this.set(`1.3.6.1.2.1.2.2.1.8.${i}`, T.Integer, 1);
      this.set(`1.3.6.1.2.1.2.2.1.10.${i}`, T.Counter, c32);
      this.set(`1.3.6.1.2.1.2.2.1.11.${i}`, T.Counter, 0);
      this.set(`1.3.6.1.2.1.2.2.1.13.${i}`, T.Counter, 0);
      this.set(`1.3.6.1.2.1.2.2.1.14.${i}`, T.Counter, 0);
      this.set(`1.3.6.1.2.1.2.2.1.16.${i}`, T.Counter, c32);
      this.set(`1.3.6.1.2.1.2.2.1.17.${i}`, T.Counter, 0);
      this.set(`1.3.6.1.2.1.2.2.1.19.${i}`, T.Counter, 0);
      this.set(`1.3.6.1.2.1.2.2.1.20.${i}`, T.Counter, 0);
      if (!xTable) continue;
      this.set(`1.3.6.1.2.1.31.1.1.1.1.${i}`, T.OctetString, Buffer.from(i === 1 ? 'uplink0' : `lan${i - 1}`));
      this.set(`1.3.6.1.2.1.31.1.1.1.15.${i}`, T.Gauge, speedMbps);
      this.set(`1.3.6.1.2.1.31.1.1.1.18.${i}`, T.OctetString, Buffer.from(i === 1 ? 'to district' : ''));
      if (highCapacity) {
        this.set(`1.3.6.1.2.1.31.1.1.1.6.${i}`, T.Counter64, c64);
        this.set(`1.3.6.1.2.1.31.1.1.1.10.${i}`, T.Counter64, c64);
        this.set(`1.3.6.1.2.1.31.1.1.1.7.${i}`, T.Counter64, Buffer.from([0]));
        this.set(`1.3.6.1.2.1.31.1.1.1.11.${i}`, T.Counter64, Buffer.from([0]));
      }
    }
    // Something after the interface tables, as real agents have, so walks must stop by subtree.
    this.set('1.3.6.1.2.1.31.1.5.0', T.TimeTicks, 0);
  }
}
