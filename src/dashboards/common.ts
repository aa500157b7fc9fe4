// What every netcov dashboard shares: the provisioned datasource, panel factories with netcov's
// defaults (units, legends, colours), table transformations, label-based template variables and
// the final pass that numbers panels. Dashboards are data built from the schema and the inventory.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { Inventory, Level } from '../inventory/model.js';
import { LABEL_VARIABLE_REGEX } from '../metrics/inventory-info.js';
import { InfluxQLQueryBuilder, type ResultFormat, type Select } from './influxql.js';

/** The datasource every panel, variable and annotation names: provisioned with this fixed uid. */
export const DATASOURCE_UID = 'netcov-influxdb';
export const DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: DATASOURCE_UID };

/** Grafana folder the dashboards are provisioned into, and the tag every netcov dashboard carries. */
export const FOLDER = 'netcov';
export const TAG = 'netcov';

/** What a dashboard is built from. */
export interface BuildContext {
  inventory: Inventory;
  /** Zone for daily buckets and the dashboards' clock (config.timezone). */
  timezone: string;
}

export interface DashboardModule {
  /** Fixed uid: links between dashboards and bookmarks survive a rebuild. */
  uid: string;
  /** File name under dashboards/ (without .json). */
  file: string;
  build(ctx: BuildContext): dashboard.Dashboard;
}

// ------------------------------------------------------------------------------------------ queries

export interface TargetOptions {
  refId?: string;
  format?: ResultFormat;
  /** Legend pattern for time series ("$tag_point_id", "$col"). */
  alias?: string;
}

export function target(query: Select<string>, opts: TargetOptions = {}): InfluxQLQueryBuilder {
  const b = new InfluxQLQueryBuilder(query).datasource(DATASOURCE).refId(opts.refId ?? 'A').format(opts.format ?? 'time_series');
  if (opts.alias !== undefined) b.alias(opts.alias);
  return b;
}

export function tableTarget(query: Select<string>, refId = 'A'): InfluxQLQueryBuilder {
  return target(query, { refId, format: 'table' });
}

// ---------------------------------------------------------------------------------- transformations

/** Join the frames of several queries on a shared column (point_id, district …), keeping every row of all. */
export function joinBy(field: string, mode: 'outer' | 'inner' = 'outer'): dashboard.DataTransformerConfig {
  return { id: 'joinByField', options: { byField: field, mode } };
}

/** Hide, rename and order columns (names are query aliases and tag keys). */
export function organize(opts: { hide?: string[]; rename?: Record<string, string>; order?: string[] }): dashboard.DataTransformerConfig {
  const excludeByName: Record<string, boolean> = {};
  for (const name of opts.hide ?? []) excludeByName[name] = true;
  const indexByName: Record<string, number> = {};
  (opts.order ?? []).forEach((name, i) => (indexByName[name] = i));
  return { id: 'organize', options: { excludeByName, renameByName: opts.rename ?? {}, indexByName } };
}

export function sortBy(field: string, desc = true): dashboard.DataTransformerConfig {
  return { id: 'sortBy', options: { sort: [{ field, desc }] } };
}

export function limitRows(n: number): dashboard.DataTransformerConfig {
  return { id: 'limit', options: { limitField: n } };
}

/** Keep rows where `field` is at least `value` (e.g. only points with loss). */
export function keepRowsAtLeast(field: string, value: number): dashboard.DataTransformerConfig {
  return {
    id: 'filterByValue',
    options: { type: 'include', match: 'any', filters: [{ fieldName: field, config: { id: 'greaterOrEqual', options: { value } } }] },
  };
}

// ------------------------------------------------------------------------------------------- panels

export interface PanelSize {
  /** Grid width (of 24) and height (rows of 30 px). */
  w: number;
  h: number;
}

interface PanelCommon extends PanelSize {
  title: string;
  description?: string;
  targets: InfluxQLQueryBuilder[];
  unit?: string;
  transformations?: dashboard.DataTransformerConfig[];
}

type AnyPanel = { title(t: string): unknown; description(d: string): unknown; span(w: number): unknown; height(h: number): unknown; datasource(d: common.DataSourceRef): unknown; unit(u: string): unknown; withTarget(t: InfluxQLQueryBuilder): unknown; withTransformation(t: dashboard.DataTransformerConfig): unknown };

function applyCommon<P extends AnyPanel>(p: P, o: PanelCommon): P {
  p.title(o.title);
  if (o.description !== undefined) p.description(o.description);
  p.span(o.w);
  p.height(o.h);
  p.datasource(DATASOURCE);
  if (o.unit !== undefined) p.unit(o.unit);
  for (const t of o.targets) p.withTarget(t);
  for (const t of o.transformations ?? []) p.withTransformation(t);
  return p;
}

