// Unit tests of the column-parallel walker and the device reader against an in-memory agent
// (test/helpers/fake-snmp.ts): truncated GETBULK answers, agents without ifXTable or 64-bit
// counters, SNMPv1, interface filters, profile scalars, looping agents.
import * as snmp from 'net-snmp';
import t from 'tap';
import { INITIAL_SHAPE, readDevice, scalarValue, text, type DevicePlan } from '../../src/probes/snmp/device.js';
import { IF_COLUMNS } from '../../src/probes/snmp/oids.js';
import { SnmpError } from '../../src/probes/snmp/session.js';
import { walkColumns } from '../../src/probes/snmp/walk.js';
import { FakeAgent, FakeRouter } from '../helpers/fake-snmp.js';

const PLAN: DevicePlan = { scalars: {}, interfaces: true };
const WALK = { maxRepetitions: 25, maxRows: 1000 };
let clock = 0;
const now = () => (clock += 10);

void t.test('walkColumns: several columns in one GETBULK, system scalars as non-repeaters', async (t) => {
  const r = new FakeRouter({ interfaces: 4 });
  const res = await walkColumns(r.client(), [IF_COLUMNS.ifOperStatus, IF_COLUMNS.ifName], ['1.3.6.1.2.1.1.5'], WALK);
  t.equal(res.requests, 1, 'one round trip');
  t.same([...(res.columns.get(IF_COLUMNS.ifName)?.keys() ?? [])], ['1', '2', '3', '4']);
  t.equal(res.nonRepeaters[0]?.oid, '1.3.6.1.2.1.1.5.0');
});

void t.test('walkColumns: an agent that truncates answers is resumed per column', async (t) => {
  const r = new FakeRouter({ interfaces: 20, maxVarbinds: 7 });
  const res = await walkColumns(r.client(), [IF_COLUMNS.ifOperStatus, IF_COLUMNS.ifName, IF_COLUMNS.ifHCInOctets], [], WALK);
  for (const col of [IF_COLUMNS.ifOperStatus, IF_COLUMNS.ifName, IF_COLUMNS.ifHCInOctets]) t.equal(res.columns.get(col)?.size, 20, col);
  t.ok(res.requests >= 9, `needed ${res.requests} requests`);
});

void t.test('walkColumns: an empty column ends at once; a column at the end of the MIB ends too', async (t) => {
  const a = new FakeAgent().set('1.3.6.1.2.1.2.2.1.8.1', snmp.ObjectType.Integer, 1);
  const res = await walkColumns(a.client(), [IF_COLUMNS.ifName, IF_COLUMNS.ifOperStatus], [], WALK);
  t.equal(res.columns.get(IF_COLUMNS.ifName)?.size, 0);
  t.equal(res.columns.get(IF_COLUMNS.ifOperStatus)?.size, 1);
});

void t.test('walkColumns: OIDs that do not increase are refused (an agent in a loop)', async (t) => {
  const a = new FakeAgent();
  const c = a.client();
  c.getBulk = async () => [[{ oid: `${IF_COLUMNS.ifName}.5`, type: snmp.ObjectType.OctetString, value: Buffer.from('x') }, { oid: `${IF_COLUMNS.ifName}.3`, type: snmp.ObjectType.OctetString, value: Buffer.from('y') }]];
  await t.rejects(walkColumns(c, [IF_COLUMNS.ifName], [], WALK), { name: 'SnmpError', kind: 'protocol' });
  c.getBulk = async (oids) => [[{ oid: `${oids[0]}.1`, type: snmp.ObjectType.Integer, value: 1 }]];
  await t.rejects(walkColumns(c, [IF_COLUMNS.ifName], [], { maxRepetitions: 1, maxRows: 50 }), /more than 50 rows/);
});

void t.test('walkColumns: SNMPv1 walks column by column with GETNEXT and stops at noSuchName', async (t) => {
  const r = new FakeRouter({ interfaces: 2, version: '1', xTable: false });
  const res = await walkColumns(r.client(), [IF_COLUMNS.ifDescr, IF_COLUMNS.ifOperStatus], ['1.3.6.1.2.1.1.3'], WALK);
  t.same([...(res.columns.get(IF_COLUMNS.ifDescr)?.keys() ?? [])], ['1', '2']);
  t.equal(res.nonRepeaters[0]?.oid, '1.3.6.1.2.1.1.3.0');
  // The last column of the MIB: GETNEXT past the end is noSuchName in v1.
  const end = new FakeAgent({ version: '1' }).set('1.3.6.1.2.1.2.2.1.8.1', snmp.ObjectType.Integer, 1);
  const r2 = await walkColumns(end.client(), [IF_COLUMNS.ifOperStatus], [], WALK);
  t.equal(r2.columns.get(IF_COLUMNS.ifOperStatus)?.size, 1);
});

