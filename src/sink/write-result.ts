// What a write to InfluxDB came to, decided from the HTTP status, headers and body alone (pure),
// for every server generation: 1.x /write, 2.x /api/v2/write (and its 1.x compatibility endpoint),
// 3.x. Errors say whether they can be retried (architecture convention 5).

export type WriteErrorKind =
  /** Connection refused/reset, DNS: InfluxDB is not there. Retry. */
  | 'network'
  /** No answer within request_timeout_ms. Retry. */
  | 'timeout'
  /** 401/403: the credentials are wrong. A configuration error; data keeps spooling, retried slowly. */
  | 'auth'
  /** 404: database/bucket missing (or wrong URL). Setup runs again; retry. */
  | 'not_found'
  /** 429/503 or 5xx: InfluxDB is overloaded or failing. Retry, after Retry-After when given. */
  | 'server'
  /** 413: the batch is too large; the writer splits it. */
  | 'too_large'
  /** Some lines failed to parse and NOTHING was written (2.x): send again without `badLines`. */
  | 'bad_lines'
  /** The whole batch was refused for good (400 and friends). Drop it, count it, log why. */
  | 'rejected';

export class SinkWriteError extends Error {
  readonly kind: WriteErrorKind;
  readonly retryable: boolean;
  /** Server-requested wait (Retry-After), ms. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  /** 1-based numbers of the lines the server could not parse (kind 'bad_lines'). */
  readonly badLines: readonly number[];

  constructor(kind: WriteErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; badLines?: readonly number[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SinkWriteError';
    this.kind = kind;
    this.retryable = kind === 'network' || kind === 'timeout' || kind === 'auth' || kind === 'not_found' || kind === 'server';
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
    this.badLines = opts.badLines ?? [];
  }
}

/** A write InfluxDB took: all of it, or all but `droppedLines` (a partial write, logged with `reason`). */
export interface WriteOutcome {
  droppedLines: number;
  reason?: string;
}

const MAX_REASON_CHARS = 500;

/** Retry-After as seconds ("120") or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The error text of a response body: JSON {error}, {message} (2.x) or plain text; shortened. */
export function errorText(body: string): string {
  let text = body.trim();
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof json.error === 'string') text = json.error;
    else if (typeof json.message === 'string') text = json.message;
  } catch {
    // not JSON: keep the text
  }
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

/**
 * How many lines a partial-write answer says were dropped:
 * 1.x "partial write: … dropped=N" (N is 0 for parse errors: then the "unable to parse" count);
 * 2.x "partial write error (K written)"; 3.x {"data": [{line_number…}, …]}.
 */
function droppedOf(body: string, text: string, lines: number): number {
  const dropped = /dropped=(\d+)/.exec(text);
  if (dropped !== null && Number(dropped[1]) > 0) return Math.min(lines, Number(dropped[1]));
  const written = /\((\d+) written\)/.exec(text);
  if (written !== null) return Math.max(0, lines - Number(written[1]));
  try {
    const data = (JSON.parse(body) as { data?: unknown }).data;
    if (Array.isArray(data) && data.length > 0) return Math.min(lines, data.length);
  } catch {
    // not JSON
  }
  const unparsable = text.match(/unable to parse/g)?.length ?? 0;
  return Math.min(lines, Math.max(1, unparsable));
}

/** 2.x "errors encountered on line(s): line 2: …, line 5: …" (nothing was written). */
function badLinesOf(text: string): number[] {
  if (!/errors encountered on line/i.test(text)) return [];
  return [...text.matchAll(/line (\d+):/g)].map((m) => Number(m[1])).filter((n) => n > 0);
}

/**
 * Decide a write's fate from its response. Resolves to the outcome for 2xx and partial writes
 * (the server kept the good lines); throws SinkWriteError for everything else.
 */
export function writeResult(status: number, retryAfter: string | null | undefined, body: string, lines: number, nowMs: number): WriteOutcome {
  if (status >= 200 && status < 300) return { droppedLines: 0 };
  const text = errorText(body);
  const opts = { status, retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  const what = `HTTP ${status}${text === '' ? '' : `: ${text}`}`;
  if (status === 400 || status === 422) {
    if (/partial write/i.test(text)) return { droppedLines: droppedOf(body, text, lines), reason: text };
    const bad = badLinesOf(text);
    if (bad.length > 0 && bad.length < lines) return throwError('bad_lines', what, { ...opts, badLines: bad });
    // 1.x answers "unable to parse" without "partial write" only when no line parsed at all.
    return throwError('rejected', what, opts);
  }
  if (status === 401 || status === 403) return throwError('auth', what, opts);
  if (status === 404) return throwError('not_found', what, opts);
  if (status === 413) return throwError('too_large', what, opts);
  if (status === 408) return throwError('timeout', what, opts);
  if (status === 429 || status >= 500) return throwError('server', what, opts);
  return throwError('rejected', what, opts);
}

function throwError(kind: WriteErrorKind, message: string, opts: ConstructorParameters<typeof SinkWriteError>[2]): never {
  throw new SinkWriteError(kind, message, opts);
}

/** A failure below HTTP (fetch/transport error or abort) as a SinkWriteError. */
export function transportError(err: unknown, timedOut: boolean): SinkWriteError {
  if (err instanceof SinkWriteError) return err;
  if (timedOut) return new SinkWriteError('timeout', 'InfluxDB did not answer in time (request_timeout_ms)', { cause: err });
  const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = e.cause?.code ?? e.code;
  const detail = code ?? e.cause?.message ?? e.message ?? String(err);
  return new SinkWriteError('network', `cannot reach InfluxDB: ${detail}`, { cause: err });
}
