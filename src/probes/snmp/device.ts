// Reads one device: the system group, the IF-MIB interface columns and the profile's scalars,
// decoded into plain values. Learns what the agent has (ifXTable? 64-bit counters?) on the first
// poll so later polls ask only for what exists, in one round trip for a small router.
import * as snmp from 'net-snmp';
import { decodeCounter, type CounterName, type CounterReading } from './counters.js';
import { IF_COLUMNS, SYSTEM, type IfColumn } from './oids.js';
import type { SnmpClient, Varbind } from './session.js';
import { walkColumns, type WalkOptions } from './walk.js';

/** What to read from a device (a config profile, compiled). */
export interface DevicePlan {
  /** Extra scalar OIDs by field name (numeric OIDs). */
  scalars: Readonly<Record<string, string>>;
  interfaces: boolean;
  /** Keep only interfaces whose ifName or ifAlias matches. */
  include?: RegExp;
  /** Drop interfaces whose ifName or ifAlias matches. */
  exclude?: RegExp;
}

/** What the agent turned out to have; learnt on the first poll. */
export interface DeviceShape {
  hasXTable: boolean;
  hasHighCapacity: boolean;
  /** Interfaces seen last time: sizes the next GETBULK. */
  rows: number;
}

export interface InterfaceSnapshot {
  ifIndex: number;
  name: string;
  alias: string;
  operStatus: number;
  adminStatus: number;
  /** ifHighSpeed, Mbit/s. */
  highSpeedMbps?: number;
  /** Line speed in bit/s: ifHighSpeed × 10^6, or ifSpeed without ifXTable. */
  speedBitsPerSecond?: number;
  counters: Partial<Record<CounterName, CounterReading>>;
  /** Monotonic time this interface's counters were read (the arrival of the answer carrying them). */
  atMs: number;
  /** The agent's sysUpTime in the answer carrying them: the agent's own clock for the same moment. */
  agentTicks?: number;
  discontinuityTicks?: number;
}

export interface DeviceSnapshot {
  sysName?: string;
  sysDescr?: string;
  uptimeTicks?: number;
  scalars: Record<string, number | string>;
  /** After the profile's include/exclude filter, by ifIndex. */
  interfaces: InterfaceSnapshot[];
  /** Interfaces the agent listed before filtering. */
  interfacesSeen: number;
  /**
   * Monotonic time the counters belong to: when the first GETBULK answer arrived (see
   * WalkResult.firstAnswerAtMs); for SNMPv1, which walks column by column, the end of the poll.
   */
  atMs: number;
  requests: number;
  shape: DeviceShape;
}

// Columns by role. The counters map to the counter names of counters.ts.
const COMMON: IfColumn[] = ['ifOperStatus', 'ifAdminStatus', 'ifInDiscards', 'ifInErrors', 'ifOutDiscards', 'ifOutErrors'];
const X_NAMES: IfColumn[] = ['ifName', 'ifAlias', 'ifHighSpeed', 'ifCounterDiscontinuityTime'];
const HC: IfColumn[] = ['ifHCInOctets', 'ifHCOutOctets', 'ifHCInUcastPkts', 'ifHCOutUcastPkts'];
const LOW: IfColumn[] = ['ifInOctets', 'ifOutOctets', 'ifInUcastPkts', 'ifOutUcastPkts'];
const NO_X: IfColumn[] = ['ifDescr', 'ifSpeed'];

const COUNTER_COLUMNS: Partial<Record<IfColumn, CounterName>> = {
  ifHCInOctets: 'inOctets',
  ifHCOutOctets: 'outOctets',
  ifHCInUcastPkts: 'inUcastPkts',
  ifHCOutUcastPkts: 'outUcastPkts',
  ifInOctets: 'inOctets',
  ifOutOctets: 'outOctets',
  ifInUcastPkts: 'inUcastPkts',
  ifOutUcastPkts: 'outUcastPkts',
  ifInErrors: 'inErrors',
  ifOutErrors: 'outErrors',
  ifInDiscards: 'inDiscards',
  ifOutDiscards: 'outDiscards',
};

/** A first poll assumes a modern agent (ifXTable with 64-bit counters) and corrects itself. */
export const INITIAL_SHAPE: DeviceShape = { hasXTable: true, hasHighCapacity: true, rows: -1 };

