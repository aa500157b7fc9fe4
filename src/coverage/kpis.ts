// Population-weighted coverage per administrative unit, at every level of the hierarchy
// (levels are data: a two-level province → commune tree works as well as three levels).
// Pure: a function of the model's result and the unit → villages membership.
import { RADIO_COUNT, radioIndex } from './types.js';
import type { CoverageResult, VillageSet } from './model.js';
import type { Inventory } from '../inventory/model.js';

export interface UnitMembership {
  units: readonly { code: string; level: string }[];
  /** Unit code → indexes (into the VillageSet) of the villages within it, at any depth. */
  villages: ReadonlyMap<string, Uint32Array>;
}

/** Which villages lie within each unit, from `Inventory.villagesWithin` (computed once per inventory). */
export function unitMembership(inv: Inventory, vs: VillageSet): UnitMembership {
  const units = [...inv.units.values()].map((u) => ({ code: u.code, level: u.level }));
  const villages = new Map<string, Uint32Array>();
  for (const u of units) {
    const idx = inv.villagesWithin(u.code).map((v) => vs.byCode.get(v.code));
    villages.set(u.code, Uint32Array.from(idx.filter((i): i is number => i !== undefined)));
  }
  return { units, villages };
}

export interface CarrierUnitCoverage {
  villagesCovered: number;
  populationCovered: number;
  /** Undefined when the unit has no village population. */
  populationCoveredPct?: number;
}

export interface UnitCoverage {
  code: string;
  level: string;
  villages: number;
  /** Sum of the villages' populations (the census figure when villages add up to it). */
  population: number;
  villagesCovered: number;
  populationCovered: number;
  populationCoveredPct?: number;
  deadZoneVillages: number;
  deadZonePopulation: number;
  /** Villages with at least one conflict (a report says covered, fresh measurements say none) on a dead-zone radio. */
  conflictVillages: number;
  /** By carrier id (viettel, vinaphone …). */
  carriers: Record<string, CarrierUnitCoverage>;
}

const pct = (part: number, whole: number) => (whole > 0 ? (part * 100) / whole : undefined);

export function computeUnitCoverage(result: CoverageResult, membership: UnitMembership): Map<string, UnitCoverage> {
  const C = result.carriers.length;
  const vs = result.villages.villages;
  const dzIdx = result.options.deadZoneRadios.map(radioIndex);
  const conflictVillage = new Uint8Array(vs.length);
  for (let v = 0; v < vs.length; v++)
    for (let c = 0; c < C; c++) for (const r of dzIdx) if (result.conflict[(v * C + c) * RADIO_COUNT + r]) conflictVillage[v] = 1;

  const out = new Map<string, UnitCoverage>();
  for (const unit of membership.units) {
    const idx = membership.villages.get(unit.code) ?? new Uint32Array();
    let population = 0;
    let populationCovered = 0;
    let villagesCovered = 0;
    let deadZoneVillages = 0;
    let deadZonePopulation = 0;
    let conflictVillages = 0;
    const perCarrier = result.carriers.map(() => ({ villages: 0, population: 0 }));
    for (const v of idx) {
      const pop = vs[v]!.population;
      population += pop;
      if (result.deadZone[v]) {
        deadZoneVillages++;
        deadZonePopulation += pop;
      } else {
        villagesCovered++;
        populationCovered += pop;
      }
      if (conflictVillage[v]) conflictVillages++;
      for (let c = 0; c < C; c++) {
        if (!result.carrierCovers[v * C + c]) continue;
        perCarrier[c]!.villages++;
        perCarrier[c]!.population += pop;
      }
    }
    const carriers: Record<string, CarrierUnitCoverage> = {};
    result.carriers.forEach((carrier, c) => {
      const pc = perCarrier[c]!;
      const p = pct(pc.population, population);
      carriers[carrier.id] = { villagesCovered: pc.villages, populationCovered: pc.population, ...(p !== undefined ? { populationCoveredPct: p } : {}) };
    });
    const p = pct(populationCovered, population);
    out.set(unit.code, {
      code: unit.code, level: unit.level, villages: idx.length, population, villagesCovered, populationCovered,
      ...(p !== undefined ? { populationCoveredPct: p } : {}),
      deadZoneVillages, deadZonePopulation, conflictVillages, carriers,
    });
  }
  return out;
}
