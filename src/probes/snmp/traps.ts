// The SNMP trap listener: a net-snmp receiver (v1, v2c, v3; informs answered) on the configured
// address and port. A trap's source address names the point; linkDown, linkUp, coldStart,
// warmStart and authenticationFailure become PointEvents, and a link or reboot trap asks for an
// immediate re-check of its point. Unknown sources and rejected datagrams are counted and logged
// once per source per interval, never per packet: a trap storm must not become a log storm.
//
// Port 162 (the standard) is privileged: run with CAP_NET_BIND_SERVICE (systemd
// AmbientCapabilities=CAP_NET_BIND_SERVICE), or keep the default 1162 and redirect 162 to it in
// nftables (`udp dport 162 redirect to :1162` in a nat prerouting chain).
import type * as dgram from 'node:dgram';
import * as snmp from 'net-snmp';
import type { Config } from '../../config/schema.js';
import { revealSecret } from '../../config/secret.js';
import type { Inventory, Point } from '../../inventory/model.js';
import type { ObservationBus, PointEvent, PointEventType } from '../../observations.js';
import type { Logger } from '../../util/log.js';
import { text } from './device.js';
import { IF_COLUMNS, isUnder, TRAP } from './oids.js';
import { guardedDgram, netSnmpUser, sessionCredential } from './session.js';

export type SnmpConfig = Config['snmp'];

// ------------------------------------------------------------------------------ interpretation

export interface TrapMeaning {
  type: PointEventType;
  /** snmpTrapOID (v2c/v3) or the v1 enterprise/generic/specific as an OID. */
  trapOid: string;
  ifIndex?: number;
  ifName?: string;
}

interface TrapVarbind {
  oid?: unknown;
  type?: unknown;
  value?: unknown;
}

interface TrapPdu {
  type?: unknown;
  varbinds?: unknown;
  enterprise?: unknown;
  generic?: unknown;
  specific?: unknown;
  agentAddr?: unknown;
}

const BY_OID: Record<string, PointEventType> = {
  [TRAP.coldStart]: 'cold_start',
  [TRAP.warmStart]: 'warm_start',
  [TRAP.linkDown]: 'link_down',
  [TRAP.linkUp]: 'link_up',
  [TRAP.authenticationFailure]: 'authentication_failure',
};

// SNMPv1 generic-trap numbers (RFC 1157) and their SNMPv2 equivalents (RFC 3584 §3.1).
const V1_GENERIC: Record<number, string> = { 0: TRAP.coldStart, 1: TRAP.warmStart, 2: TRAP.linkDown, 3: TRAP.linkUp, 4: TRAP.authenticationFailure };

/** Event types that ask for an immediate re-poll and ping of the point. */
export const RECHECK_TYPES: ReadonlySet<PointEventType> = new Set(['link_down', 'link_up', 'cold_start', 'warm_start']);

const IF_NAME_COLUMNS = [IF_COLUMNS.ifName, IF_COLUMNS.ifDescr];

/** What a trap PDU means. Pure; tolerates any shape (the PDU comes off the network). */
export function interpretTrap(pdu: TrapPdu): TrapMeaning {
  const varbinds = (Array.isArray(pdu.varbinds) ? pdu.varbinds : []) as TrapVarbind[];
  let trapOid: string;
  if (pdu.type === snmp.PduType.Trap) {
    const generic = typeof pdu.generic === 'number' ? pdu.generic : -1;
    const enterprise = typeof pdu.enterprise === 'string' ? pdu.enterprise : '';
    trapOid = V1_GENERIC[generic] ?? `${enterprise}.0.${typeof pdu.specific === 'number' ? pdu.specific : 0}`;
  } else {
    const vb = varbinds.find((v) => v?.oid === TRAP.snmpTrapOID);
    trapOid = typeof vb?.value === 'string' ? vb.value : '';
  }
  const meaning: TrapMeaning = { type: BY_OID[trapOid] ?? 'trap_other', trapOid };
  for (const vb of varbinds) {
    if (typeof vb?.oid !== 'string') continue;
    if (isUnder(TRAP.ifIndex, vb.oid) && typeof vb.value === 'number' && Number.isSafeInteger(vb.value) && vb.value > 0) meaning.ifIndex = vb.value;
    const nameColumn = IF_NAME_COLUMNS.find((c) => isUnder(c, vb.oid as string));
    if (nameColumn !== undefined) {
      const name = text(vb.value);
      if (name !== '' && (meaning.ifName === undefined || nameColumn === IF_COLUMNS.ifName)) meaning.ifName = name;
      // linkDown/linkUp carry ifIndex.N, ifAdminStatus.N, ifOperStatus.N: N is the interface too.
      const suffix = Number(vb.oid.slice(nameColumn.length + 1));
      if (meaning.ifIndex === undefined && Number.isSafeInteger(suffix) && suffix > 0) meaning.ifIndex = suffix;
    }
  }
  if (meaning.ifIndex === undefined) {
    const statusVb = varbinds.find((v) => typeof v?.oid === 'string' && (isUnder(IF_COLUMNS.ifOperStatus, v.oid) || isUnder(IF_COLUMNS.ifAdminStatus, v.oid)));
    const suffix = typeof statusVb?.oid === 'string' ? Number(statusVb.oid.split('.').pop()) : Number.NaN;
    if (Number.isSafeInteger(suffix) && suffix > 0) meaning.ifIndex = suffix;
  }
  return meaning;
}

