// Dashboard 3, administrative-unit drill-down: one chained variable per level of the inventory's
// hierarchy (province → district → commune here; any depth elsewhere), and the points of the
// selected units with their states, loss, latency and availability.
import { PING, UNIT_INFO } from '../metrics/schema.js';
import {
  finish, geomapPanel, joinBy, labelVariable, levelTitle, newDashboard, organize, row, sortBy, statPanel, tablePanel, tableTarget, target, timeseriesPanel,
  type BuildContext, type DashboardModule,
} from './common.js';
import { byInterval, level, mean, select, source, tagMatchesVar, timeFilter, type Condition } from './influxql.js';
import { pointLink, UNITS_UID } from './links.js';
import { lossThresholds, percentGoodThresholds, rttThresholds, STATE_COLORS } from './palette.js';
import { lastRoundQuery, pointInfoQuery, reportingCountQuery, stateCountQuery, uptimeQuery } from './queries.js';

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const inv = ctx.inventory;
  const ping = source(PING);
  const unitInfo = source(UNIT_INFO);
  const d = newDashboard(UNITS_UID, 'netcov · Theo đơn vị hành chính (Administrative units)', ctx,
    `Chọn ${inv.levels.map((l) => l.labelVi.toLowerCase()).join(' → ')}: các điểm mạng của đơn vị đã chọn, trạng thái và độ khả dụng. Drill down the hierarchy.`);

  // One variable per level, each listing the children of the level above's selection. The top
  // level has no "All" (one province); every level below defaults to All, which also matches
  // points that sit higher up (an agency has no district tag).
  inv.levels.forEach((lvl, i) => {
    const parent = inv.levels[i - 1];
    const where = `"level" = '${lvl.name}'${parent ? ` AND "parent" =~ /^$${parent.name}$/` : ''}`;
    d.withVariable(labelVariable(lvl.name, levelTitle(lvl), `SHOW TAG VALUES FROM ${unitInfo.from} WITH KEY = "label" WHERE ${where}`, { all: i > 0, multi: i > 0 }));
  });
  const selection: Condition[] = inv.levels.map((lvl) => tagMatchesVar(level(PING, lvl.name), lvl.name));

  for (const state of ['UP', 'DEGRADED', 'DOWN'] as const) {
    d.withPanel(statPanel({ title: STATE_COLORS[state].label, w: 4, h: 4, color: STATE_COLORS[state].color, noValue: '0', targets: [target(stateCountQuery(state, selection))] }));
  }
  d.withPanel(statPanel({ title: 'Điểm có dữ liệu (reporting)', w: 4, h: 4, noValue: '0', targets: [target(reportingCountQuery(selection))] }));
  d.withPanel(statPanel({ title: 'Uptime (%)', description: 'Tỉ lệ vòng ICMP có phản hồi, các điểm đã chọn.', w: 4, h: 4, unit: 'percent', decimals: 2, steps: percentGoodThresholds(),
    targets: [target(uptimeQuery({ rollup: false, filters: selection }))] }));
  d.withPanel(statPanel({ title: 'Loss trung bình', w: 4, h: 4, unit: 'percent', decimals: 2, steps: lossThresholds(),
    targets: [target(select(ping).col(mean(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), ...selection))] }));

  d.withPanel(tablePanel({
    title: 'Các điểm và trạng thái (points)', description: 'Vòng ICMP gần nhất và uptime trong khoảng thời gian; bấm tên để xem chi tiết điểm.',
    w: 14, h: 14,
    targets: [tableTarget(pointInfoQuery(selection), 'A'), tableTarget(lastRoundQuery(selection), 'B'), tableTarget(uptimeQuery({ rollup: false, filters: selection, groupBy: [ping.tag('point_id')] }), 'C')],
    transformations: [joinBy('point_id'), organize({ hide: ['Time', 'Time 1', 'Time 2', 'Time 3', 'lat', 'lon'], order: ['name', 'unit_name', 'loss', 'rtt_median', 'rtt_max', 'jitter', 'uptime', 'failed_rounds', 'point_id'] }), sortBy('loss')],
    columns: {
      name: { header: 'Điểm (point)', link: pointLink() },
      unit_name: { header: 'Đơn vị (unit)' },
      loss: { header: 'Loss', unit: 'percent', decimals: 0, steps: lossThresholds(), colorCell: true },
      rtt_median: { header: 'RTT trung vị', unit: 'ms', decimals: 1, steps: rttThresholds() },
      rtt_max: { header: 'RTT max', unit: 'ms', decimals: 1 },
      jitter: { header: 'Jitter', unit: 'ms', decimals: 1 },
      uptime: { header: 'Uptime', unit: 'percent', decimals: 2, steps: percentGoodThresholds(), colorCell: true },
      failed_rounds: { header: 'Vòng thất bại' },
    },
  }));
  const root = inv.roots()[0] ?? { lat: 12.79, lon: 108.22 };
  d.withPanel(geomapPanel({
    title: 'Bản đồ (map)', w: 10, h: 14, center: { lat: root.lat, lon: root.lon, zoom: 8 },
    targets: [tableTarget(pointInfoQuery(selection), 'A'), tableTarget(lastRoundQuery(selection), 'B')],
    transformations: [joinBy('point_id', 'inner')], unit: 'percent', steps: lossThresholds(),
    layers: [{ name: 'Điểm mạng (points)', colorField: 'loss', size: { fixed: 7 } }],
  }));

  d.withRow(row('Theo thời gian (over time)'));
  const next = inv.levels[1];
  d.withPanel(timeseriesPanel({
    title: next ? `Loss trung bình theo ${levelTitle(next)}` : 'Loss trung bình', w: 12, h: 9, unit: 'percent', min: 0,
    targets: [target(select(ping).col(mean(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), ...selection).groupBy(byInterval(), ...(next ? [level(PING, next.name)] : [])).fill('null'), { alias: next ? `$tag_${next.name}` : 'loss' })],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Uptime theo thời gian (availability)', w: 12, h: 9, unit: 'percent', max: 100, steps: percentGoodThresholds(),
    targets: [target(uptimeQuery({ rollup: false, filters: selection, groupBy: [byInterval()] }), { alias: '$col' })],
  }));
  return finish(d);
}

export const units: DashboardModule = { uid: UNITS_UID, file: 'netcov-units', build };
