// Queries several dashboards share: the inventory facts of points and units, the last ICMP round
// per point, counts of points by the state their last round implies, and uptime from rounds.
import { ALERTS, PING, PING_ROLLUP, POINT_INFO, POINT_STATE, UNIT_INFO } from '../metrics/schema.js';
import {
  byTime, cmp, count, div, last, level, max, mean, mul, select, since, source, subquery, sum, sub, timeFilter, tagIs,
  call, type Condition, type Select, type TagKey,
} from './influxql.js';
import { POINT_STATUS_CODES } from '../metrics/point-state.js';
import type { PointState } from './palette.js';

/**
 * The info rows are rewritten every few minutes: a one-day look-back always finds the latest,
 * whatever range the time picker shows (positions and names do not travel in time).
 */
export const INFO_WINDOW = '1d';

const ping = source(PING);
const pointInfo = source(POINT_INFO);
const unitInfo = source(UNIT_INFO);
const pointState = source(POINT_STATE);
const alerts = source(ALERTS);

/** Name, unit and coordinates of each point (table: point_id, lat, lon, name, unit_name). */
export function pointInfoQuery(filters: Condition[] = []): Select<string> {
  return select(pointInfo)
    .col(last(pointInfo.f('name')), 'name')
    .col(last(pointInfo.f('unit_name')), 'unit_name')
    .col(last(pointInfo.f('lat')), 'lat')
    .col(last(pointInfo.f('lon')), 'lon')
    .where(since(INFO_WINDOW), ...filters)
    .groupBy(pointInfo.tag('point_id'));
}

/** Name and population of each unit at `levelName`, grouped by that level's tag (for joins). */
export function unitNamesQuery(levelName: string, opts: { figures?: boolean } = {}): Select<string> {
  let q: Select<string> = select(unitInfo).col(last(unitInfo.f('name')), 'unit_name');
  if (opts.figures !== false) q = q.col(last(unitInfo.f('population')), 'population').col(last(unitInfo.f('points')), 'points');
  return q.where(since(INFO_WINDOW), tagIs(unitInfo.tag('level'), levelName)).groupBy(level(UNIT_INFO, levelName));
}

/** The last round of each point in the range: loss and RTTs (table by point_id). */
export function lastRoundQuery(filters: Condition[] = []): Select<string> {
  return select(ping)
    .col(last(ping.f('percent_packet_loss')), 'loss')
    .col(last(ping.f('median_response_ms')), 'rtt_median')
    .col(last(ping.f('maximum_response_ms')), 'rtt_max')
    .col(last(ping.f('jitter_ms')), 'jitter')
    .where(timeFilter(), ...filters)
    .groupBy(ping.tag('point_id'));
}

/** The last loss of each point, as a subquery the state counts read. */
function lastLossPerPoint(filters: Condition[], extraGroup: TagKey[] = []) {
  return subquery(
    select(ping)
      .col(last(ping.f('percent_packet_loss')), 'loss')
      .where(timeFilter(), ...filters)
      .groupBy(ping.tag('point_id'), ...extraGroup),
  );
}

/** Points that reported at all in the range. */
export function reportingCountQuery(filters: Condition[] = []): Select<string> {
  const inner = lastLossPerPoint(filters);
  return select(inner).col(count(inner.f('loss')), 'points');
}

/** Points the alerting engine shows DEGRADED or worse (FLAPPING, UNREACHABLE, DOWN) per group. */
export function troubledCountQuery(filters: Condition[], groupBy: TagKey[]): Select<string> {
  const inner = subquery(select(pointState).col(last(pointState.f('status_code')), 'code').where(timeFilter(), ...filters).groupBy(pointState.tag('point_id'), ...groupBy));
  return select(inner).col(count(inner.f('code')), 'troubled').where(cmp(inner.f('code'), '>=', POINT_STATUS_CODES.DEGRADED)).groupBy(...groupBy);
}

