// Fuzz: 100,000 random and mutated UDP datagrams at netcov's SNMP code, on loopback.
//  - 50,000 to the trap listener (mutations of real v1, v2c, inform and v3 authPriv traps captured
//    from net-snmp's sender, plus random bytes), from a point's address and from a stranger;
//  - 50,000 returned as responses to the poller (the full source: walk, counters, samples) by a
//    fake agent — a bare UDP socket, since no real agent can be made to answer garbage — that
//    answers each request with mutated and random datagrams, usually followed by a plausible
//    response carrying the request's id and random values of random types.
// Passing means: no crash, no hung poll, every datagram to the listener counted, errors counted,
// every sample still matches the metric schema, and both sides work normally afterwards.
// The generator is seeded (printed) so a failure can be replayed with NETCOV_FUZZ_SEED.
import { createSocket, type Socket } from 'node:dgram';
import * as snmp from 'net-snmp';
import t from 'tap';
import { Secret } from '../../src/config/secret.js';
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import { ObservationBus, type PointEvent } from '../../src/observations.js';
import { createTrapListener } from '../../src/probes/snmp/traps.js';
import { freeUdpPort } from '../helpers/ports.js';
import { mutate, oid, parseRequest, plausibleResponse, response, rng, tlv } from '../helpers/snmp-fuzz.js';
import { inventoryWith, recordingSource } from '../helpers/snmp-points.js';
import { captureLog } from '../helpers/log-capture.js';
import { defaultConfig } from '../../src/config/load.js';

const PER_SIDE = 50_000;
const SEED = Number(process.env.NETCOV_FUZZ_SEED ?? Date.now() % 2 ** 31);
const POINT_ADDRESS = '127.66.77.1';
const STRANGER_ADDRESS = '127.66.77.2';

async function bound(address: string, port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(port, address, resolve));
  return s;
}

const send = (s: Socket, b: Buffer, port: number, host: string) => new Promise<void>((resolve) => s.send(b, port, host, () => resolve()));

/** Real trap datagrams as net-snmp sends them (v1, v2c, inform, v3 authPriv), captured on a socket. */
async function capturedTraps(): Promise<Buffer[]> {
  const sink = await bound('127.0.0.1');
  const port = sink.address().port;
  const seen: Buffer[] = [];
  sink.on('message', (m) => seen.push(m));
  const vbs: snmp.Varbind[] = [
    { oid: '1.3.6.1.2.1.2.2.1.1.3', type: snmp.ObjectType.Integer, value: 3 },
    { oid: '1.3.6.1.2.1.31.1.1.1.1.3', type: snmp.ObjectType.OctetString, value: 'ge-0/0/2' },
  ];
  const opts = { trapPort: port, timeout: 100, retries: 0 };
  const v1 = snmp.createSession('127.0.0.1', 'fuzz', { ...opts, version: snmp.Version1 });
  const v2 = snmp.createSession('127.0.0.1', 'fuzz', { ...opts, version: snmp.Version2c });
  const v3 = snmp.createV3Session('127.0.0.1', { name: 'fuzzer', level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha, authKey: 'fuzz-auth-key', privProtocol: snmp.PrivProtocols.aes, privKey: 'fuzz-priv-key' }, { ...opts, version: snmp.Version3 });
  const done = (s: snmp.Session) => new Promise<void>((resolve) => s.trap(snmp.TrapType.LinkDown, vbs, () => resolve()));
  await done(v1);
  await done(v2);
  await new Promise<void>((resolve) => v2.trap('1.3.6.1.6.3.1.1.5.1', [], () => resolve()));
  await new Promise<void>((resolve) => v2.inform('1.3.6.1.6.3.1.1.5.4', vbs, () => resolve())); // times out: fine, it was sent
  await done(v3);
  for (const s of [v1, v2, v3]) s.close();
  await new Promise((r) => setTimeout(r, 50));
  sink.close();
  return seen;
}

