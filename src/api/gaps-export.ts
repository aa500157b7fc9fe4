// Dead-zone villages as a planner downloads them: CSV for Excel (BOM, headers in config.language,
// times in config.timezone, one code and one name column per administrative level) and GeoJSON
// (RFC 7946: a FeatureCollection of Points in WGS 84 lon/lat) for QGIS.
import type { Language } from '../i18n.js';
import type { Inventory } from '../inventory/model.js';
import { toCsv } from './csv.js';
import type { GapView } from './deps.js';
import { header, levelCodeHeader } from './messages.js';
import { localTime } from './time.js';

/** Levels shown as columns: every level below the root (the province is the same for every row). */
function columnLevels(inv: Inventory) {
  return inv.levels.slice(1);
}


export function gapsCsv(inv: Inventory, gaps: readonly GapView[], lang: Language, timeZone: string): string {
  const levels = columnLevels(inv);
  const head = [
    header(lang, 'village_code'),
    header(lang, 'village'),
    header(lang, 'village_type'),
    ...levels.flatMap((l) => {
      const label = lang === 'vi' ? l.labelVi : l.labelEn;
      return [levelCodeHeader(lang, label), label];
    }),
    header(lang, 'population'),
    header(lang, 'best_level'),
    header(lang, 'evidence'),
    header(lang, 'conflict'),
    header(lang, 'since'),
    header(lang, 'lat'),
    header(lang, 'lon'),
  ];
  const rows = gaps.map((g) => [
    g.villageCode,
    g.villageName,
    g.villageType,
    ...levels.flatMap((l) => [g.units[l.name] ?? '', g.unitNames[l.name] ?? '']),
    g.population,
    g.bestLevel,
    g.evidence,
    header(lang, g.conflict ? 'yes' : 'no'),
    g.sinceMs === undefined ? '' : localTime(g.sinceMs, timeZone),
    g.lat,
    g.lon,
  ]);
  return toCsv(head, rows);
}

export interface GeoJsonFeatureCollection {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    id: string;
    geometry: { type: 'Point'; coordinates: [number, number] };
    properties: Record<string, string | number | boolean | null>;
  }[];
}

/** Property names are plain English keys (QGIS attribute names); unit names are carried as values. */
export function gapsGeoJson(inv: Inventory, gaps: readonly GapView[]): GeoJsonFeatureCollection {
  const levels = columnLevels(inv);
  return {
    type: 'FeatureCollection',
    features: gaps.map((g) => ({
      type: 'Feature',
      id: g.villageCode,
      // RFC 7946: longitude first; 6 decimals ≈ 0.1 m, more is noise.
      geometry: { type: 'Point', coordinates: [Math.round(g.lon * 1e6) / 1e6, Math.round(g.lat * 1e6) / 1e6] },
      properties: {
        village_code: g.villageCode,
        village: g.villageName,
        village_type: g.villageType,
        ...Object.fromEntries(levels.flatMap((l) => [[`${l.name}_code`, g.units[l.name] ?? null], [l.name, g.unitNames[l.name] ?? null]])),
        population: g.population,
        best_level: g.bestLevel,
        evidence: g.evidence,
        conflict: g.conflict,
        since: g.sinceMs === undefined ? null : new Date(g.sinceMs).toISOString(),
        cause: g.cause ?? null,
      },
    })),
  };
}