export type TrapRejection = 'unknown_community' | 'unknown_user' | 'auth' | 'malformed' | 'unexpected_pdu' | 'socket';

/** Why net-snmp refused a datagram. Its messages embed the community or user sent: never logged. */
export function classifyTrapError(err: unknown): TrapRejection {
  const e = err as { name?: unknown; message?: unknown; code?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (message.startsWith('Local community not found')) return 'unknown_community';
  if (message.startsWith('Local user not found')) return 'unknown_user';
  if (name === 'ResponseInvalidError' || /requires (authentication|privacy)/.test(message)) return 'auth';
  if (name === 'RequestInvalidError' || name === 'RequestFailedError') return 'unexpected_pdu';
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return 'socket';
  return 'malformed';
}

// ------------------------------------------------------------------------------------ listener

/** Allows one occurrence per key per interval; counts the rest. Bounded, so spoofed sources cannot grow it forever. */
export class OncePer {
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #seen = new Map<string, { atMs: number; suppressed: number }>();
  constructor(intervalMs: number, maxKeys = 10_000) {
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }
  /** Number of occurrences suppressed since the last allowed one, or undefined to stay quiet. */
  allow(key: string, nowMs: number): number | undefined {
    const entry = this.#seen.get(key);
    if (entry && nowMs - entry.atMs < this.#intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#seen.delete(key); // re-insert at the end: the Map's order is then oldest-first
    this.#seen.set(key, { atMs: nowMs, suppressed: 0 });
    if (this.#seen.size > this.#maxKeys) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
    return suppressed;
  }
}

export interface TrapStats {
  /** Every datagram that reached the socket, whatever became of it. */
  datagrams: number;
  /** Traps and informs accepted (authorised and parsed). */
  received: number;
  events: number;
  unknownSources: number;
  rejected: Record<TrapRejection, number>;
}

/** The part of net-snmp's (untyped) Receiver used here. */
interface Receiver {
  close(cb?: () => void): void;
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: snmp.User): void };
}

export interface TrapListenerDeps {
  snmp: SnmpConfig;
  inventory: Inventory;
  bus: ObservationBus;
  log: Logger;
  /** Re-check these points now (re-poll SNMP and ping): called for link and reboot traps. */
  recheck: (pointIds: string[]) => void;
  /** Points whose addresses are known sources (default: every inventory point). */
  points?: readonly Point[];
  now?: () => number;
}

export interface TrapListener {
  /** Bind the socket; rejects with a clear message when the address or port cannot be used. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound port (useful with port 0 in tests). */
  port(): number;
  stats(): TrapStats;
}

export function createTrapListener(deps: TrapListenerDeps): TrapListener {
  const { snmp: cfg, inventory, bus } = deps;
  const log = deps.log.child({ component: 'snmp_traps' });
  const now = deps.now ?? Date.now;
  const byAddress = new Map<string, Point[]>();
  for (const p of deps.points ?? inventory.points) {
    const list = byAddress.get(p.address) ?? [];
    list.push(p);
    byAddress.set(p.address, list);
  }
  const stats: TrapStats = {
    datagrams: 0,
    received: 0,
    events: 0,
    unknownSources: 0,
    rejected: { unknown_community: 0, unknown_user: 0, auth: 0, malformed: 0, unexpected_pdu: 0, socket: 0 },
  };
  const intervalMs = cfg.traps.unknown_source_log_interval_s * 1000;
  const unknownLog = new OncePer(intervalMs);
  const rejectLog = new OncePer(intervalMs);
  const stormLog = new OncePer(intervalMs);
  // Traps logged per point per interval before the rest are only counted.
  const LOG_BURST = 20;
  const perPointCount = new Map<string, { windowStart: number; count: number }>();
  let socket: dgram.Socket | undefined;
  let receiver: Receiver | undefined;

  function reject(reason: TrapRejection, source: string | undefined): void {
    stats.rejected[reason]++;
    const suppressed = rejectLog.allow(`${reason}|${source ?? ''}`, now());
    if (suppressed === undefined) return;
    const points = source ? (byAddress.get(source) ?? []).map((p) => p.id) : [];
    log.warn(
      { event: 'snmp_trap_rejected', reason, source, point_ids: points, suppressed_since_last_log: suppressed },
      `trap datagram rejected (${reason})${points.length ? ` from ${points.join(', ')}` : source ? ` from ${source}` : ''}`,
    );
  }

  function loggable(pointId: string, t: number): boolean {
    const w = perPointCount.get(pointId);
    if (!w || t - w.windowStart >= intervalMs) {
      perPointCount.set(pointId, { windowStart: t, count: 1 });
      return true;
    }
    w.count++;
    if (w.count <= LOG_BURST) return true;
    const suppressed = stormLog.allow(pointId, t);
    if (suppressed !== undefined) log.warn({ event: 'snmp_trap_storm', point_id: pointId, traps_in_window: w.count }, `many traps from ${pointId}: further ones are recorded but not logged for now`);
    return false;
  }

  function onTrap(error: unknown, data: { pdu?: TrapPdu; rinfo?: { address?: unknown } } | undefined): void {
    const rinfoAddress = (error as { rinfo?: { address?: unknown } } | null)?.rinfo?.address ?? data?.rinfo?.address;
    const source = typeof rinfoAddress === 'string' ? rinfoAddress : undefined;
    if (error) return reject(classifyTrapError(error), source);
    if (!data?.pdu) return reject('malformed', source);
    stats.received++;
    const t = now();
    // The UDP source names the point; a v1 trap's agent-addr field helps behind NAT or a relay.
    let points = source ? byAddress.get(source) : undefined;
    if (!points && typeof data.pdu.agentAddr === 'string') points = byAddress.get(data.pdu.agentAddr);
    if (!points) {
      stats.unknownSources++;
      const suppressed = unknownLog.allow(source ?? '?', t);
      if (suppressed !== undefined)
        log.warn({ event: 'snmp_trap_unknown_source', source, suppressed_since_last_log: suppressed }, `trap from ${source ?? 'an unknown address'}, which is no point of the inventory`);
      return;
    }
    const meaning = interpretTrap(data.pdu);
    const recheck: string[] = [];
    for (const point of points) {
      const event: PointEvent = { pointId: point.id, timeMs: t, type: meaning.type, source: 'trap', detail: `trap ${meaning.trapOid}` };
      if (meaning.ifIndex !== undefined) event.ifIndex = meaning.ifIndex;
      if (meaning.ifName !== undefined) event.ifName = meaning.ifName;
      stats.events++;
      if (loggable(point.id, t))
        log.info({ event: 'snmp_trap', point_id: point.id, unit: point.unit, type: meaning.type, trap_oid: meaning.trapOid, if_index: meaning.ifIndex, if_name: meaning.ifName }, `trap ${meaning.type} from ${point.id}`);
      bus.emit('event', event);
      if (RECHECK_TYPES.has(meaning.type)) recheck.push(point.id);
    }
    if (recheck.length) deps.recheck(recheck);
  }

  return {
    async start() {
      if (receiver) return;
      const dgramModule = guardedDgram(
        () => reject('malformed', undefined),
        (s) => {
          socket = s;
          s.on('message', () => stats.datagrams++);
        },
      );
      const r = snmp.createReceiver(
        { port: cfg.traps.port, address: cfg.traps.address, transport: 'udp4', includeAuthentication: false, dgramModule },
        (error: unknown, data: unknown) => onTrap(error, data as { pdu?: TrapPdu; rinfo?: { address?: unknown } }),
      ) as Receiver;
      receiver = r;
      // Credentials accepted: communities (v1/v2c) and users (v3), revealed only here.
      for (const name of cfg.traps.credentials) {
        const c = cfg.credentials[name];
        if (!c) continue; // the config loader's cross-checks refuse unknown names
        const sc = sessionCredential(c);
        if (sc.version === '3') r.getAuthorizer().addUser(netSnmpUser(sc));
        else r.getAuthorizer().addCommunity(revealSecret(sc.community) ?? '');
      }
      const s = socket;
      if (!s) throw new Error('trap receiver created no socket');
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          s.off('listening', onListening);
          const where = `${cfg.traps.address}:${cfg.traps.port}`;
          const hint = err.code === 'EACCES' && cfg.traps.port < 1024 ? ': ports below 1024 need CAP_NET_BIND_SERVICE (or keep 1162 and redirect 162 to it with nftables)' : '';
          reject(new Error(`cannot listen for SNMP traps on udp ${where}: ${err.code ?? err.message}${hint}`));
        };
        const onListening = () => {
          s.off('error', onError);
          resolve();
        };
        s.once('error', onError);
        s.once('listening', onListening);
      }).catch((err: unknown) => {
        try {
          r.close();
        } catch {
          // the socket never bound: nothing to close
        }
        receiver = undefined;
        throw err;
      });
      log.info({ event: 'snmp_traps_listening', address: cfg.traps.address, port: s.address().port, credentials: cfg.traps.credentials }, 'listening for SNMP traps');
    },
    async stop() {
      const r = receiver;
      receiver = undefined;
      if (!r) return;
      await new Promise<void>((resolve) => {
        try {
          r.close(() => resolve());
        } catch {
          resolve(); // already closed
        }
      });
    },
    port() {
      return socket?.address().port ?? 0;
    },
    stats() {
      return { ...stats, rejected: { ...stats.rejected } };
    },
  };
}
