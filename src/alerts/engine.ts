// The alert engine: feeds observations through the pure state machine, runs the topology pass,
// turns condition verdicts into alert lifecycle changes in the store (with their outbox rows in the
// same transaction), writes every transition to the metric sink, and runs the timers (repeats,
// escalations, mutes, hold deadlines) on a tick. The only stateful module of src/alerts.
import type { Config } from '../config/schema.js';
import type { Inventory, Point } from '../inventory/model.js';
import type { DeadZoneChange, IcmpObservation, ObservationBus, PointEvent, SnmpObservation } from '../observations.js';
import type { MetricSink } from '../sink/types.js';
import { pointTags, type Sample } from '../metrics/schema.js';
import type { Logger } from '../util/log.js';
import type { Clock, Dispatcher } from '../notify/pipeline.js';
import { systemClock } from '../notify/pipeline.js';
import { route } from '../notify/routing.js';
import { pointConditions, SEVERITY, type ConditionOptions, type ConditionVerdict } from './conditions.js';
import { affectedPoint, affectedUnits, classify, cutOffBehind, recheckStatus, type RootCauseOptions } from './rootcause.js';
import { initialPointState, step, type StateOptions, type StepEvent, type StepInput } from './state.js';
import { silencesFor, windowActiveUntil, windowCovers } from './mute.js';
import { conditionOptions, rootCauseOptions, stateOptionsByKind } from './options.js';
import type { AlertStore } from './store.js';
import type { AlertDetails, AlertRecord, AlertState, MaintenanceWindow, NotificationKind, PointState, Silence } from './types.js';

export interface AlertEngineDeps {
  config: Config;
  inventory: Inventory;
  store: AlertStore;
  dispatcher: Dispatcher;
  log: Logger;
  sink?: MetricSink;
  bus?: ObservationBus;
  clock?: Clock;
  /** Title of an alert in config.language, for the `alerts` measurement (Grafana annotations). */
  title?(alert: AlertRecord): string;
}

/** Point states are written when something that matters changed, else at most this often. */
const STATE_SAVE_INTERVAL_MS = 60_000;

function emptyDetails(): AlertDetails {
  return { figures: {}, affected: [], affectedUnits: [], affectedPopulation: 0 };
}

/** What of a state is worth an immediate write (the rest, e.g. RTT windows, may lag a minute). */
function stateSignature(s: PointState): string {
  const ifaces = Object.values(s.interfaces).map((i) => [i.ifIndex, i.adminUp, i.operUp, i.operDownSinceMs, i.errorsAboveSinceMs, i.utilizationAboveSinceMs, i.flap.flapping]);
  return JSON.stringify([s.status, s.stateType, s.reach, s.failedRounds, s.degraded, s.flap.flapping, s.topology, s.maintenance, s.recoveredAtMs, ifaces]);
}

interface PendingRecovery {
  /** When the root was first seen clear: the deadline for its dependants' re-check counts from here. */
  sinceMs: number;
  recheckAsked: boolean;
}

