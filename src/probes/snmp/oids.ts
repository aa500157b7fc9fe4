// Numeric OIDs netcov reads (Debian ships no IF-MIB file, and a daemon should not depend on MIB
// files anyway), and small helpers on dotted OID strings.

export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

/** ifTable (1.3.6.1.2.1.2.2.1) and ifXTable (1.3.6.1.2.1.31.1.1.1) columns; the row index is ifIndex. */
export const IF_COLUMNS = {
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInUcastPkts: '1.3.6.1.2.1.2.2.1.11',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutUcastPkts: '1.3.6.1.2.1.2.2.1.17',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCInUcastPkts: '1.3.6.1.2.1.31.1.1.1.7',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHCOutUcastPkts: '1.3.6.1.2.1.31.1.1.1.11',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
  ifCounterDiscontinuityTime: '1.3.6.1.2.1.31.1.1.1.19',
  /** ifSpeed (bit/s, Gauge32): the speed of agents without ifXTable. */
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  /** ifDescr: the name of agents without ifXTable. */
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
} as const;

export type IfColumn = keyof typeof IF_COLUMNS;

/** Trap OIDs (SNMPv2-MIB snmpTrapOID.0 values, RFC 3418 / IF-MIB). */
export const TRAP = {
  snmpTrapOID: '1.3.6.1.6.3.1.1.4.1.0',
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  warmStart: '1.3.6.1.6.3.1.1.5.2',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
  authenticationFailure: '1.3.6.1.6.3.1.1.5.5',
  ifIndex: '1.3.6.1.2.1.2.2.1.1',
} as const;

/** True when `oid` lies strictly below `base` (dotted strings, numeric arcs). */
export function isUnder(base: string, oid: string): boolean {
  return oid.length > base.length + 1 && oid.startsWith(base) && oid.charCodeAt(base.length) === 46; // '.'
}

/** Compare two dotted OIDs arc by arc: negative when a sorts before b. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