// GETNEXT of the column OID (without .0) returns the .0 instance: the system scalars ride along the
// first GETBULK as non-repeaters.
const SYSTEM_PARENTS = [SYSTEM.sysDescr, SYSTEM.sysUpTime, SYSTEM.sysName].map((o) => o.slice(0, -2));

function columnsFor(shape: DeviceShape): IfColumn[] {
  if (!shape.hasXTable) return [...COMMON, ...NO_X, ...LOW];
  return [...COMMON, ...X_NAMES, ...(shape.hasHighCapacity ? HC : LOW)];
}

/** Text from an OctetString: UTF-8, without control characters, at most 255 characters. */
export function text(value: unknown): string {
  const s = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : '';
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\ufffd]/g, '').slice(0, 255);
}

function integer(vb: Varbind | undefined): number | undefined {
  return vb !== undefined && typeof vb.value === 'number' && Number.isFinite(vb.value) ? vb.value : undefined;
}

function counter(vb: Varbind | undefined): CounterReading | undefined {
  if (vb === undefined) return undefined;
  const width = vb.type === snmp.ObjectType.Counter64 ? 64 : vb.type === snmp.ObjectType.Counter32 ? 32 : undefined;
  if (width === undefined) return undefined;
  const value = decodeCounter(vb.value, width);
  return value === undefined ? undefined : { value, width };
}

/** A scalar as a number when it is one (counters, gauges, "0.15" load strings), else its text. */
export function scalarValue(vb: Varbind): number | string | undefined {
  if (snmp.isVarbindError(vb as snmp.Varbind) || vb.value === null || vb.value === undefined) return undefined;
  if (vb.type === snmp.ObjectType.Counter64) {
    const v = decodeCounter(vb.value, 64);
    return v === undefined ? undefined : Number(v);
  }
  if (typeof vb.value === 'number') return vb.value;
  if (typeof vb.value === 'string') return vb.value;
  if (Buffer.isBuffer(vb.value)) {
    const s = text(vb.value);
    const n = s.trim() === '' ? Number.NaN : Number(s);
    return Number.isFinite(n) ? n : s;
  }
  return undefined;
}

function keep(plan: DevicePlan, name: string, alias: string): boolean {
  if (plan.include && !plan.include.test(name) && !plan.include.test(alias)) return false;
  if (plan.exclude && (plan.exclude.test(name) || plan.exclude.test(alias))) return false;
  return true;
}

async function readScalars(client: SnmpClient, scalars: Readonly<Record<string, string>>): Promise<Record<string, number | string>> {
  const entries = Object.entries(scalars);
  const out: Record<string, number | string> = {};
  if (entries.length === 0) return out;
  // v1 fails a whole GET at its first missing OID: ask one by one there.
  const batches = client.version === '1' ? entries.map((e) => [e]) : [entries];
  for (const batch of batches) {
    let varbinds: Varbind[];
    try {
      varbinds = await client.get(batch.map(([, oid]) => oid));
    } catch (err) {
      if (client.version === '1' && (err as { kind?: string }).kind === 'agent') continue; // that scalar is missing
      throw err;
    }
    batch.forEach(([name, oid], i) => {
      const vb = varbinds[i];
      const v = vb !== undefined && vb.oid === oid ? scalarValue(vb) : undefined;
      if (v !== undefined) out[name] = v;
    });
  }
  return out;
}

