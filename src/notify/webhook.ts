// Webhook channel: POSTs the alert as JSON; with a secret the exact body bytes are signed with
// HMAC-SHA256 (X-Netcov-Signature: sha256=<hex>), so a receiver can verify before it trusts.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { revealSecret, type SecretValue } from '../config/secret.js';
import { alertView } from '../alerts/view.js';
import { postBody } from './http.js';
import type { Channel, Outgoing } from './types.js';

export const SIGNATURE_HEADER = 'x-netcov-signature';

export interface WebhookOptions {
  url: string;
  secret?: SecretValue;
  timeoutMs: number;
}

/** The JSON a webhook receives (documented in docs/alerts.md). */
export function webhookPayload(n: Outgoing) {
  return {
    version: 1,
    source: 'netcov',
    dedup_key: n.dedupKey,
    kind: n.notification.kind,
    status: n.alert.state === 'resolved' ? 'resolved' : 'firing',
    title: n.message.title,
    text: n.message.text,
    language: n.message.language,
    url: n.url,
    sent_at: new Date(n.sentAtMs).toISOString(),
    alert: alertView(n.alert),
  };
}

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a signature header against the body (for receivers and tests). */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(sign(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function createWebhookChannel(receiver: string, index: number, opts: WebhookOptions): Channel {
  const integration = `${receiver}/webhook[${index}]`;
  const secret = revealSecret(opts.secret);
  return {
    type: 'webhook',
    integration,
    receiver,
    async send(n) {
      const body = JSON.stringify(webhookPayload(n));
      const headers: Record<string, string> = { 'x-netcov-delivery': n.dedupKey, 'idempotency-key': n.dedupKey };
      if (secret !== undefined) headers[SIGNATURE_HEADER] = sign(secret, body);
      const { status } = await postBody(opts.url, body, { headers, timeoutMs: opts.timeoutMs, target: integration });
      return status === undefined ? {} : { status };
    },
  };
}
