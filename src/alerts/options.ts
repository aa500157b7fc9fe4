// Config → the options of the pure cores (state, conditions, root cause, dispatcher), in one place.
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/model.js';
import type { ConditionOptions } from './conditions.js';
import type { RootCauseOptions } from './rootcause.js';
import type { DegradedThresholds, StateOptions } from './state.js';
import type { DispatcherOptions } from '../notify/pipeline.js';

export function degradedFor(config: Config, kind: string): DegradedThresholds {
  const d = config.alerts.degraded;
  const o = d.by_kind[kind] ?? {};
  return {
    lossPct: o.loss_pct ?? d.loss_pct,
    lossClearPct: o.loss_clear_pct ?? d.loss_clear_pct,
    rttMs: o.rtt_ms ?? d.rtt_ms,
    rttClearMs: o.rtt_clear_ms ?? d.rtt_clear_ms,
  };
}

/** State options per point kind (thresholds differ by kind; the rest is shared). */
export function stateOptionsByKind(config: Config): (kind: string) => StateOptions {
  const a = config.alerts;
  const cache = new Map<string, StateOptions>();
  const uplinkPattern = a.interfaces.uplink_pattern ? new RegExp(a.interfaces.uplink_pattern, 'i') : undefined;
  return (kind) => {
    let o = cache.get(kind);
    if (!o) {
      o = {
        downAfterRounds: a.down_after_rounds,
        degradedWindowRounds: a.degraded.window_rounds,
        degradedMinRounds: a.degraded.min_rounds,
        degraded: degradedFor(config, kind),
        flap: { highPct: a.flapping.high_pct, lowPct: a.flapping.low_pct },
        ...(uplinkPattern ? { uplinkPattern } : {}),
        errorRatePerS: a.interfaces.error_rate_per_s,
        utilizationPct: a.interfaces.utilization_pct,
      };
      cache.set(kind, o);
    }
    return o;
  };
}

export function conditionOptions(config: Config): ConditionOptions {
  const i = config.alerts.interfaces;
  return {
    downAfterRounds: config.alerts.down_after_rounds,
    ifDownForMs: i.oper_down_for_s * 1000,
    ifErrorsForMs: i.errors_for_s * 1000,
    ifUtilizationForMs: i.utilization_for_s * 1000,
  };
}

/** ICMP interval of a point (its override, else the config's), ms. */
export function icmpIntervalMs(config: Config, inv: Inventory, pointId: string): number {
  return (inv.point(pointId)?.icmp.intervalS ?? config.icmp.interval_s) * 1000;
}

export function rootCauseOptions(config: Config, inv: Inventory): RootCauseOptions {
  const fixed = config.alerts.upstream_hold_s * 1000;
  return {
    downAfterRounds: config.alerts.down_after_rounds,
    // "The same or next round": one interval of the upstream plus the time its round may take.
    holdMs: (upstreamId) => fixed || icmpIntervalMs(config, inv, upstreamId) + config.icmp.timeout_ms + 1000,
  };
}

export function dispatcherOptions(config: Config): DispatcherOptions {
  const n = config.notify;
  return {
    tickMs: config.alerts.tick_ms,
    retry: { maxAttempts: n.retry.max_attempts, initialMs: n.retry.initial_ms, maxMs: n.retry.max_ms },
    alertmanagerResendS: n.alertmanager_resend_s,
    concurrency: 8,
  };
}

/** Base of links in messages: api.base_url, else http://<api host>:<api port>. */
export function apiBaseUrl(config: Config): string {
  if (config.api.base_url) return config.api.base_url.replace(/\/+$/, '');
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
  return `http://${host}:${config.api.port}`;
}
