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

// --- netcov's own figures and the inventory as Grafana sees it (dashboards issue) ---------------

const counter = (description: string): FieldDef => ({ type: 'integer', unit: 'count', description: `${description} Cumulative since the daemon started.` });

/**
 * `netcov`: the daemon's self-figures, one series per component (and instance), written every
 * self-metrics interval by src/metrics/self.ts. Counters are cumulative since start, as Telegraf's
 * `internal` plugin writes them: graph them with non_negative_difference().
 */
export const NETCOV = measurement({
  name: 'netcov',
  description: 'netcov\'s own figures (process, sink, scheduler jobs, notification receivers), written every self-metrics interval.',
  tags: {
    component: 'process, sink, scheduler or notify.',
    name: 'Instance within the component: scheduler job (e.g. icmp/5s-3x-1000ms), notification receiver; absent otherwise.',
    host: 'Host name of the daemon.',
  },
  unitLevels: false,
  retention: 'raw',
  fields: {
    uptime_s: { type: 'float', unit: 's', description: 'process: seconds since the daemon started.' },
    rss_bytes: { type: 'integer', unit: 'bytes', description: 'process: resident set size.' },
    heap_used_bytes: { type: 'integer', unit: 'bytes', description: 'process: V8 heap in use.' },
    event_loop_delay_ms: { type: 'float', unit: 'ms', description: 'process: 99th percentile event-loop delay over the last interval.' },
    points_accepted: counter('sink: points handed to the sink.'),
    points_written: counter('sink: points InfluxDB accepted.'),
    points_retried: counter('sink: points sent again after a failed write.'),
    points_dropped: counter('sink: points lost (spool full, or rejected by InfluxDB).'),
    write_errors: counter('sink: failed write requests.'),
    spool_bytes: { type: 'integer', unit: 'bytes', description: 'sink: size of the durable spool.' },
    spool_segments: { type: 'integer', unit: 'segments', description: 'sink: segment files in the spool.' },
    oldest_spooled_age_ms: { type: 'integer', unit: 'ms', description: 'sink: age of the oldest point waiting in the spool (0 when empty).' },
    sink_state: { type: 'string', unit: '', description: 'sink: writing (InfluxDB accepts), spooling (it does not) or idle.' },
    rounds: counter('scheduler: rounds completed without error.'),
    failures: counter('scheduler: rounds that threw.'),
    overruns: counter('scheduler: ticks skipped because the previous round was still running.'),
    missed_ticks: counter('scheduler: ticks skipped because the process was stalled.'),
    aborted: counter('scheduler: rounds aborted by a stop.'),
    last_duration_ms: { type: 'float', unit: 'ms', description: 'scheduler: duration of the last round.' },
    max_duration_ms: { type: 'float', unit: 'ms', description: 'scheduler: longest round since start.' },
    interval_ms: { type: 'integer', unit: 'ms', description: 'scheduler: the job\'s interval (a round longer than this overruns).' },
    notifications_sent: counter('notify: notifications the receiver accepted.'),
    notifications_failed: counter('notify: notifications that failed after every retry.'),
  },
});

/**
 * `point_info`: what the inventory says about each point (name, coordinates, the unit it serves),
 * written at start and every few minutes so Grafana can draw the map and name the points.
 * `label` ("<point_id> <name>") feeds template variables whose text is the name and value the id.
 */
export const POINT_INFO = measurement({
  name: 'point_info',
  description: 'The inventory\'s facts about each point (for maps and names in Grafana), written at start and every inventory-info interval.',
  tags: { ...POINT_TAGS, label: '"<point_id> <name>": a template variable splits it into value and text.' },
  unitLevels: true,
  retention: 'raw',
  fields: {
    lat: { type: 'float', unit: '°', description: 'Latitude (WGS 84).' },
    lon: { type: 'float', unit: '°', description: 'Longitude (WGS 84).' },
    name: { type: 'string', unit: '', description: 'Name of the point (Vietnamese).' },
    unit_name: { type: 'string', unit: '', description: 'Name of the administrative unit the point serves.' },
    population: { type: 'integer', unit: 'people', description: 'Population of that unit (2019 census).' },
    dependants: { type: 'integer', unit: 'points', description: 'Points that reach the core through this one.' },
  },
});

/** `unit_info`: each administrative unit (any level), for chained template variables and names. */
export const UNIT_INFO = measurement({
  name: 'unit_info',
  description: 'The inventory\'s administrative units (any level), written at start and every inventory-info interval.',
  tags: {
    level: 'Level name (province, district, commune …).',
    code: 'Unit code (GSO).',
    parent: 'Code of the parent unit; absent for the top.',
    label: '"<code> <name>": a template variable splits it into value and text.',
  },
  unitLevels: true,
  retention: 'raw',
  fields: {
    name: { type: 'string', unit: '', description: 'Official name with its type, e.g. Huyện Ea Súp.' },
    lat: { type: 'float', unit: '°', description: 'Centroid latitude.' },
    lon: { type: 'float', unit: '°', description: 'Centroid longitude.' },
    population: { type: 'integer', unit: 'people', description: '2019 census population (0 when unknown).' },
    villages: { type: 'integer', unit: 'villages', description: 'Villages (thôn, buôn) within the unit.' },
    points: { type: 'integer', unit: 'points', description: 'Network points serving the unit or a unit below it.' },
  },
});

/**
 * Every measurement netcov writes. Later features add theirs here (interface, snmp, events,
 * alerts, coverage, netcov self-figures) so dashboards and docs see one list.
 */
export const MEASUREMENTS = {
  ping: PING,
  netcov: NETCOV,
  point_info: POINT_INFO,
  unit_info: UNIT_INFO,
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