export class AlertEngine {
  readonly #d: AlertEngineDeps;
  readonly #clock: Clock;
  readonly #stateOpts: (kind: string) => StateOptions;
  readonly #condOpts: ConditionOptions;
  readonly #rcOpts: RootCauseOptions;
  readonly #states = new Map<string, PointState>();
  readonly #saved = new Map<string, { signature: string; atMs: number }>();
  /** Open alerts by fingerprint (mirror of the store's open rows). */
  readonly #open = new Map<string, AlertRecord>();
  readonly #pendingRecovery = new Map<number, PendingRecovery>();
  readonly #muted = new Map<number, string>();
  #windows: MaintenanceWindow[] = [];
  #silences: Silence[] = [];
  #timer: NodeJS.Timeout | undefined;
  #samples: Sample[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(deps: AlertEngineDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#stateOpts = stateOptionsByKind(deps.config);
    this.#condOpts = conditionOptions(deps.config);
    this.#rcOpts = rootCauseOptions(deps.config, deps.inventory);
  }

  get clock(): Clock {
    return this.#clock;
  }

  // ------------------------------------------------------------------------------ life cycle
  /** Restore states and open alerts from the store, subscribe to the bus, start the tick (unless a test drives tick() itself). */
  start(opts: { tick?: boolean } = {}): void {
    const now = this.#clock.now();
    const stored = this.#d.store.loadPointStates();
    for (const p of this.#d.inventory.points) {
      const s = stored.get(p.id) ?? initialPointState(p.id, now);
      this.#states.set(p.id, s);
      this.#saved.set(p.id, { signature: stateSignature(s), atMs: now });
    }
    for (const a of this.#d.store.openAlerts()) this.#open.set(a.fingerprint, a);
    this.reloadMutes();
    // Mutes in force were recorded before the restart: remember them without a second event.
    for (const a of this.#open.values()) {
      const muted = this.muteReason(a, now);
      if (muted) this.#muted.set(a.id, muted);
    }
    this.#resolveOrphans(now);
    this.#d.log.info({ event: 'alerts_started', open_alerts: this.#open.size, restored_states: stored.size, store: this.#d.store.file }, 'alert engine started');
    const bus = this.#d.bus;
    if (bus) {
      const onIcmp = (round: IcmpObservation[]) => this.#guard('icmp', () => this.onIcmpRound(round));
      const onSnmp = (obs: SnmpObservation) => this.#guard('snmp', () => this.onSnmp(obs));
      const onEvent = (ev: PointEvent) => this.#guard('event', () => this.onPointEvent(ev));
      const onDeadZone = (change: DeadZoneChange) => this.#guard('dead_zone', () => this.onDeadZone(change));
      bus.on('icmp', onIcmp);
      bus.on('snmp', onSnmp);
      bus.on('event', onEvent);
      bus.on('dead_zone', onDeadZone);
      this.#unsubscribe = () => {
        bus.off('icmp', onIcmp);
        bus.off('snmp', onSnmp);
        bus.off('event', onEvent);
        bus.off('dead_zone', onDeadZone);
      };
    }
    if (opts.tick === false) return;
    this.#timer = setInterval(() => this.#guard('tick', () => this.tick()), this.#d.config.alerts.tick_ms);
    this.#timer.unref();
  }

  /** Stop listening and write every state once more. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#d.store.savePointStates([...this.#states.values()], this.#clock.now());
    this.#flushSamples();
  }

  /** A bug in one observation must not kill the daemon's event loop; it is logged loudly instead. */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#d.log.error({ event: 'alerts_error', input: what, err }, 'alert engine failed on an input');
    }
  }

  /** Re-read silences and maintenance windows (after a change through the service). */
  reloadMutes(): void {
    this.#silences = this.#d.store.silences();
    this.#windows = [...configWindows(this.#d.config), ...this.#d.store.maintenanceWindows()];
  }

  // ------------------------------------------------------------------------------ inputs
  onIcmpRound(round: readonly IcmpObservation[]): void {
    const now = this.#clock.now();
    const events: StepEvent[] = [];
    for (const o of round) this.#apply(o.pointId, { kind: 'icmp', observation: o }, now, events);
    this.#evaluate(now, events);
  }

  onSnmp(obs: SnmpObservation): void {
    const now = this.#clock.now();
    const events: StepEvent[] = [];
    this.#apply(obs.pointId, { kind: 'snmp', observation: obs }, now, events);
    this.#evaluate(now, events);
  }

  onPointEvent(ev: PointEvent): void {
    if (ev.type !== 'link_down' && ev.type !== 'link_up') return;
    const now = this.#clock.now();
    const events: StepEvent[] = [];
    this.#apply(ev.pointId, { kind: 'link', event: ev }, now, events);
    this.#evaluate(now, events);
  }

  /** Timers: interface hold times, upstream hold deadlines, recovery re-checks, mutes, repeats, escalations. */
  tick(): void {
    const now = this.#clock.now();
    this.#evaluate(now, []);
    this.#timers(now);
    this.#d.dispatcher.kick();
  }

  #apply(pointId: string, input: StepInput, now: number, events: StepEvent[]): void {
    const prev = this.#states.get(pointId);
    const p = this.#d.inventory.point(pointId);
    if (!prev || !p) return;
    const { next, events: ev } = step(prev, input, now, this.#stateOpts(p.kind));
    this.#states.set(pointId, next);
    events.push(...ev);
  }

  // ------------------------------------------------------------------------------ evaluation
  #evaluate(now: number, events: StepEvent[]): void {
    const inv = this.#d.inventory;
    const verdicts = classify(inv, this.#states, now, this.#rcOpts);
    const activeWindows = this.#windows.filter((w) => windowActiveUntil(w, now, this.#d.config.timezone) !== undefined);
    for (const p of inv.points) {
      const v = verdicts.get(p.id);
      if (v) this.#apply(p.id, { kind: 'topology', topology: v }, now, events);
      this.#apply(p.id, { kind: 'maintenance', active: activeWindows.some((w) => windowCovers(inv, w, p)) }, now, events);
    }
    for (const e of events) this.#statusChanged(e);
    this.#d.store.transaction(() => {
      for (const p of inv.points) this.#reconcile(p, now);
      this.#saveStates(now);
    });
    this.#flushSamples();
    this.#d.dispatcher.kick();
  }

  #statusChanged(e: StepEvent): void {
    const p = this.#d.inventory.point(e.pointId);
    if (!p) return;
    const s = this.#states.get(e.pointId);
    const rootId = s?.topology.verdict === 'upstream_down' ? s.topology.rootId : '';
    const tags = pointTags(this.#d.inventory, p);
    this.#d.log.info({ event: 'point_status', point_id: p.id, from: e.from, to: e.to, state_type: e.toType, root_id: rootId || undefined, ...tags }, `${p.id} ${e.from} → ${e.to} (${e.toType})`);
    this.#samples.push({ measurement: 'point_status', tags, fields: { status: e.to, previous_status: e.from, state_type: e.toType, root_id: rootId }, timeMs: e.timeMs });
  }

  #saveStates(now: number): void {
    const changed: PointState[] = [];
    for (const [id, s] of this.#states) {
      const sig = stateSignature(s);
      const last = this.#saved.get(id);
      if (last && last.signature === sig && now - last.atMs < STATE_SAVE_INTERVAL_MS) continue;
      changed.push(s);
      this.#saved.set(id, { signature: sig, atMs: now });
    }
    if (changed.length) this.#d.store.savePointStates(changed, now);
  }

  #reconcile(p: Point, now: number): void {
    const s = this.#states.get(p.id)!;
    for (const [key, v] of pointConditions(s, now, this.#condOpts)) {
      const fingerprint = `${p.id}|${key}`;
      const open = this.#open.get(fingerprint);
      if (v.state === 'active') {
        this.#pendingRecovery.delete(open?.id ?? -1);
        if (open) this.#refresh(open, this.#details(p, s, v), now);
        else this.#openAlert(p, fingerprint, v, this.#details(p, s, v), now);
      } else if (v.state === 'clear' && open) {
        this.#clear(p, s, open, now);
      }
    }
  }

  #details(p: Point, s: PointState, v: Extract<ConditionVerdict, { state: 'active' }>, previous?: AlertDetails): AlertDetails {
    const d = emptyDetails();
    d.figures = v.figures;
    if (v.ifIndex !== undefined) {
      const i = s.interfaces[String(v.ifIndex)];
      if (i) d.interface = { ifIndex: i.ifIndex, ifName: i.ifName, ifAlias: i.ifAlias };
    }
    const inv = this.#d.inventory;
    if (v.condition === 'down') {
      const behind = cutOffBehind(inv, this.#states, p.id);
      d.affected = behind.map((q) => affectedPoint(inv, q));
      d.affectedUnits = affectedUnits(inv, p, behind);
    } else {
      d.affectedUnits = affectedUnits(inv, p, []);
    }
    d.affectedPopulation = d.affectedUnits.reduce((sum, u) => sum + u.population, 0);
    return previous ? mergeAffected(inv, p, previous, d) : d;
  }

  #labels(p: Point, condition: string, severity: string, ifName?: string, ifIndex?: number): Record<string, string> {
    const labels: Record<string, string> = { point_id: p.id, point_name: p.name, kind: p.kind, condition, severity, unit: p.unit, ...this.#d.inventory.unitTags(p.unit) };
    if (ifName !== undefined) labels.if_name = ifName;
    if (ifIndex !== undefined) labels.if_index = String(ifIndex);
    return labels;
  }

  #openAlert(p: Point, fingerprint: string, v: Extract<ConditionVerdict, { state: 'active' }>, details: AlertDetails, now: number): void {
    const routed = route(this.#d.inventory, this.#d.config.notify.routes, this.#d.config.notify.default_receivers, { severity: v.severity, condition: v.condition, kind: p.kind, unit: p.unit });
    const draft: Omit<AlertRecord, 'id'> = {
      fingerprint,
      pointId: p.id,
      condition: v.condition,
      severity: v.severity,
      state: 'firing',
      labels: this.#labels(p, v.condition, v.severity, details.interface?.ifName, details.interface?.ifIndex),
      details,
      startedAtMs: now,
      updatedAtMs: now,
      receivers: routed.receivers,
      escalation: routed.escalation,
      repeatCount: 0,
      escalationsSent: 0,
    };
    this.#insert(draft, now, p);
  }

  /** Store a new alert and queue its page (held by the pipeline while muted). */
  #insert(draft: Omit<AlertRecord, 'id'>, now: number, p?: Point): AlertRecord {
    const muted = this.#muteReasonDraft(draft, now);
    if (!muted) {
      draft.notifiedAtMs = now;
      draft.lastNotifiedAtMs = now;
    }
    const alert = this.#d.store.insertAlert(draft);
    this.#open.set(alert.fingerprint, alert);
    if (muted) this.#muted.set(alert.id, muted);
    this.#d.store.addEvent(alert.id, now, 'opened', undefined, { receivers: alert.receivers, ...(muted ? { muted } : {}) });
    this.#d.dispatcher.enqueue(alert, 'firing', 0, alert.receivers, now);
    this.#d.log.warn(
      { event: 'alert_opened', alert_id: alert.id, point_id: alert.pointId, condition: alert.condition, severity: alert.severity, affected_points: alert.details.affected.length, affected_population: alert.details.affectedPopulation, muted, receivers: alert.receivers, ...alert.labels },
      `alert ${alert.id} opened: ${alert.fingerprint}`,
    );
    this.#transitionSample(alert, 'firing', now, p);
    return alert;
  }

  #refresh(open: AlertRecord, details: AlertDetails, now: number): void {
    const p = this.#d.inventory.point(open.pointId);
    const merged = p ? mergeAffected(this.#d.inventory, p, open.details, details) : details;
    if (JSON.stringify(merged) === JSON.stringify(open.details)) return;
    const grew = merged.affected.length !== open.details.affected.length;
    const next = { ...open, details: merged, updatedAtMs: now };
    this.#save(next);
    if (grew) this.#d.store.addEvent(open.id, now, 'updated', undefined, { affected_points: merged.affected.length, affected_population: merged.affectedPopulation });
  }

  #save(a: AlertRecord): void {
    this.#d.store.updateAlert(a);
    if (a.state === 'resolved') this.#open.delete(a.fingerprint);
    else this.#open.set(a.fingerprint, a);
  }

  /** A cleared condition resolves its alert; a root waits (briefly) until the points behind it were re-checked. */
  #clear(p: Point, s: PointState, open: AlertRecord, now: number): void {
    if (open.condition === 'down' && open.details.affected.length) {
      const recoveredAt = s.recoveredAtMs ?? s.lastOkMs ?? now;
      const ids = open.details.affected.map((a) => a.pointId);
      const rc = recheckStatus(this.#states, ids, recoveredAt);
      let pending = this.#pendingRecovery.get(open.id);
      if (!pending) {
        pending = { sinceMs: now, recheckAsked: false };
        this.#pendingRecovery.set(open.id, pending);
      }
      const deadline = pending.sinceMs + this.#d.config.alerts.recovery_recheck_s * 1000;
      if (rc.pending.length && now < deadline) {
        if (!pending.recheckAsked) {
          pending.recheckAsked = true;
          this.#d.bus?.emit('recheck', rc.pending);
          this.#d.log.info({ event: 'alert_recovery_recheck', alert_id: open.id, point_id: p.id, pending: rc.pending.length }, 'root recovered; re-checking the points behind it before sending');
        }
        return;
      }
      this.#pendingRecovery.delete(open.id);
      const byId = new Map(open.details.affected.map((a) => [a.pointId, a]));
      const stillDown = [...rc.stillDown, ...rc.pending].map((id) => byId.get(id)!).filter(Boolean);
      this.#resolve({ ...open, details: { ...open.details, stillDown } }, now, 'recovered');
      return;
    }
    this.#resolve(open, now, 'recovered');
  }

  #resolve(open: AlertRecord, now: number, reason: string): void {
    const resolved: AlertRecord = { ...open, state: 'resolved', resolvedAtMs: now, updatedAtMs: now };
    this.#save(resolved);
    this.#muted.delete(open.id);
    this.#d.store.addEvent(open.id, now, 'resolved', undefined, { reason, ...(resolved.details.stillDown?.length ? { still_down: resolved.details.stillDown.map((a) => a.pointId) } : {}) });
    const cancelled = this.#d.store.cancelOpenNotifications(open.id, ['firing', 'repeat', 'escalation'], now);
    // Everyone who may have been paged hears of the resolution; the pipeline drops it where no page went.
    const receivers = [...new Set([...open.receivers, ...open.escalation.flatMap((e) => e.receivers)])];
    this.#d.dispatcher.enqueue(resolved, 'resolved', 0, receivers, now);
    this.#d.log.info(
      { event: 'alert_resolved', alert_id: open.id, point_id: open.pointId, condition: open.condition, reason, duration_ms: now - open.startedAtMs, cancelled_pages: cancelled, still_down: resolved.details.stillDown?.length ?? 0 },
      `alert ${open.id} resolved: ${open.fingerprint}`,
    );
    this.#transitionSample(resolved, 'resolved', now, this.#d.inventory.point(open.pointId));
  }

  /** Open alerts of points no longer in the inventory cannot clear by themselves. */
  #resolveOrphans(now: number): void {
    const orphans = [...this.#open.values()].filter((a) => a.condition !== 'dead_zone' && !this.#d.inventory.point(a.pointId));
    if (!orphans.length) return;
    this.#d.store.transaction(() => {
      for (const a of orphans) this.#resolve(a, now, 'point removed from the inventory');
    });
  }

  // ------------------------------------------------------------------------------ coverage
  /** A dead zone opened or (partly) cleared: one alert per zone key, updated as villages change. */
  onDeadZone(change: DeadZoneChange): void {
    const now = this.#clock.now();
    const fingerprint = `dead_zone|${change.key}`;
    const open = this.#open.get(fingerprint);
    this.#d.store.transaction(() => {
      if (change.kind === 'opened') {
        const villages = mergeVillages(open?.details.deadZone?.villages ?? [], change.villages);
        const details: AlertDetails = {
          ...emptyDetails(),
          affectedUnits: [{ code: change.unit.code, name: change.unit.name, population: this.#d.inventory.population(change.unit.code) }],
          affectedPopulation: villages.reduce((sum, v) => sum + v.population, 0),
          deadZone: { cause: change.cause, villages, carriers: change.carriers },
        };
        if (open) {
          this.#save({ ...open, details, updatedAtMs: now });
          this.#d.store.addEvent(open.id, now, 'updated', undefined, { villages: villages.length });
          return;
        }
        const severity = change.cause === 'cell_outage' ? SEVERITY.dead_zone : 'info';
        const routed = route(this.#d.inventory, this.#d.config.notify.routes, this.#d.config.notify.default_receivers, { severity, condition: 'dead_zone', kind: '', unit: change.unit.code });
        const labels: Record<string, string> = { point_id: '', condition: 'dead_zone', severity, cause: change.cause, unit: change.unit.code, unit_name: change.unit.name, ...change.unitTags };
        this.#insert(
          { fingerprint, pointId: '', condition: 'dead_zone', severity, state: 'firing', labels, details, startedAtMs: change.sinceMs, updatedAtMs: now, receivers: routed.receivers, escalation: routed.escalation, repeatCount: 0, escalationsSent: 0 },
          now,
        );
        return;
      }
      if (!open) return;
      if (change.remainingVillages > 0) {
        const gone = new Set(change.villages.map((v) => v.code));
        const villages = (open.details.deadZone?.villages ?? []).filter((v) => !gone.has(v.code));
        const dz = open.details.deadZone;
        const details: AlertDetails = { ...open.details, affectedPopulation: villages.reduce((sum, v) => sum + v.population, 0), ...(dz ? { deadZone: { ...dz, villages } } : {}) };
        this.#save({ ...open, details, updatedAtMs: now });
        return;
      }
      this.#resolve(open, now, 'coverage restored');
    });
    this.#flushSamples();
    this.#d.dispatcher.kick();
  }

  // ------------------------------------------------------------------------------ timers
  #timers(now: number): void {
    const repeatMs = this.#d.config.notify.repeat_interval_min * 60_000;
    this.#d.store.transaction(() => {
      for (const a of [...this.#open.values()]) {
        const muted = this.muteReason(a, now);
        this.#trackMute(a, muted, now);
        if (muted) continue;
        let next = a;
        if (next.notifiedAtMs === undefined) {
          // The first unmuted moment: the page held since the alert opened goes out now; timers start here.
          next = { ...next, notifiedAtMs: now, lastNotifiedAtMs: now };
          this.#save(next);
          continue;
        }
        if (next.state !== 'firing') continue;
        if (repeatMs > 0 && now - (next.lastNotifiedAtMs ?? next.notifiedAtMs!) >= repeatMs) {
          next = { ...next, repeatCount: next.repeatCount + 1, lastNotifiedAtMs: now, updatedAtMs: now };
          this.#save(next);
          this.#d.store.addEvent(next.id, now, 'repeated', undefined, { seq: next.repeatCount });
          this.#d.dispatcher.enqueue(next, 'repeat', next.repeatCount, next.receivers, now);
        }
        const step = next.escalation[next.escalationsSent];
        if (step && now - next.notifiedAtMs! >= step.afterMin * 60_000) {
          next = { ...next, escalationsSent: next.escalationsSent + 1, updatedAtMs: now };
          this.#save(next);
          this.#d.store.addEvent(next.id, now, 'escalated', undefined, { receivers: step.receivers, after_min: step.afterMin });
          this.#d.dispatcher.enqueue(next, 'escalation', next.escalationsSent - 1, step.receivers, now);
          this.#d.log.warn({ event: 'alert_escalated', alert_id: next.id, point_id: next.pointId, receivers: step.receivers }, `alert ${next.id} escalated`);
        }
      }
    });
  }

  #trackMute(a: AlertRecord, muted: string | undefined, now: number): void {
    const was = this.#muted.get(a.id);
    if (was === muted) return;
    if (muted) this.#muted.set(a.id, muted);
    else this.#muted.delete(a.id);
    this.#d.store.addEvent(a.id, now, muted ? 'muted' : 'unmuted', undefined, { reason: muted ?? was });
  }

  #muteReasonDraft(a: Pick<AlertRecord, 'pointId' | 'labels'>, now: number): string | undefined {
    const inv = this.#d.inventory;
    const p = inv.point(a.pointId);
    const tz = this.#d.config.timezone;
    for (const w of this.#windows) {
      if (windowActiveUntil(w, now, tz) === undefined) continue;
      if (p ? windowCovers(inv, w, p) : w.unitCodes.some((code) => inv.isWithin(a.labels.unit ?? '', code))) return `maintenance ${w.id}`;
    }
    const s = silencesFor(this.#silences, a.labels, now)[0];
    return s ? `silence ${s.id}` : undefined;
  }

  /** Why the alert's pages are held now (a maintenance window or a silence), or undefined. */
  muteReason(a: AlertRecord, now: number = this.#clock.now()): string | undefined {
    return this.#muteReasonDraft(a, now);
  }

  // ------------------------------------------------------------------------------ operator actions
  /** Acknowledge: stops repeats and escalation; the alert stays open until its condition clears. */
  acknowledge(id: number, who: string, comment: string): AlertRecord {
    const now = this.#clock.now();
    const a = [...this.#open.values()].find((x) => x.id === id);
    if (!a) throw new Error(`alert ${id} is not open`);
    const next: AlertRecord = { ...a, state: 'acknowledged' as AlertState, ackedBy: who, ackedAtMs: now, ackComment: comment, updatedAtMs: now };
    this.#d.store.transaction(() => {
      this.#save(next);
      this.#d.store.addEvent(id, now, 'acknowledged', who, comment ? { comment } : undefined);
      this.#d.store.cancelOpenNotifications(id, ['repeat', 'escalation'], now);
    });
    this.#d.log.info({ event: 'alert_acknowledged', alert_id: id, point_id: a.pointId, by: who }, `alert ${id} acknowledged by ${who}`);
    this.#transitionSample(next, 'acknowledged', now, this.#d.inventory.point(a.pointId));
    this.#flushSamples();
    return next;
  }

  // ------------------------------------------------------------------------------ views
  pointState(id: string): PointState | undefined {
    return this.#states.get(id);
  }

  pointStates(): PointState[] {
    return [...this.#states.values()];
  }

  openAlert(id: number): AlertRecord | undefined {
    return [...this.#open.values()].find((a) => a.id === id);
  }

  // ------------------------------------------------------------------------------ metrics
  #transitionSample(a: AlertRecord, state: AlertState, now: number, p: Point | undefined): void {
    const inv = this.#d.inventory;
    const tags = p ? pointTags(inv, p) : { point_id: '', kind: '', upstream: '', url: '', ...inv.unitTags(a.labels.unit ?? '') };
    this.#samples.push({
      measurement: 'alerts',
      tags: { ...tags, condition: a.condition, severity: a.severity },
      fields: {
        alert_id: a.id,
        state,
        title: this.#d.title?.(a) ?? a.fingerprint,
        affected_points: a.details.affected.length,
        affected_population: a.details.affectedPopulation,
      },
      timeMs: now,
    });
  }

  #flushSamples(): void {
    if (!this.#samples.length) return;
    const samples = this.#samples;
    this.#samples = [];
    if (!this.#d.sink) return;
    try {
      this.#d.sink.write(samples);
    } catch (err) {
      this.#d.log.error({ event: 'alerts_sink_error', err }, 'alert samples rejected by the sink');
    }
  }
}

