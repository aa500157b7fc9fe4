// Dead zones over time, pure: which villages are dead zones now, since when, why, and what
// changed since the previous computation, grouped per administrative unit and cause into the
// DeadZoneChange the alerting pipeline consumes.
//
// Transitions per village (after each recompute):
//   not dead → dead     opened  (since = the last covering cell's down time for an outage, else now)
//   dead     → dead     unchanged (current cause cells refreshed for views; key and cause kept)
//   dead     → not dead cleared (under the key it opened with)
// The open zones are saved and restored across restarts: the first step after a start re-announces
// the zones still open (initial, same key and since) and clears those that closed meanwhile.
import { RADIOS } from './types.js';
import type { CoverageResult } from './model.js';
import type { DeadZoneCauseCell, DeadZoneChange, UnitRef } from '../observations.js';

export interface OpenZone {
  village: string;
  sinceMs: number;
  /** Cause and cells when it opened: they make its key, kept until it clears. */
  cause: 'cell_outage' | 'no_coverage';
  causeCells: DeadZoneCauseCell[];
  key: string;
  /** Down cells covering it now (may differ from the opening cause while it stays open). */
  currentCauseCells: DeadZoneCauseCell[];
}

export interface DeadZoneState {
  /** By village code. */
  zones: ReadonlyMap<string, OpenZone>;
  /** `${village}|${carrierId}` → since when the carrier does not cover the village (for the planners' views). */
  carrierGaps: ReadonlyMap<string, number>;
  /** False until the first step: that step's openings are `initial`. */
  initialized: boolean;
}

/** What survives a restart: the open zones and the carrier gaps' since-times. */
export interface PersistedDeadZones {
  version: 2;
  zones: Record<string, Omit<OpenZone, 'currentCauseCells'>>;
  carrierGaps: Record<string, number>;
}

/** The state before the first step: empty, or the open zones saved by the previous run. */
export function initialDeadZoneState(persisted?: PersistedDeadZones): DeadZoneState {
  const zones = new Map(Object.entries(persisted?.zones ?? {}).map(([v, z]) => [v, { ...z, currentCauseCells: z.causeCells }]));
  return { zones, carrierGaps: new Map(Object.entries(persisted?.carrierGaps ?? {})), initialized: false };
}

export function persistDeadZones(state: DeadZoneState): PersistedDeadZones {
  return {
    version: 2,
    zones: Object.fromEntries([...state.zones].map(([v, { currentCauseCells: _current, ...z }]) => [v, z])),
    carrierGaps: Object.fromEntries(state.carrierGaps),
  };
}

export interface DeadZoneStep {
  next: DeadZoneState;
  opened: OpenZone[];
  /** The zones as they were when open. */
  cleared: OpenZone[];
  initial: boolean;
  /** Anything to save: a zone or a carrier gap opened or closed (or this is the first step). */
  changed: boolean;
}

/** Advance the dead-zone state to the model's result at `result.computedAtMs`. */
export function stepDeadZones(prev: DeadZoneState, result: CoverageResult, unitOf: (village: string) => string): DeadZoneStep {
  const nowMs = result.computedAtMs;
  const initial = !prev.initialized;
  const { villages } = result.villages;
  const C = result.carriers.length;
  const zones = new Map<string, OpenZone>();
  const opened: OpenZone[] = [];
  for (let v = 0; v < villages.length; v++) {
    if (!result.deadZone[v]) continue;
    const code = villages[v]!.code;
    const causeCells: DeadZoneCauseCell[] = (result.outageCells.get(v) ?? []).map((ci) => {
      const cell = result.cells[ci]!;
      const carrier = result.carriers[cell.carrier]!;
      return { key: cell.key, carrier: carrier.id, carrierName: carrier.name, radio: cell.radio, sinceMs: result.status.get(cell.key)?.sinceMs ?? nowMs };
    });
    causeCells.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const cause = causeCells.length ? 'cell_outage' : 'no_coverage';
    const was = prev.zones.get(code);
    if (was) {
      const zone = { ...was, currentCauseCells: causeCells };
      zones.set(code, zone);
      if (initial) opened.push(zone);
      continue;
    }
    const sinceMs = causeCells.length ? Math.min(nowMs, Math.max(...causeCells.map((c) => c.sinceMs))) : nowMs;
    const key = `${unitOf(code)}|${cause === 'cell_outage' ? causeCells.map((c) => c.key).join(',') : 'no_coverage'}`;
    const zone: OpenZone = { village: code, sinceMs, cause, causeCells, key, currentCauseCells: causeCells };
    zones.set(code, zone);
    opened.push(zone);
  }
  const cleared = [...prev.zones.values()].filter((z) => !zones.has(z.village));

  const carrierGaps = new Map<string, number>();
  let newGaps = 0;
  for (let v = 0; v < villages.length; v++) {
    for (let c = 0; c < C; c++) {
      if (result.carrierCovers[v * C + c]) continue;
      const key = `${villages[v]!.code}|${result.carriers[c]!.id}`;
      const since = prev.carrierGaps.get(key);
      if (since === undefined) newGaps++;
      carrierGaps.set(key, since ?? nowMs);
    }
  }
  const gapsChanged = newGaps > 0 || carrierGaps.size !== prev.carrierGaps.size;
  return { next: { zones, carrierGaps, initialized: true }, opened, cleared, initial, changed: initial || gapsChanged || opened.length > 0 || cleared.length > 0 };
}

export interface VillageNames {
  name(village: string): string;
  population(village: string): number;
  unitOf(village: string): string;
  /** The unit and its ancestors, root first (the unit last). */
  ancestry(unit: string): UnitRef[];
  unitTags(unit: string): Record<string, string>;
}

/** Group a step's openings and clearings into one change per key (unit and cause). */
export function deadZoneChanges(step: DeadZoneStep, result: CoverageResult, names: VillageNames): DeadZoneChange[] {
  const radios = result.options.deadZoneRadios.filter((r) => RADIOS.includes(r));
  const remaining = new Map<string, number>();
  for (const z of step.next.zones.values()) remaining.set(z.key, (remaining.get(z.key) ?? 0) + 1);
  const out: DeadZoneChange[] = [];
  const emit = (kind: 'opened' | 'cleared', zones: OpenZone[]) => {
    const groups = new Map<string, OpenZone[]>();
    for (const z of zones) {
      const list = groups.get(z.key);
      if (list) list.push(z);
      else groups.set(z.key, [z]);
    }
    for (const [key, group] of groups) {
      const first = group[0]!;
      const unitCode = names.unitOf(first.village);
      const ancestry = names.ancestry(unitCode);
      const cells = new Map<string, DeadZoneCauseCell>();
      for (const z of group) for (const c of z.causeCells) cells.set(c.key, c);
      const causeCells = [...cells.values()];
      const villages = group.map((z) => ({ code: z.village, name: names.name(z.village), population: names.population(z.village) }));
      out.push({
        kind,
        key,
        timeMs: result.computedAtMs,
        sinceMs: Math.min(...group.map((z) => z.sinceMs)),
        initial: kind === 'opened' && step.initial,
        cause: first.cause,
        unit: ancestry[ancestry.length - 1] ?? { code: unitCode, name: unitCode, level: '' },
        ancestry,
        unitTags: names.unitTags(unitCode),
        villages,
        population: villages.reduce((s, v) => s + v.population, 0),
        remainingVillages: remaining.get(key) ?? 0,
        causeCells,
        carriers: [...new Set(causeCells.map((c) => c.carrierName))],
        radios: [...radios],
      });
    }
  };
  emit('opened', step.opened);
  emit('cleared', step.cleared);
  return out;
}
