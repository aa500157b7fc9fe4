// Walks several table columns side by side: one GETBULK carries every column still open (and the
// system scalars as non-repeaters on the first request), so a device with a few interfaces is read
// in one round trip instead of one walk per column. Agents may answer with fewer varbinds than
// asked (message size, net-snmp's own agent caps the total): each column simply resumes after the
// last OID it got. SNMPv1 has no GETBULK: there each column is walked with GETNEXT.
import * as snmp from 'net-snmp';
import { compareOids, isUnder } from './oids.js';
import { SnmpError, type SnmpClient, type Varbind } from './session.js';

export interface WalkOptions {
  /** Repetitions asked per column in each GETBULK. */
  maxRepetitions: number;
  /** Stop with an error beyond this many rows per column (a looping or enormous agent). */
  maxRows: number;
  /**
   * GETNEXT this OID (sysUpTime's, without .0) as a non-repeater of every GETBULK and stamp each
   * answer's varbinds with it (`agentTicks`): the agent's own clock at the moment it read them.
   */
  clockOid?: string;
}

export const DEFAULT_WALK: WalkOptions = { maxRepetitions: 25, maxRows: 10_000 };

export interface WalkResult {
  /** Per column OID: row index suffix (e.g. "3" for ifIndex 3) → varbind. */
  columns: Map<string, Map<string, Varbind>>;
  /** The non-repeaters' answers (GETNEXT semantics), in the order asked; undefined when absent. */
  nonRepeaters: (Varbind | undefined)[];
  requests: number;
  /**
   * Monotonic time the first answer arrived (GETBULK): the moment its values were read, give or
   * take the network. Each varbind also carries the arrival time of its own answer (`atMs`): a busy
   * agent that splits a table over several answers reads later rows later, and timing them by the
   * end of the walk would make rates wrong by the difference between two polls' durations.
   */
  firstAnswerAtMs?: number;
}

const NO_SUCH_NAME = 2;

const isEnd = (vb: Varbind): boolean =>
  vb.type === snmp.ObjectType.EndOfMibView || vb.type === snmp.ObjectType.NoSuchObject || vb.type === snmp.ObjectType.NoSuchInstance;

/**
 * Walk `columns` (and GETNEXT each of `nonRepeaters` once). Rejects with SnmpError on a failed
 * request, on OIDs that do not increase (an agent in a loop) and beyond maxRows.
 */
export async function walkColumns(
  client: SnmpClient,
  columns: readonly string[],
  nonRepeaters: readonly string[] = [],
  options: WalkOptions = DEFAULT_WALK,
  now: () => number = () => performance.now(),
): Promise<WalkResult> {
  return client.version === '1' ? walkV1(client, columns, nonRepeaters, options) : walkBulk(client, columns, nonRepeaters, options, now);
}

interface Cursor {
  column: string;
  last: string;
  rows: Map<string, Varbind>;
}

/** Take one column's varbinds from a response that arrived at `atMs`; true when the column is finished. */
function consume(cursor: Cursor, varbinds: readonly Varbind[], options: WalkOptions, atMs?: number, agentTicks?: number): boolean {
  if (varbinds.length === 0) return true; // nothing came back for it: do not ask forever
  for (const vb of varbinds) {
    if (vb === undefined || typeof vb.oid !== 'string' || isEnd(vb) || !isUnder(cursor.column, vb.oid)) return true;
    if (compareOids(vb.oid, cursor.last) <= 0) throw new SnmpError('protocol', `agent returned OIDs out of order under ${cursor.column}`);
    if (atMs !== undefined) vb.atMs = atMs;
    if (agentTicks !== undefined) vb.agentTicks = agentTicks;
    cursor.rows.set(vb.oid.slice(cursor.column.length + 1), vb);
    cursor.last = vb.oid;
    if (cursor.rows.size > options.maxRows) throw new SnmpError('protocol', `more than ${options.maxRows} rows under ${cursor.column}`);
  }
  return false;
}

async function walkBulk(client: SnmpClient, columns: readonly string[], nonRepeaters: readonly string[], options: WalkOptions, now: () => number): Promise<WalkResult> {
  const cursors: Cursor[] = columns.map((column) => ({ column, last: column, rows: new Map() }));
  let open = cursors;
  let scalars: (Varbind | undefined)[] = [];
  let requests = 0;
  let first = true;
  let firstAnswerAtMs: number | undefined;
  const clock = options.clockOid;
  while (first || open.length > 0) {
    const lead = first ? nonRepeaters : clock !== undefined ? [clock] : [];
    const lists = await client.getBulk([...lead, ...open.map((c) => c.last)], lead.length, options.maxRepetitions);
    requests++;
    const atMs = now();
    firstAnswerAtMs ??= atMs;
    if (first) scalars = lead.map((_, i) => lists[i]?.[0]);
    const tick = clock === undefined ? undefined : lists[lead.indexOf(clock)]?.[0];
    const agentTicks = tick !== undefined && tick.oid === `${clock}.0` && tick.type === snmp.ObjectType.TimeTicks && typeof tick.value === 'number' ? tick.value : undefined;
    first = false;
    const still: Cursor[] = [];
    for (let i = 0; i < open.length; i++) {
      const cursor = open[i] as Cursor;
      if (!consume(cursor, lists[lead.length + i] ?? [], options, atMs, agentTicks)) still.push(cursor);
    }
    open = still;
  }
  return { columns: new Map(cursors.map((c) => [c.column, c.rows])), nonRepeaters: scalars, requests, ...(firstAnswerAtMs !== undefined ? { firstAnswerAtMs } : {}) };
}

async function walkV1(client: SnmpClient, columns: readonly string[], nonRepeaters: readonly string[], options: WalkOptions): Promise<WalkResult> {
  let requests = 0;
  // v1 fails the whole PDU at the first missing OID (noSuchName), so nothing is combined.
  const next = async (oid: string): Promise<Varbind | undefined> => {
    requests++;
    try {
      return (await client.getNext([oid]))[0];
    } catch (err) {
      if (err instanceof SnmpError && err.kind === 'agent' && err.status === NO_SUCH_NAME) return undefined;
      throw err;
    }
  };
  const scalars: (Varbind | undefined)[] = [];
  for (const oid of nonRepeaters) scalars.push(await next(oid));
  const result = new Map<string, Map<string, Varbind>>();
  for (const column of columns) {
    const cursor: Cursor = { column, last: column, rows: new Map() };
    for (;;) {
      const vb = await next(cursor.last);
      if (vb === undefined || consume(cursor, [vb], options)) break;
    }
    result.set(column, cursor.rows);
  }
  return { columns: result, nonRepeaters: scalars, requests };
}
