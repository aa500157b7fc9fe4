// The alerting engine's point states as `point_state` rows (pure): a periodic snapshot, so the
// current status of every point is always within the last minute in InfluxDB for Grafana.
import type { PointState } from '../alerts/types.js';
import type { Inventory } from '../inventory/model.js';
import { POINT_STATE, pointTags, type Sample } from './schema.js';

export type PointStatusName = PointState['status'];

/** Statuses ranked by how bad they are (sorting "worst first", colour thresholds). */
export const POINT_STATUS_CODES: Record<PointStatusName, number> = {
  UP: 0,
  MAINTENANCE: 1,
  UNKNOWN: 2,
  DEGRADED: 3,
  FLAPPING: 4,
  UNREACHABLE: 5,
  DOWN: 6,
};

/** How often the daemon writes the snapshot. */
export const DEFAULT_POINT_STATE_INTERVAL_MS = 60_000;

/** The fields of PointState the snapshot reads (the engine's full state has more). */
export type PointStateView = Pick<PointState, 'pointId' | 'status' | 'stateType' | 'sinceMs' | 'failedRounds' | 'lossPct' | 'medianMs'>;

export function pointStateSamples(inv: Inventory, states: readonly PointStateView[], timeMs: number): Sample[] {
  const out: Sample[] = [];
  for (const s of states) {
    const p = inv.point(s.pointId);
    if (!p) continue;
    out.push({
      measurement: POINT_STATE.name,
      tags: pointTags(inv, p),
      fields: {
        status: s.status,
        status_code: POINT_STATUS_CODES[s.status],
        state_type: s.stateType,
        since_s: Math.floor(s.sinceMs / 1000),
        failed_rounds: s.failedRounds,
        loss_pct: s.lossPct,
        median_ms: s.medianMs,
      },
      timeMs,
    });
  }
  return out;
}
