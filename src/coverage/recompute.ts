// One full recompute, pure: the model, the unit figures and the dead-zone step with its changes.
// The service calls it on its state; the benchmark calls it on synthetic national-scale data.
import type { DeadZoneChange, UnitRef } from '../observations.js';
import type { Inventory } from '../inventory/model.js';
import { computeCoverage, type CoverageInputs, type CoverageResult, type ModelOptions } from './model.js';
import { computeUnitCoverage, type UnitCoverage, type UnitMembership } from './kpis.js';
import { deadZoneChanges, stepDeadZones, type DeadZoneState, type DeadZoneStep, type VillageNames } from './deadzones.js';

export interface Recomputed {
  result: CoverageResult;
  units: Map<string, UnitCoverage>;
  step: DeadZoneStep;
  changes: DeadZoneChange[];
}

export function recomputeAll(
  inputs: CoverageInputs,
  options: ModelOptions,
  nowMs: number,
  membership: UnitMembership,
  tracker: DeadZoneState,
  names: VillageNames,
): Recomputed {
  const result = computeCoverage(inputs, options, nowMs);
  const units = computeUnitCoverage(result, membership);
  const step = stepDeadZones(tracker, result, names.unitOf);
  return { result, units, step, changes: deadZoneChanges(step, result, names) };
}

/** Names, populations and units of the inventory's villages, for dead-zone changes. */
export function villageNames(inv: Inventory): VillageNames {
  const byCode = new Map(inv.villages.map((v) => [v.code, v]));
  return {
    name: (c) => byCode.get(c)?.name ?? c,
    population: (c) => byCode.get(c)?.population ?? 0,
    unitOf: (c) => byCode.get(c)?.unit ?? '',
    ancestry: (unit): UnitRef[] => inv.ancestry(unit).map((u) => ({ code: u.code, name: u.name, level: u.level })),
    unitTags: (u) => inv.unitTags(u),
  };
}
