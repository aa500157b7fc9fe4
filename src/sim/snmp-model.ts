// The traffic model behind the simulated SNMP agents: interface counters as closed-form integrals
// of a day/night rate, so any instant can be answered exactly (no ticking loop) and counters only
// ever grow, until a reboot resets them. Pure: state plus `nowMs` in, values out.
//
// rate(t) = mean · (1 + 0.7·sin(day) + 0.15·sin(minutes-scale ripple)): busiest at 12:00 and
// quietest at 00:00 in Vietnam (UTC+7), never below 15 % of the mean.

import { seededRandom } from '../util/random.js';

const DAY_S = 86_400;
const VN_OFFSET_S = 7 * 3600;
const DAY_AMPLITUDE = 0.7;
const RIPPLE_AMPLITUDE = 0.15;
const MEAN_PACKET_BYTES = 800;
const ERRORS_PER_PACKET = 1e-6;
const DISCARDS_PER_PACKET = 1e-5;
export const TWO_32 = 1n << 32n;
export const TWO_64 = 1n << 64n;

export type Regime = 'normal' | 'down' | 'saturated';

export interface SimInterface {
  ifIndex: number;
  name: string;
  alias: string;
  speedMbps: number;
  /** Mean of the day/night pattern, bit/s, per direction. */
  meanInBps: number;
  meanOutBps: number;
  /** Ripple period (s) and phase: makes agents and interfaces differ. */
  ripplePeriodS: number;
  phase: number;
  regime: Regime;
  /** When the current regime began, ms, and the octets counted up to then. */
  regimeStartMs: number;
  baseInOctets: bigint;
  baseOutOctets: bigint;
}

export interface SimAgentState {
  sysName: string;
  sysDescr: string;
  bootMs: number;
  /** Counter value at boot (0 normally; near 2^64 to exercise wraps). */
  initialOctets: bigint;
  interfaces: SimInterface[];
  /** Drop every request (an agent-level SNMP fault). */
  silent: boolean;
}

export interface SimAgentOptions {
  sysName: string;
  interfaces: number;
  uplinkMbps: number;
  lanMbps: number;
  /** Mean load of the uplink as a fraction of its speed (LAN ports get a smaller share). */
  uplinkLoad: number;
  /** Octets already counted at boot: 0n, or close to 2^64 so Counter64 and Counter32 wrap soon. */
  initialOctets: bigint;
  /** Seeds the per-agent variation (deterministic). */
  seed: number;
}

export function createAgentState(o: SimAgentOptions, nowMs: number): SimAgentState {
  const rnd = seededRandom(o.seed);
  const interfaces: SimInterface[] = [];
  for (let i = 1; i <= o.interfaces; i++) {
    const uplink = i === 1;
    const speedMbps = uplink ? o.uplinkMbps : o.lanMbps;
    // The uplink carries the site's traffic; each LAN port a share of it, unevenly.
    const load = uplink ? o.uplinkLoad * (0.6 + 0.8 * rnd()) : (o.uplinkLoad * o.uplinkMbps) / speedMbps / Math.max(1, o.interfaces - 1) * (0.3 + 1.4 * rnd());
    const meanIn = Math.min(0.5, load) * speedMbps * 1e6;
    interfaces.push({
      ifIndex: i,
      name: uplink ? 'ge-0/0/0' : `ge-0/1/${i - 2}`,
      alias: uplink ? 'uplink' : `lan ${i - 1}`,
      speedMbps,
      meanInBps: meanIn,
      // Government offices download more than they send.
      meanOutBps: meanIn * (0.25 + 0.3 * rnd()),
      ripplePeriodS: 300 + 600 * rnd(),
      phase: 2 * Math.PI * rnd(),
      regime: 'normal',
      regimeStartMs: nowMs,
      baseInOctets: 0n,
      baseOutOctets: 0n,
    });
  }
  return {
    sysName: o.sysName,
    sysDescr: `netcov simulated router, ${o.interfaces} interfaces (uplink ${o.uplinkMbps} Mbit/s)`,
    bootMs: nowMs,
    initialOctets: o.initialOctets,
    interfaces,
    silent: false,
  };
}

