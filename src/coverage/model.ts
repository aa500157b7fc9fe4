// The coverage model, pure: villages × carriers × radios → level (good/fair/poor/none), its
// evidence (measured > reported > predicted; stale as a fallback), conflicts and 4G dead zones.
// A function of its inputs and `nowMs` only; docs/coverage.md explains each rule.
import {
  EV_MEASURED, EV_PREDICTED, EV_REPORTED, EV_STALE, RADIO_COUNT, RADIOS, levelRank, radioIndex,
  type Carrier, type CellSite, type CellStatus, type CoverageLevel, type MeasurementBatch, type Radio, type VillageReport,
} from './types.js';
import { buildKdbush, pointIndex, type IndexKind, type PointIndex } from './spatial.js';
import type KDBush from 'kdbush';

export interface ModelOptions {
  /** Median RSRP thresholds, dBm: ≥ good → good, ≥ fair → fair, ≥ poor → poor, else none. */
  goodDbm: number;
  fairDbm: number;
  poorDbm: number;
  /** Measurements and reports older than this are stale. */
  staleAfterMs: number;
  /** Measurements within this distance of a village's point count for it. */
  measurementRadiusM: number;
  /** Fewer fresh measurements than this (per carrier and radio) are not evidence. */
  minMeasurements: number;
  /** Predicted level by distance to an up cell as a fraction of its range: ≤ good → good, ≤ fair → fair, ≤ 1 → poor. */
  goodRangeFraction: number;
  fairRangeFraction: number;
  /** Level given to a village a carrier reports as covered (a report says yes or no, not how well). */
  reportedCoveredLevel: CoverageLevel;
  /** A village is a dead zone when no carrier gives at least `deadZoneMinLevel` on one of these radios. */
  deadZoneRadios: readonly Radio[];
  deadZoneMinLevel: CoverageLevel;
  /** Spatial index used for radius queries ('naive' only for the benchmark's comparison). */
  index: IndexKind;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  goodDbm: -100,
  fairDbm: -110,
  poorDbm: -120,
  staleAfterMs: 180 * 86_400_000,
  measurementRadiusM: 1500,
  minMeasurements: 3,
  goodRangeFraction: 0.5,
  fairRangeFraction: 0.8,
  reportedCoveredLevel: 'fair',
  deadZoneRadios: ['LTE'],
  deadZoneMinLevel: 'poor',
  index: 'kdbush',
};

export interface ModelVillage {
  code: string;
  lat: number;
  lon: number;
  population: number;
  /** Code of the administrative unit the village belongs to. */
  unit: string;
}

/** The villages with their spatial index: built once per inventory, reused by every recompute. */
export interface VillageSet {
  villages: readonly ModelVillage[];
  byCode: ReadonlyMap<string, number>;
  lat: Float64Array;
  lon: Float64Array;
  kd: KDBush;
}

export function villageSet(villages: readonly ModelVillage[]): VillageSet {
  const lat = Float64Array.from(villages, (v) => v.lat);
  const lon = Float64Array.from(villages, (v) => v.lon);
  return { villages, byCode: new Map(villages.map((v, i) => [v.code, i])), lat, lon, kd: buildKdbush(lat, lon) };
}

export interface CoverageInputs {
  villages: VillageSet;
  carriers: readonly Carrier[];
  cells: readonly CellSite[];
  /** Cell key → status; a cell with no status is up. */
  status: ReadonlyMap<string, CellStatus>;
  measurements: readonly MeasurementBatch[];
  /** At most one report per village, carrier and radio (the newest). */
  reports: Iterable<VillageReport>;
}

/**
 * Per village (v), carrier (c) and radio (r), at slot `(v * C + c) * R + r` (see `slotOf`).
 * Typed arrays keep a national-scale result (100,000 villages) to a few tens of megabytes.
 */
export interface CoverageResult {
  computedAtMs: number;
  villages: VillageSet;
  carriers: readonly Carrier[];
  cells: readonly CellSite[];
  status: ReadonlyMap<string, CellStatus>;
  options: ModelOptions;
  /** Level rank (0 none … 3 good). */
  level: Uint8Array;
  /** EV_PREDICTED, EV_REPORTED, EV_MEASURED or EV_STALE. */
  evidence: Uint8Array;
  /** 1 when a fresh report says covered and fresh measurements say none. */
  conflict: Uint8Array;
  /** Median RSRP of the measurements used (fresh, or old for stale evidence); NaN when none. */
  rsrpMedianDbm: Float32Array;
  measurementCount: Uint32Array;
  /** Time of the newest evidence used (measurement or report), ms UTC; NaN for a prediction. */
  evidenceTimeMs: Float64Array;
  /** Per (v, c): 1 when the carrier gives at least the dead-zone minimum on a dead-zone radio (stale evidence does not count). */
  carrierCovers: Uint8Array;
  /** Per (v, c): the radio (index into RADIOS) whose slot best describes the carrier on the dead-zone radios. */
  bestRadio: Uint8Array;
  /** Per v: 1 for a dead zone. */
  deadZone: Uint8Array;
  /** Per v: indexes into `cells` of down cells of a dead-zone radio whose range covers the village. */
  outageCells: ReadonlyMap<number, readonly number[]>;
}

