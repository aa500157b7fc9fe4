// Read-only views of the latest coverage snapshot for the API (planners): a unit's figures with
// its children, the gap (dead-zone) list, one village in detail. Pure functions of the snapshot.
import type { Inventory } from '../inventory/model.js';
import type { DeadZoneCauseCell } from '../observations.js';
import { EVIDENCE, EV_STALE, LEVELS, RADIOS, RADIO_COUNT, levelRank, type Radio } from './types.js';
import type { CoverageResult } from './model.js';
import type { UnitCoverage } from './kpis.js';
import type { DeadZoneState } from './deadzones.js';
import { RowReject, parseCarrier, parseRadio } from './feeds/fields.js';

export interface CoverageSnapshot {
  result: CoverageResult;
  units: ReadonlyMap<string, UnitCoverage>;
  deadZones: DeadZoneState;
}

/** A query the views cannot answer as asked; `statusCode` 400 (bad parameter) or 404 (unknown unit/village). */
export class CoverageQueryError extends Error {
  constructor(
    message: string,
    readonly statusCode: 400 | 404,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CoverageQueryError';
  }
}

export interface CarrierCoverageView {
  carrier: string;
  name: string;
  coveredPopulation: number;
  /** 0–100; 0 for a unit without village population. */
  coveredPct: number;
  villagesCovered: number;
}

export interface UnitCoverageView {
  code: string;
  name: string;
  level: string;
  population: number;
  coveredPopulation: number;
  /** Population-weighted coverage, 0–100 (0 for a unit without village population). */
  coveredPct: number;
  villages: number;
  villagesCovered: number;
  deadZoneVillages: number;
  deadZonePopulation: number;
  conflictVillages: number;
  byCarrier: CarrierCoverageView[];
}

export interface UnitCoverageReport extends UnitCoverageView {
  children: UnitCoverageView[];
  /** When the figures were computed, ms UTC. */
  computedAtMs: number;
}

function unitView(inv: Inventory, snap: CoverageSnapshot, u: UnitCoverage): UnitCoverageView {
  return {
    code: u.code,
    name: inv.unit(u.code)?.name ?? u.code,
    level: u.level,
    population: u.population,
    coveredPopulation: u.populationCovered,
    coveredPct: u.populationCoveredPct ?? 0,
    villages: u.villages,
    villagesCovered: u.villagesCovered,
    deadZoneVillages: u.deadZoneVillages,
    deadZonePopulation: u.deadZonePopulation,
    conflictVillages: u.conflictVillages,
    byCarrier: snap.result.carriers.map((c) => {
      const cu = u.carriers[c.id]!;
      return { carrier: c.id, name: c.name, coveredPopulation: cu.populationCovered, coveredPct: cu.populationCoveredPct ?? 0, villagesCovered: cu.villagesCovered };
    }),
  };
}

export function unitReport(inv: Inventory, snap: CoverageSnapshot, code: string): UnitCoverageReport | undefined {
  const u = snap.units.get(code);
  if (!u) return undefined;
  const children = inv.children(code).flatMap((child) => {
    const cu = snap.units.get(child.code);
    return cu ? [unitView(inv, snap, cu)] : [];
  });
  return { ...unitView(inv, snap, u), children, computedAtMs: snap.result.computedAtMs };
}

export interface SlotView {
  carrier: string;
  radio: Radio;
  level: string;
  evidence: string;
  rsrpMedianDbm?: number;
  measurements: number;
  evidenceTimeMs?: number;
  conflict: boolean;
}

