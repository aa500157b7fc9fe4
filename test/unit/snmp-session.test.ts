// Unit tests of the session adapter's edges: error classification never carries a secret, socket
// listeners that throw are contained, credentials map to net-snmp users, and a client facing
// garbage answers ends each request with a classified error instead of hanging or crashing.
// The "agent" here is a bare UDP socket on loopback answering garbage (no real agent can be made
// to do that); real agents are in test/integration/snmp-*.test.ts.
import { createSocket } from 'node:dgram';
import * as snmp from 'net-snmp';
import t from 'tap';
import { Secret } from '../../src/config/secret.js';
import { classifyError, guardedDgram, netSnmpUser, openNetSnmpClient, sessionCredential, SnmpError } from '../../src/probes/snmp/session.js';

// net-snmp exports RequestTimedOutError, @types/net-snmp does not: the same shape by name.
const timedOut = () => Object.assign(new Error('Request timed out'), { name: 'RequestTimedOutError' });
const ctx = { version: '2c' as const, timeoutMs: 2000, retries: 2 };
const v3 = { version: '3' as const, user: 'netcov', level: 'authPriv' as const, timeoutMs: 2000, retries: 2 };

void t.test('classifyError: kinds and safe messages', async (t) => {
  const timeout = classifyError(timedOut(), ctx);
  t.same([timeout.kind, timeout.retryable], ['timeout', true]);
  t.match(timeout.message, /2000 ms × 3 attempts.*wrong community/);
  t.match(classifyError(timedOut(), v3).message, /priv_key/);
  t.notMatch(classifyError(timedOut(), { ...v3, level: 'authNoPriv' }).message, /priv_key/);

  const wrongDigest = classifyError(new snmp.ResponseInvalidError('Wrong Digest (incorrect password, community or key)', snmp.ResponseInvalidCode.EAuthFailure), v3);
  t.same([wrongDigest.kind, wrongDigest.retryable], ['auth', false]);
  t.equal(wrongDigest.message, 'SNMPv3 user "netcov": authentication failed: wrong digest: check auth_key and auth_protocol');
  t.match(classifyError(new snmp.ResponseInvalidError('Unknown User Name', snmp.ResponseInvalidCode.EAuthFailure), v3).message, /does not know this user/);

  // net-snmp's own digest-mismatch error names both digests and carries the user (with keys).
  const leaky = new snmp.ResponseInvalidError('Authentication digest 0badc0de received in message does not match digest 5ecre7 calculated for message', snmp.ResponseInvalidCode.EAuthFailure);
  (leaky as unknown as { info: unknown }).info = { user: { authKey: 'TOPSECRET-AUTH', privKey: 'TOPSECRET-PRIV' } };
  const safe = classifyError(leaky, v3);
  t.equal(safe.kind, 'auth');
  t.notMatch(JSON.stringify({ m: safe.message, e: safe }), /5ecre7|0badc0de|TOPSECRET/);

  const community = classifyError(new snmp.ResponseInvalidError("Community 'SECRET-COMMUNITY' in request does not match community 'x' in response", snmp.ResponseInvalidCode.ECommunityNoMatch), ctx);
  t.equal(community.kind, 'protocol');
  t.notMatch(community.message, /SECRET/);

  const decrypt = classifyError(new snmp.ResponseInvalidError('Failed to decrypt PDU: Error: bad decrypt', snmp.ResponseInvalidCode.ECouldNotDecrypt), v3);
  t.same([decrypt.kind, decrypt.message], ['auth', 'SNMPv3 user "netcov": could not decrypt the response: check priv_key and priv_protocol']);

  const agent = classifyError(new snmp.RequestFailedError('NoSuchName: 1.3.6.1.2.1.1.5.0', 2), ctx);
  t.same([agent.kind, agent.status], ['agent', 2]);
  t.match(agent.message, /NoSuchName: 1\.3\.6\.1\.2\.1\.1\.5\.0/);

  t.same(classifyError(Object.assign(new Error('send EPERM'), { code: 'EPERM' }), ctx).kind, 'socket');
  t.same(classifyError(new Error('Socket forcibly closed'), ctx).kind, 'closed');
  t.same(classifyError(new TypeError("Cannot read properties of undefined (reading 'push')"), ctx).message, 'malformed response');
  t.same(classifyError('a string', ctx).kind, 'protocol');
  const already = new SnmpError('auth', 'x');
  t.equal(classifyError(already, ctx), already);
});

void t.test('credentials: secrets revealed only into the net-snmp user', async (t) => {
  const c = sessionCredential({ version: '3', user: 'u', level: 'authPriv', auth_protocol: 'sha256', auth_key: new Secret('authsecret1', 'inline'), priv_protocol: 'aes', priv_key: new Secret('privsecret1', 'inline') });
  t.notMatch(JSON.stringify(c), /authsecret1|privsecret1/, 'the session credential prints as [secret]');
  t.same(netSnmpUser(c as Extract<typeof c, { version: '3' }>), {
    name: 'u',
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha256,
    authKey: 'authsecret1',
    privProtocol: snmp.PrivProtocols.aes,
    privKey: 'privsecret1',
  });
  t.same(netSnmpUser({ version: '3', user: 'n', level: 'noAuthNoPriv' }), { name: 'n', level: snmp.SecurityLevel.noAuthNoPriv });
  const authOnly = netSnmpUser({ version: '3', user: 'a', level: 'authNoPriv', authProtocol: 'sha', authKey: 'k' });
  t.same([authOnly.authProtocol, authOnly.privKey], [snmp.AuthProtocols.sha, undefined]);
  t.same(sessionCredential({ version: '2c', community: 'public' }), { version: '2c', community: 'public' });
});

void t.test('guardedDgram: a throwing message listener is contained', async (t) => {
  const thrown: unknown[] = [];
  const mod = guardedDgram((e) => thrown.push(e));
  const rx = mod.createSocket('udp4');
  rx.on('message', () => {
    throw new Error('parser bug');
  });
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
  const tx = createSocket('udp4');
  await new Promise<void>((r) => tx.send(Buffer.from('x'), rx.address().port, '127.0.0.1', () => r()));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(thrown.length, 1);
  tx.close();
  rx.close();
});

void t.test('a client fed garbage answers fails each request cleanly', async (t) => {
  // A socket that answers every request with junk: a truncated BER sequence, then a GetResponse
  // whose varbinds net-snmp cannot distribute, then nothing.
  const agent = createSocket('udp4');
  await new Promise<void>((r) => agent.bind(0, '127.0.0.1', r));
  const replies = [Buffer.from([0x30, 0x82, 0xff]), Buffer.from('not snmp at all')];
  let n = 0;
  agent.on('message', (_m, rinfo) => agent.send(replies[n++ % replies.length] as Buffer, rinfo.port, rinfo.address));
  let malformed = 0;
  const client = openNetSnmpClient({ host: '127.0.0.1', port: agent.address().port }, { version: '2c', community: 'public' }, { timeoutMs: 100, retries: 0 }, { onMalformed: () => malformed++ });
  const err = await client.get(['1.3.6.1.2.1.1.5.0']).catch((e: unknown) => e);
  t.type(err, SnmpError);
  t.equal((err as SnmpError).kind, 'protocol', 'garbage is a protocol problem, not a silent agent');
  t.ok(malformed >= 1);
  client.close();
  client.close(); // twice is fine
  await t.rejects(client.get(['1.3.6.1']), { kind: 'closed' } as unknown as Error);
  agent.close();
});
