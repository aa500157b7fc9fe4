// Where a feed's bytes come from: an HTTP(S) URL (fetch, optional bearer token) or a local file,
// optionally gzip-compressed, with a size cap and a deadline. Returns a byte stream for the
// parsers; every failure surfaces as a stream error or a FeedSourceError, never a crash.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FeedFormat } from './records.js';

export interface FeedSourceOptions {
  url?: string;
  path?: string;
  format: FeedFormat | 'auto';
  compression: 'auto' | 'gzip' | 'none';
  maxBytes: number;
  /** Sent as `Authorization: Bearer …` to a URL; never logged. */
  token?: string;
  signal?: AbortSignal;
}

export class FeedSourceError extends Error {
  constructor(
    message: string,
    /** True when trying again later may work (network, 5xx, 429). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'FeedSourceError';
  }
}

export interface OpenedFeed {
  stream: Readable;
  format: FeedFormat;
}

/** Format from a file name or URL path: .jsonl/.ndjson → jsonl, .json → json, else CSV (a .gz suffix is ignored). */
export function formatFromName(name: string, contentType = ''): FeedFormat {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.endsWith('.jsonl') || n.endsWith('.ndjson') || /ndjson|jsonl/.test(contentType)) return 'jsonl';
  if (n.endsWith('.json') || /application\/json/.test(contentType)) return 'json';
  return 'csv';
}

function sizeCap(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new FeedSourceError(`larger than ${maxBytes} bytes`, false));
      else done(null, chunk);
    },
  });
}

function chain(source: Readable, gzip: boolean, maxBytes: number): Readable {
  const stages: (Readable | Transform)[] = [source, sizeCap(maxBytes)];
  if (gzip) stages.push(createGunzip());
  // pipeline destroys every stage on error; the last one carries the error to the reader.
  return pipeline(stages as unknown as [Readable, Transform], () => {}) as unknown as Readable;
}

export async function openFeed(o: FeedSourceOptions): Promise<OpenedFeed> {
  if (o.url) {
    const url = new URL(o.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedSourceError(`unsupported URL scheme ${url.protocol}`, false);
    let res: Response;
    try {
      res = await fetch(url, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, ...(o.signal ? { signal: o.signal } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new FeedSourceError(`fetch failed: ${cause ?? (err as Error).name}`, true);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new FeedSourceError(`HTTP ${res.status}`, res.status >= 500 || res.status === 429 || res.status === 408);
    }
    const gzip = o.compression === 'gzip' || (o.compression === 'auto' && url.pathname.toLowerCase().endsWith('.gz'));
    const format = o.format === 'auto' ? formatFromName(url.pathname, res.headers.get('content-type') ?? '') : o.format;
    return { stream: chain(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), gzip, o.maxBytes), format };
  }
  if (o.path) {
    try {
      const st = await stat(o.path);
      if (!st.isFile()) throw new FeedSourceError(`${o.path} is not a file`, false);
    } catch (err) {
      if (err instanceof FeedSourceError) throw err;
      throw new FeedSourceError(`cannot read ${o.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, true);
    }
    const gzip = o.compression === 'gzip' || (o.compression === 'auto' && o.path.toLowerCase().endsWith('.gz'));
    const format = o.format === 'auto' ? formatFromName(o.path) : o.format;
    return { stream: chain(createReadStream(o.path, o.signal ? { signal: o.signal } : {}), gzip, o.maxBytes), format };
  }
  throw new FeedSourceError('feed has neither url nor path', false);
}