/**
 * Uptime % over the range: the share of rounds (raw) or 5-minute windows (rollup) in which at
 * least one echo came back. ceil(received / transmitted) is 1 when anything answered, else 0;
 * windows without data (netcov itself down) are not counted either way.
 */
export function uptimeQuery(opts: { rollup: boolean; filters?: Condition[]; groupBy?: (TagKey | ReturnType<typeof byTime>)[]; tz?: string; downtime?: boolean }): Select<string> {
  const src = opts.rollup ? source(PING_ROLLUP) : ping;
  const inner = subquery(
    select(src)
      .col(call('ceil', div(src.f('packets_received'), src.f('packets_transmitted'))), 'up')
      .where(timeFilter(), ...(opts.filters ?? [])),
  );
  let q: Select<string> = select(inner).col(mul(mean(inner.f('up')), 100), 'uptime');
  // Down windows × 5 min (rollup), or failed rounds (raw): what the uptime % hides, in people's units.
  if (opts.downtime !== false) q = q.col(mul(sub(count(inner.f('up')), sum(inner.f('up'))), opts.rollup ? PING_ROLLUP.intervalS / 60 : 1), opts.rollup ? 'down_minutes' : 'failed_rounds');
  q = q.groupBy(...(opts.groupBy ?? []));
  if (opts.tz !== undefined) q = q.tz(opts.tz);
  return q;
}

/** Worst mean loss and latency per group over the range. */
export function lossAndLatencyQuery(filters: Condition[], groupBy: TagKey[]): Select<string> {
  return select(ping)
    .col(mean(ping.f('percent_packet_loss')), 'loss_mean')
    .col(mean(ping.f('median_response_ms')), 'rtt_median')
    .col(max(ping.f('maximum_response_ms')), 'rtt_max')
    .where(timeFilter(), ...filters)
    .groupBy(...groupBy);
}

// ------------------------------------------------------------------------- alerting engine's view

/** The engine's status of each point at the end of the range (table by point_id). */
export function lastStateQuery(filters: Condition[] = []): Select<string> {
  return select(pointState)
    .col(last(pointState.f('status')), 'status')
    .col(last(pointState.f('status_code')), 'status_code')
    .col(mul(last(pointState.f('since_s')), 1000), 'status_since_ms')
    .where(timeFilter(), ...filters)
    .groupBy(pointState.tag('point_id'));
}

/** How many points the engine shows in `status` (no row when none: panels show 0). */
export function statusCountQuery(status: PointState, filters: Condition[] = []): Select<string> {
  const inner = subquery(select(pointState).col(last(pointState.f('status')), 'status').where(timeFilter(), ...filters).groupBy(pointState.tag('point_id')));
  return select(inner).col(count(inner.f('status')), 'points').where(cmp(inner.f('status'), '=', status));
}

/**
 * Alerts not resolved: the last transition of each (point, condition) is firing or acknowledged.
 * Transitions of an open alert can be weeks old, so the look-back is the raw retention's default.
 */
export const ALERT_WINDOW = '30d';

export function activeAlertsQuery(filters: Condition[] = []): Select<string> {
  const inner = subquery(
    select(alerts)
      .col(last(alerts.f('state')), 'state').col(last(alerts.f('title')), 'title').col(last(alerts.f('alert_id')), 'alert_id')
      .col(last(alerts.f('affected_points')), 'affected_points').col(last(alerts.f('affected_population')), 'affected_population')
      .where(since(ALERT_WINDOW), ...filters)
      .groupBy(alerts.tag('point_id'), alerts.tag('condition'), alerts.tag('severity')),
  );
  return select(inner)
    .col(inner.f('state'), 'state').col(inner.f('title'), 'title').col(inner.f('alert_id'), 'alert_id')
    .col(inner.f('affected_points'), 'affected_points').col(inner.f('affected_population'), 'affected_population')
    .where(cmp(inner.f('state'), '!=', 'resolved'))
    .groupBy(inner.tag('point_id'), inner.tag('condition'), inner.tag('severity'));
}
