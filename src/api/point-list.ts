// Pure views over the inventory and the points' states: filtering the point list and counting
// points by state per administrative unit (levels as data: any level, any depth).
import type { Inventory, Point } from '../inventory/model.js';
import { UNKNOWN_STATE, type PointsView } from './deps.js';
import { foldText, matchesWords, queryWords } from './text.js';

export interface PointFilter {
  states?: readonly string[];
  kinds?: readonly string[];
  /** Any unit code at any level: points serving it or a unit below it. */
  unit?: string;
  /** Words matched without diacritics or case against id, name and the names of the point's units. */
  q?: string;
}

/** Splits repeated and comma-separated query values: ?state=DOWN,UNREACHABLE&state=FLAPPING. */
export function listParam(values: readonly string[] | string | undefined, normalise: (s: string) => string = (s) => s): string[] | undefined {
  if (values === undefined) return undefined;
  const all = (Array.isArray(values) ? values : [values]).flatMap((v: string) => v.split(',')).map((v) => normalise(v.trim())).filter((v) => v !== '');
  return all.length ? all : undefined;
}

/** Folded search text per point, computed once per inventory (names do not change at run time). */
const searchTexts = new WeakMap<Inventory, Map<string, string>>();

function searchText(inv: Inventory, p: Point): string {
  let map = searchTexts.get(inv);
  if (!map) {
    map = new Map();
    searchTexts.set(inv, map);
  }
  let text = map.get(p.id);
  if (text === undefined) {
    const unitNames = inv.ancestry(p.unit).map((u) => `${u.type} ${u.name}`);
    text = foldText([p.id, p.name, p.address, ...unitNames].join(' | '));
    map.set(p.id, text);
  }
  return text;
}

export function stateOf(view: PointsView, id: string): string {
  return view.state(id)?.state ?? UNKNOWN_STATE;
}

export function filterPoints(inv: Inventory, view: PointsView, f: PointFilter): Point[] {
  const words = f.q ? queryWords(f.q) : [];
  const states = f.states ? new Set(f.states.map((s) => s.toUpperCase())) : undefined;
  const kinds = f.kinds ? new Set(f.kinds) : undefined;
  return inv.points.filter(
    (p) =>
      (!kinds || kinds.has(p.kind)) &&
      (f.unit === undefined || inv.isWithin(p.unit, f.unit)) &&
      (!words.length || matchesWords(searchText(inv, p), words)) &&
      (!states || states.has(stateOf(view, p.id))),
  );
}

export interface UnitCount {
  code: string;
  name: string;
  level: string;
  points: number;
  byState: Record<string, number>;
}

export interface Summary {
  total: number;
  byState: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  level: string;
  units: UnitCount[];
}

/** The level below `unit` (or below the root), for a summary that names no level. */
export function childLevel(inv: Inventory, unit: string | undefined): string | undefined {
  const parent = unit ?? inv.roots()[0]?.code;
  if (parent === undefined) return undefined;
  return inv.children(parent)[0]?.level;
}

/**
 * Points by state overall, per kind, and per unit at `level` (restricted to `unit`'s subtree).
 * A point counts in the unit of that level on its unit's path; agencies at the province count
 * in the totals but in no district.
 */
export function summarize(inv: Inventory, view: PointsView, unit: string | undefined, level: string | undefined): Summary {
  const points = unit === undefined ? inv.points : inv.points.filter((p) => inv.isWithin(p.unit, unit));
  const lvl = level ?? childLevel(inv, unit) ?? '';
  const units = new Map<string, UnitCount>();
  for (const u of inv.unitsAtLevel(lvl)) {
    if (unit !== undefined && !inv.isWithin(u.code, unit)) continue;
    units.set(u.code, { code: u.code, name: u.name, level: u.level, points: 0, byState: {} });
  }
  const byState: Record<string, number> = {};
  const byKind: Record<string, Record<string, number>> = {};
  for (const p of points) {
    const s = stateOf(view, p.id);
    byState[s] = (byState[s] ?? 0) + 1;
    const k = (byKind[p.kind] ??= {});
    k[s] = (k[s] ?? 0) + 1;
    const code = inv.unitTags(p.unit)[lvl];
    const u = code === undefined ? undefined : units.get(code);
    if (u) {
      u.points++;
      u.byState[s] = (u.byState[s] ?? 0) + 1;
    }
  }
  return { total: points.length, byState, byKind, level: lvl, units: [...units.values()] };
}
