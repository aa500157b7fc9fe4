// Carrier village reports: the lists carriers file with the provincial department, one row per
// carrier, village and technology: carrier,village,covered,technology,report_date
// (carrier as MNC or name; covered yes/no; technology 2G/3G/4G/5G or GSM/UMTS/LTE/NR).
import type { VillageReport } from '../types.js';
import { RowReject, parseBool, parseCarrier, parseRadio, parseTime, type FeedContext } from './fields.js';
import type { ColumnSpec, FeedParser } from './records.js';

export const REPORT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'carrier', required: true, aliases: ['mnc', 'net'] },
  { name: 'village', required: true, aliases: ['village_code'] },
  { name: 'covered', required: true },
  { name: 'technology', required: true, aliases: ['radio', 'tech'] },
  { name: 'report_date', required: true, aliases: ['date'] },
];

export interface ReportBatch {
  /** `${village}|${carrier}|${radio}` → the newest report. */
  reports: Map<string, VillageReport>;
}

export function reportParser(ctx: FeedContext): FeedParser<ReportBatch> {
  const reports = new Map<string, VillageReport>();
  return {
    kind: 'reports',
    columns: REPORT_COLUMNS,
    allowEmpty: false,
    row(values) {
      const carrier = parseCarrier(values[0], ctx.carriers, true);
      const village = (values[1] ?? '').trim();
      if (!ctx.villageCodes.has(village)) throw new RowReject('unknown_village', `unknown village code "${village}"`);
      const covered = parseBool(values[2], 'bad_covered', 'covered');
      const radio = parseRadio(values[3], 'technology');
      const dateMs = parseTime(values[4], ctx.nowMs, 'report date');
      const key = `${village}|${carrier}|${radio}`;
      const prev = reports.get(key);
      if (!prev || prev.dateMs <= dateMs) reports.set(key, { village, carrier, radio, covered, dateMs });
    },
    finish: () => ({ reports }),
  };
}
