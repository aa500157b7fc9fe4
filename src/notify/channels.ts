// Builds the channels of every configured receiver: one factory per channel type.
import type { Config } from '../config/schema.js';
import { createAlertmanagerChannel } from './alertmanager.js';
import { createEmailChannel, createTransport } from './email.js';
import { createTelegramChannel } from './telegram.js';
import { createWebhookChannel } from './webhook.js';
import type { Channel } from './types.js';
import type { ReceiverSettings } from './pipeline.js';

export interface BuiltChannels {
  channels: Channel[];
  receivers: Map<string, ReceiverSettings>;
}

export function createChannels(config: Config): BuiltChannels {
  const n = config.notify;
  const channels: Channel[] = [];
  const receivers = new Map<string, ReceiverSettings>();
  // One SMTP connection pool for all email receivers.
  const hasEmail = Object.values(n.receivers).some((r) => r.email_configs?.length);
  const transport = hasEmail ? createTransport(n.smtp, n.timeout_ms) : undefined;
  for (const [name, r] of Object.entries(n.receivers)) {
    receivers.set(name, { sendResolved: r.send_resolved ?? true, language: r.language ?? config.language });
    r.webhook_configs?.forEach((w, i) => channels.push(createWebhookChannel(name, i, { url: w.url, ...(w.secret !== undefined ? { secret: w.secret } : {}), timeoutMs: w.timeout_ms ?? n.timeout_ms })));
    r.alertmanager_configs?.forEach((a, i) => channels.push(createAlertmanagerChannel(name, i, { url: a.url, timeoutMs: a.timeout_ms ?? n.timeout_ms, resendS: n.alertmanager_resend_s })));
    r.email_configs?.forEach((e, i) => channels.push(createEmailChannel(name, i, e.to, n.smtp, transport!)));
    r.telegram_configs?.forEach((t, i) => channels.push(createTelegramChannel(name, i, { apiUrl: n.telegram.api_url, token: n.telegram.token, chatId: t.chat_id, timeoutMs: n.timeout_ms })));
  }
  if (transport) {
    const first = channels.find((c) => c.type === 'email');
    if (first) first.close = async () => transport.close();
  }
  return { channels, receivers };
}