/** Poll one device. `now` is a monotonic clock in ms. Rejects with SnmpError. */
export async function readDevice(
  client: SnmpClient,
  plan: DevicePlan,
  shape: DeviceShape,
  walk: WalkOptions,
  now: () => number,
): Promise<DeviceSnapshot> {
  // Size GETBULK for the interfaces seen last time (+1 to see the end), capped by the config.
  const reps = shape.rows >= 0 ? Math.max(1, Math.min(walk.maxRepetitions, shape.rows + 1)) : walk.maxRepetitions;
  const walkOptions: WalkOptions = { ...walk, maxRepetitions: reps, clockOid: SYSTEM_PARENTS[1] };
  let columns = plan.interfaces ? columnsFor(shape) : [];
  const [first, scalars] = await Promise.all([
    walkColumns(client, columns.map((c) => IF_COLUMNS[c]), SYSTEM_PARENTS, walkOptions, now),
    readScalars(client, plan.scalars),
  ]);
  let requests = first.requests + (Object.keys(plan.scalars).length > 0 ? 1 : 0);
  const table = new Map<IfColumn, Map<string, Varbind>>();
  for (const c of columns) table.set(c, first.columns.get(IF_COLUMNS[c]) ?? new Map());

  // First poll of an older agent: no ifXTable, or no 64-bit counters. Read what it has instead.
  let learnt = shape;
  let countersAtMs = first.firstAnswerAtMs;
  if (plan.interfaces && (table.get('ifOperStatus')?.size ?? 0) > 0) {
    const hasXTable = !shape.hasXTable ? false : (table.get('ifName')?.size ?? 0) > 0;
    const hasHighCapacity = hasXTable && shape.hasHighCapacity && (table.get('ifHCInOctets')?.size ?? 0) > 0;
    learnt = { ...shape, hasXTable, hasHighCapacity };
    if (hasXTable !== shape.hasXTable || hasHighCapacity !== shape.hasHighCapacity) {
      const missing = columnsFor(learnt).filter((c) => !table.has(c));
      const more = await walkColumns(client, missing.map((c) => IF_COLUMNS[c]), [], walkOptions, now);
      requests += more.requests;
      countersAtMs = more.firstAnswerAtMs; // the counters came with this walk
      for (const c of missing) table.set(c, more.columns.get(IF_COLUMNS[c]) ?? new Map());
      columns = columnsFor(learnt);
    }
  }
  const atMs = countersAtMs ?? now();

  const [descr, uptime, name] = first.nonRepeaters;
  const snapshot: DeviceSnapshot = { scalars, interfaces: [], interfacesSeen: 0, atMs, requests, shape: learnt };
  if (descr?.oid === SYSTEM.sysDescr) snapshot.sysDescr = text(descr.value);
  if (name?.oid === SYSTEM.sysName) snapshot.sysName = text(name.value);
  if (uptime?.oid === SYSTEM.sysUpTime && uptime.type === snmp.ObjectType.TimeTicks) {
    const ticks = integer(uptime);
    if (ticks !== undefined && ticks >= 0) snapshot.uptimeTicks = ticks;
  }

  const indexes = new Set<string>([...(table.get('ifOperStatus')?.keys() ?? []), ...(table.get('ifName')?.keys() ?? [])]);
  for (const suffix of indexes) {
    const ifIndex = Number(suffix);
    if (!Number.isSafeInteger(ifIndex) || ifIndex <= 0) continue;
    const cell = (c: IfColumn) => table.get(c)?.get(suffix);
    snapshot.interfacesSeen++;
    const ifName = learnt.hasXTable ? text(cell('ifName')?.value) : text(cell('ifDescr')?.value);
    const alias = learnt.hasXTable ? text(cell('ifAlias')?.value) : '';
    const nameOrIndex = ifName === '' ? `ifIndex ${ifIndex}` : ifName;
    if (!keep(plan, nameOrIndex, alias)) continue;
    const iface: InterfaceSnapshot = {
      ifIndex,
      name: nameOrIndex,
      alias,
      operStatus: integer(cell('ifOperStatus')) ?? 0,
      adminStatus: integer(cell('ifAdminStatus')) ?? 0,
      counters: {},
      atMs,
    };
    const highSpeed = integer(cell('ifHighSpeed'));
    if (highSpeed !== undefined && highSpeed >= 0) {
      iface.highSpeedMbps = highSpeed;
      iface.speedBitsPerSecond = highSpeed * 1e6;
    } else {
      const speed = integer(cell('ifSpeed'));
      if (speed !== undefined && speed >= 0) iface.speedBitsPerSecond = speed;
    }
    const disc = integer(cell('ifCounterDiscontinuityTime'));
    if (disc !== undefined) iface.discontinuityTicks = disc;
    for (const c of columns) {
      const counterName = COUNTER_COLUMNS[c];
      if (counterName === undefined) continue;
      const vb = cell(c);
      const reading = counter(vb);
      if (reading === undefined) continue;
      iface.counters[counterName] = reading;
      if (counterName === 'inOctets') {
        if (vb?.atMs !== undefined) iface.atMs = vb.atMs;
        if (vb?.agentTicks !== undefined) iface.agentTicks = vb.agentTicks;
      }
    }
    snapshot.interfaces.push(iface);
  }
  snapshot.interfaces.sort((a, b) => a.ifIndex - b.ifIndex);
  snapshot.shape = { ...learnt, rows: snapshot.interfacesSeen };
  return snapshot;
}
