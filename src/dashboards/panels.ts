// Panels more than one dashboard shows the same way: counts of points by the alerting engine's
// status, the breakdown by every status, open alerts, and the points map.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  geomapPanel, joinBy, organize, statPanel, tablePanel, tableTarget, target, type PanelSize,
} from './common.js';
import type { Condition } from './influxql.js';
import { pointLink } from './links.js';
import { STATE_COLORS, stateMappings, type PointState } from './palette.js';
import { activeAlertsQuery, lastRoundQuery, lastStateQuery, pointInfoQuery, statusCountQuery } from './queries.js';

/** The statuses that get a count of their own; the rest show in the breakdown table. */
export const COUNTED_STATES: readonly PointState[] = ['UP', 'DEGRADED', 'DOWN', 'UNREACHABLE'];

export function stateCountStats(filters: Condition[], size: PanelSize): ReturnType<typeof statPanel>[] {
  return COUNTED_STATES.map((state) =>
    statPanel({
      title: STATE_COLORS[state].label,
      description: 'Số điểm theo trạng thái của bộ cảnh báo (point_state, cập nhật mỗi phút).',
      ...size,
      color: STATE_COLORS[state].color,
      noValue: '0',
      targets: [target(statusCountQuery(state, filters))],
    }),
  );
}

/** Every point with its status, name and last round: the map's and tables' joined frame. */
function pointFrames(filters: Condition[]) {
  return [tableTarget(pointInfoQuery(filters), 'A'), tableTarget(lastStateQuery(filters), 'B'), tableTarget(lastRoundQuery(filters), 'C')];
}

const HIDE_TIMES = ['Time', 'Time 1', 'Time 2', 'Time 3'];

export function pointsMap(filters: Condition[], size: PanelSize, center: { lat: number; lon: number; zoom: number }): ReturnType<typeof geomapPanel> {
  return geomapPanel({
    title: 'Bản đồ các điểm theo trạng thái (Geomap)',
    description: 'Màu theo trạng thái của bộ cảnh báo; xám: chưa có trạng thái. Vị trí từ point_info.',
    ...size,
    center,
    targets: pointFrames(filters),
    transformations: [joinBy('point_id'), organize({ hide: HIDE_TIMES })],
    mappings: stateMappings(),
    layers: [{ name: 'Điểm mạng (points)', colorField: 'status', size: { fixed: 7 } }],
  });
}

/** The points with status first (worst first), then loss and RTT; names link to the point dashboard. */
export function pointsTable(filters: Condition[], size: PanelSize, title = 'Các điểm và trạng thái (points)'): ReturnType<typeof tablePanel> {
  return tablePanel({
    title,
    description: 'Trạng thái của bộ cảnh báo và vòng ICMP gần nhất; bấm tên để xem chi tiết điểm.',
    ...size,
    targets: pointFrames(filters),
    transformations: [
      joinBy('point_id'),
      organize({ hide: [...HIDE_TIMES, 'lat', 'lon', 'status_code'], order: ['name', 'unit_name', 'status', 'status_since_ms', 'loss', 'rtt_median', 'rtt_max', 'jitter', 'point_id'] }),
      { id: 'sortBy', options: { sort: [{ field: 'status_code', desc: true }] } },
    ],
    columns: {
      name: { header: 'Điểm (point)', link: pointLink() },
      unit_name: { header: 'Đơn vị (unit)' },
      status: { header: 'Trạng thái (status)', mappings: stateMappings(), colorCell: true },
      status_since_ms: { header: 'Từ (since)', unit: 'dateTimeFromNow' },
      loss: { header: 'Loss', unit: 'percent', decimals: 0 },
      rtt_median: { header: 'RTT trung vị', unit: 'ms', decimals: 1 },
      rtt_max: { header: 'RTT max', unit: 'ms', decimals: 1 },
      jitter: { header: 'Jitter', unit: 'ms', decimals: 1 },
    },
  });
}

/** Points per status, every status (FLAPPING and MAINTENANCE included), in the palette's colours. */
export function statusBreakdown(filters: Condition[], size: PanelSize): ReturnType<typeof tablePanel> {
  const groupBy: dashboard.DataTransformerConfig = {
    id: 'groupBy',
    options: { fields: { status: { operation: 'groupby', aggregations: [] }, status_code: { operation: 'aggregate', aggregations: ['count'] } } },
  };
  return tablePanel({
    title: 'Số điểm theo mọi trạng thái (points by status)',
    ...size,
    targets: [tableTarget(lastStateQuery(filters))],
    transformations: [groupBy, organize({ rename: { 'status_code (count)': 'points' } })],
    columns: { status: { header: 'Trạng thái (status)', mappings: stateMappings(), colorCell: true }, points: { header: 'Số điểm (points)' } },
  });
}

/** Open alerts (firing or acknowledged), newest change first. */
export function activeAlertsTable(filters: Condition[], size: PanelSize): ReturnType<typeof tablePanel> {
  const severity: dashboard.ValueMapping[] = [{
    type: dashboard.MappingType.ValueToText,
    options: { critical: { text: 'critical', color: 'red', index: 0 }, warning: { text: 'warning', color: 'orange', index: 1 }, info: { text: 'info', color: 'blue', index: 2 } },
  }];
  const state: dashboard.ValueMapping[] = [{
    type: dashboard.MappingType.ValueToText,
    options: { firing: { text: 'đang báo (firing)', color: 'red', index: 0 }, acknowledged: { text: 'đã nhận (acknowledged)', color: 'yellow', index: 1 } },
  }];
  return tablePanel({
    title: 'Cảnh báo đang mở (active alerts)',
    description: 'Cảnh báo chưa được giải quyết: lần chuyển trạng thái gần nhất là firing hoặc acknowledged.',
    ...size,
    targets: [tableTarget(activeAlertsQuery(filters))],
    // No time column: with several last() in one query InfluxDB 1.x returns the window's start, not the transition's.
    transformations: [organize({ hide: ['Time'], order: ['severity', 'state', 'title', 'point_id', 'condition', 'affected_points', 'affected_population', 'alert_id'] }), { id: 'sortBy', options: { sort: [{ field: 'alert_id', desc: true }] } }],
    columns: {
      severity: { header: 'Mức (severity)', mappings: severity, colorCell: true },
      state: { header: 'Trạng thái', mappings: state },
      title: { header: 'Cảnh báo (alert)' },
      point_id: { header: 'Điểm (point)', link: pointLink() },
      condition: { header: 'Điều kiện (condition)' },
      affected_points: { header: 'Điểm bị ảnh hưởng' },
      affected_population: { header: 'Dân số ảnh hưởng', unit: 'locale' },
      alert_id: { header: 'id' },
    },
  });
}
