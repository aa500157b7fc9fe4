// Uptime for SLA reports, from the ping data in InfluxDB: a round is "up" when at least one echo
// came back. Ranges inside the raw retention are counted round by round ("raw"."ping"); older
// ranges use the 5-minute rollup ("rollup"."ping_5m"), where a window with any reply counts all
// its rounds as up. Missing rounds (probe or sink down) are not downtime: `rounds` says how much
// data there was. Per point from InfluxDB, then summed up to any inventory level here.
import type { Inventory } from '../inventory/model.js';
import { PING, PING_ROLLUP, RETENTION_POLICIES } from '../metrics/schema.js';
import type { AvailabilityApi, AvailabilityQuery, AvailabilityResult, AvailabilityRow } from './deps.js';

/** One series of an InfluxDB 1.x /query answer. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Runs one InfluxQL text (statements separated by ";"), returns each statement's series. */
export type InfluxQuery = (influxql: string) => Promise<InfluxSeries[][]>;

const UNIT_MS: Record<string, number> = { ns: 1e-6, u: 1e-3, µ: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** InfluxQL duration ("30d", "1h30m", "INF") in ms; INF → Infinity; undefined when not a duration. */
export function parseInfluxDuration(text: string): number | undefined {
  if (/^inf$/i.test(text.trim())) return Infinity;
  const re = /(\d+)(ns|ms|u|µ|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  const t = text.trim();
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === t.length && matched > 0 ? total : undefined;
}

export type Source = AvailabilityResult['source'];

/** The InfluxQL for per-point rounds and up-rounds over [fromMs, toMs). Only numbers are interpolated. */
export function availabilityQuery(source: Source, fromMs: number, toMs: number): string {
  const where = `time >= ${Math.floor(fromMs)}ms AND time < ${Math.floor(toMs)}ms`;
  if (source === 'raw') {
    const from = `"${RETENTION_POLICIES.raw}"."${PING.name}"`;
    return (
      `SELECT count("packets_transmitted") AS rounds FROM ${from} WHERE ${where} GROUP BY "point_id"; ` +
      `SELECT count("packets_transmitted") AS up FROM ${from} WHERE ${where} AND "packets_received" > 0 GROUP BY "point_id"`
    );
  }
  const from = `"${RETENTION_POLICIES.rollup}"."${PING_ROLLUP.name}"`;
  return (
    `SELECT sum("rounds") AS rounds FROM ${from} WHERE ${where} GROUP BY "point_id"; ` +
    `SELECT sum("rounds") AS up FROM ${from} WHERE ${where} AND "packets_received" > 0 GROUP BY "point_id"`
  );
}

/** Sums the single value of each series by its point_id tag. */
function perPoint(series: readonly InfluxSeries[] | undefined, column: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series ?? []) {
    const id = s.tags?.point_id;
    const col = s.columns.indexOf(column);
    if (id === undefined || col < 0) continue;
    for (const row of s.values) {
      const v = Number(row[col]);
      if (Number.isFinite(v)) out.set(id, (out.get(id) ?? 0) + v);
    }
  }
  return out;
}

const pct = (up: number, rounds: number) => (rounds > 0 ? Math.round((up / rounds) * 1e6) / 1e4 : null);

/**
 * Rows at `level` ("point" or an inventory level name): one per point, or one per unit of that
 * level with the rounds of every point serving it or a unit below it. Points that had no data are
 * listed with null uptime; units without points are left out.
 */
export function aggregateAvailability(inv: Inventory, level: string, rounds: Map<string, number>, up: Map<string, number>): AvailabilityRow[] {
  if (level === 'point') {
    return inv.points.map((p) => {
      const r = rounds.get(p.id) ?? 0;
      const u = Math.min(up.get(p.id) ?? 0, r);
      return { key: p.id, name: p.name, points: 1, rounds: r, upRounds: u, uptimePct: pct(u, r) };
    });
  }
  const rows = new Map<string, AvailabilityRow>();
  for (const p of inv.points) {
    const code = inv.unitTags(p.unit)[level];
    if (code === undefined) continue;
    let row = rows.get(code);
    if (!row) {
      row = { key: code, name: inv.unit(code)?.name ?? code, points: 0, rounds: 0, upRounds: 0, uptimePct: null };
      rows.set(code, row);
    }
    const r = rounds.get(p.id) ?? 0;
    row.points++;
    row.rounds += r;
    row.upRounds += Math.min(up.get(p.id) ?? 0, r);
  }
  return [...rows.values()].map((row) => ({ ...row, uptimePct: pct(row.upRounds, row.rounds) }));
}

export interface InfluxAvailabilityOptions {
  inventory: Inventory;
  query: InfluxQuery;
  /** Raw retention (config sink.raw_retention): older ranges are answered from the rollup. */
  rawRetentionMs: number;
  now?: () => number;
}

export function createInfluxAvailability(opts: InfluxAvailabilityOptions): AvailabilityApi {
  const now = opts.now ?? Date.now;
  return {
    async availability(q: AvailabilityQuery): Promise<AvailabilityResult> {
      // A small margin: data at the very edge of the raw policy may already be gone.
      const source: Source = q.fromMs >= now() - opts.rawRetentionMs + 3_600_000 ? 'raw' : 'rollup';
      const [roundSeries, upSeries] = await opts.query(availabilityQuery(source, q.fromMs, q.toMs));
      return { source, rows: aggregateAvailability(opts.inventory, q.level, perPoint(roundSeries, 'rounds'), perPoint(upSeries, 'up')) };
    },
  };
}