export interface GapView {
  villageCode: string;
  villageName: string;
  villageType: string;
  lat: number;
  lon: number;
  population: number;
  /** Unit codes of the village's path by level name, e.g. {province, district, commune}. */
  units: Record<string, string>;
  /** The same units' names, e.g. {commune: "Xã Ia Lốp", district: "Huyện Ea Súp", …}. */
  unitNames: Record<string, string>;
  /** Best level any considered carrier gives (stale evidence included) and its evidence. */
  bestLevel: string;
  evidence: string;
  /** Since when it is a gap, ms UTC (tracked for the dead-zone definition; absent for other radios). */
  sinceMs?: number;
  conflict: boolean;
  /** For dead zones: cell_outage (down cells cover it) or no_coverage. */
  cause?: 'cell_outage' | 'no_coverage';
  causeCells?: DeadZoneCauseCell[];
  /** Each considered carrier on each considered radio. */
  carriers: SlotView[];
}

export interface GapFilter {
  /** Unit code: villages within it (any level). */
  unit?: string;
  /** Carrier id, MNC or name: gaps of that carrier only. Absent: villages no carrier covers. */
  carrier?: string;
  /** Radio (LTE, 4G, NR …) instead of the configured dead-zone radios. */
  radio?: string;
}

function slotView(result: CoverageResult, slot: number, carrier: number): SlotView {
  const median = result.rsrpMedianDbm[slot]!;
  const t = result.evidenceTimeMs[slot]!;
  return {
    carrier: result.carriers[carrier]!.id,
    radio: RADIOS[slot % RADIO_COUNT]!,
    level: LEVELS[result.level[slot]!]!,
    evidence: EVIDENCE[result.evidence[slot]!]!,
    ...(Number.isNaN(median) ? {} : { rsrpMedianDbm: Math.round(median * 10) / 10 }),
    measurements: result.measurementCount[slot]!,
    ...(Number.isNaN(t) ? {} : { evidenceTimeMs: t }),
    conflict: result.conflict[slot] === 1,
  };
}

function resolveFilter(snap: CoverageSnapshot, inv: Inventory, f: GapFilter): { carriers: number[]; radios: number[]; custom: boolean; carrierGiven: boolean } {
  const { result } = snap;
  if (f.unit !== undefined && !inv.unit(f.unit)) throw new CoverageQueryError(`unknown unit "${f.unit}"`, 404, 'unit');
  let carriers = result.carriers.map((_, i) => i);
  try {
    if (f.carrier !== undefined && f.carrier !== '') carriers = [parseCarrier(f.carrier, result.carriers, true)];
  } catch (err) {
    if (err instanceof RowReject) throw new CoverageQueryError(err.reason, 400, 'carrier');
    throw err;
  }
  let radios = result.options.deadZoneRadios.map((r) => RADIOS.indexOf(r));
  let custom = false;
  try {
    if (f.radio !== undefined && f.radio !== '') {
      const r = RADIOS.indexOf(parseRadio(f.radio));
      custom = !(radios.length === 1 && radios[0] === r);
      radios = [r];
    }
  } catch (err) {
    if (err instanceof RowReject) throw new CoverageQueryError(err.reason, 400, 'radio');
    throw err;
  }
  return { carriers, radios, custom, carrierGiven: f.carrier !== undefined && f.carrier !== '' };
}

/**
 * Villages without usable service: with no carrier given, the dead zones (no carrier gives the
 * minimum level on the dead-zone radios); with a carrier, the villages that carrier does not
 * cover. Sorted by unit code, then village code.
 */
