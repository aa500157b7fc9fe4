// Dashboard 3, administrative-unit drill-down: one chained variable per level of the inventory's
// hierarchy (province → district → commune here; any depth elsewhere), and the points of the
// selected units with their states, loss, latency and availability.
import { PING, UNIT_INFO } from '../metrics/schema.js';
import {
  finish, joinBy, labelVariable, levelTitle, newDashboard, organize, row, sortBy, statPanel, tablePanel, tableTarget, target, timeseriesPanel,
  type BuildContext, type DashboardModule,
} from './common.js';
import { byInterval, level, mean, select, source, tagMatchesVar, timeFilter, type Condition } from './influxql.js';
import { pointLink, UNITS_UID } from './links.js';
import { lossThresholds, percentGoodThresholds } from './palette.js';
import { activeAlertsTable, pointsMap, pointsTable, stateCountStats, statusBreakdown } from './panels.js';
import { pointInfoQuery, uptimeQuery } from './queries.js';

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

  for (const p of stateCountStats(selection, { w: 4, h: 4 })) d.withPanel(p);
  d.withPanel(statPanel({ title: 'Uptime (%)', description: 'Tỉ lệ vòng ICMP có phản hồi, các điểm đã chọn.', w: 4, h: 4, unit: 'percent', decimals: 2, steps: percentGoodThresholds(),
    targets: [target(uptimeQuery({ rollup: false, filters: selection }))] }));
  d.withPanel(statPanel({ title: 'Loss trung bình', w: 4, h: 4, unit: 'percent', decimals: 2, steps: lossThresholds(),
    targets: [target(select(ping).col(mean(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), ...selection))] }));

  d.withPanel(pointsTable(selection, { w: 14, h: 14 }));
  const root = inv.roots()[0] ?? { lat: 12.79, lon: 108.22 };
  d.withPanel(pointsMap(selection, { w: 10, h: 14 }, { lat: root.lat, lon: root.lon, zoom: 8 }));
  d.withPanel(tablePanel({
    title: 'Uptime theo điểm (per point)', w: 14, h: 10,
    targets: [tableTarget(pointInfoQuery(selection), 'A'), tableTarget(uptimeQuery({ rollup: false, filters: selection, groupBy: [ping.tag('point_id')] }), 'B')],
    transformations: [joinBy('point_id', 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2', 'lat', 'lon'], order: ['name', 'unit_name', 'uptime', 'failed_rounds', 'point_id'] }), sortBy('uptime', false)],
    columns: {
      name: { header: 'Điểm (point)', link: pointLink() },
      unit_name: { header: 'Đơn vị (unit)' },
      uptime: { header: 'Uptime', unit: 'percent', decimals: 2, steps: percentGoodThresholds(), colorCell: true },
      failed_rounds: { header: 'Vòng thất bại' },
    },
  }));
  d.withPanel(statusBreakdown(selection, { w: 10, h: 10 }));
  d.withPanel(activeAlertsTable(selection, { w: 24, h: 8 }));

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
