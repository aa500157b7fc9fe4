// Delivery pipeline over the store's notification outbox: mute → dedup → deliver with retry.
// The engine only queues rows (in the same transaction that opens or resolves the alert); this
// loop sends them. A row is marked delivered only after its channel accepted it, so a crash
// re-sends at most the deliveries that were in flight (each carries a stable dedup key).
import type { Logger } from '../util/log.js';
import type { Language } from '../i18n.js';
import type { AlertStore } from '../alerts/store.js';
import type { AlertRecord, NotificationKind, NotificationRecord } from '../alerts/types.js';
import { DeliveryError, type Channel, type Outgoing, type RenderedMessage } from './types.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface RetryOptions {
  maxAttempts: number;
  initialMs: number;
  maxMs: number;
}

export interface DispatcherOptions {
  tickMs: number;
  retry: RetryOptions;
  /** Re-post firing alerts to Alertmanager channels this often. */
  alertmanagerResendS: number;
  /** Deliveries in flight at once. */
  concurrency: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  tickMs: 1000,
  retry: { maxAttempts: 8, initialMs: 1000, maxMs: 300_000 },
  alertmanagerResendS: 60,
  concurrency: 8,
};

export interface ReceiverSettings {
  sendResolved: boolean;
  language: Language;
}

export interface DispatcherDeps {
  store: AlertStore;
  channels: readonly Channel[];
  receivers: ReadonlyMap<string, ReceiverSettings>;
  /** Text for people and the details link, in the receiver's language. */
  render(alert: AlertRecord, kind: NotificationKind, language: Language, nowMs: number): { message: RenderedMessage; url: string };
  /** Why the alert's pages are held now (maintenance, silence), or undefined. */
  muteReason(alert: AlertRecord, nowMs: number): string | undefined;
  log: Logger;
  clock?: Clock;
  options?: Partial<DispatcherOptions>;
}

export interface DispatcherStats {
  delivered: number;
  retried: number;
  failed: number;
  muted: number;
  dropped: number;
  inFlight: number;
}

type Decision = { status: 'cancelled' | 'dropped' | 'muted'; reason: string };

/** Jittered exponential backoff: attempt 1 waits ~initial, doubling, capped; a server's Retry-After wins when longer. */
export function backoffMs(attempt: number, retry: RetryOptions, retryAfterMs?: number, random = Math.random): number {
  const exp = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.min(retry.maxMs, Math.max(jittered, retryAfterMs ?? 0));
}

export const dedupKey = (n: Pick<NotificationRecord, 'alertId' | 'kind' | 'seq'>) => `netcov-${n.alertId}-${n.kind}-${n.seq}`;

