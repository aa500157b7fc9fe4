// Streaming row readers (CSV via csv-parse, JSON lines, a JSON array) and the ingestion driver
// every feed shares: rows in, a per-row report out, and a batch only when the whole file is
// usable. Memory stays bounded: rows are consumed as they stream (backpressure), and only the
// feed's compact batch and the rejections list grow.
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { RowReject } from './fields.js';

export type FeedKind = 'cells' | 'status' | 'measurements' | 'reports';
export type FeedFormat = 'csv' | 'jsonl' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['csv', 'jsonl', 'json'];

export interface ColumnSpec {
  /** Lower-case column (CSV header) or key (JSON) name. */
  name: string;
  required: boolean;
  /** Other names accepted for it. */
  aliases?: readonly string[];
}

/** A feed's row handler: accepts rows into the batch under construction, then builds the batch. */
export interface FeedParser<B> {
  kind: FeedKind;
  columns: readonly ColumnSpec[];
  /** An empty file is a valid snapshot (status: no alarms) or an error (cells: surely broken). */
  allowEmpty: boolean;
  /** Accept the row (values in `columns` order, undefined when absent) or throw a RowReject. */
  row(values: readonly (string | undefined)[], line: number): void;
  finish(): B;
}

export interface RowProblem {
  /** Line in the file (the CSV header is line 1); for a JSON array, the item number from 1. */
  row: number;
  code: string;
  reason: string;
}

export interface IngestReport {
  /** Feed (source) name, e.g. "opencellid" or "api". */
  feed: string;
  kind: FeedKind;
  format: FeedFormat;
  /** True when the batch was accepted (and, in the service, swapped into the state). */
  applied: boolean;
  /** Why the whole file was refused (the current state was left as it was). */
  error?: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Every rejected row up to the configured cap, in row order. */
  problems: RowProblem[];
  /** Rejected rows beyond the cap (counted in `reasons`, not listed). */
  problemsNotListed: number;
  /** Rejected rows by reason code (bad_coordinates, outside_province, wrong_mcc, unknown_radio, rsrp_range …). */
  reasons: Record<string, number>;
  startedAtMs: number;
  durationMs: number;
  rowsPerSecond: number;
  /** Feed-specific remarks (e.g. status rows for cells the cell feed does not list). */
  notes: string[];
}

export interface IngestOptions {
  feed: string;
  format: FeedFormat;
  /** Refuse the whole file when more than this percentage of its rows is rejected. */
  maxRejectedPct: number;
  /** List at most this many rejected rows (the rest are counted). */
  maxListedRejections: number;
  /** A JSON array document is read whole: refuse it above this size. */
  maxJsonBytes: number;
  now?: () => number;
}

export const DEFAULT_INGEST_OPTIONS: Omit<IngestOptions, 'feed' | 'format'> = {
  maxRejectedPct: 50,
  maxListedRejections: 100_000,
  maxJsonBytes: 64 * 1024 * 1024,
};

/** The whole file is unusable (wrong header, not CSV/JSON, read error): nothing is changed. */
export class UnusableFeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableFeedError';
  }
}

/** Where readers hand rows: values in `columns` order (a reused array: copy to keep), or a rejection. */
interface RowTarget {
  row(values: (string | undefined)[], line: number): void;
  reject(line: number, r: RowReject): void;
}

function columnIndexes(header: string[], columns: readonly ColumnSpec[]): number[] {
  const names = header.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase());
  const idx = columns.map((c) => names.findIndex((n) => n === c.name || (c.aliases ?? []).includes(n)));
  const missing = columns.filter((c, i) => c.required && idx[i]! < 0).map((c) => c.name);
  if (missing.length) {
    const shown = names.slice(0, 20).join(',').slice(0, 200);
    throw new UnusableFeedError(`header lacks required column(s) ${missing.join(', ')} (found: ${shown || 'nothing'})`);
  }
  return idx;
}

// Rows are handed over synchronously from inside the read loop (no async generator per row):
// at a million rows, two promise hops per row are a good part of the time.
async function readCsv(stream: Readable, columns: readonly ColumnSpec[], target: RowTarget): Promise<void> {
  let lastSkipLine = -1;
  const parser = stream.pipe(
    parseCsv({
      info: true, bom: true, skip_empty_lines: true, relax_quotes: true, relax_column_count: true, skip_records_with_error: true,
      // Whole lines starting with # are comments (sample files say so on top); a # inside a field is data.
      comment: '#', comment_no_infix: true,
      on_skip: (err) => {
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        // One malformed record can raise several parser errors; report it once.
        if (line === lastSkipLine) return;
        lastSkipLine = line;
        target.reject(line, new RowReject('bad_csv', `not valid CSV: ${err?.message ?? 'unreadable record'}`));
      },
    }),
  );
  stream.on('error', (err) => parser.destroy(err));
  let idx: number[] | undefined;
  let width = 0;
  const values: (string | undefined)[] = new Array(columns.length);
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!idx) {
      idx = columnIndexes(record, columns);
      width = record.length;
      continue;
    }
    if (record.length !== width) {
      target.reject(info.lines, new RowReject('column_count', `expected ${width} columns, found ${record.length}`));
      continue;
    }
    for (let c = 0; c < idx.length; c++) values[c] = idx[c]! < 0 ? undefined : record[idx[c]!];
    target.row(values, info.lines);
  }
  if (!idx) throw new UnusableFeedError('empty file: no header');
}

function jsonValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function objectValues(obj: unknown, columns: readonly ColumnSpec[]): (string | undefined)[] | RowReject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return new RowReject('bad_json', 'not a JSON object');
  const o = obj as Record<string, unknown>;
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  return columns.map((c) => {
    for (const name of [c.name, ...(c.aliases ?? [])]) {
      const key = lower.get(name);
      if (key !== undefined) return jsonValue(o[key]);
    }
    return undefined;
  });
}

function handOver(target: RowTarget, line: number, values: (string | undefined)[] | RowReject): void {
  if (values instanceof RowReject) target.reject(line, values);
  else target.row(values, line);
}

async function readJsonl(stream: Readable, columns: readonly ColumnSpec[], target: RowTarget): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    const t = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (t === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      if (line === 1) throw new UnusableFeedError('not JSON lines: the first line is not a JSON object');
      target.reject(line, new RowReject('bad_json', 'not valid JSON'));
      continue;
    }
    handOver(target, line, objectValues(obj, columns));
  }
}

async function readJsonArray(stream: Readable, columns: readonly ColumnSpec[], maxBytes: number, target: RowTarget): Promise<void> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    if (bytes > maxBytes) throw new UnusableFeedError(`JSON document larger than ${maxBytes} bytes (use JSON lines for large feeds)`);
    chunks.push(buf);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UnusableFeedError(`not JSON: ${(err as Error).message}`);
  }
  // Accept a bare array or an object holding exactly one array (e.g. {"cells": [...]}).
  let items: unknown[] | undefined = Array.isArray(doc) ? doc : undefined;
  if (!items && doc !== null && typeof doc === 'object') {
    const arrays = Object.values(doc).filter(Array.isArray);
    if (arrays.length === 1) items = arrays[0] as unknown[];
  }
  if (!items) throw new UnusableFeedError('JSON document is not an array of objects');
  for (let i = 0; i < items.length; i++) handOver(target, i + 1, objectValues(items[i], columns));
}

function readRows(stream: Readable, format: FeedFormat, columns: readonly ColumnSpec[], maxJsonBytes: number, target: RowTarget): Promise<void> {
  if (format === 'jsonl') return readJsonl(stream, columns, target);
  if (format === 'json') return readJsonArray(stream, columns, maxJsonBytes, target);
  return readCsv(stream, columns, target);
}

/**
 * Read a whole feed file through `parser`. Returns the report and, only when the file is usable,
 * the batch. Never throws for bad data: a read error, a wrong header, too many rejected rows or
 * an empty file (when the feed does not allow it) give `ok: false` and no batch.
 */
export async function ingestRows<B>(stream: Readable, parser: FeedParser<B>, options: Partial<IngestOptions> & Pick<IngestOptions, 'feed' | 'format'>): Promise<{ report: IngestReport; batch?: B }> {
  const o = { ...DEFAULT_INGEST_OPTIONS, ...options };
  const now = o.now ?? Date.now;
  const startedAtMs = now();
  const t0 = performance.now();
  const report: IngestReport = {
    feed: o.feed, kind: parser.kind, format: o.format, applied: false, rowsRead: 0, accepted: 0, rejected: 0,
    problems: [], problemsNotListed: 0, reasons: {}, startedAtMs, durationMs: 0, rowsPerSecond: 0, notes: [],
  };
  const reject = (row: number, r: RowReject) => {
    report.rejected++;
    report.reasons[r.code] = (report.reasons[r.code] ?? 0) + 1;
    if (report.problems.length < o.maxListedRejections) report.problems.push({ row, code: r.code, reason: r.reason });
    else report.problemsNotListed++;
  };
  let batch: B | undefined;
  try {
    await readRows(stream, o.format, parser.columns, o.maxJsonBytes, {
      row(values, line) {
        report.rowsRead++;
        try {
          parser.row(values, line);
          report.accepted++;
        } catch (err) {
          if (!(err instanceof RowReject)) throw err;
          reject(line, err);
        }
      },
      reject(line, r) {
        report.rowsRead++;
        reject(line, r);
      },
    });
    if (report.rowsRead === 0 && !parser.allowEmpty) throw new UnusableFeedError('no rows');
    const rejectedPct = report.rowsRead ? (report.rejected * 100) / report.rowsRead : 0;
    if (rejectedPct > o.maxRejectedPct)
      throw new UnusableFeedError(`${report.rejected} of ${report.rowsRead} rows rejected (${rejectedPct.toFixed(1)}% > ${o.maxRejectedPct}%)`);
    batch = parser.finish();
    report.applied = true;
  } catch (err) {
    if (!stream.destroyed) stream.destroy();
    report.error = err instanceof UnusableFeedError ? err.message : `read failed: ${(err as Error).message}`;
  }
  report.problems.sort((a, b) => a.row - b.row);
  report.durationMs = performance.now() - t0;
  report.rowsPerSecond = report.durationMs > 0 ? Math.round((report.rowsRead * 1000) / report.durationMs) : 0;
  return batch === undefined ? { report } : { report, batch };
}
