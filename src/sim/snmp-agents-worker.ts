// One worker thread of the SNMP agent simulator: a single net-snmp Agent listening on many
// loopback sockets (one per simulated device), with one shared MIB whose handlers compute each
// value on demand for the device the request arrived at. Values come from snmp-model.ts.
import * as dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import * as snmp from 'net-snmp';
import {
  counter32,
  counter64Buffer,
  createAgentState,
  interfaceCounters,
  reboot,
  setRegime,
  uptimeTicks,
  type SimAgentOptions,
  type SimAgentState,
} from './snmp-model.js';

export interface WorkerAgentSpec {
  address: string;
  options: SimAgentOptions;
}

export interface WorkerInit {
  port: number;
  communities: string[];
  v3Users: snmp.User[];
  interfaces: number;
  /** Most varbinds in one GETBULK answer (real agents cap by message size). */
  maxBulkVarbinds: number;
  agents: WorkerAgentSpec[];
}

export type WorkerControl =
  | { type: 'reboot'; address: string }
  | { type: 'link'; address: string; ifIndex: number; up: boolean }
  | { type: 'saturate'; address: string; ifIndex: number; on: boolean }
  | { type: 'silent'; address: string; on: boolean };

export type WorkerRequest = { id: number; op: 'control'; control: WorkerControl } | { id: number; op: 'stop' } | { id: number; op: 'stats' };

export type WorkerReply =
  | { type: 'ready'; sockets: number }
  | { type: 'failed'; message: string }
  | { id: number; ok: boolean; message?: string; requests?: number };

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('snmp-agents-worker must run in a worker thread');

const states = new Map<string, SimAgentState>();
const bySocket = new Map<dgram.Socket, SimAgentState>();
const startedAt = Date.now();
for (const a of init.agents) states.set(a.address, createAgentState(a.options, startedAt));

// The device the request being handled arrived at: set right before net-snmp handles a datagram,
// which it does synchronously, handlers included.
let current: SimAgentState | undefined;
let requests = 0;
let pendingSockets = init.agents.length;
let failed = false;

// net-snmp's Listener creates the sockets, in the order of `sockets`: map each to its device, wrap
// its datagram listener to select the device (or drop the datagram: an agent-level fault).
const socketOrder = init.agents.map((a) => states.get(a.address) as SimAgentState);
const dgramModule = {
  createSocket(type: dgram.SocketType) {
    const socket = dgram.createSocket(type);
    const state = socketOrder[bySocket.size] as SimAgentState;
    bySocket.set(socket, state);
    const on = socket.on.bind(socket);
    socket.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'message') return on(event, listener);
      return on('message', (...args: unknown[]) => {
        if (state.silent) return;
        requests++;
        current = state;
        try {
          listener(...args);
        } catch {
          // a datagram net-snmp cannot handle: a real agent would drop it too
        } finally {
          current = undefined;
        }
      });
    }) as typeof socket.on;
    socket.once('listening', () => {
      if (--pendingSockets === 0 && !failed) port.postMessage({ type: 'ready', sockets: bySocket.size } satisfies WorkerReply);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (failed) return;
      failed = true;
      port.postMessage({ type: 'failed', message: `cannot serve SNMP on ${state.sysName}: ${err.code ?? err.message}` } satisfies WorkerReply);
    });
    return socket;
  },
};

const RO = snmp.MaxAccess['read-only'];
const T = snmp.ObjectType;

interface MibRequest {
  address: number[];
  instanceNode: { value: unknown };
  done(): void;
}

function scalar(name: string, oid: string, type: snmp.ObjectType, value: (s: SimAgentState, now: number) => unknown, initial: unknown) {
  return {
    def: {
      name,
      type: snmp.MibProviderType.Scalar,
      oid,
      scalarType: type,
      maxAccess: RO,
      handler(req: MibRequest) {
        if (current) req.instanceNode.value = value(current, Date.now());
        req.done();
      },
    },
    initial,
  };
}

const scalars = [
  scalar('sysDescr', '1.3.6.1.2.1.1.1', T.OctetString, (s) => s.sysDescr, 'netcov simulated router'),
  scalar('sysObjectID', '1.3.6.1.2.1.1.2', T.OID, () => '1.3.6.1.4.1.8072.3.2.10', '1.3.6.1.4.1.8072.3.2.10'),
  scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, (s, now) => uptimeTicks(s, now), 0),
  scalar('sysName', '1.3.6.1.2.1.1.5', T.OctetString, (s) => s.sysName, 'sim'),
  scalar('ifNumber', '1.3.6.1.2.1.2.1', T.Integer, (s) => s.interfaces.length, init.interfaces),
];

