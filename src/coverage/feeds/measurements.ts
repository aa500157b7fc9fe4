// Measurement feed (drive tests, crowdsourced apps): time,mnc,radio,lat,lon,rsrp,rsrq,sinr
// (an optional mcc column must be the configured MCC). Rows go straight into growable typed
// arrays, so a million rows cost tens of megabytes, not a million objects.
import { RADIOS, type MeasurementBatch } from '../types.js';
import { buildKdbush } from '../spatial.js';
import { parseCarrier, parseLatLon, parseMcc, parseNumberIn, parseOptionalNumberIn, parseRadio, parseTime, type FeedContext } from './fields.js';
import type { ColumnSpec, FeedParser } from './records.js';

export const MEASUREMENT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'time', required: true, aliases: ['timestamp'] },
  { name: 'mnc', required: true, aliases: ['net'] },
  { name: 'radio', required: true },
  { name: 'lat', required: true },
  { name: 'lon', required: true },
  { name: 'rsrp', required: true, aliases: ['rsrp_dbm'] },
  { name: 'rsrq', required: false, aliases: ['rsrq_db'] },
  { name: 'sinr', required: false, aliases: ['sinr_db'] },
  { name: 'mcc', required: false },
];

/** Valid RSRP (3GPP TS 36.133 reporting range), dBm. */
export const RSRP_MIN_DBM = -156;
export const RSRP_MAX_DBM = -31;
/** RSRQ reporting range including the extended range, dB. */
export const RSRQ_MIN_DB = -34;
export const RSRQ_MAX_DB = 3;
/** SINR as phones and drive-test tools report it, dB. */
export const SINR_MIN_DB = -23;
export const SINR_MAX_DB = 40;

/** Column-wise storage that grows by doubling; `seal()` trims it and builds the spatial index. */
export class MeasurementColumns {
  count = 0;
  #cap: number;
  timeMs: Float64Array;
  lat: Float32Array;
  lon: Float32Array;
  rsrpDbm: Float32Array;
  rsrqDb: Float32Array;
  sinrDb: Float32Array;
  carrier: Uint8Array;
  radio: Uint8Array;

