// Which alert conditions a point state raises, keeps or clears: level-triggered, pure.
// "keep" means "no evidence either way" (soft failure, cut off, flapping, no data), so an open
// alert is neither resolved nor re-paged: a restart or a blip never resolves an outage by accident.
import type { ConditionName, PointState, Severity } from './types.js';

export interface ConditionOptions {
  downAfterRounds: number;
  /** An uplink must stay oper-down (admin up) this long before it alerts (a "for" as in Prometheus rules). */
  ifDownForMs: number;
  ifErrorsForMs: number;
  ifUtilizationForMs: number;
}

export const DEFAULT_CONDITION_OPTIONS: ConditionOptions = {
  downAfterRounds: 3,
  ifDownForMs: 30_000,
  ifErrorsForMs: 120_000,
  ifUtilizationForMs: 300_000,
};

export type ConditionVerdict =
  | { state: 'active'; condition: ConditionName; severity: Severity; figures: Record<string, number>; ifIndex?: number }
  | { state: 'clear'; condition: ConditionName; ifIndex?: number }
  | { state: 'keep'; condition: ConditionName; ifIndex?: number };

export const SEVERITY: Record<ConditionName, Severity> = {
  down: 'critical',
  degraded: 'warning',
  flapping: 'warning',
  if_down: 'critical',
  if_errors: 'warning',
  if_utilization: 'warning',
  if_flapping: 'warning',
  dead_zone: 'warning',
};

/** Key of a condition within a point: "down", or "if_down:3" for interface 3. */
export function conditionKey(condition: ConditionName, ifIndex?: number): string {
  return ifIndex === undefined ? condition : `${condition}:${ifIndex}`;
}

function active(condition: ConditionName, figures: Record<string, number>, ifIndex?: number): ConditionVerdict {
  const v: ConditionVerdict = { state: 'active', condition, severity: SEVERITY[condition], figures };
  if (ifIndex !== undefined) v.ifIndex = ifIndex;
  return v;
}

function other(state: 'clear' | 'keep', condition: ConditionName, ifIndex?: number): ConditionVerdict {
  return ifIndex === undefined ? { state, condition } : { state, condition, ifIndex };
}

function defined(figures: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(figures)) if (v !== undefined) out[k] = Math.round(v * 100) / 100;
  return out;
}

/** Verdicts by condition key for one point. */
export function pointConditions(s: PointState, nowMs: number, opts: ConditionOptions): Map<string, ConditionVerdict> {
  const out = new Map<string, ConditionVerdict>();
  const flapping = s.flap.flapping;

  if (s.reach === 'UP') out.set('down', other('clear', 'down'));
  else if (s.reach === 'DOWN' && !flapping && s.failedRounds >= opts.downAfterRounds && s.topology.verdict === 'upstream_ok')
    out.set('down', active('down', defined({ failed_rounds: s.failedRounds, down_since_ms: s.failingSinceMs })));
  else out.set('down', other('keep', 'down'));

  if (s.reach !== 'UP') out.set('degraded', other('keep', 'degraded'));
  else if (s.degraded && !flapping) out.set('degraded', active('degraded', defined({ loss_pct: s.lossPct, median_rtt_ms: s.medianMs })));
  else out.set('degraded', other(s.degraded ? 'keep' : 'clear', 'degraded'));

  out.set('flapping', flapping ? active('flapping', defined({ flap_pct: s.flap.percent })) : other('clear', 'flapping'));

  for (const i of Object.values(s.interfaces)) {
    const idx = i.ifIndex;
    if (i.uplink) {
      const ifFlapping = i.flap.flapping;
      const key = conditionKey('if_down', idx);
      if (i.operUp || !i.adminUp) out.set(key, other('clear', 'if_down', idx));
      else if (!ifFlapping && i.operDownSinceMs !== undefined && nowMs - i.operDownSinceMs >= opts.ifDownForMs)
        out.set(key, active('if_down', defined({ down_since_ms: i.operDownSinceMs }), idx));
      else out.set(key, other('keep', 'if_down', idx));
      const flapKey = conditionKey('if_flapping', idx);
      out.set(flapKey, ifFlapping ? active('if_flapping', defined({ flap_pct: i.flap.percent }), idx) : other('clear', 'if_flapping', idx));
    }
    if (!i.adminUp) continue;
    out.set(conditionKey('if_errors', idx), sustained('if_errors', i.errorsAboveSinceMs, nowMs, opts.ifErrorsForMs, { errors_per_s: i.errorsPerSecond }, idx));
    out.set(conditionKey('if_utilization', idx), sustained('if_utilization', i.utilizationAboveSinceMs, nowMs, opts.ifUtilizationForMs, { utilization_pct: i.utilizationPct }, idx));
  }
  return out;
}

function sustained(condition: ConditionName, sinceMs: number | undefined, nowMs: number, forMs: number, figures: Record<string, number | undefined>, ifIndex: number): ConditionVerdict {
  if (sinceMs === undefined) return other('clear', condition, ifIndex);
  if (nowMs - sinceMs >= forMs) return active(condition, defined(figures), ifIndex);
  return other('keep', condition, ifIndex);
}
