// Proves the snmpd harness on the real Debian snmpd 5.9: a v2c walk of the system group with the
// net-snmp npm package matches `snmpwalk -v2c -On` of the same agent, and v3 authPriv users
// (SHA + AES, SHA-256 + AES) created through the harness work with net-snmp.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as snmp from 'net-snmp';
import t from 'tap';
import { requireBinary, startSnmpd } from '../helpers/services.js';
import {
  closeSession,
  openV2cSession,
  openV3Session,
  snmpGet,
  snmpWalk,
  type Varbind,
} from '../helpers/snmp-client.js';

const execFileAsync = promisify(execFile);

const SYSTEM = '1.3.6.1.2.1.1';
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';

/** One varbind in a form both snmpwalk's text and net-snmp's objects reduce to. */
interface Normal {
  oid: string;
  type: string;
  value: string;
}

/** Parse `snmpwalk -On` output (no MIBs loaded); values may continue on following lines. */
function parseSnmpwalk(text: string): Normal[] {
  const out: Normal[] = [];
  let current: { oid: string; rest: string } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const { oid, rest } = current;
    const m = /^([A-Za-z0-9-]+): ([\s\S]*)$/.exec(rest);
    if (m === null) {
      // `= ""` is how an empty string prints
      out.push({ oid, type: 'STRING', value: rest === '""' ? '' : rest });
    } else {
      const type = m[1] ?? '';
      let value = m[2] ?? '';
      if (type === 'STRING') value = value.replace(/^"|"$/g, '').replace(/\\(["\\])/g, '$1');
      else if (type === 'Hex-STRING') value = Buffer.from(value.replace(/\s+/g, ''), 'hex').toString('latin1');
      else if (type === 'Timeticks') value = /^\((\d+)\)/.exec(value)?.[1] ?? value;
      else if (type === 'OID') value = value.replace(/^\./, '');
      out.push({ oid, type: type === 'Hex-STRING' ? 'STRING' : type, value });
    }
    current = undefined;
  };
  for (const line of text.split('\n')) {
    const m = /^\.?(\d+(?:\.\d+)+) = (.*)$/.exec(line);
    if (m !== null) {
      flush();
      current = { oid: m[1] ?? '', rest: m[2] ?? '' };
    } else if (current !== undefined && line !== '') {
      current.rest += `\n${line}`;
    }
  }
  flush();
  return out;
}

const TYPE_NAMES: Partial<Record<snmp.ObjectType, string>> = {
  [snmp.ObjectType.OctetString]: 'STRING',
  [snmp.ObjectType.OID]: 'OID',
  [snmp.ObjectType.Integer]: 'INTEGER',
  [snmp.ObjectType.TimeTicks]: 'Timeticks',
  [snmp.ObjectType.Counter32]: 'Counter32',
  [snmp.ObjectType.Gauge32]: 'Gauge32',
  [snmp.ObjectType.Counter64]: 'Counter64',
  [snmp.ObjectType.IpAddress]: 'IpAddress',
};

function normalize(vb: Varbind): Normal {
  const type = vb.type === undefined ? '?' : (TYPE_NAMES[vb.type] ?? `type${vb.type}`);
  const v = vb.value;
  const value = Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
  return { oid: vb.oid, type, value };
}

const V3_SHA = { name: 'netcov-sha', authProtocol: 'SHA', authKey: 'auth-secret-1', privProtocol: 'AES', privKey: 'priv-secret-1' } as const;
const V3_SHA256 = { name: 'netcov-sha256', authProtocol: 'SHA-256', authKey: 'auth-secret-2', privProtocol: 'AES', privKey: 'priv-secret-2' } as const;

// tap queues and awaits its subtests itself, so their promises are deliberately not awaited.
void t.test('snmpd harness: v2c walk matches snmpwalk; v3 authPriv works', async (t) => {
  const snmpwalkBin = requireBinary(t, 'snmpwalk');
  if (snmpwalkBin === undefined) return;
  const agent = await startSnmpd(t, {
    community: 'netcov-ro',
    sysName: 'netcov-harness',
    sysLocation: 'Buon Ma Thuot',
    v3Users: [V3_SHA, V3_SHA256],
  });
  if (agent === undefined) return;

  const session = openV2cSession(agent.host, agent.port, agent.community);
  t.teardown(() => closeSession(session));
  const walked = await snmpWalk(session, SYSTEM);
  const byOid = new Map(walked.map((vb) => [vb.oid, vb]));

  const descr = byOid.get(SYS_DESCR);
  t.ok(descr !== undefined && Buffer.isBuffer(descr.value) && descr.value.length > 0, 'sysDescr present');
  t.equal(byOid.get(SYS_NAME)?.value?.toString(), 'netcov-harness', 'sysName is the configured one');
  const uptime = byOid.get(SYS_UPTIME);
  t.equal(uptime?.type, snmp.ObjectType.TimeTicks, 'sysUpTime is TimeTicks');
  t.type(uptime?.value, 'number');

  // The same agent through the reference CLI; numeric OIDs, no MIBs (Debian ships few).
  const { stdout } = await execFileAsync(
    snmpwalkBin,
    ['-v2c', '-c', agent.community, '-On', '-t', '2', '-r', '1', `${agent.host}:${agent.port}`, SYSTEM],
    { env: agent.clientEnv, timeout: 15_000 },
  );
  const reference = parseSnmpwalk(stdout);
  const ours = walked.map(normalize);
  t.ok(reference.length >= 8, `snmpwalk returned ${reference.length} varbinds`);
  t.same(ours.map((v) => v.oid), reference.map((v) => v.oid), 'same OIDs in the same order');
  // sysUpTime moves between the two walks: compare it within 5 s, everything else exactly.
  const steady = (list: Normal[]): Normal[] => list.filter((v) => v.oid !== SYS_UPTIME);
  t.same(steady(ours), steady(reference), 'same types and values as snmpwalk');
  const refUptime = Number(reference.find((v) => v.oid === SYS_UPTIME)?.value);
  const ourUptime = Number(ours.find((v) => v.oid === SYS_UPTIME)?.value);
  t.ok(Math.abs(refUptime - ourUptime) < 500, `sysUpTime agrees (${ourUptime} vs ${refUptime} ticks)`);

  for (const [user, authProtocol] of [
    [V3_SHA, snmp.AuthProtocols.sha],
    [V3_SHA256, snmp.AuthProtocols.sha256],
  ] as const) {
    const v3 = openV3Session(agent.host, agent.port, {
      name: user.name,
      authProtocol,
      authKey: user.authKey,
      privProtocol: snmp.PrivProtocols.aes,
      privKey: user.privKey,
    });
    t.teardown(() => closeSession(v3));
    const [name] = await snmpGet(v3, [SYS_NAME]);
    t.equal(name?.value?.toString(), 'netcov-harness', `v3 authPriv ${user.authProtocol}+AES GET works`);
  }

  // A wrong auth key must get nothing (proves the agent really checks the v3 credentials).
  const wrong = openV3Session(
    agent.host,
    agent.port,
    { name: V3_SHA.name, authProtocol: snmp.AuthProtocols.sha, authKey: 'wrong-auth-key', privProtocol: snmp.PrivProtocols.aes, privKey: V3_SHA.privKey },
    { timeout: 500, retries: 0 },
  );
  t.teardown(() => closeSession(wrong));
  await t.rejects(snmpGet(wrong, [SYS_NAME]), 'wrong v3 auth key is refused');
});
