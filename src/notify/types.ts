// The notifier contract: a channel (webhook, Alertmanager, email, Telegram) sends one rendered
// notification and either resolves or throws a DeliveryError that says whether a retry may help.
import type { Language } from '../i18n.js';
import type { AlertRecord, NotificationRecord } from '../alerts/types.js';

export type ChannelType = 'webhook' | 'alertmanager' | 'email' | 'telegram';

/** Text for people, already in the receiver's language. */
export interface RenderedMessage {
  language: Language;
  /** One line: a phone notification's title, an email subject. */
  title: string;
  /** A few short lines, ending with the link to the details. */
  text: string;
}

/** Everything a channel needs to deliver one notification. */
export interface Outgoing {
  notification: NotificationRecord;
  alert: AlertRecord;
  message: RenderedMessage;
  /** Link to the alert in the API: <api base>/api/v1/alerts/:id. */
  url: string;
  /** Stable id of this delivery for receivers that deduplicate: netcov-<alert>-<kind>-<seq>. */
  dedupKey: string;
  sentAtMs: number;
}

export interface DeliveryResult {
  /** HTTP status or SMTP response code, when there is one. */
  status?: number;
  detail?: string;
}

export class DeliveryError extends Error {
  readonly recoverable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, opts: { recoverable: boolean; retryAfterMs?: number; status?: number }) {
    super(message);
    this.name = 'DeliveryError';
    this.recoverable = opts.recoverable;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
}

export interface Channel {
  readonly type: ChannelType;
  /** `<receiver>/<type>[<index>]`: names the delivery target in records and logs (never a secret). */
  readonly integration: string;
  readonly receiver: string;
  send(n: Outgoing): Promise<DeliveryResult>;
  /** Alertmanager only: re-post alerts still firing so it does not expire them. */
  sync?(firing: readonly Outgoing[]): Promise<DeliveryResult>;
  close?(): Promise<void>;
}
