// Which base stations to take down so that a village becomes a 4G dead zone (lõm sóng): the cells
// whose range covers it, by the same rule as netcov's coverage prediction (haversine distance to
// a cell of a dead-zone radio ≤ its range; an empty range gets the default, a huge one the cap).
// For `village: auto`, a village is picked that only predicted coverage keeps out of the dead-zone
// list (no fresh measurements near it, no carrier report) and that few cells cover. Pure, apart
// from reading the sample files.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { haversineM } from '../coverage/geo.js';
import type { Village } from '../inventory/model.js';

export interface SimCell {
  /** mcc-mnc-radio-area-cell, as the status feed and the model key cells. */
  key: string;
  radio: string;
  lat: number;
  lon: number;
  /** Effective range, m (defaulted and capped). */
  rangeM: number;
}

export interface OutageRules {
  mcc: string;
  /** Radios that count for dead zones (config coverage.dead_zone.radios). */
  radios: readonly string[];
  defaultRangeM: number;
  maxRangeM: number;
  /** Measurements within this distance of a village make it "measured" (config coverage.measurement_radius_m). */
  measurementRadiusM: number;
}

export const DEFAULT_OUTAGE_RULES: OutageRules = { mcc: '452', radios: ['LTE'], defaultRangeM: 2000, maxRangeM: 35_000, measurementRadiusM: 1500 };

function readText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

type Row = Record<string, string | undefined>;
const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? NaN : Number(s));

/** Cells of a cells feed file (OpenCelliD CSV); rows the model would reject are skipped. */
export function parseCells(csv: string, rules: OutageRules): SimCell[] {
  const rows = parse(csv, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, comment: '#', comment_no_infix: true }) as Row[];
  const out: SimCell[] = [];
  for (const r of rows) {
    const radio = (r.radio ?? '').trim().toUpperCase();
    const mcc = (r.mcc ?? '').trim();
    const mnc = (r.net ?? r.mnc ?? '').trim();
    const area = num(r.area ?? r.lac ?? r.tac);
    const cell = num(r.cell ?? r.cid ?? r.eci);
    const lat = num(r.lat);
    const lon = num(r.lon);
    if (mcc !== rules.mcc || !/^\d{1,3}$/.test(mnc) || !Number.isInteger(area) || !Number.isInteger(cell) || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    let rangeM = num(r.range);
    if (!Number.isFinite(rangeM) || rangeM <= 0) rangeM = rules.defaultRangeM;
    rangeM = Math.min(rangeM, rules.maxRangeM);
    out.push({ key: `${mcc}-${mnc.padStart(2, '0')}-${radio}-${area}-${cell}`, radio, lat, lon, rangeM });
  }
  return out;
}

export function readCellsFile(file: string, rules: OutageRules): SimCell[] {
  return parseCells(readText(file), rules);
}

/** Cells of a dead-zone radio whose range covers the point (pure). */
export function cellsCovering(at: { lat: number; lon: number }, cells: readonly SimCell[], rules: Pick<OutageRules, 'radios'>): SimCell[] {
  return cells.filter((c) => rules.radios.includes(c.radio) && haversineM(at.lat, at.lon, c.lat, c.lon) <= c.rangeM);
}

/** Coordinates of the measurements in a measurements feed file (CSV or JSON lines). */
export function readMeasurementPoints(file: string): { lat: number; lon: number }[] {
  const text = readText(file);
  if (/\.(jsonl|ndjson)(\.gz)?$/.test(file)) {
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          const o = JSON.parse(l) as { lat?: unknown; lon?: unknown };
          return [{ lat: Number(o.lat), lon: Number(o.lon) }];
        } catch {
          return [];
        }
      })
      .filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  }
  const rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, comment: '#', comment_no_infix: true }) as Row[];
  return rows.map((r) => ({ lat: num(r.lat), lon: num(r.lon) })).filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
}

/** Village codes a carrier report names (a report, covered or not, is evidence above prediction). */
export function readReportedVillages(file: string): Set<string> {
  const rows = parse(readText(file), { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, comment: '#', comment_no_infix: true }) as Row[];
  return new Set(rows.map((r) => (r.village ?? r.village_code ?? '').trim()).filter((c) => c !== ''));
}

export interface OutagePick {
  village: Village;
  cells: SimCell[];
}

/** Keys of the cells a status feed file lists as down (the last row for a cell wins, as in netcov). */
export function readDownCells(file: string, rules: Pick<OutageRules, 'mcc'>): Set<string> {
  const rows = parse(readText(file), { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, comment: '#', comment_no_infix: true }) as Row[];
  const down = new Set<string>();
  for (const r of rows) {
    const mnc = (r.net ?? r.mnc ?? '').trim().padStart(2, '0');
    const key = `${(r.mcc ?? rules.mcc).trim()}-${mnc}-${(r.radio ?? '').trim().toUpperCase()}-${num(r.area)}-${num(r.cell)}`;
    if (/^(down|0|alarm|off|outage)$/i.test((r.status ?? '').trim())) down.add(key);
    else down.delete(key);
  }
  return down;
}

export interface PickOptions {
  /** Cells already down (the sample status feed): they cover nothing. */
  downCells?: ReadonlySet<string>;
  /** Villages with measurements this close are skipped (their level is measured, not predicted). */
  measurementPoints: readonly { lat: number; lon: number }[];
  reportedVillages: ReadonlySet<string>;
  /** Largest number of cells to take down for one village. */
  maxCells: number;
}

/**
 * The village for `cell_outage: {village: auto}`: covered today only by prediction, from at most
 * `maxCells` up cells. Villages (thôn, buôn) before town quarters (tổ dân phố), then the fewest
 * cells, then the most people, so the demo's dead zone is a village that matters (pure).
 */
export function pickOutageVillage(villages: readonly Village[], cells: readonly SimCell[], rules: OutageRules, o: PickOptions): OutagePick | undefined {
  // A coarse grid (0.05° ≈ 5.5 km) keeps the measurement check cheap for large sample files.
  const grid = new Map<string, { lat: number; lon: number }[]>();
  const cellOf = (lat: number, lon: number) => `${Math.floor(lat / 0.05)},${Math.floor(lon / 0.05)}`;
  for (const p of o.measurementPoints) {
    const k = cellOf(p.lat, p.lon);
    const list = grid.get(k) ?? [];
    list.push(p);
    grid.set(k, list);
  }
  const measured = (v: Village) => {
    const [gy, gx] = cellOf(v.lat, v.lon).split(',').map(Number) as [number, number];
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        for (const p of grid.get(`${gy + dy},${gx + dx}`) ?? []) if (haversineM(v.lat, v.lon, p.lat, p.lon) <= rules.measurementRadiusM) return true;
    return false;
  };
  const upCells = o.downCells?.size ? cells.filter((c) => !o.downCells!.has(c.key)) : cells;
  const rank = (p: OutagePick) => [p.village.type === 'tổ dân phố' ? 1 : 0, p.cells.length, -p.village.population];
  const better = (a: OutagePick, b: OutagePick) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] ?? 0) < (rb[i] ?? 0);
    return false;
  };
  let best: OutagePick | undefined;
  for (const v of villages) {
    if (o.reportedVillages.has(v.code)) continue;
    const covering = cellsCovering(v, upCells, rules);
    if (covering.length === 0 || covering.length > o.maxCells) continue;
    const candidate = { village: v, cells: covering };
    if (best && !better(candidate, best)) continue;
    if (measured(v)) continue;
    best = candidate;
  }
  return best;
}
