// Promise wrappers over the net-snmp client for tests and for the harness's readiness probes,
// plus the Counter64 decoding rule (net-snmp hands Counter64 over as a Buffer of minimal BER
// length, 1 to 9 bytes, so it must be read as a big-endian unsigned integer of any length).
import * as snmp from 'net-snmp';

export type Session = snmp.Session;
export type Varbind = snmp.Varbind;

export interface SessionTiming {
  /** Per-request timeout in ms (default 1000). */
  timeout?: number;
  /** Retries after a timeout (default 1). */
  retries?: number;
}

/** A v2c session to host:port. Close it with {@link closeSession}. */
export function openV2cSession(
  host: string,
  port: number,
  community: string,
  timing: SessionTiming = {},
): Session {
  return snmp.createSession(host, community, {
    port,
    version: snmp.Version2c,
    timeout: timing.timeout ?? 1000,
    retries: timing.retries ?? 1,
  });
}

export interface V3Credentials {
  name: string;
  authProtocol: snmp.AuthProtocols;
  authKey: string;
  /** Omit for authNoPriv. */
  privProtocol?: snmp.PrivProtocols;
  privKey?: string;
}

/** A v3 session (authPriv when privProtocol is given, else authNoPriv). */
export function openV3Session(
  host: string,
  port: number,
  credentials: V3Credentials,
  timing: SessionTiming = {},
): Session {
  const priv = credentials.privProtocol !== undefined;
  const user: snmp.User = {
    name: credentials.name,
    level: priv ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
    authProtocol: credentials.authProtocol,
    authKey: credentials.authKey,
    ...(priv ? { privProtocol: credentials.privProtocol, privKey: credentials.privKey } : {}),
  };
  return snmp.createV3Session(host, user, {
    port,
    version: snmp.Version3,
    timeout: timing.timeout ?? 1000,
    retries: timing.retries ?? 1,
  });
}

/** Close a session, ignoring "already closed". */
export function closeSession(session: Session): void {
  try {
    session.close();
  } catch {
    // already closed
  }
}

/** GET; rejects on transport errors and on per-varbind errors (noSuchObject etc.). */
export function snmpGet(session: Session, oids: readonly string[]): Promise<Varbind[]> {
  return new Promise((resolve, reject) => {
    session.get([...oids], (error, varbinds) => {
      if (error) return reject(error);
      const list = varbinds ?? [];
      const bad = list.find((vb) => snmp.isVarbindError(vb));
      if (bad) return reject(new Error(`GET ${bad.oid}: ${snmp.varbindError(bad)}`));
      resolve(list);
    });
  });
}

/** Walk the subtree under `oid` with GETBULK (v2c/v3); varbinds in agent order. */
export function snmpWalk(session: Session, oid: string, maxRepetitions = 20): Promise<Varbind[]> {
  return new Promise((resolve, reject) => {
    const out: Varbind[] = [];
    session.subtree(
      oid,
      maxRepetitions,
      (varbinds) => {
        for (const vb of varbinds) {
          if (!snmp.isVarbindError(vb)) out.push(vb);
        }
      },
      (error) => (error ? reject(error) : resolve(out)),
    );
  });
}

/**
 * True once an agent answers anything (a value or an SNMP error) at host:port with `community`;
 * false on a timeout. Used to wait for simulators and daemons to come up.
 */
export function snmpAnswers(host: string, port: number, community: string): Promise<boolean> {
  const session = openV2cSession(host, port, community, { timeout: 300, retries: 0 });
  // Socket errors (e.g. ICMP port unreachable surfacing as ECONNREFUSED) mean "not yet".
  session.on('error', () => undefined);
  return new Promise<boolean>((resolve) => {
    session.getNext(['1.3.6.1'], (error) => {
      resolve(!isTimeout(error) && !isSocketError(error));
    });
  }).finally(() => closeSession(session));
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'RequestTimedOutError';
}

function isSocketError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * Decode a Counter64 value as net-snmp delivers it: a Buffer of 1–9 big-endian bytes (a leading
 * 0x00 is BER's sign byte). Numbers/bigints are accepted too, for other sources.
 */
export function counter64ToBigInt(value: snmp.VarbindValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (Buffer.isBuffer(value)) {
    if (value.length === 0 || value.length > 9) {
      throw new RangeError(`Counter64 buffer of ${value.length} bytes`);
    }
    return BigInt(`0x${value.toString('hex')}`);
  }
  throw new TypeError(`not a Counter64 value: ${String(value)}`);
}
