// Field parsers shared by the four feeds: radios, carriers, coordinates, times, booleans.
// Each returns the value or throws a RowReject naming the reason (a code for counting, and a
// sentence for people reading the ingestion report).
import { RADIOS, foldName, type Carrier, type Radio } from '../types.js';
import type { Box } from '../geo.js';

/** Why one row was not accepted; `code` groups the report's counts. */
export class RowReject {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {}
}

/** What row parsers need to know about the world (carriers, territory, villages, the time). */
export interface FeedContext {
  /** Mobile country code, "452" for Viet Nam. */
  mcc: string;
  carriers: readonly Carrier[];
  /** The province's box, already widened by the configured margin. */
  bounds: Box;
  villageCodes: ReadonlySet<string>;
  /** Ingestion time: rows dated more than a day after it are rejected. */
  nowMs: number;
  defaultRangeM: number;
  maxRangeM: number;
}

const RADIO_ALIASES: Record<string, Radio> = {
  gsm: 'GSM', '2g': 'GSM', umts: 'UMTS', wcdma: 'UMTS', '3g': 'UMTS', lte: 'LTE', '4g': 'LTE', nr: 'NR', '5g': 'NR',
};

export function parseRadio(value: string | undefined, what = 'radio'): Radio {
  const r = RADIO_ALIASES[(value ?? '').trim().toLowerCase()];
  if (!r) throw new RowReject(`unknown_${what}`, `unknown ${what} "${value ?? ''}" (expected ${RADIOS.join(', ')})`);
  return r;
}

/** MNC as two digits ("4" → "04"), or undefined when it is not a number. */
export function normaliseMnc(value: string): string | undefined {
  const v = value.trim();
  if (!/^\d{1,3}$/.test(v)) return undefined;
  return v.padStart(2, '0');
}

/** Carrier index from an MNC ("04", "4") or a name/id ("Viettel", "viettel"). */
export function parseCarrier(value: string | undefined, carriers: readonly Carrier[], byNameToo = false): number {
  const v = (value ?? '').trim();
  const mnc = normaliseMnc(v);
  let idx = mnc === undefined ? -1 : carriers.findIndex((c) => c.mnc === mnc);
  if (idx < 0 && byNameToo) idx = carriers.findIndex((c) => c.id === foldName(v));
  if (idx < 0) throw new RowReject('unknown_carrier', `unknown carrier "${v}" (known MNC: ${carriers.map((c) => `${c.mnc} ${c.name}`).join(', ')})`);
  return idx;
}

export function parseMcc(value: string | undefined, mcc: string): void {
  const v = (value ?? '').trim();
  if (v !== mcc) throw new RowReject('wrong_mcc', `MCC "${v}" is not ${mcc}`);
}

function num(value: string | undefined): number {
  const v = (value ?? '').trim();
  return v === '' ? NaN : Number(v);
}

export function parseLatLon(latText: string | undefined, lonText: string | undefined, bounds: Box): { lat: number; lon: number } {
  const lat = num(latText);
  const lon = num(lonText);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || (lat === 0 && lon === 0))
    throw new RowReject('bad_coordinates', `bad coordinates lat "${latText ?? ''}", lon "${lonText ?? ''}"`);
  if (lat < bounds.minLat || lat > bounds.maxLat || lon < bounds.minLon || lon > bounds.maxLon)
    throw new RowReject('outside_province', `position ${lat}, ${lon} is outside the province`);
  return { lat, lon };
}

/** A number within [min, max]; `code` and `label` name it in the rejection. */
export function parseNumberIn(value: string | undefined, min: number, max: number, code: string, label: string, unit: string): number {
  const n = num(value);
  if (Number.isNaN(n)) throw new RowReject(`bad_${code}`, `${label} "${value ?? ''}" is not a number`);
  if (n < min || n > max) throw new RowReject(`${code}_range`, `${label} ${n} ${unit} outside ${min}…${max} ${unit}`);
  return n;
}

/** Like parseNumberIn, but an empty value is NaN (an optional column). */
export function parseOptionalNumberIn(value: string | undefined, min: number, max: number, code: string, label: string, unit: string): number {
  if ((value ?? '').trim() === '') return NaN;
  return parseNumberIn(value, min, max, code, label, unit);
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A time as ISO 8601 with a zone ("2025-01-31T08:00:00+07:00", "…Z"), a date ("2025-01-31",
 * taken as 00:00 UTC), or Unix seconds / milliseconds. A local time without a zone is refused:
 * it would be a guess.
 */
export function parseTime(value: string | undefined, nowMs: number, label = 'time'): number {
  const v = (value ?? '').trim();
  let ms = NaN;
  if (/^\d{9,13}(\.\d+)?$/.test(v)) {
    const n = Number(v);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (ISO_WITH_ZONE.test(v) || DATE_ONLY.test(v)) ms = Date.parse(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw new RowReject(`bad_${label.replace(/ /g, '_')}`, `${label} "${v}" is not ISO 8601 with a zone, a date or Unix time`);
  if (ms > nowMs + 86_400_000) throw new RowReject(`future_${label.replace(/ /g, '_')}`, `${label} "${v}" is in the future`);
  return ms;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', 'covered', 'up', 'có', 'co']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'not_covered', 'down', 'không', 'khong']);

export function parseBool(value: string | undefined, code: string, label: string): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new RowReject(code, `${label} "${value ?? ''}" is not yes/no (1/0, true/false, có/không)`);
}
