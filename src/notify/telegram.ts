// Telegram channel: the Bot API's sendMessage, plain text (no parse mode, so names with * or _
// need no escaping). Telegram answers {ok:false, error_code, parameters.retry_after} on failure.
// The request URL holds the bot token: it never appears in an error, a log or a record.
import { revealSecret, type SecretValue } from '../config/secret.js';
import { DeliveryError, type Channel } from './types.js';
import { postBody } from './http.js';

export interface TelegramOptions {
  apiUrl: string;
  token: SecretValue | undefined;
  chatId: string;
  timeoutMs: number;
}

/** Telegram caps a message at 4096 characters. */
const MAX_TEXT = 4096;

export function telegramText(title: string, text: string): string {
  const full = `${title}\n${text}`;
  return full.length <= MAX_TEXT ? full : `${full.slice(0, MAX_TEXT - 1)}…`;
}

export function createTelegramChannel(receiver: string, index: number, opts: TelegramOptions): Channel {
  const integration = `${receiver}/telegram[${index}]`;
  const token = revealSecret(opts.token);
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/bot${token ?? ''}/sendMessage`;
  return {
    type: 'telegram',
    integration,
    receiver,
    async send(n) {
      if (!token) throw new DeliveryError(`${integration}: notify.telegram.token is not set`, { recoverable: false });
      const body = JSON.stringify({ chat_id: opts.chatId, text: telegramText(n.message.title, n.message.text), disable_web_page_preview: true });
      try {
        const { status } = await postBody(url, body, { timeoutMs: opts.timeoutMs, target: integration });
        return status === undefined ? {} : { status };
      } catch (err) {
        if (!(err instanceof DeliveryError) || err.status === undefined) throw err;
        throw new DeliveryError(err.message, { recoverable: err.recoverable, status: err.status, ...retryAfterOf(err) });
      }
    },
  };
}

/** Telegram puts its back-off in the JSON body (parameters.retry_after, seconds), not in a header. */
function retryAfterOf(err: DeliveryError): { retryAfterMs?: number } {
  if (err.retryAfterMs !== undefined) return { retryAfterMs: err.retryAfterMs };
  const m = /"retry_after"\s*:\s*(\d+)/.exec(err.message);
  return m ? { retryAfterMs: Number(m[1]) * 1000 } : {};
}