  constructor(initialCapacity = 65_536) {
    this.#cap = Math.max(16, initialCapacity);
    this.timeMs = new Float64Array(this.#cap);
    this.lat = new Float32Array(this.#cap);
    this.lon = new Float32Array(this.#cap);
    this.rsrpDbm = new Float32Array(this.#cap);
    this.rsrqDb = new Float32Array(this.#cap);
    this.sinrDb = new Float32Array(this.#cap);
    this.carrier = new Uint8Array(this.#cap);
    this.radio = new Uint8Array(this.#cap);
  }

  #grow(): void {
    this.#cap *= 2;
    const grow = <T extends Float64Array | Float32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.#cap);
      b.set(a);
      return b;
    };
    this.timeMs = grow(this.timeMs, (n) => new Float64Array(n));
    this.lat = grow(this.lat, (n) => new Float32Array(n));
    this.lon = grow(this.lon, (n) => new Float32Array(n));
    this.rsrpDbm = grow(this.rsrpDbm, (n) => new Float32Array(n));
    this.rsrqDb = grow(this.rsrqDb, (n) => new Float32Array(n));
    this.sinrDb = grow(this.sinrDb, (n) => new Float32Array(n));
    this.carrier = grow(this.carrier, (n) => new Uint8Array(n));
    this.radio = grow(this.radio, (n) => new Uint8Array(n));
  }

  push(timeMs: number, lat: number, lon: number, rsrpDbm: number, rsrqDb: number, sinrDb: number, carrier: number, radio: number): void {
    if (this.count === this.#cap) this.#grow();
    const i = this.count++;
    this.timeMs[i] = timeMs;
    this.lat[i] = lat;
    this.lon[i] = lon;
    this.rsrpDbm[i] = rsrpDbm;
    this.rsrqDb[i] = rsrqDb;
    this.sinrDb[i] = sinrDb;
    this.carrier[i] = carrier;
    this.radio[i] = radio;
  }

  /** Copy row `i` of another batch (used to merge pushed measurements). */
  pushFrom(b: MeasurementBatch, i: number): void {
    this.push(b.timeMs[i]!, b.lat[i]!, b.lon[i]!, b.rsrpDbm[i]!, b.rsrqDb[i]!, b.sinrDb[i]!, b.carrier[i]!, b.radio[i]!);
  }

  seal(): MeasurementBatch {
    const n = this.count;
    // Mostly full: keep the buffers (no second copy at the peak of a large ingestion); mostly
    // empty: copy to the exact size so a small batch does not hold a large capacity.
    const fit = n >= this.#cap * 0.75;
    const cut = <T extends Float64Array | Float32Array | Uint8Array>(a: T): T => (fit ? a.subarray(0, n) : a.slice(0, n)) as T;
    const lat = cut(this.lat);
    const lon = cut(this.lon);
    return {
      count: n,
      timeMs: cut(this.timeMs),
      lat,
      lon,
      rsrpDbm: cut(this.rsrpDbm),
      rsrqDb: cut(this.rsrqDb),
      sinrDb: cut(this.sinrDb),
      carrier: cut(this.carrier),
      radio: cut(this.radio),
      index: buildKdbush(lat, lon, Float32Array),
    };
  }
}

export function measurementParser(ctx: FeedContext): FeedParser<MeasurementBatch> {
  const cols = new MeasurementColumns();
  return {
    kind: 'measurements',
    columns: MEASUREMENT_COLUMNS,
    allowEmpty: false,
    row(values) {
      const timeMs = parseTime(values[0], ctx.nowMs);
      if (values[8] !== undefined && values[8].trim() !== '') parseMcc(values[8], ctx.mcc);
      const carrier = parseCarrier(values[1], ctx.carriers);
      const radio = RADIOS.indexOf(parseRadio(values[2]));
      const { lat, lon } = parseLatLon(values[3], values[4], ctx.bounds);
      const rsrp = parseNumberIn(values[5], RSRP_MIN_DBM, RSRP_MAX_DBM, 'rsrp', 'RSRP', 'dBm');
      const rsrq = parseOptionalNumberIn(values[6], RSRQ_MIN_DB, RSRQ_MAX_DB, 'rsrq', 'RSRQ', 'dB');
      const sinr = parseOptionalNumberIn(values[7], SINR_MIN_DB, SINR_MAX_DB, 'sinr', 'SINR', 'dB');
      cols.push(timeMs, lat, lon, rsrp, rsrq, sinr, carrier, radio);
    },
    finish: () => cols.seal(),
  };
}

/**
 * Pushed measurements accumulate: merge `added` into `previous`, dropping rows older than
 * `keepAfterMs` and, beyond `maxCount`, the oldest rows. Works on row indexes (no object per row).
 */
export function mergeMeasurements(previous: MeasurementBatch | undefined, added: MeasurementBatch, keepAfterMs: number, maxCount: number): MeasurementBatch {
  const batches = previous ? [previous, added] : [added];
  let kept = 0;
  for (const b of batches) for (let i = 0; i < b.count; i++) if (b.timeMs[i]! >= keepAfterMs) kept++;
  // Nothing to drop and nothing to merge: the parsed batch is already the result.
  if (!previous && kept === added.count && kept <= maxCount) return added;
  // Newest first when the cap bites: the cutoff time is the maxCount-th newest time.
  let cutoffMs = keepAfterMs;
  if (kept > maxCount) {
    const times = new Float64Array(kept);
    let n = 0;
    for (const b of batches) for (let i = 0; i < b.count; i++) if (b.timeMs[i]! >= keepAfterMs) times[n++] = b.timeMs[i]!;
    times.sort();
    cutoffMs = times[kept - maxCount]!;
  }
  const cols = new MeasurementColumns(Math.min(kept, maxCount));
  if (cutoffMs === keepAfterMs) {
    for (const b of batches) for (let i = 0; i < b.count; i++) if (b.timeMs[i]! >= cutoffMs) cols.pushFrom(b, i);
  } else {
    // Everything newer than the cutoff, then rows exactly at it until the cap is reached.
    for (const b of batches) for (let i = 0; i < b.count; i++) if (b.timeMs[i]! > cutoffMs) cols.pushFrom(b, i);
    for (const b of batches) for (let i = 0; i < b.count && cols.count < maxCount; i++) if (b.timeMs[i] === cutoffMs) cols.pushFrom(b, i);
  }
  return cols.seal();
}
