// Coverage results as samples of the metric schema (coverage_village, coverage_unit,
// coverage_feed, coverage_model); the sink writes them, the dashboards read the same names.
import { COVERAGE_FEED, COVERAGE_MODEL, COVERAGE_UNIT, COVERAGE_VILLAGE, type Sample } from '../metrics/schema.js';
import type { Inventory } from '../inventory/model.js';
import { EVIDENCE, LEVELS, RADIOS, RADIO_COUNT, EV_STALE } from './types.js';
import type { CoverageResult } from './model.js';
import type { UnitCoverage } from './kpis.js';
import type { DeadZoneState } from './deadzones.js';
import type { IngestReport } from './feeds/records.js';

const ALL = 'all';

function bestSlot(result: CoverageResult, v: number, carriers: number[]): number {
  const C = result.carriers.length;
  let best = -1;
  let bestScore = -1;
  for (const c of carriers) {
    const slot = (v * C + c) * RADIO_COUNT + result.bestRadio[v * C + c]!;
    const score = (result.evidence[slot] !== EV_STALE ? 10 : 0) + result.level[slot]!;
    if (score > bestScore) {
      bestScore = score;
      best = slot;
    }
  }
  return best;
}

function slotFields(result: CoverageResult, slot: number) {
  const median = result.rsrpMedianDbm[slot]!;
  return {
    level: LEVELS[result.level[slot]!]!,
    level_code: result.level[slot]!,
    evidence: EVIDENCE[result.evidence[slot]!]!,
    radio: RADIOS[slot % RADIO_COUNT]!,
    rsrp_median_dbm: Number.isNaN(median) ? undefined : Math.round(median * 10) / 10,
    measurements: result.measurementCount[slot]!,
  };
}

export function villageSamples(inv: Inventory, result: CoverageResult, deadZones: DeadZoneState): Sample[] {
  const out: Sample[] = [];
  const C = result.carriers.length;
  const all = result.carriers.map((_, c) => c);
  const t = result.computedAtMs;
  const { villages } = result.villages;
  for (let v = 0; v < villages.length; v++) {
    const village = villages[v]!;
    const tags = inv.unitTags(village.unit);
    const base = { population: village.population, lat: village.lat, lon: village.lon };
    for (let c = 0; c < C; c++) {
      const slot = bestSlot(result, v, [c]);
      const covered = result.carrierCovers[v * C + c] === 1;
      const since = deadZones.carrierGaps.get(`${village.code}|${result.carriers[c]!.id}`);
      out.push({
        measurement: COVERAGE_VILLAGE.name,
        tags: { ...tags, village: village.code, carrier: result.carriers[c]!.id },
        fields: {
          ...base, ...slotFields(result, slot), status: covered ? 'covered' : 'not_covered', covered,
          conflict: conflictAt(result, v, c), uncovered_since_s: !covered && since !== undefined ? Math.floor(since / 1000) : undefined,
        },
        timeMs: t,
      });
    }
    const dead = result.deadZone[v] === 1;
    const since = deadZones.zones.get(village.code)?.sinceMs;
    out.push({
      measurement: COVERAGE_VILLAGE.name,
      tags: { ...tags, village: village.code, carrier: ALL },
      fields: {
        ...base, ...slotFields(result, bestSlot(result, v, all)), status: dead ? 'dead_zone' : 'covered', covered: !dead,
        conflict: all.some((c) => conflictAt(result, v, c)), uncovered_since_s: dead && since !== undefined ? Math.floor(since / 1000) : undefined,
      },
      timeMs: t,
    });
  }
  return out;
}

function conflictAt(result: CoverageResult, v: number, c: number): boolean {
  const C = result.carriers.length;
  return result.options.deadZoneRadios.some((r) => result.conflict[(v * C + c) * RADIO_COUNT + RADIOS.indexOf(r)] === 1);
}

export function unitSamples(inv: Inventory, units: ReadonlyMap<string, UnitCoverage>, timeMs: number): Sample[] {
  const out: Sample[] = [];
  for (const u of units.values()) {
    const tags = { ...inv.unitTags(u.code), unit: u.code, unit_level: u.level };
    out.push({
      measurement: COVERAGE_UNIT.name,
      tags: { ...tags, carrier: ALL },
      fields: {
        population: u.population, population_covered: u.populationCovered, population_covered_pct: u.populationCoveredPct,
        villages: u.villages, villages_covered: u.villagesCovered, dead_zone_villages: u.deadZoneVillages,
        dead_zone_population: u.deadZonePopulation, conflict_villages: u.conflictVillages,
      },
      timeMs,
    });
    for (const [carrier, cu] of Object.entries(u.carriers)) {
      out.push({
        measurement: COVERAGE_UNIT.name,
        tags: { ...tags, carrier },
        fields: {
          population: u.population, population_covered: cu.populationCovered, population_covered_pct: cu.populationCoveredPct,
          villages: u.villages, villages_covered: cu.villagesCovered,
        },
        timeMs,
      });
    }
  }
  return out;
}

export function feedSample(report: IngestReport): Sample {
  return {
    measurement: COVERAGE_FEED.name,
    tags: { feed: report.feed, kind: report.kind },
    fields: {
      applied: report.applied, rows_read: report.rowsRead, rows_accepted: report.accepted, rows_rejected: report.rejected,
      duration_ms: Math.round(report.durationMs * 10) / 10, error: report.error,
    },
    timeMs: report.startedAtMs,
  };
}

export interface ModelFigures {
  durationMs: number;
  cells: number;
  cellsDown: number;
  measurements: number;
  reports: number;
}

export function modelSample(result: CoverageResult, f: ModelFigures): Sample {
  let dead = 0;
  for (const d of result.deadZone) dead += d;
  return {
    measurement: COVERAGE_MODEL.name,
    tags: {},
    fields: {
      duration_ms: Math.round(f.durationMs * 10) / 10, villages: result.villages.villages.length, cells: f.cells, cells_down: f.cellsDown,
      measurements: f.measurements, reports: f.reports, dead_zone_villages: dead,
    },
    timeMs: result.computedAtMs,
  };
}
