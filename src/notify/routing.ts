// Routing, pure: which receivers get an alert (by severity, point kind, administrative unit and
// condition), Alertmanager-style: routes in order, the first match wins unless it says `continue`;
// nothing matched → default receivers. Each matching route may add an escalation step.
import type { Inventory } from '../inventory/model.js';
import type { NotifyRouteConfig } from '../config/schema.js';
import type { EscalationStep, Severity } from '../alerts/types.js';

export interface RouteSubject {
  severity: Severity;
  condition: string;
  /** Kind of the point, or "" for alerts not about a point (coverage). */
  kind: string;
  /** Unit the point serves (or the dead zone lies in). */
  unit: string;
}

export interface RouteResult {
  receivers: string[];
  escalation: EscalationStep[];
}

export function routeMatches(inv: Inventory, r: NotifyRouteConfig, s: RouteSubject): boolean {
  if (r.severities?.length && !r.severities.includes(s.severity)) return false;
  if (r.conditions?.length && !r.conditions.includes(s.condition)) return false;
  if (r.kinds?.length && !r.kinds.includes(s.kind)) return false;
  if (r.units?.length && !r.units.some((code) => inv.isWithin(s.unit, code))) return false;
  return true;
}

export function route(inv: Inventory, routes: readonly NotifyRouteConfig[], defaults: readonly string[], s: RouteSubject): RouteResult {
  const receivers: string[] = [];
  const escalation: EscalationStep[] = [];
  let matched = false;
  for (const r of routes) {
    if (!routeMatches(inv, r, s)) continue;
    matched = true;
    for (const name of r.receivers) if (!receivers.includes(name)) receivers.push(name);
    if (r.escalate_after_min !== undefined && r.escalate_to?.length) escalation.push({ afterMin: r.escalate_after_min, receivers: [...r.escalate_to] });
    if (!r.continue) break;
  }
  if (!matched) receivers.push(...defaults);
  escalation.sort((a, b) => a.afterMin - b.afterMin);
  return { receivers, escalation };
}
