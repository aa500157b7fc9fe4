// The feed parsers as one entry point: a byte stream (file, HTTP body, API request body) in, a
// per-row report and, when the input is usable, a batch out. The API reuses these on request
// bodies through CoverageService.ingestMeasurements / ingestCellStatus.
import type { Readable } from 'node:stream';
import { cellParser, type CellBatch } from './cells.js';
import { statusParser, type StatusBatch } from './status.js';
import { measurementParser } from './measurements.js';
import { reportParser, type ReportBatch } from './reports.js';
import { ingestRows, type FeedKind, type IngestOptions, type IngestReport } from './records.js';
import type { FeedContext } from './fields.js';
import type { MeasurementBatch } from '../types.js';

export type { FeedContext } from './fields.js';
export { RowReject } from './fields.js';
export { FEED_FORMATS, UnusableFeedError, type FeedFormat, type FeedKind, type IngestOptions, type IngestReport, type RowProblem } from './records.js';
export { CELL_COLUMNS, type CellBatch } from './cells.js';
export { STATUS_COLUMNS, type StatusBatch } from './status.js';
export { MEASUREMENT_COLUMNS, RSRP_MIN_DBM, RSRP_MAX_DBM, mergeMeasurements } from './measurements.js';
export { REPORT_COLUMNS, type ReportBatch } from './reports.js';

type Opts = Partial<IngestOptions> & Pick<IngestOptions, 'feed' | 'format'>;
type Result<B> = Promise<{ report: IngestReport; batch?: B }>;

export const parseCells = (stream: Readable, ctx: FeedContext, o: Opts): Result<CellBatch> => ingestRows(stream, cellParser(ctx), o);
export const parseCellStatus = (stream: Readable, ctx: FeedContext, o: Opts): Result<StatusBatch> => ingestRows(stream, statusParser(ctx), o);
export const parseMeasurements = (stream: Readable, ctx: FeedContext, o: Opts): Result<MeasurementBatch> => ingestRows(stream, measurementParser(ctx), o);
export const parseReports = (stream: Readable, ctx: FeedContext, o: Opts): Result<ReportBatch> => ingestRows(stream, reportParser(ctx), o);

export interface KindBatches {
  cells: CellBatch;
  status: StatusBatch;
  measurements: MeasurementBatch;
  reports: ReportBatch;
}

/** Parse any kind of feed. */
export function parseFeed<K extends FeedKind>(kind: K, stream: Readable, ctx: FeedContext, o: Opts): Result<KindBatches[K]> {
  const parsers = { cells: parseCells, status: parseCellStatus, measurements: parseMeasurements, reports: parseReports };
  return (parsers[kind] as (s: Readable, c: FeedContext, o: Opts) => Result<KindBatches[K]>)(stream, ctx, o);
}
