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
    component: 'process, sink, scheduler, notify, snmp or snmp_traps.',
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
    spool_points: { type: 'integer', unit: 'points', description: 'sink: points waiting in the durable spool for InfluxDB.' },
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
    polls: counter('snmp: device polls finished (answered or failed).'),
    poll_failures: counter('snmp: polls that failed (timeout, authentication, agent or protocol error).'),
    discontinuities: counter('snmp: counter discontinuities (reboots, resets) that yielded no rate.'),
    rate_glitches: counter('snmp: rates above the interface speed, discarded.'),
    malformed_responses: counter('snmp: datagrams from agents that could not be decoded.'),
    trap_datagrams: counter('snmp_traps: datagrams that reached the trap socket.'),
    traps_received: counter('snmp_traps: traps and informs accepted (authorised and parsed).'),
    traps_unknown_source: counter('snmp_traps: traps from an address that is no point.'),
    traps_rejected: counter('snmp_traps: datagrams refused (bad community or user, undecodable).'),
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
 * `point_state`: every point's shown status as the alerting engine holds it, written every minute
 * (point_status has a row only when a status changes, which may be months apart). Maps and
 * "points by state" read the last row of each point.
 */
export const POINT_STATE = measurement({
  name: 'point_state',
  description: 'Snapshot of every point\'s shown status (alerting engine), written every point-state interval.',
  tags: POINT_TAGS,
  unitLevels: true,
  retention: 'raw',
  fields: {
    status: { type: 'string', unit: '', description: 'UNKNOWN, UP, DEGRADED, DOWN, UNREACHABLE, FLAPPING or MAINTENANCE.' },
    status_code: { type: 'integer', unit: '', description: 'The status ranked by how bad it is: 0 UP, 1 MAINTENANCE, 2 UNKNOWN, 3 DEGRADED, 4 FLAPPING, 5 UNREACHABLE, 6 DOWN.' },
    state_type: { type: 'string', unit: '', description: 'soft or hard.' },
    since_s: { type: 'integer', unit: 's', description: 'Unix time of the last status change.' },
    failed_rounds: { type: 'integer', unit: 'rounds', description: 'Consecutive ICMP rounds with no reply.' },
    loss_pct: { type: 'float', unit: '%', description: 'Loss over the recent rounds the engine weighs (absent before any).' },
    median_ms: { type: 'float', unit: 'ms', description: 'Median RTT over those rounds (absent when none answered).' },
  },
});

/** `village_info`: each village (thôn, buôn), so coverage panels can name the villages they list. */
export const VILLAGE_INFO = measurement({
  name: 'village_info',
  description: 'The inventory\'s villages (thôn, buôn, tổ dân phố), written at start and every inventory-info interval.',
  tags: { village: 'Village code (as coverage_village tags it).' },
  unitLevels: true,
  retention: 'raw',
  fields: {
    name: { type: 'string', unit: '', description: 'Village name as the inventory writes it (Thôn 3, Buôn Trấp …).' },
    unit_name: { type: 'string', unit: '', description: 'Name of the administrative unit the village belongs to (its commune).' },
    population: { type: 'integer', unit: 'people', description: 'Population of the village.' },
    lat: { type: 'float', unit: '°', description: 'Latitude.' },
    lon: { type: 'float', unit: '°', description: 'Longitude.' },
  },
});

// ---------------------------------------------------------------------------------------------
// SNMP (src/probes/snmp). Interface names follow Telegraf's snmp `interface` table (IF-MIB names for
// raw counters, ifName/ifAlias/ifIndex tags) so Telegraf dashboards that take derivatives of the
// raw counters keep working; netcov adds its spike-free rates.

const counterField = (what: string): FieldDef => ({
  type: 'integer',
  unit: 'count',
  description: `Raw ${what} as the agent reports it (absent when the agent lacks it, or above 2^63−1, which InfluxDB integers cannot hold).`,
});
const rateField = (unit: string, what: string): FieldDef => ({
  type: 'float',
  unit,
  description: `${what}; absent for an interval with a reboot, a counter discontinuity or a glitch (no spike ever).`,
});

