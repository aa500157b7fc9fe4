// Samples → InfluxDB line protocol, checked against the metric schema (pure, no I/O).
// Timestamps are integer milliseconds: every write says precision=ms (v1 and v2 alike).
import { MEASUREMENTS, type FieldDef, type FieldType, type MeasurementDef, type Sample } from './schema.js';

/** The precision every netcov write uses; the encoder emits integer milliseconds. */
export const LINE_PRECISION = 'ms';

/** A sample that does not match the schema: a programming error in the caller, never retryable. */
export class LineProtocolError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'LineProtocolError';
  }
}

export type MeasurementSchema = Readonly<Record<string, MeasurementDef>>;

/** One encoded point: its line (no trailing newline), its time and its UTF-8 size. */
export interface EncodedLine {
  line: string;
  timeMs: number;
  bytes: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Tag keys a level-tagged measurement may carry besides its declared ones (province, district …). */
const LEVEL_TAG_KEY = /^[a-z][a-z0-9_]*$/;

// Control characters would end the line (\n) or confuse readers; Telegraf writes them as the
// two-character escape, and so do we (InfluxDB then stores the backslash sequence literally).
const CONTROL: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f' };

/**
 * Escape a measurement name (`specials` = ", ") or a tag key, tag value or field key (", =").
 * A backslash right before a special character or at the end would escape the separator that
 * follows, so it is doubled there (InfluxDB 1.x then stores both backslashes: a documented,
 * rare loss; elsewhere backslashes pass through untouched, as InfluxDB reads them).
 */
function escapeWith(value: string, specials: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const control = CONTROL[ch];
    if (control !== undefined) out += control;
    else if (specials.includes(ch)) out += `\\${ch}`;
    else if (ch === '\\') {
      const next = value[i + 1];
      out += next === undefined || specials.includes(next) || next in CONTROL ? '\\\\' : '\\';
    } else out += ch;
  }
  return out;
}

/** Vietnamese text may arrive decomposed (NFD); one spelling per name keeps one series per name. */
const nfc = (s: string) => s.normalize('NFC');

export function escapeMeasurement(name: string): string {
  return escapeWith(nfc(name), ', ');
}

export function escapeKey(key: string): string {
  return escapeWith(nfc(key), ', =');
}

export const escapeTagValue = escapeKey;

/**
 * A string field value: quoted, `\` and `"` escaped. Line breaks are written as the two-character
 * escapes \n and \r (as in tags): InfluxDB would accept them raw inside the quotes, but one point per
 * physical line keeps batches splittable and the line numbers in a server's error messages true.
 */
export function quoteString(value: string): string {
  return `"${nfc(value).replace(/[\\"\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`))}"`;
}

function fieldValue(measurement: string, key: string, def: FieldDef, value: unknown): string | undefined {
  const where = `${measurement}.${key}`;
  switch (def.type as FieldType) {
    case 'float':
      if (typeof value !== 'number') throw new LineProtocolError(`${where}: float field given ${typeof value}`);
      // NaN and ±Infinity have no line-protocol form; like Telegraf, the field is left out.
      if (!Number.isFinite(value)) return undefined;
      return String(value);
    case 'integer':
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) throw new LineProtocolError(`${where}: ${value} is outside int64`);
        return `${value}i`;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new LineProtocolError(`${where}: integer field given ${typeof value === 'number' ? value : typeof value}`);
      }
      return `${value}i`;
    case 'boolean':
      if (typeof value !== 'boolean') throw new LineProtocolError(`${where}: boolean field given ${typeof value}`);
      return value ? 'true' : 'false';
    case 'string':
      if (typeof value !== 'string') throw new LineProtocolError(`${where}: string field given ${typeof value}`);
      return quoteString(value);
  }
}

/**
 * Encode one sample. Throws LineProtocolError for an unknown measurement, tag or field, or a value
 * of the wrong type (programming errors). Leaves out: fields whose value is undefined (absent,
 * e.g. RTTs of a round with no reply) or a non-finite float; tags whose value is "" (line protocol
 * has no empty tag value; the core's `upstream` is simply untagged). Tags are sorted by key, as
 * InfluxDB recommends. Returns undefined when no field is left (nothing to write).
 */
export function encodeSample(sample: Sample, schema: MeasurementSchema = MEASUREMENTS): EncodedLine | undefined {
  const def = Object.hasOwn(schema, sample.measurement) ? schema[sample.measurement] : undefined;
  if (def === undefined) throw new LineProtocolError(`unknown measurement "${sample.measurement}"`);
  if (!Number.isFinite(sample.timeMs)) throw new LineProtocolError(`${def.name}: timeMs ${sample.timeMs} is not a finite number`);

  let tags = '';
  for (const key of Object.keys(sample.tags).sort()) {
    if (!Object.hasOwn(def.tags, key) && !(def.unitLevels && LEVEL_TAG_KEY.test(key))) {
      throw new LineProtocolError(`${def.name}: unknown tag "${key}"`);
    }
    const value = sample.tags[key];
    if (typeof value !== 'string') throw new LineProtocolError(`${def.name}: tag "${key}" is not a string`);
    if (value === '') continue;
    tags += `,${escapeKey(key)}=${escapeTagValue(value)}`;
  }

  let fields = '';
  for (const [key, value] of Object.entries(sample.fields)) {
    const fdef = Object.hasOwn(def.fields, key) ? def.fields[key] : undefined;
    if (fdef === undefined) throw new LineProtocolError(`${def.name}: unknown field "${key}"`);
    if (value === undefined) continue;
    const encoded = fieldValue(def.name, key, fdef, value);
    if (encoded === undefined) continue;
    fields += `${fields === '' ? '' : ','}${escapeKey(key)}=${encoded}`;
  }
  if (fields === '') return undefined;

  const timeMs = Math.round(sample.timeMs);
  const line = `${escapeMeasurement(def.name)}${tags} ${fields} ${timeMs}`;
  return { line, timeMs, bytes: Buffer.byteLength(line, 'utf8') };
}

/** Encode many samples; all are checked before any is returned, so a bad one rejects the call. */
export function encodeSamples(samples: readonly Sample[], schema: MeasurementSchema = MEASUREMENTS): EncodedLine[] {
  const out: EncodedLine[] = [];
  for (const s of samples) {
    const e = encodeSample(s, schema);
    if (e !== undefined) out.push(e);
  }
  return out;
}
