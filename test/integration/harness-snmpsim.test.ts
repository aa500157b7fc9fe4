// Proves the snmpsim harness on the real Debian snmpsimd 0.4.5: one .snmprec served on two
// loopback endpoints, a fixed OctetString and a Counter64 that grows via the numeric variation
// module, read with the net-snmp npm package (Counter64 decoded from its minimal-length Buffer).
import * as snmp from 'net-snmp';
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSnmpsim } from '../helpers/services.js';
import { closeSession, counter64ToBigInt, openV2cSession, snmpGet } from '../helpers/snmp-client.js';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const IF_HC_IN_OCTETS_1 = '1.3.6.1.2.1.31.1.1.1.6.1';
const INITIAL = 5_000_000_000n; // above 2^32, so the value needs 5+ bytes on the wire

// Lines sorted by OID, as snmpsim expects.
const SNMPREC = [
  `${SYS_DESCR}|4|netcov simulated district switch`,
  `${IF_HC_IN_OCTETS_1}|70:numeric|rate=10000000,initial=${INITIAL}`,
].join('\n');

const ENDPOINTS = ['127.66.250.1', '127.66.250.2'];

// tap queues and awaits its subtests itself, so their promises are deliberately not awaited.
void t.test('snmpsim harness: fixed string and growing Counter64 on two endpoints', async (t) => {
  const sim = await startSnmpsim(t, { endpoints: ENDPOINTS, dataFiles: { 'netcov-sim': SNMPREC } });
  if (sim === undefined) return;

  for (const host of sim.endpoints) {
    const session = openV2cSession(host, sim.port, 'netcov-sim');
    t.teardown(() => closeSession(session));

    const [descr, first] = await snmpGet(session, [SYS_DESCR, IF_HC_IN_OCTETS_1]);
    t.equal(descr?.type, snmp.ObjectType.OctetString, `${host}: sysDescr is an OctetString`);
    t.equal(descr?.value?.toString(), 'netcov simulated district switch', `${host}: fixed sysDescr`);
    t.equal(first?.type, snmp.ObjectType.Counter64, `${host}: counter is Counter64`);
    t.ok(Buffer.isBuffer(first?.value), `${host}: Counter64 arrives as a Buffer`);
    const a = counter64ToBigInt(first?.value);
    t.ok(a >= INITIAL, `${host}: counter starts at or above its initial value (${a})`);

    await sleep(300);
    const [second] = await snmpGet(session, [IF_HC_IN_OCTETS_1]);
    const b = counter64ToBigInt(second?.value);
    t.ok(b > a, `${host}: counter grew between reads (${a} -> ${b})`);
  }

  // Another community is not served (the data file name is the community).
  const stranger = openV2cSession(ENDPOINTS[0] ?? '', sim.port, 'not-configured', { timeout: 500, retries: 0 });
  t.teardown(() => closeSession(stranger));
  await t.rejects(snmpGet(stranger, [SYS_DESCR]), 'unknown community gets no value');
});

void t.test('counter64ToBigInt reads minimal-length BER buffers', async (t) => {
  t.equal(counter64ToBigInt(Buffer.from([0x00])), 0n);
  t.equal(counter64ToBigInt(Buffer.from([0x7f])), 127n);
  t.equal(counter64ToBigInt(Buffer.from([0x01, 0x2a, 0x05, 0xf2, 0x00])), 5_000_000_000n);
  t.equal(counter64ToBigInt(Buffer.from('00ffffffffffffffff', 'hex')), 2n ** 64n - 1n, '9 bytes with sign byte');
  t.throws(() => counter64ToBigInt(Buffer.alloc(0)));
  t.throws(() => counter64ToBigInt('12'));
});
