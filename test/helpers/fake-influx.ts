// A scripted HTTP server standing in for InfluxDB in UNIT tests of the writer and the v2 contract
// test (no InfluxDB 2.x/3.x is packaged for Debian; integration tests use the real influxd 1.6).
// It records every request and answers with whatever the test scripted.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Test } from 'tap';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Body as text (gunzipped when sent gzipped). */
  body: string;
  atMs: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Hold the answer this long (timeouts). */
  delayMs?: number;
}

export type Responder = (req: RecordedRequest) => Reply;

export interface FakeInflux {
  url: string;
  requests: RecordedRequest[];
  /** Requests to /write or /api/v2/write only. */
  writes(): RecordedRequest[];
  /** Replace the responder (default: 204 for every write). */
  respond(fn: Responder): void;
  /** Answer the next `replies` in order, then fall back to the responder. */
  queue(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startFakeInflux(t: Test): Promise<FakeInflux> {
  const requests: RecordedRequest[] = [];
  const scripted: Reply[] = [];
  let responder: Responder = () => ({ status: 204 });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'),
        atMs: Date.now(),
      };
      requests.push(rec);
      const reply = scripted.shift() ?? responder(rec);
      const send = () => {
        const isJson = reply.body !== undefined && reply.body.startsWith('{');
        res.writeHead(reply.status, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs !== undefined) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.teardown(close);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((r) => r.path === '/write' || r.path === '/api/v2/write'),
    respond(fn) {
      responder = fn;
    },
    queue(...replies) {
      scripted.push(...replies);
    },
    close,
  };
}
