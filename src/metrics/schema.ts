// The metric schema: every measurement, tag and field netcov writes, with types and units.
// The sink encodes through it and the dashboard builders query through it, so a renamed field
// cannot leave a dashboard behind. docs/metrics.md is checked against this module by a test.
// Names follow Telegraf where Telegraf has one (ping, interface), so existing dashboards work.
import type { Inventory, Point } from '../inventory/model.js';

export type FieldType = 'float' | 'integer' | 'boolean' | 'string';

export interface FieldDef {
  type: FieldType;
  unit: string;
  description: string;
}

export interface MeasurementDef<F extends string = string, T extends string = string> {
  name: string;
  description: string;
  /** Tag keys; `unitLevels: true` adds one tag per administrative level (province, district, commune …). */
  tags: Record<T, string>;
  unitLevels: boolean;
  fields: Record<F, FieldDef>;
  /** Retention policy the measurement is written to (raw by default). */
  retention: 'raw' | 'rollup';
}

function measurement<F extends string, T extends string>(def: MeasurementDef<F, T>): MeasurementDef<F, T> {
  return def;
}

/** Tags every per-point measurement carries. */
export const POINT_TAGS = {
  point_id: 'Stable point id from the inventory (e.g. commune-24181).',
  kind: 'Point kind: agency, district, commune.',
  upstream: 'Id of the upstream point ("" for the core).',
  url: 'Management address, as Telegraf\'s ping plugin tags it.',
} as const;

export const PING = measurement({
  name: 'ping',
  description: 'One ICMP round per point (N echoes). Telegraf ping field names.',
  tags: POINT_TAGS,
  unitLevels: true,
  retention: 'raw',
  fields: {
    packets_transmitted: { type: 'integer', unit: 'packets', description: 'Echo requests sent in the round.' },
    packets_received: { type: 'integer', unit: 'packets', description: 'Echo replies received in the round.' },
    percent_packet_loss: { type: 'float', unit: '%', description: 'Lost echoes, 0–100.' },
    minimum_response_ms: { type: 'float', unit: 'ms', description: 'Smallest RTT (absent when nothing came back).' },
    average_response_ms: { type: 'float', unit: 'ms', description: 'Mean RTT.' },
    median_response_ms: { type: 'float', unit: 'ms', description: 'Median RTT (netcov).' },
    maximum_response_ms: { type: 'float', unit: 'ms', description: 'Largest RTT.' },
    standard_deviation_ms: { type: 'float', unit: 'ms', description: 'Population standard deviation of RTTs.' },
    jitter_ms: { type: 'float', unit: 'ms', description: 'Mean absolute difference of consecutive RTTs (netcov).' },
    result_code: { type: 'integer', unit: '', description: '0 success (even with loss), 1 unknown host, 2 ping error.' },
  },
});

/**
 * Every measurement netcov writes. Later features add theirs here (interface, snmp, events,
 * alerts, coverage, netcov self-figures) so dashboards and docs see one list.
 */
export const MEASUREMENTS = {
  ping: PING,
} as const satisfies Record<string, MeasurementDef>;

export type MeasurementName = keyof typeof MEASUREMENTS;

/** A sample ready for the sink: a measurement name, tags, typed fields, a UTC time in ms. */
export interface Sample {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | bigint | boolean | string>;
  timeMs: number;
}

/** Tags of a point for every per-point measurement: id, kind, upstream, address and one per level. */
export function pointTags(inv: Inventory, p: Point): Record<string, string> {
  return { point_id: p.id, kind: p.kind, upstream: p.upstream ?? '', url: p.address, ...inv.unitTags(p.unit) };
}
