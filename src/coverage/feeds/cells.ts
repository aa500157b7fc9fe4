// Cell-site feed in the OpenCelliD / Mozilla Location Service CSV format:
// radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal
// (net = MNC, area = LAC/TAC, range = estimated radius in metres). Only the columns the model
// uses are required; the others are read past.
import { cellKey, type CellSite } from '../types.js';
import { RowReject, parseCarrier, parseLatLon, parseMcc, parseRadio, type FeedContext } from './fields.js';
import type { ColumnSpec, FeedParser } from './records.js';

export const CELL_COLUMNS: readonly ColumnSpec[] = [
  { name: 'radio', required: true },
  { name: 'mcc', required: true },
  { name: 'net', required: true, aliases: ['mnc'] },
  { name: 'area', required: true, aliases: ['lac', 'tac'] },
  { name: 'cell', required: true, aliases: ['cid', 'eci'] },
  { name: 'lon', required: true },
  { name: 'lat', required: true },
  { name: 'range', required: true },
];

export interface CellBatch {
  cells: CellSite[];
  /** Rows whose range was above the maximum and was capped to it. */
  rangesCapped: number;
  /** Rows with no range estimate (0 or empty) that got the default range. */
  rangesDefaulted: number;
}

const ID = /^\d{1,15}$/;

/** Parse the identity columns shared with the status feed into a cell key. */
export function parseCellIdentity(values: readonly (string | undefined)[], ctx: FeedContext): { key: string; radio: CellSite['radio']; carrier: number } {
  const radio = parseRadio(values[0]);
  parseMcc(values[1], ctx.mcc);
  const carrier = parseCarrier(values[2], ctx.carriers);
  const area = (values[3] ?? '').trim();
  const cell = (values[4] ?? '').trim();
  if (!ID.test(area) || !ID.test(cell)) throw new RowReject('bad_cell_id', `area "${area}" and cell "${cell}" must be whole numbers`);
  return { key: cellKey(ctx.mcc, ctx.carriers[carrier]!.mnc, radio, String(Number(area)), String(Number(cell))), radio, carrier };
}

export function cellParser(ctx: FeedContext): FeedParser<CellBatch> {
  const cells: CellSite[] = [];
  const lineOf = new Map<string, number>();
  let rangesCapped = 0;
  let rangesDefaulted = 0;
  return {
    kind: 'cells',
    columns: CELL_COLUMNS,
    allowEmpty: false,
    row(values, line) {
      const { key, radio, carrier } = parseCellIdentity(values, ctx);
      const { lat, lon } = parseLatLon(values[6], values[5], ctx.bounds);
      const rangeText = (values[7] ?? '').trim();
      let rangeM = rangeText === '' ? 0 : Number(rangeText);
      if (!Number.isFinite(rangeM) || rangeM < 0) throw new RowReject('bad_range', `range "${rangeText}" is not a distance in metres`);
      if (rangeM === 0) {
        rangeM = ctx.defaultRangeM;
        rangesDefaulted++;
      } else if (rangeM > ctx.maxRangeM) {
        rangeM = ctx.maxRangeM;
        rangesCapped++;
      }
      const first = lineOf.get(key);
      if (first !== undefined) throw new RowReject('duplicate_cell', `cell ${key} already given at line ${first}`);
      lineOf.set(key, line);
      cells.push({ key, radio, carrier, lat, lon, rangeM });
    },
    finish: () => ({ cells, rangesCapped, rangesDefaulted }),
  };
}
