// Email channel: nodemailer over SMTP, UTF-8 plain text (Vietnamese diacritics intact in subject
// and body). SMTP 4xx replies and connection trouble are worth a retry; 5xx and auth errors are not.
import nodemailer, { type Transporter } from 'nodemailer';
import { revealSecret } from '../config/secret.js';
import type { Config } from '../config/schema.js';
import { DeliveryError, type Channel } from './types.js';

export type SmtpConfig = Config['notify']['smtp'];

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EDNS', 'ETLS', 'EPROTOCOL']);

export function createTransport(smtp: SmtpConfig, timeoutMs: number): Transporter {
  const password = revealSecret(smtp.password);
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.require_tls,
    ...(smtp.username ? { auth: { user: smtp.username, pass: password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

export function classifySmtpError(integration: string, err: unknown): DeliveryError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  if (e.responseCode !== undefined) {
    return new DeliveryError(`${integration}: SMTP ${e.responseCode}`, { recoverable: e.responseCode >= 400 && e.responseCode < 500, status: e.responseCode });
  }
  const code = e.code ?? 'error';
  return new DeliveryError(`${integration}: ${code}`, { recoverable: code !== 'EAUTH' && (RETRYABLE_CODES.has(code) || code === 'error') });
}

export function createEmailChannel(receiver: string, index: number, to: readonly string[], smtp: SmtpConfig, transport: Transporter): Channel {
  const integration = `${receiver}/email[${index}]`;
  return {
    type: 'email',
    integration,
    receiver,
    async send(n) {
      try {
        const info = (await transport.sendMail({
          from: smtp.from,
          to: [...to],
          subject: n.message.title,
          text: n.message.text,
          headers: { 'X-Netcov-Alert': String(n.alert.id), 'X-Netcov-Delivery': n.dedupKey },
          // The same delivery retried must not thread as a new message.
          messageId: `<${n.dedupKey}.${n.notification.integration.replace(/[^A-Za-z0-9.-]/g, '-')}@netcov>`,
        })) as { response?: string };
        const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1]);
        return Number.isNaN(code) ? {} : { status: code };
      } catch (err) {
        throw classifySmtpError(integration, err);
      }
    },
  };
}
