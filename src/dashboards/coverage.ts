// Dashboard 4, coverage and dead zones (lõm sóng): villages on a map by 4G level, population-
// weighted 4G coverage of every unit below the province, the dead-zone villages with their
// population, carriers side by side, and progress towards the province's target (every commune
// with 4G/5G by 2025). The coverage model writes a row per village and unit at each recompute
// (at least every coverage.recompute_interval_s), so "now" panels read the last hour.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { COVERAGE_FEED, COVERAGE_MODEL, COVERAGE_UNIT, COVERAGE_VILLAGE, VILLAGE_INFO } from '../metrics/schema.js';
import {
  finish, geomapPanel, joinBy, levelTitle, newDashboard, organize, row, sortBy, statPanel, tablePanel, tableTarget, target, timeseriesPanel,
  type BuildContext, type DashboardModule,
} from './common.js';
import {
  byInterval, cmp, count, div, last, level, max, mean, mul, select, since, source, sub, subquery, tagIs, tagIsNot, timeFilter, call, add, type Condition,
} from './influxql.js';
import { carrierOverrides, COVERAGE_COLORS, coverageCodeMappings, percentGoodThresholds } from './palette.js';
import { INFO_WINDOW, unitNamesQuery } from './queries.js';

export const COVERAGE_UID = 'netcov-coverage';
/** The last recompute is at most coverage.recompute_interval_s (15 min by default) old. */
const NOW_WINDOW = '1h';
/** "Tỉ lệ phủ sóng 4G đạt 99,23% dân số" (province report 2024): the figure netcov's own should meet. */
export const PROVINCE_REPORTED_4G_PCT = 99.23;
const ALL = 'all';