export function gaps(inv: Inventory, snap: CoverageSnapshot, filter: GapFilter): GapView[] {
  const { result, deadZones } = snap;
  const { carriers, radios, custom, carrierGiven } = resolveFilter(snap, inv, filter);
  const C = result.carriers.length;
  const minRank = levelRank(result.options.deadZoneMinLevel);
  const within = filter.unit !== undefined ? new Set(inv.villagesWithin(filter.unit).map((v) => v.code)) : undefined;
  const out: GapView[] = [];
  const { villages } = result.villages;
  for (let v = 0; v < villages.length; v++) {
    const mv = villages[v]!;
    if (within && !within.has(mv.code)) continue;
    let covered = false;
    if (!custom) covered = carrierGiven ? result.carrierCovers[v * C + carriers[0]!] === 1 : result.deadZone[v] === 0;
    else
      for (const c of carriers)
        for (const r of radios) {
          const slot = (v * C + c) * RADIO_COUNT + r;
          if (result.evidence[slot] !== EV_STALE && result.level[slot]! >= minRank) covered = true;
        }
    if (covered) continue;
    const slots: SlotView[] = [];
    let best: SlotView | undefined;
    let bestScore = -1;
    for (const c of carriers)
      for (const r of radios) {
        const slot = (v * C + c) * RADIO_COUNT + r;
        const sv = slotView(result, slot, c);
        slots.push(sv);
        const score = (result.evidence[slot] !== EV_STALE ? 10 : 0) + result.level[slot]!;
        if (score > bestScore) {
          bestScore = score;
          best = sv;
        }
      }
    const ancestry = inv.ancestry(mv.unit);
    const zone = !custom && !carrierGiven ? deadZones.zones.get(mv.code) : undefined;
    const since = custom ? undefined : carrierGiven ? deadZones.carrierGaps.get(`${mv.code}|${result.carriers[carriers[0]!]!.id}`) : zone?.sinceMs;
    out.push({
      villageCode: mv.code,
      villageName: names(inv).get(mv.code)?.name ?? mv.code,
      villageType: names(inv).get(mv.code)?.type ?? '',
      lat: mv.lat,
      lon: mv.lon,
      population: mv.population,
      units: inv.unitTags(mv.unit),
      unitNames: Object.fromEntries(ancestry.map((u) => [u.level, u.name])),
      bestLevel: best?.level ?? 'none',
      evidence: best?.evidence ?? 'predicted',
      ...(since !== undefined ? { sinceMs: since } : {}),
      conflict: slots.some((s) => s.conflict),
      ...(zone ? { cause: zone.currentCauseCells.length ? ('cell_outage' as const) : ('no_coverage' as const), causeCells: zone.currentCauseCells } : {}),
      carriers: slots,
    });
  }
  out.sort((a, b) => cmp(a.units, b.units, inv) || (a.villageCode < b.villageCode ? -1 : a.villageCode > b.villageCode ? 1 : 0));
  return out;
}

function cmp(a: Record<string, string>, b: Record<string, string>, inv: Inventory): number {
  for (const level of inv.levels) {
    const x = a[level.name] ?? '';
    const y = b[level.name] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const nameCache = new WeakMap<Inventory, Map<string, { name: string; type: string }>>();
function names(inv: Inventory): Map<string, { name: string; type: string }> {
  let m = nameCache.get(inv);
  if (!m) {
    m = new Map(inv.villages.map((v) => [v.code, { name: v.name, type: v.type }]));
    nameCache.set(inv, m);
  }
  return m;
}

export interface VillageCoverageView {
  code: string;
  name: string;
  population: number;
  units: Record<string, string>;
  deadZone: boolean;
  sinceMs?: number;
  /** Every carrier on every radio. */
  slots: SlotView[];
}

export function villageView(inv: Inventory, snap: CoverageSnapshot, code: string): VillageCoverageView | undefined {
  const { result } = snap;
  const v = result.villages.byCode.get(code);
  if (v === undefined) return undefined;
  const mv = result.villages.villages[v]!;
  const C = result.carriers.length;
  const slots: SlotView[] = [];
  for (let c = 0; c < C; c++) for (let r = 0; r < RADIO_COUNT; r++) slots.push(slotView(result, (v * C + c) * RADIO_COUNT + r, c));
  const since = snap.deadZones.zones.get(code)?.sinceMs;
  return {
    code, name: names(inv).get(code)?.name ?? code, population: mv.population, units: inv.unitTags(mv.unit),
    deadZone: result.deadZone[v] === 1, ...(since !== undefined ? { sinceMs: since } : {}), slots,
  };
}
