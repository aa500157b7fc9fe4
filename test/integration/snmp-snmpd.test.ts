// netcov's SNMP poller against Debian's real snmpd 5.9 on loopback:
//  - the interfaces netcov reads equal what `snmpwalk` reads from the same agent (names, aliases,
//    statuses, speeds exactly; counters between a walk just before and one just after);
//  - v1, v2c and v3 USM users created in that snmpd work (noAuthNoPriv, authPriv SHA + AES,
//    authPriv SHA-256 + AES);
//  - a wrong v3 auth or priv password gives a clear per-point authentication error, no crash,
//    and the other points of the same round are unaffected; no secret reaches the log.
import t from 'tap';
import { Secret } from '../../src/config/secret.js';
import { IF_COLUMNS } from '../../src/probes/snmp/oids.js';
import { requireBinary, startSnmpd } from '../helpers/services.js';
import { inventoryWith, recordingSource, snmpwalk } from '../helpers/snmp-points.js';

const AUTH = 'netcov-auth-pass';
const PRIV = 'netcov-priv-pass';
const SECRETS = [AUTH, PRIV, 'wrong-auth-pass', 'wrong-priv-pass', 'netcov-community'];

void t.test('snmpd: interfaces equal snmpwalk; v1, v2c, v3 work; wrong v3 passwords fail alone', async (t) => {
  const walkBin = requireBinary(t, 'snmpwalk');
  if (walkBin === undefined) return;
  const agent = await startSnmpd(t, {
    community: 'netcov-community',
    sysName: 'snmpd-under-test',
    v3Users: [
      { name: 'netcov-sha-aes', authProtocol: 'SHA', authKey: AUTH, privProtocol: 'AES', privKey: PRIV },
      { name: 'netcov-sha256-aes', authProtocol: 'SHA-256', authKey: AUTH, privProtocol: 'AES', privKey: PRIV },
    ],
    extraConfig: ['createUser netcov-noauth', 'rouser netcov-noauth noauth'],
  });
  if (agent === undefined) return;

  const at = { address: agent.host, port: agent.port };
  const inventory = inventoryWith([
    { id: 'v2c', ...at, credential: 'v2c' },
    { id: 'v1', ...at, credential: 'v1' },
    { id: 'v3-sha-aes', ...at, credential: 'v3-sha-aes' },
    { id: 'v3-sha256-aes', ...at, credential: 'v3-sha256-aes' },
    { id: 'v3-noauth', ...at, credential: 'v3-noauth' },
    { id: 'v3-wrong-auth', ...at, credential: 'v3-wrong-auth' },
    { id: 'v3-wrong-priv', ...at, credential: 'v3-wrong-priv' },
  ]);
  const secret = (s: string) => new Secret(s, 'inline');
  const rec = recordingSource(inventory, (c) => {
    c.snmp.credentials = {
      default: { version: '2c', community: secret('netcov-community') },
      v2c: { version: '2c', community: secret('netcov-community') },
      v1: { version: '1', community: secret('netcov-community') },
      'v3-sha-aes': { version: '3', user: 'netcov-sha-aes', level: 'authPriv', auth_protocol: 'sha', auth_key: secret(AUTH), priv_protocol: 'aes', priv_key: secret(PRIV) },
      'v3-sha256-aes': { version: '3', user: 'netcov-sha256-aes', level: 'authPriv', auth_protocol: 'sha256', auth_key: secret(AUTH), priv_protocol: 'aes', priv_key: secret(PRIV) },
      'v3-noauth': { version: '3', user: 'netcov-noauth', level: 'noAuthNoPriv' },
      'v3-wrong-auth': { version: '3', user: 'netcov-sha-aes', level: 'authPriv', auth_protocol: 'sha', auth_key: secret('wrong-auth-pass'), priv_protocol: 'aes', priv_key: secret(PRIV) },
      'v3-wrong-priv': { version: '3', user: 'netcov-sha-aes', level: 'authPriv', auth_protocol: 'sha', auth_key: secret(AUTH), priv_protocol: 'aes', priv_key: secret('wrong-priv-pass') },
    };
  });
  t.teardown(() => rec.source.stop());

  const walkArgs = ['-v2c', '-c', 'netcov-community'];
  const target = `${agent.host}:${agent.port}`;
  const walkAll = async () => {
    const columns = new Map<string, Map<string, { type: string; value: string }>>();
    for (const [name, oid] of Object.entries(IF_COLUMNS)) columns.set(name, await snmpwalk(walkBin, agent.clientEnv, walkArgs, target, oid));
    return columns;
  };

  const before = await walkAll();
  const ids = inventory.points.map((p) => p.id);
  await Promise.all(ids.map((id) => rec.source.pollNow(id)));
  const after = await walkAll();

  // Every good credential polled in the same round as the bad ones.
  for (const id of ['v2c', 'v1', 'v3-sha-aes', 'v3-sha256-aes', 'v3-noauth']) {
    const o = rec.latest(id);
    t.equal(o?.ok, true, `${id} polls (${o?.error ?? 'ok'})`);
    t.equal(o?.sysName, 'snmpd-under-test', `${id}: sysName`);
  }
  const wrongAuth = rec.latest('v3-wrong-auth');
  t.same([wrongAuth?.ok, wrongAuth?.errorKind], [false, 'auth']);
  t.equal(wrongAuth?.error, 'SNMPv3 user "netcov-sha-aes": authentication failed: wrong digest: check auth_key and auth_protocol');
  const wrongPriv = rec.latest('v3-wrong-priv');
  t.same([wrongPriv?.ok, wrongPriv?.errorKind], [false, 'auth']);
  t.match(wrongPriv?.error, /check priv_key and priv_protocol/);
  const failed = rec.captured.events('snmp_poll_failed');
  t.same(failed.map((l) => l.point_id).sort(), ['v3-wrong-auth', 'v3-wrong-priv'], 'the failures name their points');
  for (const s of SECRETS) t.notOk(rec.captured.text().includes(s), `"${s}" is not in the log`);

  // The interfaces netcov read equal what snmpwalk reads.
  const names = before.get('ifName') as Map<string, { value: string }>;
  t.ok(names.size >= 1, `snmpd lists ${names.size} interfaces`);
  const rows = rec.samples.filter((s) => s.measurement === 'interface' && s.tags.point_id === 'v2c');
  t.equal(rows.length, names.size, 'one interface row per ifName row');
  const cell = (walk: Map<string, Map<string, { value: string }>>, column: string, ifIndex: string) => walk.get(column)?.get(`${IF_COLUMNS[column as keyof typeof IF_COLUMNS]}.${ifIndex}`)?.value;
  for (const row of rows) {
    const ifIndex = row.tags.ifIndex ?? '';
    t.equal(row.tags.ifName, cell(before, 'ifName', ifIndex), `ifIndex ${ifIndex}: ifName`);
    t.equal(row.tags.ifAlias, cell(before, 'ifAlias', ifIndex) ?? '', `ifIndex ${ifIndex}: ifAlias`);
    for (const [field, column] of [
      ['ifOperStatus', 'ifOperStatus'],
      ['ifAdminStatus', 'ifAdminStatus'],
      ['ifHighSpeed', 'ifHighSpeed'],
    ] as const) {
      t.equal(String(row.fields[field]), cell(before, column, ifIndex), `ifIndex ${ifIndex}: ${field}`);
    }
    for (const column of ['ifHCInOctets', 'ifHCOutOctets', 'ifHCInUcastPkts', 'ifHCOutUcastPkts', 'ifInErrors', 'ifOutErrors', 'ifInDiscards', 'ifOutDiscards'] as const) {
      const ours = BigInt(row.fields[column] as bigint);
      const lo = BigInt(cell(before, column, ifIndex) ?? '-1');
      const hi = BigInt(cell(after, column, ifIndex) ?? '-1');
      t.ok(lo <= ours && ours <= hi, `ifIndex ${ifIndex}: ${column} ${lo} ≤ ${ours} ≤ ${hi}`);
    }
  }
  // v3 reads the same interfaces as v2c.
  const v3Names = rec.samples.filter((s) => s.measurement === 'interface' && s.tags.point_id === 'v3-sha-aes').map((s) => s.tags.ifName);
  t.same(v3Names, rows.map((s) => s.tags.ifName));
  // SNMPv1 has no Counter64: netcov falls back to the 32-bit counters.
  const v1Row = rec.samples.find((s) => s.measurement === 'interface' && s.tags.point_id === 'v1');
  t.ok(v1Row && v1Row.fields.ifInOctets !== undefined && v1Row.fields.ifHCInOctets === undefined, 'v1: Counter32 octets');

  // A second round: the bad points keep failing alone, the good ones now have rates.
  await new Promise((r) => setTimeout(r, 1100));
  await Promise.all(ids.map((id) => rec.source.pollNow(id)));
  t.ok(rec.latest('v2c')?.interfaces.every((i) => i.inBitsPerSecond !== undefined), 'v2c: rates on the second poll');
  t.equal(rec.latest('v3-wrong-auth')?.errorKind, 'auth');
  t.equal(rec.latest('v3-sha-aes')?.ok, true);
});
