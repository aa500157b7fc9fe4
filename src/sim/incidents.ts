// Runs a scenario's incidents against the simulated province: nftables drops for ICMP/SNMP faults
// (root), agent controls for SNMP-visible faults, the status feed for base-station outages. The
// plan (what each incident does, or why it is skipped) is pure; the runner applies it on a clock
// and undoes everything it did on stop, so a stopped simulator leaves no fault behind.
import type { Inventory } from '../inventory/model.js';
import type { CoverageServer } from './coverage-server.js';
import type { FaultRule, FaultTable } from './nft.js';
import type { Language } from '../i18n.js';
import { incidentText } from './messages.js';
import type { Incident, Scenario } from './scenario.js';
import type { SnmpAgents } from './snmp-agents.js';

/** What the simulator has to work with; an absent part makes the incidents that need it skip. */
export interface Capabilities {
  /** Reason nftables faults are unavailable (not root, nft missing), or undefined when they work. */
  nftUnavailable?: string;
  /** Reason agent-level SNMP faults are unavailable, or undefined. */
  agentsUnavailable?: string;
  /** Cells to take down for a cell_outage, or why none can be. */
  resolveCells(incident: Extract<Incident, { kind: 'cell_outage' }>): { keys: string[]; village?: { code: string; name: string; population: number } } | { unavailable: string };
}

export type Action =
  | { type: 'drop_echo'; address: string }
  | { type: 'drop_echo_percent'; address: string; percent: number }
  | { type: 'drop_snmp'; address: string }
  | { type: 'silent'; address: string }
  | { type: 'saturate'; address: string; ifIndex: number }
  | { type: 'flap'; address: string; ifIndex: number; periodS: number }
  | { type: 'reboot'; address: string }
  | { type: 'cells_down'; keys: string[] };

export interface PlannedIncident {
  index: number;
  incident: Incident;
  description: string;
  startS: number;
  /** Undefined: lasts until the scenario ends. */
  endS?: number;
  actions: Action[];
  /** Parts not done, each with its reason (the incident still runs what it can). */
  skipped: string[];
  /** Point ids and village affected, for the output. */
  affects: string;
  /** The village a cell_outage is meant to turn into a dead zone. */
  village?: { code: string; name: string; population: number };
}

/** Addresses of a point and, for district_dark, of every point behind it. */
function addressesOf(inventory: Inventory, pointId: string, withDependants: boolean): { ids: string[]; addresses: string[] } {
  const point = inventory.point(pointId);
  if (!point) return { ids: [], addresses: [] };
  const points = withDependants ? [point, ...inventory.allDependants(point.id)] : [point];
  return { ids: points.map((p) => p.id), addresses: points.map((p) => p.address) };
}

/** What each incident will do here, or why it cannot (pure). */
export function planIncidents(scenario: Scenario, inventory: Inventory, caps: Capabilities, lang: Language = 'vi'): PlannedIncident[] {
  return scenario.incidents.map((incident, index) => {
    const endS = incident.duration_s !== undefined ? incident.at_s + incident.duration_s : scenario.duration_s;
    const plan: PlannedIncident = { index, incident, description: incidentText(lang, incident), startS: incident.at_s, ...(endS !== undefined ? { endS } : {}), actions: [], skipped: [], affects: '' };
    const nft = (make: () => Action[], what: string) => {
      if (caps.nftUnavailable) plan.skipped.push(`${what} skipped: ${caps.nftUnavailable}`);
      else plan.actions.push(...make());
    };
    const agent = (make: () => Action[], what: string) => {
      if (caps.agentsUnavailable) plan.skipped.push(`${what} skipped: ${caps.agentsUnavailable}`);
      else plan.actions.push(...make());
    };
    switch (incident.kind) {
      case 'point_dark':
      case 'district_dark': {
        const { ids, addresses } = addressesOf(inventory, incident.point, incident.kind === 'district_dark');
        plan.affects = ids.length > 1 ? `${ids[0]} and ${ids.length - 1} points behind it` : (ids[0] ?? '');
        nft(() => addresses.flatMap((address): Action[] => [{ type: 'drop_echo', address }, { type: 'drop_snmp', address }]), 'ICMP and SNMP drop');
        // Without root the SNMP side can still go quiet at the agents.
        if (caps.nftUnavailable) agent(() => addresses.map((address): Action => ({ type: 'silent', address })), 'SNMP silence');
        break;
      }
      case 'packet_loss': {
        const address = inventory.point(incident.point)?.address ?? '';
        plan.affects = incident.point;
        nft(() => [{ type: 'drop_echo_percent', address, percent: incident.percent }], `${incident.percent} % echo drop`);
        break;
      }
      case 'uplink_flap':
      case 'interface_saturated':
      case 'snmp_silent':
      case 'reboot': {
        const address = inventory.point(incident.point)?.address ?? '';
        plan.affects = incident.point;
        const action: Action =
          incident.kind === 'uplink_flap'
            ? { type: 'flap', address, ifIndex: 1, periodS: incident.period_s }
            : incident.kind === 'interface_saturated'
              ? { type: 'saturate', address, ifIndex: incident.if_index }
              : incident.kind === 'snmp_silent'
                ? { type: 'silent', address }
                : { type: 'reboot', address };
        agent(() => [action], incident.kind.replace('_', ' '));
        break;
      }
      case 'cell_outage': {
        const r = caps.resolveCells(incident);
        if ('unavailable' in r) plan.skipped.push(`base station outage skipped: ${r.unavailable}`);
        else {
          plan.actions.push({ type: 'cells_down', keys: r.keys });
          if (r.village) plan.village = r.village;
          plan.affects = r.village ? `${r.keys.length} cells covering village ${r.village.code} ${r.village.name} (${r.village.population} people)` : `${r.keys.length} cells`;
        }
        break;
      }
    }
    return plan;
  });
}