/** Keep listing every point affected earlier in the incident: the page named them, the resolution should too. */
function mergeAffected(inv: Inventory, root: Point, previous: AlertDetails, next: AlertDetails): AlertDetails {
  const ids = new Set(next.affected.map((a) => a.pointId));
  const affected = [...next.affected, ...previous.affected.filter((a) => !ids.has(a.pointId))];
  if (affected.length === next.affected.length) return next;
  const points = affected.map((a) => inv.point(a.pointId)).filter((q): q is Point => q !== undefined);
  const units = affectedUnits(inv, root, points);
  return { ...next, affected, affectedUnits: units, affectedPopulation: units.reduce((sum, u) => sum + u.population, 0) };
}

function mergeVillages<V extends { code: string }>(a: readonly V[], b: readonly V[]): V[] {
  const seen = new Set(a.map((v) => v.code));
  return [...a, ...b.filter((v) => !seen.has(v.code))];
}

/** Maintenance windows written in the configuration (read-only, ids prefixed "config:"). */
export function configWindows(config: Config): MaintenanceWindow[] {
  return config.alerts.maintenance.map((m) => {
    const w: MaintenanceWindow = { id: `config:${m.id}`, pointIds: m.points ?? [], unitCodes: m.units ?? [], comment: m.comment ?? '', createdBy: 'config', createdAtMs: 0, updatedAtMs: 0, source: 'config' };
    if (m.starts_at) w.startsAtMs = Date.parse(m.starts_at);
    if (m.ends_at) w.endsAtMs = Date.parse(m.ends_at);
    if (m.cron) w.cron = m.cron;
    if (m.duration_min !== undefined) w.durationMin = m.duration_min;
    return w;
  });
}

export type { NotificationKind };
