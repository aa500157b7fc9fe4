// One HTTP POST for the HTTP channels (webhook, Alertmanager, Telegram), with a timeout and the
// shared judgement of what is worth retrying: network errors, timeouts, 408, 425, 429 and 5xx are;
// other 4xx (a bad URL, a rejected token, a malformed body) are not, and say so.
import { DeliveryError, type DeliveryResult } from './types.js';

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Name of the target in error messages (never the URL: a Telegram URL holds the bot token). */
  target: string;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUS.has(status);
}

/** POST `body`; resolves with the status and the response text on 2xx, throws DeliveryError otherwise. */
export async function postBody(url: string, body: string, opts: PostOptions): Promise<DeliveryResult & { text: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'netcov', ...opts.headers },
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a bad port …) is in its cause.
    const why = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new DeliveryError(`${opts.target}: ${why}`, { recoverable: true });
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { status: res.status, text };
  const recoverable = isRetryableStatus(res.status);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
  throw new DeliveryError(`${opts.target}: HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`, {
    recoverable,
    status: res.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