void t.test('readDevice: a modern agent in one request, counters as 64-bit readings', async (t) => {
  const r = new FakeRouter({ interfaces: 3, sysName: 'district-643' });
  r.advance(10, [1000, 2000, 3000]);
  const s = await readDevice(r.client(), PLAN, INITIAL_SHAPE, WALK, now);
  t.equal(s.requests, 1);
  t.equal(s.sysName, 'district-643');
  t.equal(s.sysDescr, 'fake router');
  t.equal(s.uptimeTicks, 101_000);
  t.equal(s.interfaces.length, 3);
  const up = s.interfaces[0];
  t.same(
    { name: up?.name, alias: up?.alias, oper: up?.operStatus, admin: up?.adminStatus, mbps: up?.highSpeedMbps, bps: up?.speedBitsPerSecond },
    { name: 'uplink0', alias: 'to district', oper: 1, admin: 1, mbps: 100, bps: 100e6 },
  );
  t.same(up?.counters.inOctets, { value: 10_000n, width: 64 });
  t.same(up?.counters.inErrors, { value: 0n, width: 32 });
  t.same(s.shape, { hasXTable: true, hasHighCapacity: true, rows: 3 });
  // The next poll asks for rows + 1 repetitions only.
  const c = r.client();
  const seen: number[] = [];
  const orig = c.getBulk;
  c.getBulk = (oids, nr, reps) => {
    seen.push(reps);
    return orig(oids, nr, reps);
  };
  await readDevice(c, PLAN, s.shape, WALK, now);
  t.same(seen, [4]);
});

void t.test('readDevice: an agent without 64-bit counters falls back to Counter32, then remembers', async (t) => {
  const r = new FakeRouter({ interfaces: 2, highCapacity: false });
  r.advance(1, [5, 6]);
  const s = await readDevice(r.client(), PLAN, INITIAL_SHAPE, WALK, now);
  t.same(s.interfaces[0]?.counters.inOctets, { value: 5n, width: 32 });
  t.same(s.shape, { hasXTable: true, hasHighCapacity: false, rows: 2 });
  t.equal(s.requests, 2, 'the first poll needed a second walk');
  const again = await readDevice(r.client(), PLAN, s.shape, WALK, now);
  t.equal(again.requests, 1, 'later polls ask for the right columns at once');
  t.same(again.interfaces[1]?.counters.inOctets, { value: 6n, width: 32 });
});

void t.test('readDevice: an agent without ifXTable: ifDescr names, ifSpeed', async (t) => {
  const r = new FakeRouter({ interfaces: 2, xTable: false, speedMbps: 10 });
  const s = await readDevice(r.client(), PLAN, INITIAL_SHAPE, WALK, now);
  t.same(s.interfaces.map((i) => i.name), ['eth0', 'eth1']);
  t.equal(s.interfaces[0]?.speedBitsPerSecond, 10e6);
  t.equal(s.interfaces[0]?.highSpeedMbps, undefined);
  t.same(s.shape, { hasXTable: false, hasHighCapacity: false, rows: 2 });
});

void t.test('readDevice: SNMPv1', async (t) => {
  const r = new FakeRouter({ interfaces: 2, version: '1', highCapacity: false });
  const s = await readDevice(r.client(), { scalars: { missing: '1.3.6.1.4.1.9.9.9.0', descr: '1.3.6.1.2.1.1.1.0' }, interfaces: true }, INITIAL_SHAPE, WALK, now);
  t.equal(s.interfaces.length, 2);
  t.equal(s.sysName, 'fake');
  t.same(s.scalars, { descr: 'fake router' }, 'a missing scalar is left out, not a failed poll');
});

