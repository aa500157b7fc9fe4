// Dashboard 6, netcov itself: is the monitor healthy? Rounds and overruns of each scheduler job,
// the sink (points written, retried, dropped, write errors, spool size and age), notification
// deliveries, and the process (memory, event-loop delay, restarts).
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { NETCOV, PING } from '../metrics/schema.js';
import {
  finish, newDashboard, row, statPanel, target, timeseriesPanel, type BuildContext, type DashboardModule,
} from './common.js';
import { byInterval, call, count, increase, last, max, select, source, tagIs, timeFilter, type Expr } from './influxql.js';

export const SELF_UID = 'netcov-self';

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const nc = source(NETCOV);
  const ping = source(PING);
  const component = (name: 'process' | 'sink' | 'scheduler' | 'notify') => tagIs(nc.tag('component'), name);
  /** A cumulative counter as its increase per interval, per series of `by`. */
  const perInterval = (field: Parameters<typeof nc.f>[0], comp: 'sink' | 'scheduler' | 'notify', alias: string, by: ('name' | 'host')[] = ['host']) =>
    select(nc).col(increase(last(nc.f(field))), alias).where(timeFilter(), component(comp)).groupBy(byInterval(), ...by.map((t) => nc.tag(t))).fill('none');
  const gauge = (expr: Expr, alias: string, comp: 'process' | 'sink' | 'scheduler', by: ('name' | 'host')[] = ['host']) =>
    select(nc).col(expr, alias).where(timeFilter(), component(comp)).groupBy(byInterval(), ...by.map((t) => nc.tag(t))).fill('null');

  const d = newDashboard(SELF_UID, 'netcov · Tình trạng netcov (netcov itself)', ctx,
    'Sức khỏe của chính netcov: vòng thăm dò, vượt thời gian, hàng đợi ghi (spool), lỗi ghi InfluxDB, thông báo. Self-metrics from the `netcov` measurement.');
  d.time({ from: 'now-6h', to: 'now' });

  d.withPanel(statPanel({ title: 'Trạng thái ghi (sink state)', description: 'writing: InfluxDB nhận dữ liệu; spooling: đang dồn vào spool trên đĩa.', w: 4, h: 4,
    mappings: [{ type: dashboard.MappingType.ValueToText, options: { writing: { text: 'writing', color: 'green', index: 0 }, spooling: { text: 'spooling', color: 'red', index: 1 }, idle: { text: 'idle', color: 'blue', index: 2 } } }],
    targets: [target(select(nc).col(last(nc.f('sink_state')), 'state').where(timeFilter(), component('sink')))] }));
  d.withPanel(statPanel({ title: 'Điểm chờ trong spool (spooled points)', description: 'Số điểm đã nhận nhưng InfluxDB chưa ghi. Tăng dần: InfluxDB không nhận.', w: 4, h: 4, unit: 'short',
    steps: [{ value: null, color: 'green' }, { value: 10_000, color: 'yellow' }, { value: 1_000_000, color: 'red' }],
    targets: [target(select(nc).col(last(nc.f('spool_points')), 'spooled').where(timeFilter(), component('sink')))] }));
  d.withPanel(statPanel({ title: 'Tuổi điểm cũ nhất trong spool (oldest)', w: 4, h: 4, unit: 'ms', steps: [{ value: null, color: 'green' }, { value: 60_000, color: 'yellow' }, { value: 600_000, color: 'red' }],
    targets: [target(select(nc).col(last(nc.f('oldest_spooled_age_ms')), 'age').where(timeFilter(), component('sink')))] }));
  d.withPanel(statPanel({ title: 'Điểm bị mất (dropped, khoảng đã chọn)', w: 4, h: 4, noValue: '0', steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
    targets: [target(select(nc).col(call('spread', nc.f('points_dropped')), 'dropped').where(timeFilter(), component('sink')))] }));
  d.withPanel(statPanel({ title: 'Vượt thời gian (overruns, khoảng đã chọn)', w: 4, h: 4, noValue: '0', steps: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    targets: [target(select(nc).col(call('spread', nc.f('overruns')), 'overruns').where(timeFilter(), component('scheduler')))] }));
  d.withPanel(statPanel({ title: 'Dữ liệu ICMP mới nhất (last round age)', description: 'Vòng ICMP cuối cùng đã tới InfluxDB: cũ hơn vài vòng nghĩa là netcov hoặc đường ghi có vấn đề.', w: 4, h: 4, unit: 'dateTimeFromNow',
    targets: [target(select(ping).col(count(ping.f('packets_transmitted')), 'rounds').where(timeFilter()).groupBy(byInterval()).fill('none'))] }).reduceOptions(
    // The time of the last bucket with rounds, shown "x seconds ago".
    new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/^Time$/').values(false)));

  d.withRow(row('Ghi dữ liệu (sink)'));
  d.withPanel(timeseriesPanel({ title: 'Điểm ghi / khoảng (points per interval)', w: 12, h: 8, unit: 'short', min: 0,
    targets: [
      target(perInterval('points_accepted', 'sink', 'accepted'), { refId: 'A', alias: 'accepted' }),
      target(perInterval('points_written', 'sink', 'written'), { refId: 'B', alias: 'written' }),
      target(perInterval('points_retried', 'sink', 'retried'), { refId: 'C', alias: 'retried' }),
      target(perInterval('points_dropped', 'sink', 'dropped'), { refId: 'D', alias: 'dropped' }),
    ] }).overrideByName('dropped', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }]));
  d.withPanel(timeseriesPanel({ title: 'Lỗi ghi InfluxDB (write errors per interval)', w: 12, h: 8, unit: 'short', min: 0, bars: true,
    targets: [target(perInterval('write_errors', 'sink', 'write_errors'), { alias: 'write errors' })] }));
  d.withPanel(timeseriesPanel({ title: 'Spool: kích thước, segment và số điểm chờ', w: 12, h: 8, unit: 'bytes', min: 0,
    targets: [
      target(gauge(max(nc.f('spool_bytes')), 'spool_bytes', 'sink'), { refId: 'A', alias: 'spool bytes' }),
      target(gauge(max(nc.f('spool_segments')), 'segments', 'sink'), { refId: 'B', alias: 'segments' }),
      target(gauge(max(nc.f('spool_points')), 'points', 'sink'), { refId: 'C', alias: 'spooled points' }),
    ] }).overrideByRegexp('segments|spooled points', [{ id: 'unit', value: 'short' }, { id: 'custom.axisPlacement', value: 'right' }]));
  d.withPanel(timeseriesPanel({ title: 'Tuổi điểm cũ nhất trong spool', w: 12, h: 8, unit: 'ms', min: 0,
    targets: [target(gauge(max(nc.f('oldest_spooled_age_ms')), 'age', 'sink'), { alias: 'oldest spooled' })] }));

  d.withRow(row('Lịch thăm dò (scheduler)'));
  d.withPanel(timeseriesPanel({ title: 'Vòng hoàn thành / khoảng (rounds)', w: 8, h: 8, unit: 'short', min: 0,
    targets: [target(perInterval('rounds', 'scheduler', 'rounds', ['name']), { alias: '$tag_name' })] }));
  d.withPanel(timeseriesPanel({ title: 'Vượt thời gian và lỗi (overruns, failures)', w: 8, h: 8, unit: 'short', min: 0, bars: true,
    targets: [
      target(perInterval('overruns', 'scheduler', 'overruns', ['name']), { refId: 'A', alias: '$tag_name overruns' }),
      target(perInterval('failures', 'scheduler', 'failures', ['name']), { refId: 'B', alias: '$tag_name failures' }),
    ] }));
  d.withPanel(timeseriesPanel({ title: 'Thời gian một vòng so với chu kỳ (round duration)', description: 'Vòng dài gần bằng chu kỳ sẽ sớm vượt thời gian (overrun).', w: 8, h: 8, unit: 'ms', min: 0,
    targets: [
      target(gauge(max(nc.f('last_duration_ms')), 'duration', 'scheduler', ['name']), { refId: 'A', alias: '$tag_name' }),
      target(gauge(last(nc.f('interval_ms')), 'interval', 'scheduler', ['name']), { refId: 'B', alias: '$tag_name interval' }),
    ] }).overrideByRegexp('.*interval', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }]));

  d.withRow(row('Thông báo (notifications)'));
  d.withPanel(timeseriesPanel({ title: 'Thông báo gửi được / thất bại (per receiver)', w: 24, h: 8, unit: 'short', min: 0, bars: true,
    targets: [
      target(perInterval('notifications_sent', 'notify', 'sent', ['name']), { refId: 'A', alias: '$tag_name sent' }),
      target(perInterval('notifications_failed', 'notify', 'failed', ['name']), { refId: 'B', alias: '$tag_name failed' }),
    ] }).overrideByRegexp('.*failed', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }]));

  d.withRow(row('Tiến trình (process)'));
  d.withPanel(timeseriesPanel({ title: 'Bộ nhớ (memory)', w: 8, h: 8, unit: 'bytes', min: 0,
    targets: [target(gauge(max(nc.f('rss_bytes')), 'rss', 'process').col(max(nc.f('heap_used_bytes')), 'heap'), { alias: '$col' })] }));
  d.withPanel(timeseriesPanel({ title: 'Độ trễ vòng lặp sự kiện (event-loop delay p99)', w: 8, h: 8, unit: 'ms', min: 0,
    targets: [target(gauge(max(nc.f('event_loop_delay_ms')), 'delay', 'process'), { alias: 'p99' })] }));
  d.withPanel(timeseriesPanel({ title: 'Thời gian chạy (uptime): rơi về 0 = khởi động lại', w: 8, h: 8, unit: 's', min: 0,
    targets: [target(gauge(last(nc.f('uptime_s')), 'uptime', 'process'), { alias: '$tag_host' })] }));
  return finish(d);
}

export const self: DashboardModule = { uid: SELF_UID, file: 'netcov-self', build };