export const INTERFACE = measurement({
  name: 'interface',
  description: 'One row per interface per SNMP poll (IF-MIB ifTable + ifXTable), after the profile\'s interface filter.',
  tags: {
    ...POINT_TAGS,
    ifName: 'IF-MIB ifName (ifDescr for agents without ifXTable).',
    ifAlias: 'IF-MIB ifAlias: the description an operator gave the port.',
    ifIndex: 'IF-MIB ifIndex.',
  },
  unitLevels: true,
  retention: 'raw',
  fields: {
    ifHCInOctets: counterField('ifHCInOctets (Counter64)'),
    ifHCOutOctets: counterField('ifHCOutOctets (Counter64)'),
    ifHCInUcastPkts: counterField('ifHCInUcastPkts (Counter64)'),
    ifHCOutUcastPkts: counterField('ifHCOutUcastPkts (Counter64)'),
    ifInOctets: counterField('ifInOctets (Counter32; only from agents without 64-bit counters)'),
    ifOutOctets: counterField('ifOutOctets (Counter32; only from agents without 64-bit counters)'),
    ifInUcastPkts: counterField('ifInUcastPkts (Counter32; only from agents without 64-bit counters)'),
    ifOutUcastPkts: counterField('ifOutUcastPkts (Counter32; only from agents without 64-bit counters)'),
    ifInErrors: counterField('ifInErrors (Counter32)'),
    ifOutErrors: counterField('ifOutErrors (Counter32)'),
    ifInDiscards: counterField('ifInDiscards (Counter32)'),
    ifOutDiscards: counterField('ifOutDiscards (Counter32)'),
    ifOperStatus: { type: 'integer', unit: '', description: 'IF-MIB ifOperStatus: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown …' },
    ifAdminStatus: { type: 'integer', unit: '', description: 'IF-MIB ifAdminStatus: 1 up, 2 down, 3 testing.' },
    ifHighSpeed: { type: 'integer', unit: 'Mbit/s', description: 'IF-MIB ifHighSpeed (ifSpeed / 10^6 for agents without ifXTable); 0 when unknown.' },
    in_bps: rateField('bit/s', 'Received bits per second over the poll interval'),
    out_bps: rateField('bit/s', 'Sent bits per second over the poll interval'),
    in_utilization_pct: rateField('%', 'in_bps as a percentage of the line speed (absent when the speed is 0 or unknown)'),
    out_utilization_pct: rateField('%', 'out_bps as a percentage of the line speed (absent when the speed is 0 or unknown)'),
    in_ucast_pps: rateField('packets/s', 'Received unicast packets per second'),
    out_ucast_pps: rateField('packets/s', 'Sent unicast packets per second'),
    in_errors_per_s: rateField('errors/s', 'Received packets with errors per second'),
    out_errors_per_s: rateField('errors/s', 'Packets not sent because of errors, per second'),
    in_discards_per_s: rateField('packets/s', 'Received packets discarded (no error: buffers, policy) per second'),
    out_discards_per_s: rateField('packets/s', 'Outgoing packets discarded per second'),
  },
});

export const SNMP = measurement({
  name: 'snmp',
  description: 'One row per SNMP poll of a point: did it answer, how fast, since when is it up.',
  tags: POINT_TAGS,
  unitLevels: true,
  retention: 'raw',
  fields: {
    result_code: { type: 'integer', unit: '', description: '0 ok, 1 timeout (no answer; also a wrong v1/v2c community), 2 authentication (v3), 3 agent error, 4 invalid or malformed response, 5 socket error.' },
    result: { type: 'string', unit: '', description: 'ok, timeout, auth, agent, protocol, socket: the name of result_code.' },
    poll_duration_ms: { type: 'float', unit: 'ms', description: 'Wall time of the whole poll (every request, retries included).' },
    requests: { type: 'integer', unit: 'requests', description: 'SNMP requests the poll needed (retries not counted).' },
    uptime_s: { type: 'float', unit: 's', description: 'sysUpTime in seconds (absent when the poll failed).' },
    interfaces: { type: 'integer', unit: 'interfaces', description: 'Interfaces kept after the profile\'s filter.' },
    discontinuities: { type: 'integer', unit: 'interfaces', description: 'Interfaces without rates this poll because of a reboot or counter discontinuity.' },
    rate_glitches: { type: 'integer', unit: 'rates', description: 'Rates discarded this poll because they exceeded the line speed.' },
    sys_name: { type: 'string', unit: '', description: 'sysName as the agent reports it.' },
  },
});

export const SNMP_SCALAR = measurement({
  name: 'snmp_scalar',
  description: 'Extra scalar OIDs of a point\'s SNMP profile (snmp.profiles.<name>.scalars), one row per scalar per poll.',
  tags: { ...POINT_TAGS, name: 'The scalar\'s name in the profile (e.g. cpu_load_pct).' },
  unitLevels: true,
  retention: 'raw',
  fields: {
    value: { type: 'float', unit: 'as the device reports it', description: 'Numeric value (numbers, counters, gauges and numeric strings such as "0.15").' },
    text: { type: 'string', unit: '', description: 'The value when it is not a number.' },
  },
});

