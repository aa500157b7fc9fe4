// Dashboard 5, availability / SLA: uptime % per point and per district over the month, from the
// 5-minute rollup (kept for months, where raw rounds are kept for weeks). A 5-minute window in
// which no echo came back counts as down; windows without data (netcov down) are not counted.
import { PING_ROLLUP } from '../metrics/schema.js';
import {
  finish, joinBy, levelTitle, newDashboard, organize, sortBy, statPanel, summaryLevel, tablePanel, tableTarget, target, timeseriesPanel,
  type BuildContext, type DashboardModule,
} from './common.js';
import { byTime, cmp, count, level, select, source, subquery, sum, tagIsNot } from './influxql.js';
import { pointLink } from './links.js';
import { percentGoodThresholds } from './palette.js';
import { pointInfoQuery, unitNamesQuery, uptimeQuery } from './queries.js';

export const SLA_UID = 'netcov-sla';
/** The availability objective the tables colour against (%), a common target for a government WAN. */
export const SLA_TARGET_PCT = 99.5;

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const inv = ctx.inventory;
  const lvl = summaryLevel(inv);
  const rollup = source(PING_ROLLUP);
  const d = newDashboard(SLA_UID, 'netcov · Độ khả dụng / SLA (Availability)', ctx,
    `Uptime theo tháng từ dữ liệu rollup 5 phút ("rollup"."${PING_ROLLUP.name}"): một cửa sổ 5 phút không có phản hồi nào tính là gián đoạn. Mục tiêu ${SLA_TARGET_PCT}%.`);
  d.time({ from: 'now/M', to: 'now' });
  d.refresh('5m');
  const steps = percentGoodThresholds(SLA_TARGET_PCT, 99);
  const perPoint = uptimeQuery({ rollup: true, groupBy: [rollup.tag('point_id')] });

  d.withPanel(statPanel({ title: 'Uptime toàn mạng (%)', w: 6, h: 5, unit: 'percent', decimals: 3, steps, targets: [target(uptimeQuery({ rollup: true }))] }));
  const below = subquery(perPoint);
  d.withPanel(statPanel({ title: `Điểm dưới mục tiêu ${SLA_TARGET_PCT}% (points below target)`, w: 6, h: 5, noValue: '0',
    steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
    targets: [target(select(below).col(count(below.f('uptime')), 'points').where(cmp(below.f('uptime'), '<', SLA_TARGET_PCT)))] }));
  d.withPanel(statPanel({ title: 'Tổng thời gian gián đoạn (downtime, point·minutes)', w: 6, h: 5, unit: 'm', decimals: 0,
    steps: [{ value: null, color: 'green' }, { value: 60, color: 'yellow' }, { value: 600, color: 'red' }],
    targets: [target(select(below).col(sum(below.f('down_minutes')), 'down_minutes'))] }));
  d.withPanel(statPanel({ title: 'Điểm có dữ liệu (points with data)', w: 6, h: 5, noValue: '0',
    steps: [{ value: null, color: 'red' }, { value: inv.points.length, color: 'green' }],
    targets: [target(select(below).col(count(below.f('uptime')), 'points'))] }));

  d.withPanel(tablePanel({
    title: `Uptime theo ${levelTitle(lvl)}`, w: 10, h: 16,
    targets: [tableTarget(unitNamesQuery(lvl.name), 'A'), tableTarget(uptimeQuery({ rollup: true, filters: [tagIsNot(level(PING_ROLLUP, lvl.name), '')], groupBy: [level(PING_ROLLUP, lvl.name)] }), 'B')],
    transformations: [joinBy(lvl.name, 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2', 'population'], order: ['unit_name', lvl.name, 'points', 'uptime', 'down_minutes'] }), sortBy('uptime', false)],
    columns: {
      unit_name: { header: levelTitle(lvl) },
      [lvl.name]: { header: 'Mã (code)' },
      points: { header: 'Số điểm' },
      uptime: { header: 'Uptime', unit: 'percent', decimals: 3, steps, colorCell: true },
      down_minutes: { header: 'Gián đoạn (point·min)', unit: 'm', decimals: 0 },
    },
  }));
  d.withPanel(tablePanel({
    title: 'Uptime theo điểm (per point)', w: 14, h: 16,
    targets: [tableTarget(pointInfoQuery(), 'A'), tableTarget(perPoint, 'B')],
    transformations: [joinBy('point_id', 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2', 'lat', 'lon'], order: ['name', 'unit_name', 'uptime', 'down_minutes', 'point_id'] }), sortBy('uptime', false)],
    columns: {
      name: { header: 'Điểm (point)', link: pointLink() },
      unit_name: { header: 'Đơn vị (unit)' },
      uptime: { header: 'Uptime', unit: 'percent', decimals: 3, steps, colorCell: true },
      down_minutes: { header: 'Gián đoạn (phút)', unit: 'm', decimals: 0 },
    },
  }));
  d.withPanel(timeseriesPanel({
    title: `Uptime theo ngày, theo ${levelTitle(lvl)} (daily, ${ctx.timezone})`, w: 24, h: 10, unit: 'percent', max: 100, steps, bars: false,
    targets: [target(uptimeQuery({ rollup: true, groupBy: [byTime('1d'), level(PING_ROLLUP, lvl.name)], tz: ctx.timezone, downtime: false }), { alias: `$tag_${lvl.name}` })],
  }));
  return finish(d);
}

export const sla: DashboardModule = { uid: SLA_UID, file: 'netcov-sla', build };