export function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).calcs(['mean', 'max', 'lastNotNull']);
}

export interface TimeseriesOptions extends PanelCommon {
  min?: number;
  max?: number;
  steps?: dashboard.Threshold[];
  bars?: boolean;
  stacked?: boolean;
}

export function timeseriesPanel(o: TimeseriesOptions): timeseries.PanelBuilder {
  const p = applyCommon(new timeseries.PanelBuilder(), o)
    .legend(legend())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(o.bars ? 80 : 10)
    .spanNulls(false)
    .drawStyle(o.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.steps) p.thresholds(thresholds(o.steps));
  if (o.stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return p;
}

export interface StatOptions extends PanelCommon {
  steps?: dashboard.Threshold[];
  /** A fixed colour instead of thresholds (e.g. a state's colour for its count). */
  color?: string;
  /** Shown when the query returns no row: counts of nothing are 0, not "No data". */
  noValue?: string;
  mappings?: dashboard.ValueMapping[];
  decimals?: number;
}

export function statPanel(o: StatOptions): stat.PanelBuilder {
  const p = applyCommon(new stat.PanelBuilder(), o)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Value);
  if (o.color !== undefined) p.colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor(o.color));
  else p.thresholds(thresholds(o.steps ?? [{ value: null, color: 'text' }]));
  if (o.noValue !== undefined) p.noValue(o.noValue);
  if (o.mappings) p.mappings(o.mappings);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  return p;
}

/** How one table column is shown: a header, a unit, colour from thresholds or mappings. */
export interface ColumnStyle {
  header?: string;
  unit?: string;
  decimals?: number;
  steps?: dashboard.Threshold[];
  mappings?: dashboard.ValueMapping[];
  /** Colour the cell background by the thresholds/mappings. */
  colorCell?: boolean;
  width?: number;
  /** A link from the cell (e.g. to the point dashboard with ${__value.raw}). */
  link?: { title: string; url: string };
}

export interface TableOptions extends PanelCommon {
  columns?: Record<string, ColumnStyle>;
  sortByColumn?: { name: string; desc: boolean };
}

export function tablePanel(o: TableOptions): table.PanelBuilder {
  const p = applyCommon(new table.PanelBuilder(), o).showHeader(true).cellHeight(common.TableCellHeight.Sm).filterable(true);
  for (const [name, c] of Object.entries(o.columns ?? {})) {
    const props: dashboard.DynamicConfigValue[] = [];
    if (c.header !== undefined) props.push({ id: 'displayName', value: c.header });
    if (c.unit !== undefined) props.push({ id: 'unit', value: c.unit });
    if (c.decimals !== undefined) props.push({ id: 'decimals', value: c.decimals });
    if (c.steps) props.push({ id: 'thresholds', value: { mode: 'absolute', steps: c.steps } }, { id: 'color', value: { mode: 'thresholds' } });
    if (c.mappings) props.push({ id: 'mappings', value: c.mappings });
    if (c.colorCell) props.push({ id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } });
    if (c.width !== undefined) props.push({ id: 'custom.width', value: c.width });
    if (c.link) props.push({ id: 'links', value: [{ title: c.link.title, url: c.link.url }] });
    if (props.length > 0) p.overrideByName(name, props);
  }
  if (o.sortByColumn) p.sortBy([new common.TableSortByFieldStateBuilder().displayName(o.columns?.[o.sortByColumn.name]?.header ?? o.sortByColumn.name).desc(o.sortByColumn.desc)]);
  return p;
}

export interface MarkerLayer {
  name: string;
  /** Field that colours the markers (its thresholds or mappings give the colour). */
  colorField: string;
  /** Size of the markers in pixels (fixed) or scaled by a field (e.g. population). */
  size: { fixed: number } | { field: string; min: number; max: number };
  /** refId of the frame the layer draws (after transformations, the joined frame). */
  frame?: string;
}

export interface GeomapOptions extends PanelCommon {
  center: { lat: number; lon: number; zoom: number };
  layers: MarkerLayer[];
  steps?: dashboard.Threshold[];
  mappings?: dashboard.ValueMapping[];
}