export const EVENTS = measurement({
  name: 'events',
  description: 'Things that happened at a point: SNMP traps (link down/up, cold/warm start, authentication failure) and counter discontinuities found by polling.',
  tags: {
    ...POINT_TAGS,
    type: 'link_down, link_up, cold_start, warm_start, authentication_failure, discontinuity, trap_other.',
    source: 'trap or poll.',
    ifIndex: 'Interface the event is about ("" for the whole device).',
    ifName: 'Its ifName, when known.',
  },
  unitLevels: true,
  retention: 'raw',
  fields: {
    count: { type: 'integer', unit: 'events', description: 'Always 1 (sum it to count events).' },
    detail: { type: 'string', unit: '', description: 'What happened, in English (e.g. "reboot: sysUpTime went backwards").' },
  },
});

// ---------------------------------------------------------------------------------------------
// Alerting (src/alerts): every transition, for Grafana annotations and state timelines.

export const POINT_STATUS = measurement({
  name: 'point_status',
  description: 'One row per change of a point\'s shown status (UP, DEGRADED, DOWN, UNREACHABLE, FLAPPING, MAINTENANCE), soft or hard.',
  tags: POINT_TAGS,
  unitLevels: true,
  retention: 'raw',
  fields: {
    status: { type: 'string', unit: '', description: 'The new status.' },
    previous_status: { type: 'string', unit: '', description: 'The status before.' },
    state_type: { type: 'string', unit: '', description: 'soft (visible, never paged: fewer failed rounds than alerts.down_after_rounds, or held for the upstream\'s check) or hard.' },
    root_id: { type: 'string', unit: '', description: 'For UNREACHABLE: the upstream point whose failure cut this one off ("" otherwise).' },
  },
});

export const ALERTS = measurement({
  name: 'alerts',
  description: 'One row per alert transition (firing, acknowledged, resolved): Grafana annotations. Dead-zone alerts carry only unit tags.',
  tags: {
    ...POINT_TAGS,
    condition: 'down, degraded, flapping, if_down, if_errors, if_utilization, if_flapping, dead_zone.',
    severity: 'critical, warning, info.',
  },
  unitLevels: true,
  retention: 'raw',
  fields: {
    alert_id: { type: 'integer', unit: '', description: 'Id of the alert in the alert store (GET /api/v1/alerts/:id).' },
    state: { type: 'string', unit: '', description: 'firing, acknowledged or resolved.' },
    title: { type: 'string', unit: '', description: 'The notification title in config.language (annotation text).' },
    affected_points: { type: 'integer', unit: 'points', description: 'Points cut off behind the root (DOWN of a root point; 0 otherwise).' },
    affected_population: { type: 'integer', unit: 'people', description: 'Census population of the communes cut off (or of the dead zone\'s villages).' },
  },
});

// ---------------------------------------------------------------------------------------------
// Coverage (src/coverage; the model in docs/coverage.md). Written after each recompute.

const CARRIER_TAG = 'Carrier id (viettel, vinaphone, mobifone, vietnamobile: coverage.carriers, lower case), or "all" for every carrier together.';

export const COVERAGE_VILLAGE = measurement({
  name: 'coverage_village',
  description: '4G coverage of one village by one carrier (or all), on the dead-zone radios (coverage.dead_zone), per recompute.',
  tags: { village: 'Village code (thôn, buôn, tổ dân phố).', carrier: CARRIER_TAG },
  unitLevels: true,
  retention: 'raw',
  fields: {
    status: { type: 'string', unit: '', description: 'covered or not_covered (a carrier); covered or dead_zone (all).' },
    covered: { type: 'boolean', unit: '', description: 'At least coverage.dead_zone.min_level on a dead-zone radio, from current (not stale) evidence.' },
    level: { type: 'string', unit: '', description: 'Best level: none, poor, fair, good.' },
    level_code: { type: 'integer', unit: '', description: 'The level as a number: 0 none, 1 poor, 2 fair, 3 good.' },
    evidence: { type: 'string', unit: '', description: 'Where the level comes from: measured, reported, predicted or stale.' },
    radio: { type: 'string', unit: '', description: 'Radio of the best level (LTE …).' },
    rsrp_median_dbm: { type: 'float', unit: 'dBm', description: 'Median RSRP of the measurements behind a measured (or stale measured) level; absent otherwise.' },
    measurements: { type: 'integer', unit: 'measurements', description: 'Measurements behind the median (0 when not measured).' },
    conflict: { type: 'boolean', unit: '', description: 'A fresh carrier report says covered while fresh measurements say none.' },
    population: { type: 'integer', unit: 'people', description: 'Population of the village.' },
    lat: { type: 'float', unit: '°', description: 'Village latitude (WGS84), for map panels.' },
    lon: { type: 'float', unit: '°', description: 'Village longitude (WGS84).' },
    uncovered_since_s: { type: 'integer', unit: 's', description: 'Unix time since when it is not covered (a dead zone, for "all"); absent when covered.' },
  },
});