export type IncidentEvent =
  | { type: 'start'; plan: PlannedIncident; atMs: number }
  | { type: 'end'; plan: PlannedIncident; atMs: number }
  | { type: 'flap'; plan: PlannedIncident; up: boolean; atMs: number }
  | { type: 'error'; plan: PlannedIncident; message: string; atMs: number }
  | { type: 'scenario_end'; atMs: number };

export interface Backends {
  nft?: FaultTable;
  agents?: SnmpAgents;
  coverage?: CoverageServer;
  /** The agents' UDP port (what drop_snmp drops). */
  snmpPort: number;
}

export interface IncidentRunner {
  /** Resolves when the scenario's duration has passed (never, without one). */
  readonly finished: Promise<void>;
  /** Incidents now in force. */
  active(): PlannedIncident[];
  /** Undo every fault that is in force and cancel what has not started. */
  stop(): Promise<void>;
}

/** Apply the plan on a clock: each incident at its start, undone at its end. */
export function runIncidents(plans: readonly PlannedIncident[], b: Backends, onEvent: (e: IncidentEvent) => void, durationS?: number): IncidentRunner {
  const t0 = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  const undo = new Map<number, (() => Promise<void>)[]>();
  let stopped = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, ms));
    timers.add(t);
  };

  const apply = async (plan: PlannedIncident, a: Action): Promise<(() => Promise<void>) | undefined> => {
    const rule = async (p: Promise<FaultRule>) => {
      const r = await p;
      return () => r.remove();
    };
    switch (a.type) {
      case 'drop_echo':
        return rule(b.nft!.dropEcho(a.address));
      case 'drop_echo_percent':
        return rule(b.nft!.dropEchoPercent(a.address, a.percent));
      case 'drop_snmp':
        return rule(b.nft!.dropUdp(a.address, b.snmpPort));
      case 'silent':
        await b.agents!.setSilent(a.address, true);
        return () => b.agents!.setSilent(a.address, false);
      case 'saturate':
        await b.agents!.saturate(a.address, a.ifIndex, true);
        return () => b.agents!.saturate(a.address, a.ifIndex, false);
      case 'reboot':
        await b.agents!.reboot(a.address);
        return undefined;
      case 'cells_down':
        b.coverage!.setCells(a.keys, false);
        return async () => b.coverage!.setCells(a.keys, true);
      case 'flap': {
        let up = true;
        const halfMs = (a.periodS * 1000) / 2;
        const toggle = () => {
          if (stopped) return;
          up = !up;
          b.agents!.setLink(a.address, a.ifIndex, up).then(
            () => onEvent({ type: 'flap', plan, up, atMs: Date.now() }),
            (err: unknown) => onEvent({ type: 'error', plan, message: (err as Error).message, atMs: Date.now() }),
          );
        };
        toggle();
        const interval = setInterval(toggle, halfMs);
        return async () => {
          clearInterval(interval);
          await b.agents!.setLink(a.address, a.ifIndex, true);
        };
      }
    }
  };

  const start = async (plan: PlannedIncident) => {
    if (stopped) return;
    const undos: (() => Promise<void>)[] = [];
    undo.set(plan.index, undos);
    for (const a of plan.actions) {
      try {
        const u = await apply(plan, a);
        if (u) undos.push(u);
      } catch (err) {
        onEvent({ type: 'error', plan, message: (err as Error).message, atMs: Date.now() });
      }
    }
    // An instant incident (a reboot) leaves nothing to undo: it is not "in force".
    if (undos.length === 0 && undo.get(plan.index) === undos) undo.delete(plan.index);
    onEvent({ type: 'start', plan, atMs: Date.now() });
    // stop() may have run while the actions were being applied: undo what went in after it.
    if (stopped) for (const u of undos.splice(0).reverse()) await u().catch(() => undefined);
  };
  const end = async (plan: PlannedIncident) => {
    const list = undo.get(plan.index);
    if (!list) return;
    undo.delete(plan.index);
    // splice: the list is emptied in place, so start() can tell what is still to undo.
    for (const u of list.splice(0).reverse()) await u().catch((err: unknown) => onEvent({ type: 'error', plan, message: `undo: ${(err as Error).message}`, atMs: Date.now() }));
    onEvent({ type: 'end', plan, atMs: Date.now() });
  };

  for (const plan of plans) {
    if (plan.actions.length === 0) continue;
    later(plan.startS * 1000 - (Date.now() - t0), () => {
      // Errors are reported per action inside start(); nothing else can reject.
      start(plan).catch(() => undefined);
    });
    if (plan.endS !== undefined) later(plan.endS * 1000 - (Date.now() - t0), () => end(plan).catch(() => undefined));
  }
  if (durationS !== undefined)
    later(durationS * 1000, () => {
      onEvent({ type: 'scenario_end', atMs: Date.now() });
      finish();
    });

  return {
    finished,
    active: () => plans.filter((p) => undo.has(p.index)),
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const plan of plans) if (undo.has(plan.index)) await end(plan);
      finish();
    },
  };
}
