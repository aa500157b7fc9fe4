// The coverage domain as plain data: radios, levels, evidence, carriers, and what each feed
// contributes (cell sites, cell status, measurements, carrier village reports).
import type KDBush from 'kdbush';

export const RADIOS = ['GSM', 'UMTS', 'LTE', 'NR'] as const;
export type Radio = (typeof RADIOS)[number];
export const RADIO_COUNT = RADIOS.length;

/** Coverage levels; the array index is the rank (none 0 < poor 1 < fair 2 < good 3). */
export const LEVELS = ['none', 'poor', 'fair', 'good'] as const;
export type CoverageLevel = (typeof LEVELS)[number];

/** Where a level comes from. Precedence: measured > reported > predicted; stale is a fallback. */
export const EVIDENCE = ['predicted', 'reported', 'measured', 'stale'] as const;
export type Evidence = (typeof EVIDENCE)[number];
export const EV_PREDICTED = 0;
export const EV_REPORTED = 1;
export const EV_MEASURED = 2;
export const EV_STALE = 3;

export function levelRank(level: CoverageLevel): number {
  return LEVELS.indexOf(level);
}

export function radioIndex(radio: Radio): number {
  return RADIOS.indexOf(radio);
}

/** A mobile operator, known by its MNC under the configured MCC. */
export interface Carrier {
  /** Two digits, e.g. "04". */
  mnc: string;
  /** As people write it, e.g. "Viettel". */
  name: string;
  /** Lower-case identifier for metric tags and API keys, e.g. "viettel". */
  id: string;
}

/** One cell of the cell-site feed (OpenCelliD / MLS row). */
export interface CellSite {
  /** "452-04-LTE-10234-26380033": mcc-mnc-radio-area-cell. */
  key: string;
  radio: Radio;
  /** Index into the carrier list. */
  carrier: number;
  lat: number;
  lon: number;
  /** Radius in metres the cell is assumed to cover (the feed's estimate, or the default). */
  rangeM: number;
}

export interface CellStatus {
  up: boolean;
  /** Since when the cell is in this state, ms UTC. */
  sinceMs: number;
}

/**
 * Measurements stored column-wise (about 42 bytes each with the index), so a million fit in
 * tens of megabytes. `index` is a kdbush index over (lon, lat).
 */
export interface MeasurementBatch {
  count: number;
  timeMs: Float64Array;
  lat: Float32Array;
  lon: Float32Array;
  rsrpDbm: Float32Array;
  /** NaN when the row had none. */
  rsrqDb: Float32Array;
  sinrDb: Float32Array;
  carrier: Uint8Array;
  radio: Uint8Array;
  index: KDBush;
}

/** A carrier's statement about one village and one radio. */
export interface VillageReport {
  village: string;
  carrier: number;
  radio: Radio;
  covered: boolean;
  dateMs: number;
}

/** Cell key as used by the status feed and the model. */
export function cellKey(mcc: string, mnc: string, radio: Radio, area: string, cell: string): string {
  return `${mcc}-${mnc}-${radio}-${area}-${cell}`;
}

/** "Vietnamobile" → "vietnamobile", "Đắk Lắk" → "daklak": ASCII, lower case, letters and digits only. */
export function foldName(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Carriers from an MNC → name map, in MNC order. */
export function carrierList(byMnc: Readonly<Record<string, string>>): Carrier[] {
  return Object.entries(byMnc)
    .map(([mnc, name]) => ({ mnc: mnc.padStart(2, '0'), name, id: foldName(name) }))
    .sort((a, b) => (a.mnc < b.mnc ? -1 : a.mnc > b.mnc ? 1 : 0));
}
