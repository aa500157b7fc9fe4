// Unit tests of trap handling: what a PDU means (v1 and v2c shapes, hostile shapes), why a
// datagram was refused (without echoing what it carried), once-per-interval logging, and the
// listener end to end with net-snmp's own trap sender on loopback (Debian's snmptrap is used in
// test/integration/snmp-traps.test.ts).
import * as snmp from 'net-snmp';
import t from 'tap';
import { defaultConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { loadInventory } from '../../src/inventory/load.js';
import { ObservationBus, type PointEvent } from '../../src/observations.js';
import { classifyTrapError, createTrapListener, interpretTrap, OncePer } from '../../src/probes/snmp/traps.js';
import { captureLog } from '../helpers/log-capture.js';
import { freeUdpPort } from '../helpers/ports.js';

const V2 = snmp.PduType.TrapV2;
const trapOid = (oid: string) => ({ oid: '1.3.6.1.6.3.1.1.4.1.0', type: snmp.ObjectType.OID, value: oid });

void t.test('interpretTrap: v2c standard traps and the interface they name', async (t) => {
  const linkDown = interpretTrap({
    type: V2,
    varbinds: [
      { oid: '1.3.6.1.2.1.1.3.0', type: snmp.ObjectType.TimeTicks, value: 500 },
      trapOid('1.3.6.1.6.3.1.1.5.3'),
      { oid: '1.3.6.1.2.1.2.2.1.1.7', type: snmp.ObjectType.Integer, value: 7 },
      { oid: '1.3.6.1.2.1.2.2.1.7.7', type: snmp.ObjectType.Integer, value: 1 },
      { oid: '1.3.6.1.2.1.2.2.1.8.7', type: snmp.ObjectType.Integer, value: 2 },
      { oid: '1.3.6.1.2.1.31.1.1.1.1.7', type: snmp.ObjectType.OctetString, value: Buffer.from('ge-0/0/1') },
    ],
  });
  t.same(linkDown, { type: 'link_down', trapOid: '1.3.6.1.6.3.1.1.5.3', ifIndex: 7, ifName: 'ge-0/0/1' });
  // Only ifOperStatus.N: N is the interface.
  t.same(interpretTrap({ type: V2, varbinds: [trapOid('1.3.6.1.6.3.1.1.5.4'), { oid: '1.3.6.1.2.1.2.2.1.8.3', value: 1 }] }), {
    type: 'link_up',
    trapOid: '1.3.6.1.6.3.1.1.5.4',
    ifIndex: 3,
  });
  for (const [oid, type] of [
    ['1.3.6.1.6.3.1.1.5.1', 'cold_start'],
    ['1.3.6.1.6.3.1.1.5.2', 'warm_start'],
    ['1.3.6.1.6.3.1.1.5.5', 'authentication_failure'],
    ['1.3.6.1.4.1.9.9.41.2.0.1', 'trap_other'],
  ] as const) {
    t.equal(interpretTrap({ type: V2, varbinds: [trapOid(oid)] }).type, type, oid);
  }
});

void t.test('interpretTrap: v1 generic and enterprise-specific traps', async (t) => {
  t.same(interpretTrap({ type: snmp.PduType.Trap, generic: 2, specific: 0, enterprise: '1.3.6.1.4.1.8072', varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.4', value: 4 }] }), {
    type: 'link_down',
    trapOid: '1.3.6.1.6.3.1.1.5.3',
    ifIndex: 4,
  });
  t.same(interpretTrap({ type: snmp.PduType.Trap, generic: 6, specific: 17, enterprise: '1.3.6.1.4.1.9', varbinds: [] }), { type: 'trap_other', trapOid: '1.3.6.1.4.1.9.0.17' });
});

void t.test('interpretTrap: hostile shapes never throw', async (t) => {
  const shapes: unknown[] = [
    {},
    { type: V2, varbinds: null },
    { type: V2, varbinds: [null, 5, 'x', { oid: 7 }, { oid: '1.3.6.1.2.1.2.2.1.1.1', value: -3 }, { oid: '1.3.6.1.2.1.2.2.1.1.1', value: 1.5 }] },
    { type: V2, varbinds: [{ oid: '1.3.6.1.6.3.1.1.4.1.0', value: Buffer.from('x') }, { oid: '1.3.6.1.2.1.2.2.1.8.abc', value: 2 }] },
    { type: snmp.PduType.Trap, generic: 'two', enterprise: 5 },
  ];
  for (const pdu of shapes) t.doesNotThrow(() => interpretTrap(pdu as Parameters<typeof interpretTrap>[0]));
  t.same(interpretTrap({ type: V2, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.1', value: -3 }] }), { type: 'trap_other', trapOid: '' });
});

void t.test('classifyTrapError and OncePer', async (t) => {
  t.equal(classifyTrapError(new snmp.RequestFailedError('Local community not found for message with community s3cret', 0)), 'unknown_community');
  t.equal(classifyTrapError(new snmp.RequestFailedError('Local user not found for message with user bob', 0)), 'unknown_user');
  t.equal(classifyTrapError(new snmp.ResponseInvalidError('Authentication digest …', snmp.ResponseInvalidCode.EAuthFailure)), 'auth');
  t.equal(classifyTrapError(Object.assign(new Error('Unexpected PDU type 160 (GetRequest)'), { name: 'RequestInvalidError' })), 'unexpected_pdu');
  t.equal(classifyTrapError(Object.assign(new Error('bind'), { code: 'EADDRINUSE' })), 'socket');
  t.equal(classifyTrapError(new Error('Failure to process incoming message')), 'malformed');
  t.equal(classifyTrapError(undefined), 'malformed');

  const once = new OncePer(1000, 2);
  t.equal(once.allow('a', 0), 0);
  t.equal(once.allow('a', 10), undefined);
  t.equal(once.allow('a', 20), undefined);
  t.equal(once.allow('a', 1000), 2, 'reports what it suppressed');
  t.equal(once.allow('b', 1000), 0);
  t.equal(once.allow('c', 1000), 0, 'a third key evicts the oldest');
  t.equal(once.allow('a', 1001), 0, 'a was evicted: allowed again');
});

function sendTrap(from: string, port: number, community: string, oid: string, varbinds: snmp.Varbind[] = []): Promise<void> {
  const session = snmp.createSession('127.0.0.1', community, { version: snmp.Version2c, trapPort: port, sourceAddress: from });
  return new Promise<void>((resolve, reject) => {
    session.trap(oid, varbinds, (err: Error | null) => {
      session.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

void t.test('listener: events, re-checks, unknown sources and bad communities', async (t) => {
  const { inventory } = loadInventory('test/fixtures/inventory-2level');
  const config = defaultConfig();
  config.snmp.traps.port = await freeUdpPort();
  config.snmp.credentials.default = { version: '2c', community: new Secret('trap-secret', 'inline') };
  const bus = new ObservationBus();
  const events: PointEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const rechecks: string[][] = [];
  const captured = captureLog();
  const listener = createTrapListener({ snmp: config.snmp, inventory, bus, log: captured.log, recheck: (ids) => rechecks.push(ids) });
  await listener.start();
  t.teardown(() => listener.stop());
  t.equal(listener.port(), config.snmp.traps.port);
  const commune = inventory.points[1];
  if (!commune) throw new Error('fixture changed');

  await sendTrap(commune.address, config.snmp.traps.port, 'trap-secret', '1.3.6.1.6.3.1.1.5.3', [{ oid: '1.3.6.1.2.1.2.2.1.1.2', type: snmp.ObjectType.Integer, value: 2 }]);
  await sendTrap(commune.address, config.snmp.traps.port, 'trap-secret', '1.3.6.1.6.3.1.1.5.5');
  for (let i = 0; i < 5; i++) await sendTrap('127.66.250.250', config.snmp.traps.port, 'trap-secret', '1.3.6.1.6.3.1.1.5.3');
  for (let i = 0; i < 3; i++) await sendTrap(commune.address, config.snmp.traps.port, 'wrong-community', '1.3.6.1.6.3.1.1.5.3');
  await new Promise((r) => setTimeout(r, 200));

  t.same(events.map((e) => [e.pointId, e.type, e.source, e.ifIndex]), [
    [commune.id, 'link_down', 'trap', 2],
    [commune.id, 'authentication_failure', 'trap', undefined],
  ]);
  t.same(rechecks, [[commune.id]], 'a link trap asks for a re-check; an authentication failure does not');
  const s = listener.stats();
  t.same([s.received, s.events, s.unknownSources, s.rejected.unknown_community], [7, 2, 5, 3]);
  t.equal(captured.events('snmp_trap_unknown_source').length, 1, 'an unknown source is logged once per interval');
  const rejected = captured.events('snmp_trap_rejected');
  t.equal(rejected.length, 1);
  t.same(rejected[0]?.point_ids, [commune.id], 'the rejected trap names the point it came from');
  t.notOk(captured.text().includes('trap-secret') || captured.text().includes('wrong-community'), 'no community in the log');
});

void t.test('listener: a port in use is a clear error', async (t) => {
  const { inventory } = loadInventory('test/fixtures/inventory-2level');
  const config = defaultConfig();
  config.snmp.traps.port = await freeUdpPort();
  const deps = { snmp: config.snmp, inventory, bus: new ObservationBus(), log: captureLog().log, recheck: () => undefined };
  const first = createTrapListener(deps);
  await first.start();
  t.teardown(() => first.stop());
  const second = createTrapListener(deps);
  await t.rejects(second.start(), /cannot listen for SNMP traps on udp 127\.0\.0\.1:\d+: EADDRINUSE/);
  await second.stop();
});
