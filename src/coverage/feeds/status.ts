// Cell-status feed: the base-station alarms a carrier shares. One row per cell:
// radio,mcc,net,area,cell,status,since (status up/down; since ISO 8601 with a zone or Unix time;
// empty since = the ingestion time). Cells not listed are up.
import type { CellStatus } from '../types.js';
import { RowReject, parseTime, type FeedContext } from './fields.js';
import { parseCellIdentity } from './cells.js';
import type { ColumnSpec, FeedParser } from './records.js';

export const STATUS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'radio', required: true },
  { name: 'mcc', required: true },
  { name: 'net', required: true, aliases: ['mnc'] },
  { name: 'area', required: true, aliases: ['lac', 'tac'] },
  { name: 'cell', required: true, aliases: ['cid', 'eci'] },
  { name: 'status', required: true, aliases: ['state'] },
  { name: 'since', required: false, aliases: ['time', 'changed'] },
];

export interface StatusBatch {
  /** Cell key → status (the last row for a cell wins). */
  status: Map<string, CellStatus>;
}

const UP = new Set(['up', '1', 'ok', 'on', 'active']);
const DOWN = new Set(['down', '0', 'alarm', 'off', 'outage']);

export function statusParser(ctx: FeedContext): FeedParser<StatusBatch> {
  const status = new Map<string, CellStatus>();
  return {
    kind: 'status',
    columns: STATUS_COLUMNS,
    allowEmpty: true,
    row(values) {
      const { key } = parseCellIdentity(values, ctx);
      const s = (values[5] ?? '').trim().toLowerCase();
      const up = UP.has(s) ? true : DOWN.has(s) ? false : undefined;
      if (up === undefined) throw new RowReject('bad_status', `status "${values[5] ?? ''}" is not up or down`);
      const sinceText = (values[6] ?? '').trim();
      const sinceMs = sinceText === '' ? ctx.nowMs : parseTime(sinceText, ctx.nowMs, 'since');
      status.set(key, { up, sinceMs });
    },
    finish: () => ({ status }),
  };
}