export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #opts: DispatcherOptions;
  readonly #clock: Clock;
  readonly #channels = new Map<string, Channel>();
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #stats: DispatcherStats = { delivered: 0, retried: 0, failed: 0, muted: 0, dropped: 0, inFlight: 0 };
  /** Deliveries sent and failed attempts, per integration (self-metrics). */
  readonly #perIntegration = new Map<string, { sent: number; failed: number }>();
  #timer: NodeJS.Timeout | undefined;
  #syncing = false;
  #lastSyncMs = 0;
  #stopped = false;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.#opts = { ...DEFAULT_DISPATCHER_OPTIONS, ...deps.options };
    this.#clock = deps.clock ?? systemClock;
    for (const c of deps.channels) this.#channels.set(c.integration, c);
  }

  get channels(): readonly Channel[] {
    return [...this.#channels.values()];
  }

  stats(): DispatcherStats {
    return { ...this.#stats, inFlight: this.#inFlight.size };
  }

  /** Per integration: deliveries accepted and attempts that failed, since start (self-metrics). */
  integrationStats(): { name: string; sent: number; failed: number }[] {
    return [...this.#channels.keys()].map((name) => ({ name, ...(this.#perIntegration.get(name) ?? { sent: 0, failed: 0 }) }));
  }

  #count(integration: string, key: 'sent' | 'failed'): void {
    const c = this.#perIntegration.get(integration) ?? { sent: 0, failed: 0 };
    c[key]++;
    this.#perIntegration.set(integration, c);
  }

  /** Queue a notification for every channel of the given receivers; returns the rows created. */
  enqueue(alert: AlertRecord, kind: NotificationKind, seq: number, receivers: readonly string[], nowMs: number): NotificationRecord[] {
    const rows: NotificationRecord[] = [];
    for (const receiver of receivers) {
      const channels = [...this.#channels.values()].filter((c) => c.receiver === receiver);
      if (!channels.length) this.#deps.log.warn({ event: 'notify_unknown_receiver', receiver, alert_id: alert.id }, 'receiver has no channels configured');
      for (const c of channels) {
        const row = this.#deps.store.enqueue({ alertId: alert.id, kind, seq, receiver, integration: c.integration, nowMs });
        if (row) rows.push(row);
      }
    }
    return rows;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.kick(), this.#opts.tickMs);
    this.#timer.unref();
    this.kick();
  }

  /** Start what is due now, without waiting for it (a slow receiver never delays the others). */
  kick(): void {
    if (this.#stopped) return;
    this.runOnce().catch((err: unknown) => this.#deps.log.error({ event: 'notify_pass_failed', err }, 'delivery pass failed; next tick retries'));
  }

  /**
   * One pass: start every due row (up to the concurrency limit) through the stages, and re-sync
   * Alertmanager when due. Picking rows and marking them in flight happens synchronously, so two
   * passes never send the same row. Resolves when the deliveries this pass started have finished.
   */
  async runOnce(): Promise<void> {
    const now = this.#clock.now();
    const slots = this.#opts.concurrency - this.#inFlight.size;
    const due = slots > 0 ? this.#deps.store.dueNotifications(now, 500).filter((r) => !this.#inFlight.has(r.id)) : [];
    const started = due.slice(0, Math.max(0, slots)).map((row) => this.#track(row));
    if (due.length > started.length) {
      // More waiting than slots: the next pass starts as soon as one finishes. #track never
      // rejects (it logs), so this promise cannot reject either.
      void Promise.race(started).then(() => this.kick());
    }
    if (!this.#syncing && now - this.#lastSyncMs >= this.#opts.alertmanagerResendS * 1000) {
      this.#lastSyncMs = now;
      this.#syncing = true;
      started.push(this.#syncAlertmanagers(now).finally(() => (this.#syncing = false)));
    }
    await Promise.all(started);
  }

  /** Run passes until nothing is due or in flight (tests; a bounded number of passes). */
  async drain(maxPasses = 50): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      await this.runOnce();
      await Promise.all(this.#inFlight.values());
      if (this.#inFlight.size === 0 && this.#deps.store.dueNotifications(this.#clock.now(), 1).length === 0) return;
    }
  }

  /** Stop the loop and wait for deliveries in flight (callers cap the wait). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#inFlight.values());
    for (const c of this.#channels.values()) await c.close?.();
  }

  #track(row: NotificationRecord): Promise<void> {
    const p = this.#process(row)
      .catch((err: unknown) => this.#deps.log.error({ event: 'notify_row_failed', notification_id: row.id, err }, 'delivery stage threw; the row is retried next pass'))
      .finally(() => this.#inFlight.delete(row.id));
    this.#inFlight.set(row.id, p);
    return p;
  }

  async #process(row: NotificationRecord): Promise<void> {
    const now = this.#clock.now();
    const alert = this.#deps.store.alert(row.alertId);
    if (!alert) return this.#finish(row, { status: 'dropped', reason: 'alert no longer stored' }, now);
    const decision = this.#muteStage(row, alert, now) ?? this.#dedupStage(row, alert);
    if (decision) return this.#finish(row, decision, now);
    await this.#deliver(row, alert);
  }

  /** Stage 1: hold pages of muted alerts; drop those overtaken by a resolution or an acknowledgement. */
  #muteStage(row: NotificationRecord, alert: AlertRecord, now: number): Decision | undefined {
    if (row.kind === 'resolved') return undefined;
    if (alert.state === 'resolved') return { status: 'cancelled', reason: 'resolved before it went out' };
    if ((row.kind === 'repeat' || row.kind === 'escalation') && alert.state === 'acknowledged') return { status: 'cancelled', reason: 'acknowledged' };
    const muted = this.#deps.muteReason(alert, now);
    return muted ? { status: 'muted', reason: muted } : undefined;
  }

  /** Stage 2: a resolved notice only goes where a page went; receivers may opt out of resolved notices. */
  #dedupStage(row: NotificationRecord, alert: AlertRecord): Decision | undefined {
    if (row.kind !== 'resolved') return undefined;
    if (this.#deps.receivers.get(row.receiver)?.sendResolved === false) return { status: 'dropped', reason: 'receiver does not want resolved notices' };
    const paged = this.#deps.store.notificationsFor(alert.id).some((n) => n.integration === row.integration && n.kind !== 'resolved' && n.status === 'delivered');
    return paged ? undefined : { status: 'dropped', reason: 'nothing was paged for it' };
  }

  #finish(row: NotificationRecord, d: Decision, now: number): void {
    const wasMuted = row.status === 'muted';
    const next: NotificationRecord = { ...row, status: d.status, lastError: d.reason, updatedAtMs: now };
    if (d.status === 'muted') {
      next.nextAttemptAtMs = now + this.#opts.tickMs;
      if (!wasMuted) {
        this.#stats.muted++;
        this.#deps.log.info({ event: 'notification_muted', alert_id: row.alertId, integration: row.integration, kind: row.kind, reason: d.reason }, 'notification held');
      }
    } else {
      this.#stats.dropped++;
      this.#deps.log.info({ event: 'notification_dropped', alert_id: row.alertId, integration: row.integration, kind: row.kind, status: d.status, reason: d.reason }, 'notification not sent');
    }
    if (wasMuted && d.status === 'muted') next.updatedAtMs = row.updatedAtMs; // keep "muted since"
    this.#deps.store.updateNotification(next);
  }

  #outgoing(row: NotificationRecord, alert: AlertRecord, now: number): Outgoing {
    const language = this.#deps.receivers.get(row.receiver)?.language ?? 'vi';
    const { message, url } = this.#deps.render(alert, row.kind, language, now);
    return { notification: row, alert, message, url, dedupKey: dedupKey(row), sentAtMs: now };
  }

  /** Stage 3: send; on a recoverable failure schedule a retry with backoff, else record the failure. */
  async #deliver(row: NotificationRecord, alert: AlertRecord): Promise<void> {
    const log = this.#deps.log;
    const fields = { alert_id: alert.id, point_id: alert.pointId, integration: row.integration, kind: row.kind, seq: row.seq };
    const channel = this.#channels.get(row.integration);
    const start = this.#clock.now();
    if (!channel) {
      this.#stats.failed++;
      this.#deps.store.updateNotification({ ...row, status: 'failed', lastError: 'integration no longer configured', recoverable: false, updatedAtMs: start });
      log.error({ event: 'notification_failed', ...fields, recoverable: false }, 'integration no longer configured');
      return;
    }
    const attempts = row.attempts + 1;
    try {
      const result = await channel.send(this.#outgoing(row, alert, start));
      const now = this.#clock.now();
      const done: NotificationRecord = { ...row, status: 'delivered', attempts, updatedAtMs: now, deliveredAtMs: now };
      delete done.lastError;
      delete done.recoverable;
      this.#deps.store.updateNotification(done);
      this.#stats.delivered++;
      this.#count(row.integration, 'sent');
      log.info({ event: 'notification_delivered', ...fields, attempts, status: result.status, duration_ms: now - start }, 'notification delivered');
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError(`${row.integration}: ${(err as Error).message}`, { recoverable: true });
      const now = this.#clock.now();
      this.#count(row.integration, 'failed');
      const retry = e.recoverable && attempts < this.#opts.retry.maxAttempts;
      const next: NotificationRecord = { ...row, attempts, lastError: e.message, recoverable: e.recoverable, updatedAtMs: now, status: retry ? 'retrying' : 'failed' };
      if (retry) next.nextAttemptAtMs = now + backoffMs(attempts, this.#opts.retry, e.retryAfterMs);
      this.#deps.store.updateNotification(next);
      if (retry) {
        this.#stats.retried++;
        log.warn({ event: 'notification_retry', ...fields, attempts, recoverable: true, retry_in_ms: next.nextAttemptAtMs - now, error: e.message }, 'delivery failed; will retry');
      } else {
        this.#stats.failed++;
        log.error({ event: 'notification_failed', ...fields, attempts, recoverable: e.recoverable, error: e.message }, e.recoverable ? 'delivery failed; attempts used up' : 'delivery failed; not recoverable');
      }
    }
  }

  /** Alertmanager expires alerts that are not re-sent: post every open, unmuted alert it was paged about. */
  async #syncAlertmanagers(now: number): Promise<void> {
    const ams = [...this.#channels.values()].filter((c) => c.sync);
    if (!ams.length) return;
    const open = this.#deps.store.openAlerts().filter((a) => !this.#deps.muteReason(a, now));
    for (const c of ams) {
      const mine = open.filter((a) => a.receivers.includes(c.receiver) && this.#deps.store.notificationsFor(a.id).some((n) => n.integration === c.integration && n.kind === 'firing' && n.status === 'delivered'));
      if (!mine.length) continue;
      const outgoing = mine.map((a) => {
        const row = this.#deps.store.notificationsFor(a.id).find((n) => n.integration === c.integration && n.kind === 'firing')!;
        return this.#outgoing(row, a, now);
      });
      try {
        await c.sync!(outgoing);
      } catch (err) {
        this.#deps.log.warn({ event: 'alertmanager_sync_failed', integration: c.integration, alerts: mine.length, error: (err as Error).message }, 'Alertmanager re-sync failed; next one retries');
      }
    }
  }
}
