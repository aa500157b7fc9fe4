// The inventory as InfluxDB rows (`point_info`, `unit_info`, `village_info`), so Grafana can place
// points on a map, name points, units and villages, and chain its template variables along the
// hierarchy. Pure.
import type { Inventory } from '../inventory/model.js';
import { POINT_INFO, UNIT_INFO, VILLAGE_INFO, pointTags, type Sample } from './schema.js';

/** How often the daemon writes the info rows again (they must stay inside every query window and the raw retention). */
export const DEFAULT_INVENTORY_INFO_INTERVAL_MS = 5 * 60_000;

/** "<id> <name>": the `label` tag a Grafana variable splits with a regex into value and text. */
export function infoLabel(id: string, name: string): string {
  return `${id} ${name}`;
}

/** The regex a Grafana template variable applies to a `label` tag value (value = id, text = name). */
export const LABEL_VARIABLE_REGEX = '/^(?<value>\\S+) (?<text>.+)$/';

export function inventoryInfoSamples(inv: Inventory, timeMs: number): Sample[] {
  const out: Sample[] = [];
  for (const p of inv.points) {
    out.push({
      measurement: POINT_INFO.name,
      tags: { ...pointTags(inv, p), label: infoLabel(p.id, p.name) },
      fields: {
        lat: p.lat,
        lon: p.lon,
        name: p.name,
        unit_name: inv.unit(p.unit)?.name ?? p.unit,
        population: inv.population(p.unit),
        dependants: inv.allDependants(p.id).length,
      },
      timeMs,
    });
  }
  const pointsWithin = new Map<string, number>();
  for (const p of inv.points) for (const u of inv.ancestry(p.unit)) pointsWithin.set(u.code, (pointsWithin.get(u.code) ?? 0) + 1);
  for (const u of inv.units.values()) {
    out.push({
      measurement: UNIT_INFO.name,
      tags: { ...inv.unitTags(u.code), level: u.level, code: u.code, parent: u.parent ?? '', label: infoLabel(u.code, u.name) },
      fields: {
        name: u.name,
        lat: u.lat,
        lon: u.lon,
        population: inv.population(u.code),
        villages: inv.villagesWithin(u.code).length,
        points: pointsWithin.get(u.code) ?? 0,
      },
      timeMs,
    });
  }
  for (const v of inv.villages) {
    out.push({
      measurement: VILLAGE_INFO.name,
      tags: { ...inv.unitTags(v.unit), village: v.code },
      fields: { name: v.name, unit_name: inv.unit(v.unit)?.name ?? v.unit, population: v.population, lat: v.lat, lon: v.lon },
      timeMs,
    });
  }
  return out;
}