function build(ctx: BuildContext): ReturnType<typeof finish> {
  const inv = ctx.inventory;
  const top = inv.levels[0]!;
  const lowest = inv.levels.at(-1)!;
  const cu = source(COVERAGE_UNIT);
  const cv = source(COVERAGE_VILLAGE);
  const vi = source(VILLAGE_INFO);
  const feeds = source(COVERAGE_FEED);
  const model = source(COVERAGE_MODEL);
  const unitsAt = (levelName: string, carrier: Condition = tagIs(cu.tag('carrier'), ALL)) => [since(NOW_WINDOW), carrier, tagIs(cu.tag('unit_level'), levelName)];
  const covSteps = percentGoodThresholds(PROVINCE_REPORTED_4G_PCT, 95);

  const d = newDashboard(COVERAGE_UID, 'netcov · Phủ sóng 4G và vùng lõm sóng (Coverage and dead zones)', ctx,
    `Phủ sóng 4G theo dân số của thôn, buôn từ mô hình phủ sóng (đo kiểm, báo cáo nhà mạng, dự đoán từ trạm). Mục tiêu của tỉnh: 100% xã phổ cập 4G/5G. Tỉnh báo cáo ${PROVINCE_REPORTED_4G_PCT}% dân số.`);
  d.time({ from: 'now-7d', to: 'now' });
  d.refresh('5m');

  // ----- the province now
  d.withPanel(statPanel({ title: `Phủ sóng 4G theo dân số (${top.labelVi})`, description: `Tỉ lệ dân số sống ở thôn, buôn có 4G. Tỉnh báo cáo ${PROVINCE_REPORTED_4G_PCT}%.`, w: 5, h: 5, unit: 'percent', decimals: 2, steps: covSteps,
    targets: [target(select(cu).col(last(cu.f('population_covered_pct')), 'covered_pct').where(...unitsAt(top.name)))] }));
  d.withPanel(statPanel({ title: 'Thôn, buôn lõm sóng (dead-zone villages)', w: 5, h: 5, noValue: '0', steps: [{ value: null, color: 'green' }, { value: 1, color: COVERAGE_COLORS.none.color }],
    targets: [target(select(cu).col(last(cu.f('dead_zone_villages')), 'villages').where(...unitsAt(top.name)))] }));
  d.withPanel(statPanel({ title: 'Dân số trong vùng lõm sóng', w: 5, h: 5, unit: 'locale', noValue: '0', steps: [{ value: null, color: 'green' }, { value: 1, color: COVERAGE_COLORS.none.color }],
    targets: [target(select(cu).col(last(cu.f('dead_zone_population')), 'population').where(...unitsAt(top.name)))] }));

  // Progress to "every commune with 4G/5G": a unit is done when none of its villages is a dead zone.
  const perLowest = subquery(select(cu).col(last(cu.f('dead_zone_villages')), 'dz').where(...unitsAt(lowest.name)).groupBy(level(COVERAGE_UNIT, lowest.name)));
  const done = subquery(select(perLowest).col(sub(1, call('ceil', div(perLowest.f('dz'), add(perLowest.f('dz'), 1)))), 'done'));
  d.withPanel(statPanel({ title: `Tiến độ: ${lowest.labelVi.toLowerCase()} phủ 4G toàn bộ (% of ${lowest.labelEn.toLowerCase()}s, target 100%)`,
    description: `Mục tiêu 2025: 100% ${lowest.labelVi.toLowerCase()} phổ cập 4G/5G. Một ${lowest.labelVi.toLowerCase()} đạt khi không còn thôn, buôn lõm sóng.`, w: 5, h: 5, unit: 'percent', decimals: 1,
    steps: percentGoodThresholds(100, 90), targets: [target(select(done).col(mul(mean(done.f('done')), 100), 'pct'))] }));
  d.withPanel(statPanel({ title: `${lowest.labelVi} còn lõm sóng`, w: 4, h: 5, noValue: '0', steps: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    targets: [target(select(perLowest).col(count(perLowest.f('dz')), 'units').where(cmp(perLowest.f('dz'), '>', 0)))] }));

  // ----- map and dead-zone list
  const villagesNow = select(cv)
    .col(last(cv.f('level_code')), 'level_code').col(last(cv.f('status')), 'status').col(last(cv.f('population')), 'population')
    .col(last(cv.f('lat')), 'lat').col(last(cv.f('lon')), 'lon').col(last(cv.f('evidence')), 'evidence')
    .where(since(NOW_WINDOW), tagIs(cv.tag('carrier'), ALL)).groupBy(cv.tag('village'));
  const villageNames = select(vi).col(last(vi.f('name')), 'name').col(last(vi.f('unit_name')), 'unit_name').where(since(INFO_WINDOW)).groupBy(vi.tag('village'));
  const root = inv.roots()[0] ?? { lat: 12.79, lon: 108.22 };
  d.withPanel(geomapPanel({
    title: 'Bản đồ thôn, buôn theo mức phủ sóng 4G (Geomap)', description: 'Màu: mức 4G tốt nhất của mọi nhà mạng; đỏ là lõm sóng. Kích thước theo dân số.',
    w: 14, h: 18, center: { lat: root.lat, lon: root.lon, zoom: 8 },
    targets: [tableTarget(villagesNow, 'A'), tableTarget(villageNames, 'B')],
    transformations: [joinBy('village', 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2'] })],
    mappings: coverageCodeMappings(),
    layers: [{ name: 'Thôn, buôn (villages)', colorField: 'level_code', size: { field: 'population', min: 2, max: 10 } }],
  }));
  const deadNow = subquery(select(cv)
    .col(last(cv.f('status')), 'status').col(last(cv.f('population')), 'population').col(mul(last(cv.f('uncovered_since_s')), 1000), 'since_ms')
    .where(since(NOW_WINDOW), tagIs(cv.tag('carrier'), ALL)).groupBy(cv.tag('village')));
  d.withPanel(tablePanel({
    title: 'Thôn, buôn lõm sóng (dead-zone villages)', description: 'Không nhà mạng nào cho 4G ở mức tối thiểu. Sắp theo dân số.',
    w: 10, h: 18,
    targets: [
      tableTarget(select(deadNow).col(deadNow.f('population'), 'population').col(deadNow.f('since_ms'), 'since_ms').where(cmp(deadNow.f('status'), '=', 'dead_zone')).groupBy(deadNow.tag('village')), 'A'),
      tableTarget(villageNames, 'B'),
    ],
    transformations: [joinBy('village', 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2'], order: ['name', 'unit_name', 'population', 'since_ms', 'village'] }), sortBy('population')],
    columns: {
      name: { header: 'Thôn, buôn (village)' },
      unit_name: { header: 'Xã (commune)' },
      population: { header: 'Dân số', unit: 'locale' },
      since_ms: { header: 'Lõm sóng từ (since)', unit: 'dateTimeFromNow' },
      village: { header: 'Mã (code)' },
    },
  }));

  // ----- every level below the province
  for (const lvl of inv.levels.slice(1)) {
    d.withRow(row(`Theo ${levelTitle(lvl)}`));
    d.withPanel(tablePanel({
      title: `Phủ sóng 4G theo dân số, theo ${levelTitle(lvl)}`, w: 12, h: 12,
      targets: [
        tableTarget(unitNamesQuery(lvl.name, { figures: false }), 'A'),
        tableTarget(select(cu).col(last(cu.f('population_covered_pct')), 'covered_pct').col(last(cu.f('population')), 'population')
          .col(last(cu.f('villages')), 'villages').col(last(cu.f('dead_zone_villages')), 'dead_villages').col(last(cu.f('dead_zone_population')), 'dead_population')
          .where(...unitsAt(lvl.name)).groupBy(level(COVERAGE_UNIT, lvl.name)), 'B'),
      ],
      transformations: [joinBy(lvl.name, 'inner'), organize({ hide: ['Time', 'Time 1', 'Time 2'], order: ['unit_name', 'covered_pct', 'population', 'villages', 'dead_villages', 'dead_population', lvl.name] }), sortBy('covered_pct', false)],
      columns: {
        unit_name: { header: levelTitle(lvl) },
        covered_pct: { header: '4G % dân số', unit: 'percent', decimals: 2, steps: covSteps, colorCell: true },
        population: { header: 'Dân số', unit: 'locale' },
        villages: { header: 'Thôn, buôn' },
        dead_villages: { header: 'Lõm sóng', steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }], colorCell: true },
        dead_population: { header: 'Dân số lõm sóng', unit: 'locale' },
        [lvl.name]: { header: 'Mã (code)' },
      },
    }));
    d.withPanel(tablePanel({
      title: `Theo nhà mạng, theo ${levelTitle(lvl)} (per carrier)`, w: 12, h: 12,
      targets: [
        tableTarget(unitNamesQuery(lvl.name, { figures: false }), 'A'),
        tableTarget(select(cu).col(last(cu.f('population_covered_pct')), 'covered_pct').where(...unitsAt(lvl.name, tagIsNot(cu.tag('carrier'), ALL))).groupBy(level(COVERAGE_UNIT, lvl.name), cu.tag('carrier')), 'B'),
      ],
      // One column per carrier: rows are units, cells the carrier's population-weighted 4G %.
      transformations: [
        { id: 'groupingToMatrix', filter: { id: 'byRefId', options: 'B' }, options: { columnField: 'carrier', rowField: lvl.name, valueField: 'covered_pct' } },
        organize({ rename: { [`${lvl.name}\\carrier`]: lvl.name } }),
        joinBy(lvl.name, 'inner'),
        organize({ hide: ['Time', lvl.name] }),
      ],
      columns: { unit_name: { header: levelTitle(lvl) } },
    }).unit('percent').decimals(1).thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(covSteps)));
  }

  // ----- carriers
  d.withRow(row('So sánh nhà mạng (carriers)'));
  const perCarrier = select(cu).col(last(cu.f('population_covered_pct')), 'covered_pct').where(...unitsAt(top.name, tagIsNot(cu.tag('carrier'), ALL))).groupBy(cu.tag('carrier'));
  d.withPanel(statPanel({ title: `Phủ sóng 4G theo dân số, từng nhà mạng (${top.labelVi})`, w: 10, h: 8, unit: 'percent', decimals: 2, steps: covSteps,
    targets: [target(perCarrier, { alias: '$tag_carrier' })] }).overrides(carrierOverrides()));
  d.withPanel(timeseriesPanel({ title: 'Phủ sóng 4G theo thời gian, từng nhà mạng', w: 14, h: 8, unit: 'percent', max: 100,
    targets: [
      target(select(cu).col(last(cu.f('population_covered_pct')), 'covered_pct').where(timeFilter(), tagIs(cu.tag('unit_level'), top.name)).groupBy(byInterval(), cu.tag('carrier')).fill('none'), { alias: '$tag_carrier' }),
    ] }).overrides(carrierOverrides()));

  // ----- where the figures come from
  d.withRow(row('Nguồn dữ liệu (feeds and model)'));
  d.withPanel(tablePanel({
    title: 'Lần nạp gần nhất của mỗi nguồn (feeds)', w: 12, h: 8,
    targets: [tableTarget(select(feeds)
      .col(last(feeds.f('applied')), 'applied').col(last(feeds.f('rows_read')), 'rows_read').col(last(feeds.f('rows_accepted')), 'rows_accepted').col(last(feeds.f('rows_rejected')), 'rows_rejected')
      .where(timeFilter()).groupBy(feeds.tag('feed'), feeds.tag('kind')))],
    transformations: [organize({ hide: [] })],
    columns: {
      Time: { header: 'Thời điểm', unit: 'dateTimeFromNow' },
      applied: { header: 'Áp dụng (applied)', mappings: [{ type: dashboard.MappingType.ValueToText, options: { true: { text: 'có', color: 'green', index: 0 }, false: { text: 'bị từ chối', color: 'red', index: 1 } } }], colorCell: true },
      rows_rejected: { header: 'Dòng lỗi (rejected)', steps: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }], colorCell: true },
    },
  }));
  d.withPanel(timeseriesPanel({ title: 'Trạm phát sóng ngừng (cells down) và thời gian tính (recompute)', w: 12, h: 8, unit: 'short', min: 0,
    targets: [
      target(select(model).col(max(model.f('cells_down')), 'cells_down').where(timeFilter()).groupBy(byInterval()).fill('none'), { refId: 'A', alias: 'cells down' }),
      target(select(model).col(max(model.f('duration_ms')), 'duration_ms').where(timeFilter()).groupBy(byInterval()).fill('none'), { refId: 'B', alias: 'recompute ms' }),
    ] }).overrideByName('recompute ms', [{ id: 'unit', value: 'ms' }, { id: 'custom.axisPlacement', value: 'right' }]));
  return finish(d);
}

export const coverage: DashboardModule = { uid: COVERAGE_UID, file: 'netcov-coverage', build };