// Column number → [type, value of interface `ifIndex` of the current device].
type Cell = (s: SimAgentState, ifIndex: number, now: number) => unknown;
const counters = (s: SimAgentState, ifIndex: number, now: number) => {
  const i = s.interfaces[ifIndex - 1];
  return i ? interfaceCounters(s, i, now) : undefined;
};
const iface = (s: SimAgentState, ifIndex: number) => s.interfaces[ifIndex - 1];
const IF_TABLE: Record<number, [string, snmp.ObjectType, Cell]> = {
  1: ['ifIndex', T.Integer, (_s, n) => n],
  2: ['ifDescr', T.OctetString, (s, n) => iface(s, n)?.name ?? ''],
  3: ['ifType', T.Integer, () => 6],
  5: ['ifSpeed', T.Gauge, (s, n) => Math.min(4294967295, (iface(s, n)?.speedMbps ?? 0) * 1e6)],
  7: ['ifAdminStatus', T.Integer, () => 1],
  8: ['ifOperStatus', T.Integer, (s, n) => (iface(s, n)?.regime === 'down' ? 2 : 1)],
  10: ['ifInOctets', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.inOctets ?? 0n)],
  11: ['ifInUcastPkts', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.inPkts ?? 0n)],
  13: ['ifInDiscards', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.inDiscards ?? 0n)],
  14: ['ifInErrors', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.inErrors ?? 0n)],
  16: ['ifOutOctets', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.outOctets ?? 0n)],
  17: ['ifOutUcastPkts', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.outPkts ?? 0n)],
  19: ['ifOutDiscards', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.outDiscards ?? 0n)],
  20: ['ifOutErrors', T.Counter, (s, n, t) => counter32(counters(s, n, t)?.outErrors ?? 0n)],
};
const IF_X_TABLE: Record<number, [string, snmp.ObjectType, Cell]> = {
  1: ['ifName', T.OctetString, (s, n) => iface(s, n)?.name ?? ''],
  6: ['ifHCInOctets', T.Counter64, (s, n, t) => counter64Buffer(counters(s, n, t)?.inOctets ?? 0n)],
  7: ['ifHCInUcastPkts', T.Counter64, (s, n, t) => counter64Buffer(counters(s, n, t)?.inPkts ?? 0n)],
  10: ['ifHCOutOctets', T.Counter64, (s, n, t) => counter64Buffer(counters(s, n, t)?.outOctets ?? 0n)],
  11: ['ifHCOutUcastPkts', T.Counter64, (s, n, t) => counter64Buffer(counters(s, n, t)?.outPkts ?? 0n)],
  15: ['ifHighSpeed', T.Gauge, (s, n) => iface(s, n)?.speedMbps ?? 0],
  18: ['ifAlias', T.OctetString, (s, n) => iface(s, n)?.alias ?? ''],
  19: ['ifCounterDiscontinuityTime', T.TimeTicks, () => 0],
};

function tableHandler(columns: Record<number, [string, snmp.ObjectType, Cell]>) {
  return (req: MibRequest) => {
    const a = req.address;
    const cell = columns[a[a.length - 2] as number];
    if (current && cell) req.instanceNode.value = cell[2](current, a[a.length - 1] as number, Date.now());
    req.done();
  };
}

// Placeholder values give every instance node a value (else net-snmp answers noSuchInstance);
// the handlers replace them per request. Counter64 placeholders are 8-byte Buffers too.
const placeholder = (type: snmp.ObjectType, ifIndex: number): unknown =>
  type === T.Counter64 ? Buffer.alloc(8) : type === T.OctetString ? '' : type === T.Integer && ifIndex ? ifIndex : 0;

