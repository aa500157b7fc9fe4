// The narrow SNMP client the poller talks through (GET, GETNEXT, GETBULK as promises), its
// net-snmp implementation, and the classification of failures into errors that name what went
// wrong without ever carrying a secret. Unit tests replace `SnmpClient` with their own.
import * as dgram from 'node:dgram';
import * as snmp from 'net-snmp';
import type { SnmpCredentialConfig } from '../../config/schema.js';
import { revealSecret, type SecretValue } from '../../config/secret.js';

export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
  /** Set by the walker: monotonic time the answer carrying this varbind arrived. */
  atMs?: number;
  /** Set by the walker: the agent's sysUpTime (ticks) in the answer carrying this varbind. */
  agentTicks?: number;
}

export type SnmpVersion = '1' | '2c' | '3';

export interface SnmpClient {
  readonly version: SnmpVersion;
  get(oids: readonly string[]): Promise<Varbind[]>;
  getNext(oids: readonly string[]): Promise<Varbind[]>;
  /** One list per requested OID: a single varbind for each non-repeater, the repetitions for the others. */
  getBulk(oids: readonly string[], nonRepeaters: number, maxRepetitions: number): Promise<Varbind[][]>;
  close(): void;
}

export type SnmpErrorKind = 'timeout' | 'auth' | 'agent' | 'protocol' | 'socket' | 'closed';

/** A failed SNMP request, safe to log and show: the message never contains a community or key. */
export class SnmpError extends Error {
  override readonly name = 'SnmpError';
  readonly kind: SnmpErrorKind;
  /** Worth trying again next interval without a configuration change. */
  readonly retryable: boolean;
  /** For kind 'agent': the SNMP error-status the agent returned (2 noSuchName …). */
  readonly status: number | undefined;
  constructor(kind: SnmpErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.retryable = kind === 'timeout' || kind === 'socket' || kind === 'protocol';
  }
}

// ------------------------------------------------------------------------------- credentials

export type AuthProtocolName = NonNullable<SnmpCredentialConfig['auth_protocol']>;
export type PrivProtocolName = NonNullable<SnmpCredentialConfig['priv_protocol']>;
export type SecurityLevelName = 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';

/** A credential as the session needs it; secrets stay wrapped until the session is created. */
export type SessionCredential =
  | { version: '1' | '2c'; community: SecretValue }
  | {
      version: '3';
      user: string;
      level: SecurityLevelName;
      authProtocol?: AuthProtocolName;
      authKey?: SecretValue;
      privProtocol?: PrivProtocolName;
      privKey?: SecretValue;
    };

/** From the config's credential (already checked by the loader's cross-checks). */
export function sessionCredential(cfg: SnmpCredentialConfig): SessionCredential {
  if (cfg.version !== '3') return { version: cfg.version, community: cfg.community ?? '' };
  return {
    version: '3',
    user: cfg.user ?? '',
    level: cfg.level ?? 'noAuthNoPriv',
    ...(cfg.auth_protocol !== undefined ? { authProtocol: cfg.auth_protocol } : {}),
    ...(cfg.auth_key !== undefined ? { authKey: cfg.auth_key } : {}),
    ...(cfg.priv_protocol !== undefined ? { privProtocol: cfg.priv_protocol } : {}),
    ...(cfg.priv_key !== undefined ? { privKey: cfg.priv_key } : {}),
  };
}

const AUTH: Record<AuthProtocolName, snmp.AuthProtocols> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};

const PRIV: Record<PrivProtocolName, snmp.PrivProtocols> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

/** The net-snmp user for a v3 credential. Reveals the keys: call only where a session is created. */
export function netSnmpUser(c: Extract<SessionCredential, { version: '3' }>): snmp.User {
  const user: snmp.User = { name: c.user, level: snmp.SecurityLevel[c.level] };
  if (c.level !== 'noAuthNoPriv') {
    user.authProtocol = AUTH[c.authProtocol ?? 'sha'];
    user.authKey = revealSecret(c.authKey) ?? '';
  }
  if (c.level === 'authPriv') {
    user.privProtocol = PRIV[c.privProtocol ?? 'aes'];
    user.privKey = revealSecret(c.privKey) ?? '';
  }
  return user;
}

// --------------------------------------------------------------------------- classification

export interface ErrorContext {
  version: SnmpVersion;
  user?: string;
  level?: SecurityLevelName;
  timeoutMs: number;
  retries: number;
}

// net-snmp's USM report texts (UsmStats) → what an engineer should check.
const USM_REPORTS: Record<string, string> = {
  'Wrong Digest (incorrect password, community or key)': 'wrong digest: check auth_key and auth_protocol',
  'Unknown User Name': 'the agent does not know this user',
  'Unsupported Security Level': 'the agent does not allow this security level for this user',
  'Decryption Error': 'the agent could not decrypt the request: check priv_key and priv_protocol',
  'Not In Time Window': 'not in the time window (agent clock or engine boots changed)',
  'Unknown Engine ID': 'unknown engine ID',
};

