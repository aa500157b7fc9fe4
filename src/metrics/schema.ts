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
  /** A tag whose value is "" is left out (line protocol has no empty tag value). */
  tags: Record<string, string>;
  /** An undefined value means "absent" (e.g. RTTs of a round with no reply) and is left out. */
  fields: Record<string, number | bigint | boolean | string | undefined>;
  timeMs: number;
}

/**
 * InfluxDB 1.x retention policies netcov creates (sink setup): raw samples go to `raw` (the
 * database's default policy, `sink.raw_retention`, 30 days by default); continuous queries roll
 * them up into `rollup` (`sink.rollup_retention`, 400 days). Queries name them explicitly:
 * `"raw"."ping"`, `"rollup"."ping_5m"`.
 */
export const RETENTION_POLICIES = { raw: 'raw', rollup: 'rollup' } as const;

export type Aggregate = 'min' | 'mean' | 'max' | 'sum' | 'count';

export interface RollupFieldDef extends FieldDef {
  /** InfluxQL aggregate applied to `source` over each interval. */
  aggregate: Aggregate;
  /** Field of the source measurement. */
  source: string;
}

/** A measurement computed by InfluxDB (continuous query), not written by netcov. */
export interface RollupDef {
  name: string;
  description: string;
  source: MeasurementDef;
  intervalS: number;
  retention: 'rollup';
  /** The rollup keeps every tag of its source (GROUP BY *). */
  tags: MeasurementDef['tags'];
  unitLevels: boolean;
  fields: Record<string, RollupFieldDef>;
}

/**
 * `"rollup"."ping_5m"`: ping rolled up to 5 minutes, kept for `sink.rollup_retention`. Read by the
 * long-range dashboards and the availability API. Field names stay Telegraf's where the meaning is
 * the same (a minimum of minimums is still the minimum RTT).
 */
export const PING_ROLLUP: RollupDef = {
  name: 'ping_5m',
  description: 'ping rolled up to 5-minute windows by an InfluxDB continuous query (v1).',
  source: PING,
  intervalS: 300,
  retention: 'rollup',
  tags: PING.tags,
  unitLevels: PING.unitLevels,
  fields: {
    minimum_response_ms: { aggregate: 'min', source: 'minimum_response_ms', type: 'float', unit: 'ms', description: 'Smallest RTT in the window.' },
    average_response_ms: { aggregate: 'mean', source: 'average_response_ms', type: 'float', unit: 'ms', description: 'Mean of the rounds\' mean RTTs.' },
    maximum_response_ms: { aggregate: 'max', source: 'maximum_response_ms', type: 'float', unit: 'ms', description: 'Largest RTT in the window.' },
    percent_packet_loss: { aggregate: 'mean', source: 'percent_packet_loss', type: 'float', unit: '%', description: 'Mean loss of the rounds, 0–100.' },
    packets_transmitted: { aggregate: 'sum', source: 'packets_transmitted', type: 'integer', unit: 'packets', description: 'Echo requests sent in the window.' },
    packets_received: { aggregate: 'sum', source: 'packets_received', type: 'integer', unit: 'packets', description: 'Echo replies received in the window (exact loss = 1 − received/transmitted).' },
    rounds: { aggregate: 'count', source: 'packets_transmitted', type: 'integer', unit: 'rounds', description: 'Rounds in the window (missing rounds: the probe or the sink was down).' },
  },
};

/** Every rollup InfluxDB computes for netcov (v1 continuous queries). */
export const ROLLUPS = { ping_5m: PING_ROLLUP } as const satisfies Record<string, RollupDef>;

/** Tags of a point for every per-point measurement: id, kind, upstream, address and one per level. */
export function pointTags(inv: Inventory, p: Point): Record<string, string> {
  return { point_id: p.id, kind: p.kind, upstream: p.upstream ?? '', url: p.address, ...inv.unitTags(p.unit) };
}