/** A Geomap of markers placed by their `lat` / `lon` columns over OpenStreetMap. */
export function geomapPanel(o: GeomapOptions): geomap.PanelBuilder {
  const layers = o.layers.map((l) =>
    new common.MapLayerOptionsBuilder()
      .type('markers')
      .name(l.name)
      .tooltip(true)
      .location(new common.FrameGeometrySourceBuilder().mode(common.FrameGeometrySourceMode.Coords).latitude('lat').longitude('lon'))
      .config({
        showLegend: true,
        style: {
          // Markers without a value (e.g. no status yet) stay grey: never a reassuring green.
          color: { field: l.colorField, fixed: '#8e8e8e' },
          opacity: 0.85,
          size: 'fixed' in l.size ? { fixed: l.size.fixed } : { field: l.size.field, min: l.size.min, max: l.size.max, fixed: l.size.min },
          symbol: { fixed: 'img/icons/marker/circle.svg', mode: 'fixed' },
        },
      })
      .filterData(l.frame === undefined ? undefined : { id: 'byRefId', options: l.frame }),
  );
  const p = applyCommon(new geomap.PanelBuilder(), o)
    .view(new geomap.MapViewConfigBuilder().id(geomap.MapCenterID.Coords).lat(o.center.lat).lon(o.center.lon).zoom(o.center.zoom))
    .controls(new geomap.ControlsOptionsBuilder().showZoom(true).mouseWheelZoom(true).showScale(true).showAttribution(true))
    .basemap(new common.MapLayerOptionsBuilder().type('osm-standard').name('OpenStreetMap'))
    .layers(layers)
    .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details));
  if (o.steps) p.thresholds(thresholds(o.steps));
  if (o.mappings) p.mappings(o.mappings);
  return p;
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

// ---------------------------------------------------------------------------------------- variables

/**
 * A variable over a `label` tag ("<id> <name>"): the dropdown shows names, queries get ids.
 * `query` is an InfluxQL SHOW TAG VALUES statement.
 */
export function labelVariable(name: string, label: string, query: string, opts: { all?: boolean; multi?: boolean } = {}): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .regex(LABEL_VARIABLE_REGEX)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc)
    .multi(opts.multi ?? false)
    .includeAll(opts.all ?? false);
  // "All" must also match series without the tag (a provincial agency has no district tag).
  if (opts.all) v.allValue('.*');
  return v;
}

/** The administrative level one below the top (districts in Đắk Lắk), where summaries are made. */
export function summaryLevel(inv: Inventory): Level {
  const lvl = inv.levels[1] ?? inv.levels[0];
  if (!lvl) throw new Error('inventory has no administrative levels');
  return lvl;
}

/** "Huyện (District)" from a level's labels. */
export function levelTitle(l: Level): string {
  return `${l.labelVi} (${l.labelEn})`;
}

// ---------------------------------------------------------------------------------------- dashboard

export function newDashboard(uid: string, title: string, ctx: BuildContext, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .timezone(ctx.timezone)
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .link(new dashboard.DashboardLinkBuilder('netcov').type(dashboard.DashboardLinkType.Dashboards).tags([TAG]).asDropdown(true).includeVars(false).keepTime(true).title('netcov'));
}

/** Build, then number every panel (rows included) 1…n in layout order: ids must be unique. */
export function finish(builder: dashboard.DashboardBuilder, annotations: AnnotationSpec[] = []): dashboard.Dashboard {
  const d = builder.build();
  // Grafana expects the lists, even empty.
  d.templating = { list: d.templating.list ?? [] };
  d.annotations = { list: [...(d.annotations.list ?? []), ...annotations.map(annotationQuery)] };
  let id = 1;
  for (const p of d.panels ?? []) {
    p.id = id++;
    if ('panels' in p && Array.isArray(p.panels)) for (const inner of p.panels) inner.id = id++;
  }
  return d;
}

// -------------------------------------------------------------------------------------- annotations

/** An InfluxQL annotation: each row is an event at its time, with text and tags from columns. */
export interface AnnotationSpec {
  name: string;
  color: string;
  query: Select<string>;
  /** Column holding the annotation text, and columns (comma-separated) becoming its tags. */
  textColumn: string;
  tagsColumn?: string;
}

function annotationQuery(a: AnnotationSpec): dashboard.AnnotationQuery {
  const query = a.query.render();
  // Grafana's InfluxQL annotation editor keeps query/textColumn/tagsColumn at the top level (all
  // versions read them) and newer versions also read `target`; both are written.
  const annotation: dashboard.AnnotationQuery & Record<string, unknown> = {
    name: a.name,
    datasource: DATASOURCE,
    enable: true,
    hide: false,
    iconColor: a.color,
    query,
    textColumn: a.textColumn,
    tagsColumn: a.tagsColumn ?? '',
    titleColumn: '',
    target: { refId: 'Anno', query, rawQuery: true, resultFormat: 'table' } as unknown as dashboard.AnnotationQuery['target'],
  };
  return annotation;
}