// net-snmp 3.29 codes that @types/net-snmp does not list yet.
const E_NOT_IN_TIME_WINDOW = 14;
const E_BAD_VARBIND_LIST = 15;

const INVALID_CODES: Record<number, string> = {
  [snmp.ResponseInvalidCode.EIp4AddressSize]: 'bad IPv4 address size',
  [snmp.ResponseInvalidCode.EUnknownObjectType]: 'unknown object type',
  [snmp.ResponseInvalidCode.EUnknownPduType]: 'unexpected PDU type',
  [snmp.ResponseInvalidCode.EReqResOidNoMatch]: 'response OIDs do not match the request',
  [snmp.ResponseInvalidCode.EVersionNoMatch]: 'SNMP version of the response does not match',
  [snmp.ResponseInvalidCode.ECommunityNoMatch]: 'community of the response does not match',
  [snmp.ResponseInvalidCode.EUnexpectedReport]: 'unexpected report PDU',
  [snmp.ResponseInvalidCode.EResponseNotHandled]: 'response not handled',
  [snmp.ResponseInvalidCode.EUnexpectedResponse]: 'unexpected response',
  [E_BAD_VARBIND_LIST]: 'bad varbind list',
  [snmp.ResponseInvalidCode.EOutOfOrder]: 'OIDs out of order',
};

/** Agents stay silent for a wrong community, and snmpd for a wrong v3 privacy key: say so. */
function timeoutMessage(ctx: ErrorContext): string {
  const hint =
    ctx.version !== '3'
      ? ' (agents do not answer a wrong community: check it too)'
      : ctx.level === 'authPriv'
        ? ' (agents may not answer a wrong priv_key: check it too)'
        : '';
  return `no response within ${ctx.timeoutMs} ms × ${ctx.retries + 1} attempts${hint}`;
}

/**
 * Turn whatever net-snmp or the socket threw into an SnmpError. net-snmp's own messages are never
 * passed on: some embed the community or the calculated digest, and its auth errors carry the user
 * object (with keys) in `info`.
 */
export function classifyError(err: unknown, ctx: ErrorContext): SnmpError {
  if (err instanceof SnmpError) return err;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; status?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  const who = ctx.version === '3' ? `SNMPv3 user "${ctx.user ?? ''}"` : `SNMPv${ctx.version}`;
  if (name === 'RequestTimedOutError') {
    return new SnmpError('timeout', timeoutMessage(ctx));
  }
  if (name === 'RequestFailedError') {
    // "noSuchName: 1.3.6…" — the agent's error status and OID: safe.
    const status = typeof e?.status === 'number' ? e.status : undefined;
    return new SnmpError('agent', `agent error: ${message.replace(/[^\w .:-]/g, '').slice(0, 120)}`, status);
  }
  if (name === 'ResponseInvalidError') {
    const code = typeof e?.code === 'number' ? e.code : -1;
    if (code === snmp.ResponseInvalidCode.EAuthFailure) {
      const report = USM_REPORTS[message];
      if (report !== undefined) return new SnmpError('auth', `${who}: authentication failed: ${report}`);
      return new SnmpError('auth', `${who}: authentication failed: the response's digest is wrong (check auth_key and auth_protocol)`);
    }
    if (code === snmp.ResponseInvalidCode.ECouldNotDecrypt)
      return new SnmpError('auth', `${who}: could not decrypt the response: check priv_key and priv_protocol`);
    if (code === E_NOT_IN_TIME_WINDOW) return new SnmpError('auth', `${who}: response outside the USM time window`);
    return new SnmpError('protocol', `invalid response: ${INVALID_CODES[code] ?? 'unknown reason'}`);
  }
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new SnmpError('socket', `socket error ${e.code}`);
  if (message === 'Socket forcibly closed') return new SnmpError('closed', 'session closed');
  return new SnmpError('protocol', 'malformed response');
}

// ----------------------------------------------------------------------------- net-snmp client

export interface ClientTarget {
  host: string;
  port: number;
}

export interface ClientTiming {
  timeoutMs: number;
  retries: number;
}

export interface ClientHooks {
  /**
   * A datagram that net-snmp could not process (it threw while parsing or distributing it).
   * Counted by the caller; the request it belonged to, if any, ends at its deadline.
   */
  onMalformed?: () => void;
}

/**
 * A dgram module whose sockets run 'message' listeners inside try/catch: net-snmp parses replies in
 * that listener, and a malformed or hostile datagram can make it throw, which would otherwise be
 * an uncaught exception and end the daemon.
 */