export function slotOf(result: Pick<CoverageResult, 'carriers'>, village: number, carrier: number, radio: number): number {
  return (village * result.carriers.length + carrier) * RADIO_COUNT + radio;
}

export function levelFromRsrp(rsrpDbm: number, o: Pick<ModelOptions, 'goodDbm' | 'fairDbm' | 'poorDbm'>): number {
  if (rsrpDbm >= o.goodDbm) return 3;
  if (rsrpDbm >= o.fairDbm) return 2;
  if (rsrpDbm >= o.poorDbm) return 1;
  return 0;
}

export function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

function villageIndex(vs: VillageSet, kind: IndexKind): PointIndex {
  return pointIndex(kind, vs.lat, vs.lon, vs.kd);
}

export function computeCoverage(inputs: CoverageInputs, options: ModelOptions, nowMs: number): CoverageResult {
  const o = options;
  const { villages: vs, carriers, cells, status } = inputs;
  const V = vs.villages.length;
  const C = carriers.length;
  const R = RADIO_COUNT;
  const S = V * C * R;
  const dzRadios = new Set(o.deadZoneRadios.map(radioIndex));

  // 1. Cells: what the up cells predict, and since when a down cell leaves each slot uncovered.
  const predicted = new Uint8Array(S);
  const outageSinceMs = new Float64Array(S);
  const outageCells = new Map<number, number[]>();
  const vIndex = villageIndex(vs, o.index);
  for (let ci = 0; ci < cells.length; ci++) {
    const cell = cells[ci]!;
    const st = status.get(cell.key);
    const r = radioIndex(cell.radio);
    const goodM = o.goodRangeFraction * cell.rangeM;
    const fairM = o.fairRangeFraction * cell.rangeM;
    vIndex.within(cell.lat, cell.lon, cell.rangeM, (v, d) => {
      const slot = (v * C + cell.carrier) * R + r;
      if (!st || st.up) {
        const lvl = d <= goodM ? 3 : d <= fairM ? 2 : 1;
        if (lvl > predicted[slot]!) predicted[slot] = lvl;
      } else {
        if (st.sinceMs > outageSinceMs[slot]!) outageSinceMs[slot] = st.sinceMs;
        if (dzRadios.has(r)) {
          const list = outageCells.get(v);
          if (list) list.push(ci);
          else outageCells.set(v, [ci]);
        }
      }
    });
  }

  // 2. Measurements near each village, per carrier and radio. Evidence older than an outage of a
  // cell covering the slot describes a network that no longer exists: it is skipped.
  const level = new Uint8Array(S);
  const evidence = new Uint8Array(S);
  const conflict = new Uint8Array(S);
  const rsrpMedianDbm = new Float32Array(S).fill(NaN);
  const measurementCount = new Uint32Array(S);
  const evidenceTimeMs = new Float64Array(S).fill(NaN);
  const freshMeasured = new Int8Array(S).fill(-1);
  const freshMedian = new Float32Array(S);
  const freshCount = new Uint32Array(S);
  const staleMeasured = new Int8Array(S).fill(-1);
  const staleMedian = new Float32Array(S).fill(NaN);
  const staleCount = new Uint32Array(S);
  const freshNewest = new Float64Array(S);
  const staleNewest = new Float64Array(S);
  const minCount = Math.max(1, o.minMeasurements);
  if (inputs.measurements.length > 0) {
    const batches = inputs.measurements.map((b) => ({ b, idx: pointIndex(o.index, b.lat, b.lon, b.index) }));
    const fresh: number[][] = Array.from({ length: C * R }, () => []);
    const old: number[][] = Array.from({ length: C * R }, () => []);
    const newestFresh = new Float64Array(C * R);
    const newestOld = new Float64Array(C * R);
    const touched: number[] = [];
    for (let v = 0; v < V; v++) {
      const base = v * C * R;
      for (const { b, idx } of batches) {
        idx.within(vs.lat[v]!, vs.lon[v]!, o.measurementRadiusM, (m) => {
          const k = b.carrier[m]! * R + b.radio[m]!;
          const t = b.timeMs[m]!;
          if (t <= outageSinceMs[base + k]!) return;
          if (fresh[k]!.length === 0 && old[k]!.length === 0) touched.push(k);
          if (nowMs - t <= o.staleAfterMs) {
            fresh[k]!.push(b.rsrpDbm[m]!);
            if (t > newestFresh[k]!) newestFresh[k] = t;
          } else {
            old[k]!.push(b.rsrpDbm[m]!);
            if (t > newestOld[k]!) newestOld[k] = t;
          }
        });
      }
      for (const k of touched) {
        const slot = base + k;
        const f = fresh[k]!;
        const s = old[k]!;
        if (f.length >= minCount) {
          const med = median(f);
          freshMeasured[slot] = levelFromRsrp(med, o);
          freshMedian[slot] = med;
          freshCount[slot] = f.length;
          freshNewest[slot] = newestFresh[k]!;
        }
        if (s.length >= minCount) {
          const med = median(s);
          staleMeasured[slot] = levelFromRsrp(med, o);
          staleMedian[slot] = med;
          staleCount[slot] = s.length;
          staleNewest[slot] = newestOld[k]!;
        }
        f.length = 0;
        s.length = 0;
        newestFresh[k] = 0;
        newestOld[k] = 0;
      }
      touched.length = 0;
    }
  }

  // 3. Carrier reports (the newest per slot), unless an outage came after them.
  const freshReport = new Int8Array(S).fill(-1);
  const staleReport = new Int8Array(S).fill(-1);
  const reportTimeMs = new Float64Array(S);
  for (const rep of inputs.reports) {
    const v = vs.byCode.get(rep.village);
    if (v === undefined || rep.carrier >= C) continue;
    const slot = (v * C + rep.carrier) * R + radioIndex(rep.radio);
    if (rep.dateMs <= outageSinceMs[slot]!) continue;
    if (nowMs - rep.dateMs <= o.staleAfterMs) freshReport[slot] = rep.covered ? 1 : 0;
    else staleReport[slot] = rep.covered ? 1 : 0;
    reportTimeMs[slot] = rep.dateMs;
  }

  // 4. Each slot: measured > reported > predicted (when it predicts coverage) > stale > predicted none.
  const reportedLevel = levelRank(o.reportedCoveredLevel);
  for (let slot = 0; slot < S; slot++) {
    if (freshMeasured[slot]! >= 0) {
      level[slot] = freshMeasured[slot]!;
      evidence[slot] = EV_MEASURED;
      evidenceTimeMs[slot] = freshNewest[slot]!;
      rsrpMedianDbm[slot] = freshMedian[slot]!;
      measurementCount[slot] = freshCount[slot]!;
      if (freshReport[slot] === 1 && level[slot] === 0) conflict[slot] = 1;
    } else if (freshReport[slot]! >= 0) {
      level[slot] = freshReport[slot] === 1 ? reportedLevel : 0;
      evidence[slot] = EV_REPORTED;
      evidenceTimeMs[slot] = reportTimeMs[slot]!;
    } else if (predicted[slot]! > 0) {
      level[slot] = predicted[slot]!;
      evidence[slot] = EV_PREDICTED;
    } else if (staleMeasured[slot]! >= 0 && (staleReport[slot]! < 0 || staleNewest[slot]! >= reportTimeMs[slot]!)) {
      level[slot] = staleMeasured[slot]!;
      evidence[slot] = EV_STALE;
      evidenceTimeMs[slot] = staleNewest[slot]!;
      rsrpMedianDbm[slot] = staleMedian[slot]!;
      measurementCount[slot] = staleCount[slot]!;
    } else if (staleReport[slot]! >= 0) {
      level[slot] = staleReport[slot] === 1 ? reportedLevel : 0;
      evidence[slot] = EV_STALE;
      evidenceTimeMs[slot] = reportTimeMs[slot]!;
    } else {
      evidence[slot] = EV_PREDICTED;
    }
  }

  // 5. Dead zones: no carrier gives at least the minimum on a dead-zone radio with current evidence.
  const minRank = levelRank(o.deadZoneMinLevel);
  const carrierCovers = new Uint8Array(V * C);
  const bestRadio = new Uint8Array(V * C);
  const deadZone = new Uint8Array(V);
  const dzList = [...dzRadios];
  for (let v = 0; v < V; v++) {
    let anyCovers = false;
    for (let c = 0; c < C; c++) {
      let bestScore = -1;
      let best = dzList[0] ?? 0;
      for (const r of dzList) {
        const slot = (v * C + c) * R + r;
        const counts = evidence[slot] !== EV_STALE;
        const score = (counts ? 10 : 0) + level[slot]!;
        if (score > bestScore) {
          bestScore = score;
          best = r;
        }
      }
      bestRadio[v * C + c] = best;
      if (bestScore >= 10 + minRank) {
        carrierCovers[v * C + c] = 1;
        anyCovers = true;
      }
    }
    if (!anyCovers) deadZone[v] = 1;
  }
  for (const v of [...outageCells.keys()]) if (!deadZone[v]) outageCells.delete(v);

  return {
    computedAtMs: nowMs, villages: vs, carriers, cells, status, options: o,
    level, evidence, conflict, rsrpMedianDbm, measurementCount, evidenceTimeMs,
    carrierCovers, bestRadio, deadZone, outageCells,
  };
}

export { RADIOS };
