// From the `coverage` config section to the model's and the feeds' options, plus the
// cross-field checks the config loader runs (url xor path, cron syntax, threshold order …).
import cron from 'node-cron';
import type { Config } from '../config/schema.js';
import type { Problem } from '../util/schema-errors.js';
import type { Inventory } from '../inventory/model.js';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from './model.js';
import { carrierList, type Carrier } from './types.js';
import { METRES_PER_DEGREE, type Box } from './geo.js';

export type CoverageConfig = Config['coverage'];
export type CoverageFeedConfig = CoverageConfig['feeds'][number];

export interface CoverageSettings {
  mcc: string;
  carriers: Carrier[];
  model: ModelOptions;
  maxRejectedPct: number;
  maxListedRejections: number;
  defaultRangeM: number;
  maxRangeM: number;
  boundsMarginKm: number;
  pushMaxMeasurements: number;
  pushRetentionMs: number;
  recomputeIntervalMs: number;
  recomputeDelayMs: number;
  villageMetrics: boolean;
}

const DAY_MS = 86_400_000;

export function coverageSettings(c: CoverageConfig): CoverageSettings {
  return {
    mcc: c.mcc,
    carriers: carrierList(c.carriers),
    model: {
      ...DEFAULT_MODEL_OPTIONS,
      goodDbm: c.thresholds.good_dbm,
      fairDbm: c.thresholds.fair_dbm,
      poorDbm: c.thresholds.poor_dbm,
      staleAfterMs: c.stale_after_days * DAY_MS,
      measurementRadiusM: c.measurement_radius_m,
      minMeasurements: c.min_measurements,
      goodRangeFraction: c.prediction.good_range_fraction,
      fairRangeFraction: c.prediction.fair_range_fraction,
      reportedCoveredLevel: c.reported_covered_level,
      deadZoneRadios: c.dead_zone.radios,
      deadZoneMinLevel: c.dead_zone.min_level,
    },
    maxRejectedPct: c.max_rejected_pct,
    maxListedRejections: c.max_listed_rejections,
    defaultRangeM: c.prediction.default_range_m,
    maxRangeM: c.prediction.max_range_m,
    boundsMarginKm: c.bounds_margin_km,
    pushMaxMeasurements: c.push_max_measurements,
    pushRetentionMs: c.push_retention_days * DAY_MS,
    recomputeIntervalMs: c.recompute_interval_s * 1000,
    recomputeDelayMs: c.recompute_delay_ms,
    villageMetrics: c.village_metrics,
  };
}

/** The province's box (inventory bounds, else the extent of its units and villages), widened by `marginKm`. */
export function provinceBox(inv: Inventory, marginKm: number): Box {
  let box: Box;
  if (inv.bounds) box = { minLat: inv.bounds.latMin, maxLat: inv.bounds.latMax, minLon: inv.bounds.lonMin, maxLon: inv.bounds.lonMax };
  else {
    const pts = [...inv.villages, ...inv.units.values()];
    box = {
      minLat: Math.min(...pts.map((p) => p.lat)), maxLat: Math.max(...pts.map((p) => p.lat)),
      minLon: Math.min(...pts.map((p) => p.lon)), maxLon: Math.max(...pts.map((p) => p.lon)),
    };
  }
  const dLat = (marginKm * 1000) / METRES_PER_DEGREE;
  const dLon = dLat / Math.cos((Math.max(Math.abs(box.minLat), Math.abs(box.maxLat)) * Math.PI) / 180);
  return { minLat: box.minLat - dLat, maxLat: box.maxLat + dLat, minLon: box.minLon - dLon, maxLon: box.maxLon + dLon };
}

/** Checks across keys of the coverage section; the config loader adds them to its problems. */
export function coverageConfigProblems(config: Config): Problem[] {
  const c = config.coverage;
  const out: Problem[] = [];
  const at = (...path: (string | number)[]) => ['coverage', ...path];
  const t = c.thresholds;
  if (!(t.good_dbm > t.fair_dbm && t.fair_dbm > t.poor_dbm)) out.push({ path: at('thresholds'), message: 'needs good_dbm > fair_dbm > poor_dbm' });
  if (c.prediction.good_range_fraction > c.prediction.fair_range_fraction)
    out.push({ path: at('prediction', 'good_range_fraction'), message: 'must not exceed fair_range_fraction' });
  if (c.prediction.default_range_m > c.prediction.max_range_m) out.push({ path: at('prediction', 'default_range_m'), message: 'must not exceed max_range_m' });
  if (c.dead_zone.min_level === 'none') out.push({ path: at('dead_zone', 'min_level'), message: 'must be poor, fair or good (none would make every village covered)' });
  const seen = new Map<string, number>();
  c.feeds.forEach((f, i) => {
    if (seen.has(f.name)) out.push({ path: at('feeds', i, 'name'), message: `feed name "${f.name}" already used by feeds[${seen.get(f.name)}]` });
    seen.set(f.name, i);
    if ((f.url === '') === (f.path === '')) out.push({ path: at('feeds', i), message: 'give exactly one of url and path' });
    if (f.schedule !== '' && !cron.validate(f.schedule)) out.push({ path: at('feeds', i, 'schedule'), message: `not a valid cron expression: "${f.schedule}"` });
    if (f.token !== undefined && f.url === '') out.push({ path: at('feeds', i, 'token'), message: 'a token is only sent to a url feed' });
  });
  if (c.feeds.length > 0 && !c.feeds.some((f) => f.kind === 'cells'))
    out.push({ path: at('feeds'), message: 'no cells feed: the model needs cell sites before it computes anything' });
  return out;
}