export function guardedDgram(onThrow: (err: unknown) => void, onSocket?: (socket: dgram.Socket) => void): { createSocket: typeof dgram.createSocket } {
  return {
    createSocket: ((type: dgram.SocketType) => {
      const socket = dgram.createSocket(type);
      onSocket?.(socket);
      const on = socket.on.bind(socket);
      socket.on = ((event: string, listener: (...args: unknown[]) => void) =>
        on(event, event === 'message'
          ? (...args: unknown[]) => {
              try {
                listener(...args);
              } catch (err) {
                onThrow(err);
              }
            }
          : listener)) as typeof socket.on;
      return socket;
    }) as typeof dgram.createSocket,
  };
}

/** Open a net-snmp session for one agent. The credential's secrets are revealed here and only here. */
export function openNetSnmpClient(target: ClientTarget, credential: SessionCredential, timing: ClientTiming, hooks: ClientHooks = {}): SnmpClient {
  let malformedSeen = 0;
  const dgramModule = guardedDgram(() => {
    malformedSeen++;
    hooks.onMalformed?.();
  });
  const common = { port: target.port, timeout: timing.timeoutMs, retries: timing.retries, backoff: 1, dgramModule };
  const session =
    credential.version === '3'
      ? snmp.createV3Session(target.host, netSnmpUser(credential), { ...common, version: snmp.Version3 })
      : snmp.createSession(target.host, revealSecret(credential.community) ?? '', {
          ...common,
          version: credential.version === '1' ? snmp.Version1 : snmp.Version2c,
        });
  // net-snmp emits 'error' when a datagram does not parse; without a listener that would throw.
  session.on('error', () => {
    malformedSeen++;
    hooks.onMalformed?.();
  });
  const ctx: ErrorContext = {
    version: credential.version,
    ...(credential.version === '3' ? { user: credential.user, level: credential.level } : {}),
    timeoutMs: timing.timeoutMs,
    retries: timing.retries,
  };
  // v3 may need a discovery exchange before the request, each with its own retries.
  const deadlineMs = timing.timeoutMs * (timing.retries + 1) * (credential.version === '3' ? 2 : 1) + Math.max(100, timing.timeoutMs / 2);
  let closed = false;
  // Whether any request of this session ever got an answer (see refine()).
  let answered = false;

  /** A timeout says more in two cases where the agent did talk to us. */
  function refine(e: SnmpError, sawMalformed: boolean): SnmpError {
    if (e.kind !== 'timeout') return e;
    // It answered, just not in a form net-snmp could read: not a silent agent.
    if (sawMalformed) return new SnmpError('protocol', 'malformed response');
    // It answered USM discovery (so it is up and knows SNMPv3) but never an encrypted request:
    // agents such as snmpd drop a request they cannot decrypt, so the privacy key or protocol is wrong.
    const discovered = (session as unknown as { msgSecurityParameters?: unknown }).msgSecurityParameters !== undefined;
    if (credential.version === '3' && credential.level === 'authPriv' && !answered && discovered)
      return new SnmpError('auth', `SNMPv3 user "${credential.user}": the agent answered discovery but not the encrypted request: check priv_key and priv_protocol`);
    return e;
  }

  function request<T>(send: (done: (error: unknown, result?: T) => void) => void): Promise<T> {
    if (closed) return Promise.reject(new SnmpError('closed', 'session closed'));
    const malformedAtStart = malformedSeen;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // net-snmp can lose a request when a reply makes it throw: the deadline ends it then.
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(refine(new SnmpError('timeout', timeoutMessage(ctx)), malformedSeen > malformedAtStart));
      }, deadlineMs);
      const done = (error: unknown, result?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!error) {
          answered = true;
          return resolve(result as T);
        }
        reject(refine(classifyError(error, ctx), malformedSeen > malformedAtStart));
      };
      try {
        send(done);
      } catch (err) {
        done(err);
      }
    });
  }

  return {
    version: credential.version,
    get: (oids) => request<Varbind[]>((done) => session.get([...oids], (error, varbinds) => done(error, (varbinds ?? []) as Varbind[]))),
    getNext: (oids) => request<Varbind[]>((done) => session.getNext([...oids], (error, varbinds) => done(error, (varbinds ?? []) as Varbind[]))),
    getBulk: (oids, nonRepeaters, maxRepetitions) =>
      request<Varbind[][]>((done) =>
        session.getBulk([...oids], nonRepeaters, maxRepetitions, (error, varbinds) => {
          if (error) return done(error);
          const lists = (varbinds ?? []).map((v) => (Array.isArray(v) ? v : [v]) as Varbind[]);
          done(null, lists);
        }),
      ),
    close() {
      if (closed) return;
      closed = true;
      try {
        session.close();
      } catch {
        // already closed by a socket error: nothing left to release
      }
    },
  };
}
