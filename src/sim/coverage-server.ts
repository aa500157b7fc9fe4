// The simulated carriers' coverage feeds: an HTTP server on loopback serving the sample cell
// sites, cell status, measurements and carrier reports as files, with the cell status changeable
// at run time (a scripted base-station outage turns cells down; the next status read sees it).
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isLoopback } from '../inventory/address.js';

export type FeedKindName = 'cells' | 'status' | 'measurements' | 'reports';
export const FEED_KINDS: readonly FeedKindName[] = ['cells', 'status', 'measurements', 'reports'];

/** Files of the sample feeds, by kind (absent kinds are not served). */
export type FeedFiles = Partial<Record<FeedKindName, string>>;

export interface CoverageServerOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  host: string;
  /** TCP port (0: any free port). */
  port: number;
  files: FeedFiles;
}

export const DEFAULT_COVERAGE_SERVER: Omit<CoverageServerOptions, 'files'> = { host: '127.0.0.1', port: 0 };

export interface CoverageServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The URL of each served feed (what netcov's coverage.feeds[].url should be). */
  readonly urls: Partial<Record<FeedKindName, string>>;
  /** Mark cells down (or back up) in the status feed from now on. Keys: mcc-mnc-radio-area-cell. */
  setCells(keys: readonly string[], up: boolean): void;
  /** Keys currently forced down. */
  downCells(): string[];
  /** Requests served per path. */
  readonly hits: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

const STATUS_HEADER = 'radio,mcc,net,area,cell,status,since';

/** The file of each kind in a directory: the first name starting with the kind (cells*.csv[.gz] …). */
export function findFeedFiles(dir: string): FeedFiles {
  if (!existsSync(dir)) return {};
  const names = readdirSync(dir).sort();
  const files: FeedFiles = {};
  for (const kind of FEED_KINDS) {
    const name = names.find((n) => n.startsWith(kind) && /\.(csv|jsonl|ndjson|json)(\.gz)?$/.test(n) && statSync(join(dir, n)).isFile());
    if (name) files[kind] = join(dir, name);
  }
  return files;
}

/** A status row from a cell key (pure; exported for tests). */
export function statusRow(key: string, up: boolean, sinceIso: string): string {
  const parts = key.split('-');
  if (parts.length !== 5 || parts.some((p) => p === '')) throw new Error(`not a cell key (mcc-mnc-radio-area-cell): ${key}`);
  const [mcc, mnc, radio, area, cell] = parts as [string, string, string, string, string];
  return `${radio},${mcc},${mnc},${area},${cell},${up ? 'up' : 'down'},${sinceIso}`;
}

/**
 * The status feed as served: the sample file's rows, then one row per changed cell. The status
 * parser lets the last row for a cell win, so the appended rows override the file (pure).
 */
export function statusDocument(baseCsv: string | undefined, changes: ReadonlyMap<string, { up: boolean; sinceMs: number }>): string {
  const lines = baseCsv ? baseCsv.replace(/\r\n/g, '\n').split('\n').filter((l) => l.trim() !== '') : [];
  // Whole-line # comments may come first (the sample files have them); the header is the first other line.
  const first = lines.findIndex((l) => !l.startsWith('#'));
  if (first === -1) lines.push(STATUS_HEADER);
  else if (!/^\s*radio\s*,/i.test(lines[first] ?? '')) lines.splice(first, 0, STATUS_HEADER);
  for (const [key, c] of changes) lines.push(statusRow(key, c.up, new Date(c.sinceMs).toISOString()));
  return `${lines.join('\n')}\n`;
}

function contentType(file: string): string {
  if (file.endsWith('.gz')) return 'application/gzip';
  if (/\.(jsonl|ndjson)$/.test(file)) return 'application/x-ndjson';
  if (file.endsWith('.json')) return 'application/json';
  return 'text/csv; charset=utf-8';
}

/** Served path of a feed file: /<kind> plus the file's extension, so netcov infers the format. */
function servedPath(kind: FeedKindName, file: string): string {
  const ext = /\.(csv|jsonl|ndjson|json)(\.gz)?$/.exec(file)?.[0] ?? '.csv';
  return `/${kind}${ext}`;
}

export async function startCoverageServer(options: Partial<CoverageServerOptions> & Pick<CoverageServerOptions, 'files'>): Promise<CoverageServer> {
  const o = { ...DEFAULT_COVERAGE_SERVER, ...options };
  if (!isLoopback(o.host)) throw new Error(`the coverage feed server listens on loopback only, not ${o.host}`);
  if (o.files.status?.endsWith('.gz') || (o.files.status && !o.files.status.endsWith('.csv')))
    throw new Error(`the status feed must be a plain CSV file (its rows are rewritten when cells change): ${o.files.status}`);
  const baseStatus = o.files.status ? readFileSync(o.files.status, 'utf8') : undefined;
  const changes = new Map<string, { up: boolean; sinceMs: number }>();
  const hits = new Map<string, number>();
  const routes = new Map<string, { kind: FeedKindName; file?: string }>();
  for (const kind of FEED_KINDS) {
    const file = o.files[kind];
    if (file) routes.set(servedPath(kind, file), { kind, file });
  }
  // The status feed is always served (empty = every cell up), so an outage works without a sample file.
  if (!o.files.status) routes.set('/status.csv', { kind: 'status' });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(path);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no feed at ${path}; feeds: ${[...routes.keys()].join(', ')}\n`);
      return;
    }
    if (route.kind === 'status') {
      const body = statusDocument(baseStatus, changes);
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = route.file as string;
    res.writeHead(200, { 'content-type': contentType(file), 'content-length': statSync(file).size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${o.host}:${port}`;
  const urls: Partial<Record<FeedKindName, string>> = {};
  for (const [path, r] of routes) urls[r.kind] = `${url}${path}`;

  return {
    url,
    urls,
    hits,
    setCells(keys, up) {
      const now = Date.now();
      for (const key of keys) {
        statusRow(key, up, ''); // validates the key before it reaches the feed
        changes.set(key, { up, sinceMs: now });
      }
    },
    downCells: () => [...changes].filter(([, c]) => !c.up).map(([k]) => k),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