const mib = snmp.createMib();
for (const s of scalars) mib.registerProvider(s.def);
mib.registerProvider({
  name: 'ifTable',
  type: snmp.MibProviderType.Table,
  oid: '1.3.6.1.2.1.2.2.1', // the entry (ifEntry): net-snmp puts columns right below it
  maxAccess: snmp.MaxAccess['not-accessible'],
  tableColumns: Object.entries(IF_TABLE).map(([n, [name, type]]) => ({ number: Number(n), name, type, maxAccess: RO })),
  tableIndex: [{ columnName: 'ifIndex' }],
  handler: tableHandler(IF_TABLE),
});
mib.registerProvider({
  name: 'ifXTable',
  type: snmp.MibProviderType.Table,
  oid: '1.3.6.1.2.1.31.1.1.1',
  maxAccess: snmp.MaxAccess['not-accessible'],
  tableColumns: Object.entries(IF_X_TABLE).map(([n, [name, type]]) => ({ number: Number(n), name, type, maxAccess: RO })),
  tableAugments: 'ifTable',
  handler: tableHandler(IF_X_TABLE),
});
for (const s of scalars) mib.setScalarValue(s.def.name, s.initial);
for (let ifIndex = 1; ifIndex <= init.interfaces; ifIndex++) {
  mib.addTableRow('ifTable', Object.values(IF_TABLE).map(([, type], col) => (col === 0 ? ifIndex : placeholder(type, 0))));
  mib.addTableRow('ifXTable', [ifIndex, ...Object.values(IF_X_TABLE).map(([, type]) => placeholder(type, 0))]);
}

const agent = snmp.createAgent(
  {
    sockets: init.agents.map((a) => ({ transport: 'udp4', address: a.address, port: init.port })),
    dgramModule,
    accessControlModelType: snmp.AccessControlModelType.None,
  },
  () => undefined, // per-request callback: nothing to record
  mib,
);
for (const c of init.communities) agent.getAuthorizer().addCommunity(c);
for (const u of init.v3Users) agent.getAuthorizer().addUser(u);

// net-snmp's Agent caps a GETBULK answer at max-repetitions varbinds in total; real agents give
// max-repetitions rows of every repeater (RFC 3416 §4.2.3), up to their message size. Do that.
agent.getBulkRequest = function getBulkRequest(socket: unknown, message: { pdu: { nonRepeaters: number; maxRepetitions: number; varbinds: { oid: string; type?: number }[] } }, rinfo: unknown) {
  const pdu = message.pdu;
  const requested = pdu.varbinds;
  const nonRepeaters = Math.max(0, Math.min(pdu.nonRepeaters, requested.length));
  const out: { oid: string; type?: number }[] = [];
  for (let n = 0; n < nonRepeaters; n++) this.addGetNextVarbind(out, (requested[n] as { oid: string }).oid);
  const cursors = requested.slice(nonRepeaters).map((v) => v.oid);
  for (let rep = 0; rep < pdu.maxRepetitions && cursors.length > 0 && out.length < init.maxBulkVarbinds; rep++) {
    let allEnded = true;
    for (let c = 0; c < cursors.length && out.length < init.maxBulkVarbinds; c++) {
      const node = this.addGetNextVarbind(out, cursors[c]);
      if (node) {
        cursors[c] = node.oid;
        allEnded = false;
      }
    }
    if (allEnded) break;
  }
  pdu.varbinds = out;
  this.request(socket, message, rinfo);
};

function control(c: WorkerControl): string | undefined {
  const s = states.get(c.address);
  if (!s) return `no simulated agent at ${c.address} in this worker`;
  const now = Date.now();
  switch (c.type) {
    case 'reboot':
      reboot(s, now);
      return undefined;
    case 'silent':
      s.silent = c.on;
      return undefined;
    case 'link':
    case 'saturate': {
      const i = s.interfaces[c.ifIndex - 1];
      if (!i) return `${c.address} has no ifIndex ${c.ifIndex}`;
      const regime = c.type === 'link' ? (c.up ? 'normal' : 'down') : c.on ? 'saturated' : 'normal';
      if (i.regime !== regime) setRegime(i, regime, now);
      return undefined;
    }
  }
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.op === 'control') {
    const problem = control(msg.control);
    port.postMessage({ id: msg.id, ok: problem === undefined, ...(problem ? { message: problem } : {}) } satisfies WorkerReply);
  } else if (msg.op === 'stats') {
    port.postMessage({ id: msg.id, ok: true, requests } satisfies WorkerReply);
  } else if (msg.op === 'stop') {
    agent.close(() => undefined);
    port.postMessage({ id: msg.id, ok: true } satisfies WorkerReply);
  }
});