void t.test(`fuzz: 2 × ${PER_SIDE} datagrams, seed ${SEED}`, async (t) => {
  t.comment(`replay with NETCOV_FUZZ_SEED=${SEED}`);
  const r = rng(SEED);

  // ------------------------------------------------------------------ trap listener
  await t.test('trap listener', async (t) => {
    const inventory = inventoryWith([{ id: 'fuzz-point', address: POINT_ADDRESS, port: 1161 }]);
    const config = defaultConfig();
    config.snmp.traps.port = await freeUdpPort();
    config.snmp.credentials = {
      default: { version: '2c', community: new Secret('fuzz', 'inline') },
      v3: { version: '3', user: 'fuzzer', level: 'authPriv', auth_protocol: 'sha', auth_key: new Secret('fuzz-auth-key', 'inline'), priv_protocol: 'aes', priv_key: new Secret('fuzz-priv-key', 'inline') },
    };
    config.snmp.traps.credentials = ['default', 'v3'];
    const bus = new ObservationBus();
    const events: PointEvent[] = [];
    bus.on('event', (e) => events.push(e));
    const captured = captureLog('info');
    const listener = createTrapListener({ snmp: config.snmp, inventory, bus, log: captured.log, recheck: () => undefined });
    await listener.start();
    t.teardown(() => listener.stop());

    const seeds = await capturedTraps();
    t.ok(seeds.length >= 5, `${seeds.length} real trap datagrams as seeds`);
    const fromPoint = await bound(POINT_ADDRESS);
    const fromStranger = await bound(STRANGER_ADDRESS);
    t.teardown(() => {
      fromPoint.close();
      fromStranger.close();
    });

    const port = config.snmp.traps.port;
    let sent = 0;
    const BATCH = 100;
    while (sent < PER_SIDE) {
      const batch: Promise<void>[] = [];
      for (let k = 0; k < BATCH && sent < PER_SIDE; k++, sent++) {
        const roll = r.int(100);
        const seed = seeds[r.int(seeds.length)] as Buffer;
        const datagram = roll < 20 ? r.bytes(r.int(600)) : roll < 25 ? seed : mutate(r, seed);
        batch.push(send(r.int(4) === 0 ? fromStranger : fromPoint, datagram, port, '127.0.0.1'));
      }
      await Promise.all(batch);
      // Pace: let the listener drain the socket, so the kernel drops nothing and every datagram is counted.
      for (let wait = 0; listener.stats().datagrams < sent && wait < 400; wait++) await new Promise((res) => setImmediate(res));
      if (listener.stats().datagrams < sent) await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, 100));
    const s = listener.stats();
    const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
    t.comment(`trap listener: ${JSON.stringify(s)}; ${events.length} events`);
    t.equal(s.datagrams, PER_SIDE, 'every datagram reached the listener and was counted');
    t.ok(rejected > PER_SIDE / 2, `${rejected} rejected and counted by reason`);
    t.ok(s.received > 0 && s.received + rejected <= s.datagrams, 'accepted + rejected ≤ datagrams');
    t.ok(events.every((e) => e.pointId === 'fuzz-point'), 'events only ever name the known point');
    t.ok(captured.lines().length < 200, `logging stayed bounded (${captured.lines().length} lines for ${PER_SIDE} datagrams)`);

    // Still works: a clean trap from the point is an event.
    const before = events.length;
    await send(fromPoint, seeds[1] as Buffer, port, '127.0.0.1');
    await new Promise((res) => setTimeout(res, 100));
    t.equal(events.length, before + 1, 'a valid trap after the fuzz is still an event');
  });

  // ------------------------------------------------------------------ poller
  await t.test('poller (full source)', async (t) => {
    const agent = await bound('127.0.0.1');
    t.teardown(() => agent.close());
    const agentPort = agent.address().port;
    const POINTS = 32;
    const inventory = inventoryWith(Array.from({ length: POINTS }, (_, i) => ({ id: `fuzz-${i}`, address: '127.0.0.1', port: agentPort })));
    const rec = recordingSource(inventory, (c) => {
      c.snmp.timeout_ms = 100;
      c.snmp.retries = 0;
      c.snmp.concurrency = POINTS;
      c.snmp.credentials.default = { version: '2c', community: 'fuzz' };
    });
    t.teardown(() => rec.source.stop());

    let fuzzed = 0;
    let honest = false;
    agent.on('message', (msg, rinfo) => {
      const req = parseRequest(msg);
      if (!req) return;
      if (honest) {
        // Answer properly: every GET asked gets an OctetString.
        void send(agent, response(req, req.oids.map((o) => [o, tlv(0x04, Buffer.from('ok'))])), rinfo.port, rinfo.address);
        return;
      }
      const n = 2 + r.int(8);
      for (let k = 0; k < n && fuzzed < PER_SIDE; k++, fuzzed++) {
        const plausible = plausibleResponse(r, req);
        const roll = r.int(100);
        const datagram = roll < 15 ? r.bytes(r.int(400)) : roll < 40 ? plausible : mutate(r, plausible);
        void send(agent, datagram, rinfo.port, rinfo.address);
      }
      // Usually end with a plausible answer, so the request completes instead of timing out.
      if (r.int(100) < 85) void send(agent, plausibleResponse(r, req), rinfo.port, rinfo.address);
    });

    let polls = 0;
    let unsettled = 0;
    const started = Date.now();
    // Each point polls in its own loop (a slow answer holds only its point), until the fuzz is spent.
    await Promise.all(
      inventory.points.map(async (p) => {
        while (fuzzed < PER_SIDE && Date.now() - started < 120_000) {
          const res = await rec.source.pollNow(p.id);
          polls++;
          if (res === undefined) unsettled++;
        }
      }),
    );
    t.equal(unsettled, 0, 'every poll settled with a result');
    const stats = rec.source.stats();
    t.comment(`poller: ${polls} polls in ${Date.now() - started} ms, ${fuzzed} fuzzed datagrams; failures ${JSON.stringify(stats.failures)}, malformed ${stats.malformedResponses}`);
    t.equal(fuzzed, PER_SIDE, 'all fuzzed datagrams were sent');
    t.equal(stats.polls, polls);
    t.ok((stats.failures.protocol ?? 0) + (stats.failures.agent ?? 0) > 0, 'failed polls are counted by kind');
    t.ok(stats.malformedResponses > 0, `${stats.malformedResponses} malformed responses counted`);
    t.ok(rec.observations.some((o) => o.ok), 'some polls made sense of the random answers');
    t.doesNotThrow(() => encodeSamples(rec.samples), `all ${rec.samples.length} samples match the metric schema`);

    // Still works: an honest answer to a plain GET after all that.
    honest = true;
    const clean = await import('../../src/probes/snmp/session.js').then((m) =>
      m.openNetSnmpClient({ host: '127.0.0.1', port: agentPort }, { version: '2c', community: 'fuzz' }, { timeoutMs: 500, retries: 1 }),
    );
    const vbs = await clean.get(['1.3.6.1.2.1.1.5.0']);
    t.equal(String(vbs[0]?.value), 'ok');
    clean.close();
    t.ok(oid('1.3.6.1').length > 0);
  });
});