export const COVERAGE_UNIT = measurement({
  name: 'coverage_unit',
  description: 'Population-weighted 4G coverage of one administrative unit (any level) by one carrier (or all), per recompute.',
  tags: { unit: 'Unit code (66, 646, 24214 …).', unit_level: 'Level of the unit: province, district, commune (levels are data).', carrier: CARRIER_TAG },
  unitLevels: true,
  retention: 'raw',
  fields: {
    population: { type: 'integer', unit: 'people', description: 'Population of the unit\'s villages.' },
    population_covered: { type: 'integer', unit: 'people', description: 'Population of its covered villages.' },
    population_covered_pct: { type: 'float', unit: '%', description: 'population_covered / population × 100 (absent without village population).' },
    villages: { type: 'integer', unit: 'villages', description: 'Villages within the unit.' },
    villages_covered: { type: 'integer', unit: 'villages', description: 'Covered villages.' },
    dead_zone_villages: { type: 'integer', unit: 'villages', description: 'Dead-zone villages (carrier "all" only).' },
    dead_zone_population: { type: 'integer', unit: 'people', description: 'Population in dead-zone villages (carrier "all" only).' },
    conflict_villages: { type: 'integer', unit: 'villages', description: 'Villages with a report/measurement conflict (carrier "all" only).' },
  },
});

export const COVERAGE_FEED = measurement({
  name: 'coverage_feed',
  description: 'One ingestion of a coverage feed (file, URL or API push) and its row counts.',
  tags: { feed: 'Feed name (coverage.feeds[].name, or "api" for pushes).', kind: 'cells, status, measurements or reports.' },
  unitLevels: false,
  retention: 'raw',
  fields: {
    applied: { type: 'boolean', unit: '', description: 'False when the whole file was refused (wrong header, unreadable, too many bad rows): the previous data stays.' },
    rows_read: { type: 'integer', unit: 'rows', description: 'Data rows read.' },
    rows_accepted: { type: 'integer', unit: 'rows', description: 'Rows accepted.' },
    rows_rejected: { type: 'integer', unit: 'rows', description: 'Rows rejected (each listed in the ingestion report with its row number and reason).' },
    duration_ms: { type: 'float', unit: 'ms', description: 'Time to fetch and parse.' },
    error: { type: 'string', unit: '', description: 'Why the file was refused (absent when applied).' },
  },
});

export const COVERAGE_MODEL = measurement({
  name: 'coverage_model',
  description: 'One recompute of the coverage model: its inputs and cost.',
  tags: {},
  unitLevels: false,
  retention: 'raw',
  fields: {
    duration_ms: { type: 'float', unit: 'ms', description: 'Wall time of the recompute (model, unit figures, dead-zone step).' },
    villages: { type: 'integer', unit: 'villages', description: 'Villages modelled.' },
    cells: { type: 'integer', unit: 'cells', description: 'Cells in the cell feeds.' },
    cells_down: { type: 'integer', unit: 'cells', description: 'Cells down in the status feeds.' },
    measurements: { type: 'integer', unit: 'measurements', description: 'Measurements held.' },
    reports: { type: 'integer', unit: 'reports', description: 'Carrier village reports held (newest per village, carrier and radio).' },
    dead_zone_villages: { type: 'integer', unit: 'villages', description: 'Dead-zone villages in the whole inventory.' },
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
  village_info: VILLAGE_INFO,
  point_state: POINT_STATE,
  interface: INTERFACE,
  snmp: SNMP,
  snmp_scalar: SNMP_SCALAR,
  events: EVENTS,
  point_status: POINT_STATUS,
  alerts: ALERTS,
  coverage_village: COVERAGE_VILLAGE,
  coverage_unit: COVERAGE_UNIT,
  coverage_feed: COVERAGE_FEED,
  coverage_model: COVERAGE_MODEL,
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
