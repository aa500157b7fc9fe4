// SNMP polls and point events → samples of the `interface`, `snmp`, `snmp_scalar` and `events`
// measurements (src/metrics/schema.ts). Absent values are left out, never written as 0.
import type { Inventory, Point } from '../../inventory/model.js';
import { EVENTS, INTERFACE, SNMP, SNMP_SCALAR, pointTags, type Sample } from '../../metrics/schema.js';
import type { PointEvent } from '../../observations.js';
import type { CounterName, CounterReading, InterfaceRates } from './counters.js';
import { RESULT_CODES, resultName, tally, type PollResult } from './result.js';

type InterfaceField = keyof typeof INTERFACE.fields;
type SnmpField = keyof typeof SNMP.fields;

const INT64_MAX = (1n << 63n) - 1n;

const RAW_64: Record<CounterName, InterfaceField> = {
  inOctets: 'ifHCInOctets',
  outOctets: 'ifHCOutOctets',
  inUcastPkts: 'ifHCInUcastPkts',
  outUcastPkts: 'ifHCOutUcastPkts',
  inErrors: 'ifInErrors',
  outErrors: 'ifOutErrors',
  inDiscards: 'ifInDiscards',
  outDiscards: 'ifOutDiscards',
};
const RAW_32: Record<CounterName, InterfaceField> = {
  ...RAW_64,
  inOctets: 'ifInOctets',
  outOctets: 'ifOutOctets',
  inUcastPkts: 'ifInUcastPkts',
  outUcastPkts: 'ifOutUcastPkts',
};

const RATE_FIELDS: Record<keyof InterfaceRates, InterfaceField> = {
  inBitsPerSecond: 'in_bps',
  outBitsPerSecond: 'out_bps',
  inUtilizationPct: 'in_utilization_pct',
  outUtilizationPct: 'out_utilization_pct',
  inUcastPacketsPerSecond: 'in_ucast_pps',
  outUcastPacketsPerSecond: 'out_ucast_pps',
  inErrorsPerSecond: 'in_errors_per_s',
  outErrorsPerSecond: 'out_errors_per_s',
  inDiscardsPerSecond: 'in_discards_per_s',
  outDiscardsPerSecond: 'out_discards_per_s',
};

function rawCounter(c: CounterReading): bigint | undefined {
  return c.value <= INT64_MAX ? c.value : undefined; // InfluxDB integers are int64
}

/** Every sample of one poll: `snmp` always; `interface` and `snmp_scalar` rows when it succeeded. */
export function pollSamples(inventory: Inventory, point: Point, r: PollResult): Sample[] {
  const tags = pointTags(inventory, point);
  const name = resultName(r);
  const { discontinuities, glitches } = tally(r.rates);
  const s = r.snapshot;
  const snmpFields: Partial<Record<SnmpField, number | string>> = {
    result_code: RESULT_CODES[name],
    result: name,
    poll_duration_ms: r.durationMs,
  };
  if (s && !r.error) {
    snmpFields.requests = s.requests;
    snmpFields.interfaces = s.interfaces.length;
    snmpFields.discontinuities = discontinuities;
    snmpFields.rate_glitches = glitches;
    if (s.uptimeTicks !== undefined) snmpFields.uptime_s = s.uptimeTicks / 100;
    if (s.sysName !== undefined) snmpFields.sys_name = s.sysName;
  }
  const out: Sample[] = [{ measurement: SNMP.name, tags, fields: snmpFields, timeMs: r.timeMs }];
  if (!s || r.error) return out;

  for (const i of s.interfaces) {
    const fields: Partial<Record<InterfaceField, number | bigint>> = { ifOperStatus: i.operStatus, ifAdminStatus: i.adminStatus };
    if (i.highSpeedMbps !== undefined) fields.ifHighSpeed = i.highSpeedMbps;
    else if (i.speedBitsPerSecond !== undefined) fields.ifHighSpeed = Math.round(i.speedBitsPerSecond / 1e6);
    for (const [counter, reading] of Object.entries(i.counters) as [CounterName, CounterReading][]) {
      const v = rawCounter(reading);
      if (v !== undefined) fields[(reading.width === 64 ? RAW_64 : RAW_32)[counter]] = v;
    }
    const outcome = r.rates?.interfaces.get(i.ifIndex);
    if (outcome?.kind === 'rates') {
      for (const [rate, value] of Object.entries(outcome.rates) as [keyof InterfaceRates, number | undefined][]) {
        if (value !== undefined && Number.isFinite(value)) fields[RATE_FIELDS[rate]] = value;
      }
    }
    out.push({
      measurement: INTERFACE.name,
      tags: { ...tags, ifName: i.name, ifAlias: i.alias, ifIndex: String(i.ifIndex) },
      fields,
      timeMs: r.timeMs,
    });
  }
  for (const [scalar, value] of Object.entries(s.scalars)) {
    out.push({
      measurement: SNMP_SCALAR.name,
      tags: { ...tags, name: scalar },
      fields: typeof value === 'number' ? { value } : { text: value },
      timeMs: r.timeMs,
    });
  }
  return out;
}

/** The `events` sample of a point event; undefined when the point is not in the inventory. */
export function eventSample(inventory: Inventory, e: PointEvent): Sample | undefined {
  const point = inventory.point(e.pointId);
  if (!point) return undefined;
  return {
    measurement: EVENTS.name,
    tags: {
      ...pointTags(inventory, point),
      type: e.type,
      source: e.source,
      ifIndex: e.ifIndex !== undefined ? String(e.ifIndex) : '',
      ifName: e.ifName ?? '',
    },
    fields: { count: 1, detail: e.detail ?? '' },
    timeMs: e.timeMs,
  };
}
