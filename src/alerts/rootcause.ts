// Root cause from the topology (the inventory's upstream links), pure: which failing points are
// the fault and which are merely cut off behind it, which points and communes an incident affects,
// and whether a recovered root's dependants have been re-checked so one resolved notice can go out.
import type { Inventory, Point } from '../inventory/model.js';
import type { AffectedPoint, AffectedUnit, PointState, TopologyVerdict } from './types.js';

export interface RootCauseOptions {
  downAfterRounds: number;
  /** How long a hard-eligible point may wait for its upstream's next check (the "same or next round"). */
  holdMs(upstreamId: string): number;
}

/**
 * A verdict for every point whose own reach is DOWN ('none' for the others).
 * - an upstream failing (soft or hard) → upstream_down, the root being the topmost failing point of the chain;
 * - the nearest upstream UP and checked at or after this point started failing → upstream_ok;
 * - else (upstream unknown or not checked since) → upstream_unknown until the hold time runs out,
 *   then upstream_ok: a broken upstream probe must not hide an outage forever.
 */
export function classify(inv: Inventory, states: ReadonlyMap<string, PointState>, nowMs: number, opts: RootCauseOptions): Map<string, TopologyVerdict> {
  const out = new Map<string, TopologyVerdict>();
  for (const [id, s] of states) {
    if (s.reach !== 'DOWN') {
      out.set(id, { verdict: 'none' });
      continue;
    }
    out.set(id, verdictFor(inv, states, s, nowMs, opts));
  }
  return out;
}

function verdictFor(inv: Inventory, states: ReadonlyMap<string, PointState>, s: PointState, nowMs: number, opts: RootCauseOptions): TopologyVerdict {
  const chain = inv.upstreamChain(s.pointId);
  const nearest = chain[0];
  if (!nearest) return { verdict: 'upstream_ok' };
  if (states.get(nearest.id)?.reach === 'DOWN') {
    let rootId = nearest.id;
    for (const up of chain.slice(1)) {
      if (states.get(up.id)?.reach !== 'DOWN') break;
      rootId = up.id;
    }
    return { verdict: 'upstream_down', rootId };
  }
  const up = states.get(nearest.id);
  const since = s.failingSinceMs ?? 0;
  if (up?.reach === 'UP' && (up.lastCheckMs ?? -Infinity) >= since) return { verdict: 'upstream_ok' };
  if (s.failedRounds < opts.downAfterRounds) return { verdict: 'upstream_unknown' };
  const heldSince = s.hardEligibleSinceMs ?? nowMs;
  return nowMs - heldSince >= opts.holdMs(nearest.id) ? { verdict: 'upstream_ok' } : { verdict: 'upstream_unknown' };
}

/** Points currently cut off behind `rootId` (their verdict names it as root), in inventory order. */
export function cutOffBehind(inv: Inventory, states: ReadonlyMap<string, PointState>, rootId: string): Point[] {
  return inv.allDependants(rootId).filter((p) => {
    const t = states.get(p.id)?.topology;
    return t?.verdict === 'upstream_down' && t.rootId === rootId;
  });
}

export function affectedPoint(inv: Inventory, p: Point): AffectedPoint {
  return { pointId: p.id, name: p.name, kind: p.kind, unit: p.unit, unitName: inv.unit(p.unit)?.name ?? p.unit };
}

/**
 * The leaf units (communes) served by the root and the points behind it, each once, with their
 * census population. A root serving a unit above the leaves (a district point) adds no leaf itself:
 * the people cut off are those of the communes behind it.
 */
export function affectedUnits(inv: Inventory, root: Point | undefined, affected: readonly Point[]): AffectedUnit[] {
  const leaves = new Set(inv.leafUnits().map((u) => u.code));
  const codes: string[] = [];
  for (const p of root ? [root, ...affected] : affected) if (leaves.has(p.unit) && !codes.includes(p.unit)) codes.push(p.unit);
  return codes.map((code) => ({ code, name: inv.unit(code)?.name ?? code, population: inv.population(code) }));
}

export interface RecheckStatus {
  /** Dependants not yet checked in a round after the root's recovery round (and still failing). */
  pending: string[];
  /** Dependants checked after the recovery and still failing. */
  stillDown: string[];
}

/**
 * Before a root's recovery is sent, each point that was cut off behind it must have answered, or
 * have been checked in a round after the root's recovery round (one round for routes to converge).
 */
export function recheckStatus(states: ReadonlyMap<string, PointState>, dependantIds: readonly string[], rootRecoveredAtMs: number): RecheckStatus {
  const pending: string[] = [];
  const stillDown: string[] = [];
  for (const id of dependantIds) {
    const s = states.get(id);
    if (!s || s.reach === 'UP') continue;
    if ((s.lastCheckMs ?? -Infinity) > rootRecoveredAtMs) stillDown.push(id);
    else pending.push(id);
  }
  return { pending, stillDown };
}