void t.test('readDevice: include/exclude on ifName or ifAlias', async (t) => {
  const r = new FakeRouter({ interfaces: 4 });
  const only = await readDevice(r.client(), { ...PLAN, include: /^to district$/ }, INITIAL_SHAPE, WALK, now);
  t.same(only.interfaces.map((i) => i.name), ['uplink0'], 'matched by alias');
  t.equal(only.interfacesSeen, 4);
  const notLan = await readDevice(r.client(), { ...PLAN, exclude: /^lan[23]$/ }, INITIAL_SHAPE, WALK, now);
  t.same(notLan.interfaces.map((i) => i.name), ['uplink0', 'lan1']);
  t.equal(notLan.shape.rows, 4, 'GETBULK is sized by what the agent has, not by the filter');
});

void t.test('readDevice: profile scalars (numbers, numeric strings, text, missing)', async (t) => {
  const r = new FakeRouter({ interfaces: 1 });
  r.set('1.3.6.1.4.1.2021.10.1.3.1', snmp.ObjectType.OctetString, Buffer.from('0.15'));
  r.set('1.3.6.1.4.1.2021.11.11.0', snmp.ObjectType.Integer, 97);
  r.set('1.3.6.1.4.1.9.2.1.1.0', snmp.ObjectType.OctetString, Buffer.from('IOS 15'));
  r.set('1.3.6.1.4.1.1.0', snmp.ObjectType.Counter64, Buffer.from([1, 0, 0, 0, 0]));
  const s = await readDevice(
    r.client(),
    { ...PLAN, interfaces: false, scalars: { load: '1.3.6.1.4.1.2021.10.1.3.1', idle: '1.3.6.1.4.1.2021.11.11.0', version: '1.3.6.1.4.1.9.2.1.1.0', big: '1.3.6.1.4.1.1.0', nothing: '1.3.6.1.4.1.2.0' } },
    INITIAL_SHAPE,
    WALK,
    now,
  );
  t.same(s.scalars, { load: 0.15, idle: 97, version: 'IOS 15', big: 2 ** 32 });
  t.equal(s.interfaces.length, 0);
  t.equal(s.sysName, 'fake');
});

void t.test('readDevice: hostile values are dropped, not trusted', async (t) => {
  const r = new FakeRouter({ interfaces: 2 });
  r.set(`${IF_COLUMNS.ifHCInOctets}.1`, snmp.ObjectType.OctetString, Buffer.from('lots')); // wrong type
  r.set(`${IF_COLUMNS.ifHCOutOctets}.1`, snmp.ObjectType.Counter64, Buffer.alloc(12, 0xff)); // too long
  r.set(`${IF_COLUMNS.ifName}.2`, snmp.ObjectType.OctetString, Buffer.from('a\u0000b\nc\u001b'));
  r.set(SYS_UPTIME, snmp.ObjectType.Integer, -5);
  r.set(`${IF_COLUMNS.ifOperStatus}.0`, snmp.ObjectType.Integer, 1); // ifIndex 0 is not an interface
  r.set(`${IF_COLUMNS.ifOperStatus}.1.5`, snmp.ObjectType.Integer, 1); // nor is "1.5"
  const s = await readDevice(r.client(), PLAN, INITIAL_SHAPE, WALK, now);
  t.equal(s.interfaces[0]?.counters.inOctets, undefined);
  t.equal(s.interfaces[0]?.counters.outOctets, undefined);
  t.equal(s.interfaces[1]?.name, 'abc');
  t.equal(s.uptimeTicks, undefined, 'sysUpTime must be TimeTicks');
  t.same(s.interfaces.map((i) => i.ifIndex), [1, 2]);
});

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

void t.test('readDevice: request errors reject with SnmpError', async (t) => {
  const r = new FakeRouter({ fail: () => new SnmpError('timeout', 'no response') });
  await t.rejects(readDevice(r.client(), PLAN, INITIAL_SHAPE, WALK, now), new SnmpError('timeout', 'no response'));
});

void t.test('text and scalarValue', async (t) => {
  t.equal(text(Buffer.from('Xã Ea Kao')), 'Xã Ea Kao');
  t.equal(text('x'.repeat(300)).length, 255);
  t.equal(text(42), '');
  t.equal(scalarValue({ oid: '1', type: snmp.ObjectType.NoSuchObject, value: null }), undefined);
  t.equal(scalarValue({ oid: '1', type: snmp.ObjectType.OctetString, value: Buffer.from('  ') }), '  ', 'blank text stays text');
  t.equal(scalarValue({ oid: '1', type: snmp.ObjectType.OctetString, value: Buffer.from('1e3') }), 1000);
});
