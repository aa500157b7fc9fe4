// Dashboard 2, one point in detail: SmokePing-style latency band (min / median / max) with loss,
// the long view from the 5-minute rollup, interface traffic, utilisation, errors, SNMP uptime and
// reboots, and the point's events and alerts as annotations.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTS, EVENTS, INTERFACE, PING, PING_ROLLUP, POINT_INFO, POINT_STATE, POINT_STATUS, SNMP } from '../metrics/schema.js';
import {
  finish, labelVariable, newDashboard, organize, row, statPanel, tablePanel, tableTarget, target, timeseriesPanel,
  type AnnotationSpec, type BuildContext, type DashboardModule,
} from './common.js';
import {
  byInterval, cmp, count, last, max, mean, min, median, mul, select, source, sum, or, startsWith, tagIn, tagMatchesVar, timeFilter, type Condition, type TagKey,
} from './influxql.js';
import { POINT_DETAIL_UID } from './links.js';
import { lossThresholds, percentGoodThresholds, rttThresholds, STATE_COLORS, stateMappings } from './palette.js';
import { pointInfoQuery, uptimeQuery } from './queries.js';

const VAR = 'point';
/** How the SNMP poller words a reboot it found (sysUpTime went backwards …) in a discontinuity event's detail. */
const REBOOT_DETAIL_PREFIX = 'reboot';

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const ping = source(PING);
  const rollup = source(PING_ROLLUP);
  const iface = source(INTERFACE);
  const snmp = source(SNMP);
  const events = source(EVENTS);
  const info = source(POINT_INFO);
  const state = source(POINT_STATE);
  const statusChanges = source(POINT_STATUS);
  const alerts = source(ALERTS);
  const isPoint = (h: { tag(name: 'point_id'): TagKey }): Condition => tagMatchesVar(h.tag('point_id'), VAR);

  const d = newDashboard(POINT_DETAIL_UID, 'netcov · Chi tiết điểm (Point detail)', ctx,
    'Một điểm mạng: độ trễ kiểu SmokePing, mất gói, lưu lượng giao diện, lỗi, uptime SNMP và sự kiện. One point: latency band, loss, interface traffic, errors, uptime, events.');
  d.withVariable(labelVariable(VAR, 'Điểm (point)', `SHOW TAG VALUES FROM ${info.from} WITH KEY = "label"`));

  // ----- now
  d.withPanel(statPanel({ title: 'Trạng thái (status)', description: 'Trạng thái của bộ cảnh báo (point_state).', w: 4, h: 4, mappings: stateMappings(),
    targets: [target(select(state).col(last(state.f('status')), 'status').where(timeFilter(), isPoint(state)))] }));
  d.withPanel(statPanel({ title: 'Loss (vòng gần nhất)', w: 4, h: 4, unit: 'percent', decimals: 0, steps: lossThresholds(),
    targets: [target(select(ping).col(last(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), isPoint(ping)))] }));
  d.withPanel(statPanel({ title: 'RTT trung vị (median)', w: 4, h: 4, unit: 'ms', decimals: 1, steps: rttThresholds(),
    targets: [target(select(ping).col(last(ping.f('median_response_ms')), 'rtt').where(timeFilter(), isPoint(ping)))] }));
  d.withPanel(statPanel({ title: 'Uptime ICMP (%)', description: 'Tỉ lệ vòng ICMP có phản hồi trong khoảng thời gian.', w: 4, h: 4, unit: 'percent', decimals: 2, steps: percentGoodThresholds(),
    targets: [target(uptimeQuery({ rollup: false, filters: [isPoint(ping)] }))] }));
  d.withPanel(statPanel({ title: 'Thời gian hoạt động thiết bị (sysUpTime)', w: 4, h: 4, unit: 's', decimals: 0,
    targets: [target(select(snmp).col(last(snmp.f('uptime_s')), 'uptime').where(timeFilter(), isPoint(snmp)))] }));
  d.withPanel(statPanel({ title: 'Khởi động lại (reboots)', description: 'Bẫy coldStart/warmStart và các lần sysUpTime quay lui trong khoảng thời gian.', w: 4, h: 4, noValue: '0',
    steps: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    targets: [target(select(events).col(sum(events.f('count')), 'reboots').where(timeFilter(), isPoint(events), or(tagIn(events.tag('type'), ['cold_start', 'warm_start']), startsWith(events.f('detail'), REBOOT_DETAIL_PREFIX))))] }));
  // ----- latency
  d.withRow(row('Độ trễ và mất gói (latency and loss)'));
  d.withPanel(timeseriesPanel({
    title: 'Độ trễ kiểu SmokePing: min / trung vị / max, và loss',
    description: 'Dải xám từ RTT nhỏ nhất đến lớn nhất của mỗi khoảng, đường giữa là trung vị; cột màu là loss (trục phải).',
    w: 24, h: 10, unit: 'ms', min: 0,
    targets: [
      target(select(ping).col(min(ping.f('minimum_response_ms')), 'min').col(median(ping.f('median_response_ms')), 'median').col(max(ping.f('maximum_response_ms')), 'max')
        .where(timeFilter(), isPoint(ping)).groupBy(byInterval()).fill('null'), { refId: 'A', alias: '$col' }),
      target(select(ping).col(mean(ping.f('percent_packet_loss')), 'loss').where(timeFilter(), isPoint(ping)).groupBy(byInterval()).fill('null'), { refId: 'B', alias: 'loss' }),
    ],
  })
    .overrideByName('max', [{ id: 'custom.fillBelowTo', value: 'min' }, { id: 'custom.lineWidth', value: 0 }, { id: 'color', value: { mode: 'fixed', fixedColor: '#8e8e8e' } }, { id: 'custom.fillOpacity', value: 35 }])
    .overrideByName('min', [{ id: 'custom.lineWidth', value: 0 }, { id: 'color', value: { mode: 'fixed', fixedColor: '#8e8e8e' } }, { id: 'custom.fillOpacity', value: 0 }])
    .overrideByName('median', [{ id: 'custom.lineWidth', value: 2 }, { id: 'color', value: { mode: 'fixed', fixedColor: STATE_COLORS.UP.color } }, { id: 'custom.fillOpacity', value: 0 }])
    .overrideByName('loss', [
      { id: 'unit', value: 'percent' }, { id: 'min', value: 0 }, { id: 'max', value: 100 },
      { id: 'custom.axisPlacement', value: common.AxisPlacement.Right }, { id: 'custom.drawStyle', value: common.GraphDrawStyle.Bars },
      { id: 'custom.fillOpacity', value: 70 }, { id: 'color', value: { mode: 'thresholds' } }, { id: 'thresholds', value: { mode: 'absolute', steps: lossThresholds() } },
    ]));
  d.withPanel(timeseriesPanel({ title: 'Jitter và độ lệch chuẩn RTT', w: 12, h: 8, unit: 'ms', min: 0,
    targets: [target(select(ping).col(mean(ping.f('jitter_ms')), 'jitter').col(mean(ping.f('standard_deviation_ms')), 'stddev').where(timeFilter(), isPoint(ping)).groupBy(byInterval()).fill('null'), { alias: '$col' })] }));
  d.withPanel(timeseriesPanel({
    title: 'Dài hạn từ rollup 5 phút (long range)', description: 'Từ "rollup"."ping_5m" (giữ lâu hơn dữ liệu thô): dùng cho khoảng thời gian nhiều tuần.',
    w: 12, h: 8, unit: 'ms', min: 0,
    targets: [
      target(select(rollup).col(min(rollup.f('minimum_response_ms')), 'min').col(mean(rollup.f('average_response_ms')), 'mean').col(max(rollup.f('maximum_response_ms')), 'max')
        .where(timeFilter(), isPoint(rollup)).groupBy(byInterval()).fill('null'), { refId: 'A', alias: '$col' }),
      target(select(rollup).col(mean(rollup.f('percent_packet_loss')), 'loss').where(timeFilter(), isPoint(rollup)).groupBy(byInterval()).fill('null'), { refId: 'B', alias: 'loss' }),
    ],
  }).overrideByName('max', [{ id: 'custom.fillBelowTo', value: 'min' }]).overrideByName('loss', [{ id: 'unit', value: 'percent' }, { id: 'custom.axisPlacement', value: common.AxisPlacement.Right }, { id: 'custom.drawStyle', value: common.GraphDrawStyle.Bars }]));

  // ----- interfaces
  d.withRow(row('Giao diện (interfaces, SNMP)'));
  const ifFilter = [timeFilter(), isPoint(iface)];
  d.withPanel(timeseriesPanel({ title: 'Lưu lượng (traffic): vào + / ra −', w: 12, h: 9, unit: 'bps',
    targets: [target(select(iface).col(mean(iface.f('in_bps')), 'in').col(mul(mean(iface.f('out_bps')), -1), 'out').where(...ifFilter).groupBy(byInterval(), iface.tag('ifName')).fill('null'), { alias: '$tag_ifName $col' })] }));
  d.withPanel(timeseriesPanel({ title: 'Mức sử dụng (utilisation %)', w: 12, h: 9, unit: 'percent', min: 0, max: 100,
    steps: [{ value: null, color: 'green' }, { value: 70, color: 'yellow' }, { value: 90, color: 'red' }],
    targets: [target(select(iface).col(max(iface.f('in_utilization_pct')), 'in').col(max(iface.f('out_utilization_pct')), 'out').where(...ifFilter).groupBy(byInterval(), iface.tag('ifName')).fill('null'), { alias: '$tag_ifName $col' })] })
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)));
  d.withPanel(timeseriesPanel({ title: 'Lỗi và gói bị loại (errors, discards /s)', w: 12, h: 8, unit: 'pps', min: 0,
    targets: [target(select(iface)
      .col(max(iface.f('in_errors_per_s')), 'in_errors').col(max(iface.f('out_errors_per_s')), 'out_errors')
      .col(max(iface.f('in_discards_per_s')), 'in_discards').col(max(iface.f('out_discards_per_s')), 'out_discards')
      .where(...ifFilter).groupBy(byInterval(), iface.tag('ifName')).fill('null'), { alias: '$tag_ifName $col' })] }));
  d.withPanel(tablePanel({ title: 'Giao diện hiện tại (interfaces now)', w: 12, h: 8,
    targets: [tableTarget(select(iface)
      .col(last(iface.f('ifOperStatus')), 'oper').col(last(iface.f('ifAdminStatus')), 'admin').col(last(iface.f('ifHighSpeed')), 'speed')
      .col(last(iface.f('in_bps')), 'in_bps').col(last(iface.f('out_bps')), 'out_bps')
      .where(...ifFilter).groupBy(iface.tag('ifName'), iface.tag('ifAlias')))],
    transformations: [organize({ hide: ['Time'] })],
    columns: {
      ifName: { header: 'ifName' },
      ifAlias: { header: 'Mô tả (ifAlias)' },
      oper: { header: 'Oper', mappings: operStatusMappings(), colorCell: true },
      admin: { header: 'Admin', mappings: operStatusMappings() },
      speed: { header: 'Tốc độ (Mbit/s)' },
      in_bps: { header: 'Vào (in)', unit: 'bps' },
      out_bps: { header: 'Ra (out)', unit: 'bps' },
    } }));

  // ----- device
  d.withRow(row('Thiết bị (device, SNMP)'));
  d.withPanel(timeseriesPanel({ title: 'sysUpTime', description: 'Một cú rơi về 0 là một lần khởi động lại.', w: 8, h: 8, unit: 's', min: 0,
    targets: [target(select(snmp).col(last(snmp.f('uptime_s')), 'uptime').where(timeFilter(), isPoint(snmp)).groupBy(byInterval()).fill('null'), { alias: 'sysUpTime' })] }));
  d.withPanel(timeseriesPanel({ title: 'Thời gian thăm dò SNMP (poll duration)', w: 8, h: 8, unit: 'ms', min: 0,
    targets: [target(select(snmp).col(max(snmp.f('poll_duration_ms')), 'poll').where(timeFilter(), isPoint(snmp)).groupBy(byInterval()).fill('null'), { alias: 'poll' })] }));
  d.withPanel(timeseriesPanel({ title: 'Lần thăm dò lỗi (failed polls)', description: 'result_code khác 0: hết giờ, xác thực, lỗi agent …', w: 8, h: 8, unit: 'short', min: 0, bars: true,
    targets: [
      target(select(snmp).col(count(snmp.f('result_code')), 'polls').where(timeFilter(), isPoint(snmp)).groupBy(byInterval()).fill(0), { refId: 'A', alias: 'polls' }),
      target(select(snmp).col(count(snmp.f('result_code')), 'failed').where(timeFilter(), isPoint(snmp), cmp(snmp.f('result_code'), '>', 0)).groupBy(byInterval()).fill(0), { refId: 'B', alias: 'failed' }),
    ] }));
  d.withPanel(tablePanel({ title: 'Sự kiện (events: traps, discontinuities)', w: 24, h: 8,
    targets: [tableTarget(select(events).col(events.f('detail'), 'detail').col(events.tagColumn('type'), 'type').col(events.tagColumn('source'), 'source').col(events.tagColumn('ifName'), 'ifName')
      .where(timeFilter(), isPoint(events)).orderByTimeDesc().limit(200))],
    columns: { Time: { header: 'Thời điểm (time)' }, type: { header: 'Loại (type)' }, source: { header: 'Nguồn (source)' }, detail: { header: 'Chi tiết (detail)' } } }));
  d.withPanel(tablePanel({ title: 'Thông tin điểm (inventory)', w: 24, h: 4,
    targets: [tableTarget(pointInfoQuery([isPoint(info)]), 'A')],
    transformations: [organize({ hide: ['Time'] })],
    columns: { name: { header: 'Tên (name)' }, unit_name: { header: 'Đơn vị (unit)' }, lat: { header: 'Vĩ độ (lat)' }, lon: { header: 'Kinh độ (lon)' } } }));

  const annotations: AnnotationSpec[] = [
    { name: 'Cảnh báo (alerts)', color: 'red', textColumn: 'title', tagsColumn: 'state,condition,severity',
      query: select(alerts).col(alerts.f('title'), 'title').col(alerts.f('state'), 'state').col(alerts.tagColumn('condition'), 'condition').col(alerts.tagColumn('severity'), 'severity').where(timeFilter(), isPoint(alerts)) },
    { name: 'Đổi trạng thái (status changes)', color: 'purple', textColumn: 'status', tagsColumn: 'previous_status,state_type',
      query: select(statusChanges).col(statusChanges.f('status'), 'status').col(statusChanges.f('previous_status'), 'previous_status').col(statusChanges.f('state_type'), 'state_type').where(timeFilter(), isPoint(statusChanges)) },
    { name: 'Sự kiện SNMP (events)', color: 'orange', textColumn: 'detail', tagsColumn: 'type,ifName',
      query: select(events).col(events.f('detail'), 'detail').col(events.tagColumn('type'), 'type').col(events.tagColumn('ifName'), 'ifName').where(timeFilter(), isPoint(events)) },
  ];
  return finish(d, annotations);
}

/** IF-MIB ifOperStatus / ifAdminStatus values as words and colours. */
function operStatusMappings(): dashboard.ValueMapping[] {
  const words: Record<string, [string, string]> = { 1: ['up', 'green'], 2: ['down', 'red'], 3: ['testing', 'blue'], 4: ['unknown', '#8e8e8e'], 5: ['dormant', 'yellow'], 6: ['notPresent', '#8e8e8e'], 7: ['lowerLayerDown', 'red'] };
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(words).forEach(([value, [text, color]], index) => (options[value] = { text, color, index }));
  return [{ type: dashboard.MappingType.ValueToText as const, options }];
}

export const pointDetail: DashboardModule = { uid: POINT_DETAIL_UID, file: 'netcov-point', build };
