// Test plumbing for alerting: a manual clock, ICMP rounds built for the whole inventory with some
// points dark or lossy, and a real webhook receiver on node:http that checks signatures.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Inventory } from '../../src/inventory/model.js';
import type { IcmpObservation } from '../../src/observations.js';
import { verifySignature } from '../../src/notify/webhook.js';

export class ManualClock {
  constructor(public nowMs = Date.UTC(2026, 4, 28, 7, 0, 0)) {}
  now = (): number => this.nowMs;
  advance(ms: number): number {
    this.nowMs += ms;
    return this.nowMs;
  }
}

export interface RoundSpec {
  /** Points answering nothing. */
  dark?: Iterable<string>;
  /** Points answering this many of 3 echoes. */
  partial?: ReadonlyMap<string, number>;
}

/** One ICMP round over every point of the inventory, as the probe would publish it. */
export function icmpRound(inv: Inventory, timeMs: number, spec: RoundSpec = {}): IcmpObservation[] {
  const dark = new Set(spec.dark ?? []);
  return inv.points.map((p) => {
    const received = dark.has(p.id) ? 0 : (spec.partial?.get(p.id) ?? 3);
    const o: IcmpObservation = { pointId: p.id, timeMs, transmitted: 3, received, percentPacketLoss: (100 * (3 - received)) / 3, resultCode: 0 };
    if (received) Object.assign(o, { minimumResponseMs: 0.04, averageResponseMs: 0.05, medianResponseMs: 0.05, maximumResponseMs: 0.06 });
    return o;
  });
}

export interface ReceivedHook {
  body: Record<string, unknown> & { kind: string; status: string; title: string; text: string; alert: Record<string, unknown> & { condition: string; point_id: string; id: number } };
  raw: string;
  headers: IncomingMessage['headers'];
  signatureOk: boolean;
  atMs: number;
}

/** A real webhook receiver (node:http) that records every POST and checks its HMAC signature. */
export async function startWebhookReceiver(secret: string, status = 200): Promise<{ url: string; received: ReceivedHook[]; server: Server; setStatus(s: number): void; close(): Promise<void> }> {
  const received: ReceivedHook[] = [];
  let answer = status;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (answer < 300) {
        received.push({ body: JSON.parse(raw) as ReceivedHook['body'], raw, headers: req.headers, signatureOk: verifySignature(secret, raw, req.headers['x-netcov-signature'] as string | undefined), atMs: Date.now() });
      }
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    server,
    setStatus: (s) => (answer = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Summaries "kind condition point" of received webhooks. */
export function hookSummary(received: readonly ReceivedHook[]): string[] {
  return received.map((r) => `${r.body.kind} ${r.body.alert.condition} ${r.body.alert.point_id}`);
}