/** ∫ rate dt / 8 over [fromMs, toMs] for one direction of the normal regime, in octets. */
function normalOctets(i: SimInterface, meanBps: number, fromMs: number, toMs: number): number {
  const a = fromMs / 1000;
  const b = toMs / 1000;
  const wd = (2 * Math.PI) / DAY_S;
  const wr = (2 * Math.PI) / i.ripplePeriodS;
  // Peak at 12:00 local: sin(wd·(t + 7 h − 6 h)).
  const pd = wd * (VN_OFFSET_S - 6 * 3600);
  const day = (DAY_AMPLITUDE / wd) * (Math.cos(wd * a + pd) - Math.cos(wd * b + pd));
  const ripple = (RIPPLE_AMPLITUDE / wr) * (Math.cos(wr * a + i.phase) - Math.cos(wr * b + i.phase));
  return (meanBps * (b - a + day + ripple)) / 8;
}

function regimeOctets(i: SimInterface, meanBps: number, toMs: number): number {
  if (toMs <= i.regimeStartMs) return 0;
  switch (i.regime) {
    case 'down':
      return 0;
    case 'saturated':
      return ((i.speedMbps * 1e6 * 0.97) / 8) * ((toMs - i.regimeStartMs) / 1000);
    case 'normal':
      return normalOctets(i, meanBps, i.regimeStartMs, toMs);
  }
}

export interface InterfaceCounters {
  inOctets: bigint;
  outOctets: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inErrors: bigint;
  outErrors: bigint;
  inDiscards: bigint;
  outDiscards: bigint;
}

/** Octets since boot (without the initial offset). */
function octetsSinceBoot(i: SimInterface, nowMs: number): { inOctets: bigint; outOctets: bigint } {
  return {
    inOctets: i.baseInOctets + BigInt(Math.floor(regimeOctets(i, i.meanInBps, nowMs))),
    outOctets: i.baseOutOctets + BigInt(Math.floor(regimeOctets(i, i.meanOutBps, nowMs))),
  };
}

/** Every counter of an interface at `nowMs`, as unbounded integers (callers reduce mod 2^32 / 2^64). */
export function interfaceCounters(agent: SimAgentState, i: SimInterface, nowMs: number): InterfaceCounters {
  const { inOctets, outOctets } = octetsSinceBoot(i, nowMs);
  const inPkts = inOctets / BigInt(MEAN_PACKET_BYTES);
  const outPkts = outOctets / BigInt(MEAN_PACKET_BYTES);
  const scaled = (n: bigint, perPacket: number) => BigInt(Math.floor(Number(n) * perPacket));
  return {
    inOctets: agent.initialOctets + inOctets,
    outOctets: agent.initialOctets + outOctets,
    inPkts,
    outPkts,
    inErrors: scaled(inPkts, ERRORS_PER_PACKET),
    outErrors: scaled(outPkts, ERRORS_PER_PACKET),
    inDiscards: scaled(inPkts, DISCARDS_PER_PACKET),
    outDiscards: scaled(outPkts, DISCARDS_PER_PACKET),
  };
}

/** Switch an interface to another regime at `nowMs`, keeping its counters continuous. */
export function setRegime(i: SimInterface, regime: Regime, nowMs: number): void {
  const { inOctets, outOctets } = octetsSinceBoot(i, nowMs);
  i.baseInOctets = inOctets;
  i.baseOutOctets = outOctets;
  i.regimeStartMs = nowMs;
  i.regime = regime;
}

/** Reboot: uptime and every counter start again from zero. */
export function reboot(agent: SimAgentState, nowMs: number): void {
  agent.bootMs = nowMs;
  agent.initialOctets = 0n;
  for (const i of agent.interfaces) {
    i.baseInOctets = 0n;
    i.baseOutOctets = 0n;
    i.regimeStartMs = nowMs;
    if (i.regime === 'saturated') i.regime = 'normal';
  }
}

/** sysUpTime in TimeTicks (hundredths of a second), wrapping at 2^32 as the real object does. */
export function uptimeTicks(agent: SimAgentState, nowMs: number): number {
  return Math.floor(Math.max(0, nowMs - agent.bootMs) / 10) % 2 ** 32;
}

/** Counter64 as net-snmp's Agent needs it: an 8-byte big-endian Buffer (a number or bigint kills it). */
export function counter64Buffer(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value % TWO_64);
  return b;
}

export function counter32(value: bigint): number {
  return Number(value % TWO_32);
}
