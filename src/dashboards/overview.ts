// Dashboard 1, network overview: the 235 points on a map coloured by state, counts by state, the
// worst loss and latency, a summary per district (the level below the province) and open alerts.
import { ALERTS, PING } from '../metrics/schema.js';
import {
  finish, joinBy, levelTitle, newDashboard, organize, row, sortBy, limitRows, statPanel, summaryLevel,
  tablePanel, tableTarget, target, timeseriesPanel, type BuildContext, type DashboardModule,
} from './common.js';
import { byInterval, count, level, mean, select, source, tagIs, tagIsNot, timeFilter } from './influxql.js';
import { lossThresholds, percentGoodThresholds, rttThresholds } from './palette.js';
import { pointLink } from './links.js';
import { activeAlertsTable, pointsMap, stateCountStats, statusBreakdown } from './panels.js';
import {
  lastRoundQuery, lossAndLatencyQuery, pointInfoQuery, reportingCountQuery, troubledCountQuery, unitNamesQuery, uptimeQuery,
} from './queries.js';

export const OVERVIEW_UID = 'netcov-overview';

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const inv = ctx.inventory;
  const lvl = summaryLevel(inv);
  const ping = source(PING);
  const center = inv.roots()[0] ?? { lat: 12.79, lon: 108.22 };
  const d = newDashboard(OVERVIEW_UID, 'netcov · Tổng quan mạng (Network overview)', ctx,
    `Trạng thái ${inv.points.length} điểm mạng truyền số liệu chuyên dùng theo vòng ICMP gần nhất trong khoảng thời gian đã chọn. State of every point from its last ICMP round in the selected range.`);
  d.time({ from: 'now-1h', to: 'now' });

  // Counts by the alerting engine's status, then what the probes say overall.
  for (const p of stateCountStats([], { w: 4, h: 4 })) d.withPanel(p);
  d.withPanel(statPanel({ title: 'Điểm có dữ liệu (reporting)', description: `Điểm có ít nhất một vòng ICMP trong khoảng thời gian; danh mục có ${inv.points.length} điểm.`, w: 4, h: 4, noValue: '0',
    steps: [{ value: null, color: 'red' }, { value: inv.points.length, color: 'green' }], targets: [target(reportingCountQuery())] }));
  d.withPanel(statPanel({ title: 'Uptime toàn mạng (%)', description: 'Tỉ lệ vòng ICMP có phản hồi, mọi điểm, trong khoảng thời gian.', w: 4, h: 4, unit: 'percent', decimals: 2,
    steps: percentGoodThresholds(), targets: [target(uptimeQuery({ rollup: false }))] }));

  d.withPanel(pointsMap([], { w: 14, h: 16 }, { lat: center.lat, lon: center.lon, zoom: 8 }));
  d.withPanel(activeAlertsTable([], { w: 10, h: 10 }));
  // Under the alerts, beside the map (the builder's flow layout only fills rows left to right).
  d.withPanel(statusBreakdown([], { w: 10, h: 6 }).gridPos({ x: 14, y: 14, w: 10, h: 6 }));

  d.withRow(row('Điểm kém nhất (worst points)'));
  const worst = (title: string, field: 'loss' | 'rtt_median') =>
    tablePanel({
      title, w: 12, h: 10,
      targets: [tableTarget(lastRoundQuery(), 'A'), tableTarget(pointInfoQuery(), 'B')],
      transformations: [joinBy('point_id', 'inner'), sortBy(field), limitRows(10), organize({ hide: ['Time', 'Time 1', 'Time 2', 'lat', 'lon'], order: ['name', 'unit_name', 'loss', 'rtt_median', 'rtt_max', 'jitter', 'point_id'] })],
      columns: {
        name: { header: 'Điểm (point)', link: pointLink() },
        unit_name: { header: 'Đơn vị (unit)' },
        point_id: { header: 'point_id' },
        loss: { header: 'Loss', unit: 'percent', decimals: 1, steps: lossThresholds(), colorCell: field === 'loss' },
        rtt_median: { header: 'RTT trung vị', unit: 'ms', decimals: 1, steps: rttThresholds(), colorCell: field === 'rtt_median' },
        rtt_max: { header: 'RTT max', unit: 'ms', decimals: 1 },
        jitter: { header: 'Jitter', unit: 'ms', decimals: 1 },
      },
    });
  d.withPanel(worst('Mất gói cao nhất (top 10 loss, vòng gần nhất)', 'loss'));
  d.withPanel(worst('Độ trễ cao nhất (top 10 RTT, vòng gần nhất)', 'rtt_median'));

  d.withRow(row(`Theo ${lvl.labelVi.toLowerCase()} (per ${lvl.labelEn.toLowerCase()})`));
  const byLevel = [level(PING, lvl.name)];
  // Points above this level (the provincial agencies have no district tag) are not a unit's.
  const inSomeUnit = [tagIsNot(level(PING, lvl.name), '')];
  d.withPanel(tablePanel({
    title: `Tóm tắt theo ${levelTitle(lvl)}`,
    description: 'Uptime, loss và độ trễ trung bình trong khoảng thời gian; số điểm đang có sự cố (DEGRADED hoặc DOWN) theo vòng gần nhất.',
    w: 24, h: 12,
    targets: [
      tableTarget(unitNamesQuery(lvl.name), 'A'),
      tableTarget(uptimeQuery({ rollup: false, filters: inSomeUnit, groupBy: byLevel }), 'B'),
      tableTarget(lossAndLatencyQuery(inSomeUnit, byLevel), 'C'),
      tableTarget(troubledCountQuery(inSomeUnit, byLevel), 'D'),
    ],
    transformations: [joinBy(lvl.name), organize({ hide: ['Time', 'Time 1', 'Time 2', 'Time 3', 'Time 4'], order: ['unit_name', lvl.name, 'points', 'troubled', 'uptime', 'failed_rounds', 'loss_mean', 'rtt_median', 'rtt_max', 'population'] }), sortBy('uptime', false)],
    columns: {
      unit_name: { header: levelTitle(lvl) },
      [lvl.name]: { header: 'Mã (code)' },
      points: { header: 'Số điểm (points)' },
      troubled: { header: 'Đang sự cố (troubled)', steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }], colorCell: true },
      uptime: { header: 'Uptime', unit: 'percent', decimals: 2, steps: percentGoodThresholds(), colorCell: true },
      failed_rounds: { header: 'Vòng thất bại (failed rounds)' },
      loss_mean: { header: 'Loss TB', unit: 'percent', decimals: 2, steps: lossThresholds() },
      rtt_median: { header: 'RTT trung vị TB', unit: 'ms', decimals: 1 },
      rtt_max: { header: 'RTT max', unit: 'ms', decimals: 1 },
      population: { header: 'Dân số (population)', unit: 'locale' },
    },
  }));
  d.withPanel(timeseriesPanel({
    title: `Loss trung bình theo ${levelTitle(lvl)}`,
    w: 12, h: 9, unit: 'percent', min: 0,
    targets: [target(select(ping).col(mean(ping.f('percent_packet_loss')), 'loss').where(timeFilter()).groupBy(byInterval(), level(PING, lvl.name)).fill('null'), { alias: `$tag_${lvl.name}` })],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Số vòng ICMP mỗi khoảng (rounds per interval)',
    description: 'Số vòng được ghi theo từng khoảng: giảm đột ngột nghĩa là netcov hoặc InfluxDB gặp sự cố, không phải mạng.',
    w: 12, h: 9, unit: 'short', min: 0,
    targets: [target(select(ping).col(count(ping.f('packets_transmitted')), 'rounds').where(timeFilter()).groupBy(byInterval()).fill(0), { alias: 'rounds' })],
  }));
  const alerts = source(ALERTS);
  return finish(d, [{
    name: 'Cảnh báo (alerts)', color: 'red', textColumn: 'title', tagsColumn: 'state,point_id,severity',
    query: select(alerts).col(alerts.f('title'), 'title').col(alerts.f('state'), 'state').col(alerts.tagColumn('point_id'), 'point_id').col(alerts.tagColumn('severity'), 'severity').where(timeFilter(), tagIs(alerts.tag('severity'), 'critical')),
  }]);
}

export const overview: DashboardModule = { uid: OVERVIEW_UID, file: 'netcov-overview', build };
