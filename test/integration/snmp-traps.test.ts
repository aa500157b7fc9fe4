// Traps end to end with Debian's `snmptrap`: a v2c linkDown and a v3 authPriv (SHA + AES)
// coldStart, sent from two points' addresses to netcov's SNMP probe, each become the event and an
// immediate re-check of that point — an SNMP re-poll (which sees the link down in the simulated
// agent) and a ping through the ICMP source, wired to the bus 'recheck' as the daemon wires it.
// The scheduler is never started: every poll and ping seen here comes from the traps.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { Secret } from '../../src/config/secret.js';
import type { IcmpObservation } from '../../src/observations.js';
import { createIcmpSource } from '../../src/probes/icmp/source.js';
import { createSnmpProbe } from '../../src/probes/snmp/index.js';
import { startSnmpAgents } from '../../src/sim/snmp-agents.js';
import { freeUdpPort, requireBinary } from '../helpers/services.js';
import { inventoryWith, recordingSource } from '../helpers/snmp-points.js';

const execFileAsync = promisify(execFile);
const X = { id: 'trap-x', address: '127.66.240.1' };
const Y = { id: 'trap-y', address: '127.66.240.2' };

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

void t.test('snmptrap → event and an immediate re-poll and ping of that point', async (t) => {
  const snmptrap = requireBinary(t, 'snmptrap');
  const fping = requireBinary(t, 'fping');
  if (snmptrap === undefined || fping === undefined) return;

  const agentPort = await freeUdpPort([X.address, Y.address]);
  const agents = await startSnmpAgents({ agents: [{ address: X.address, name: X.id }, { address: Y.address, name: Y.id }], port: agentPort, workers: 1, interfaces: 3 });
  t.teardown(() => agents.stop());

  const inventory = inventoryWith([
    { ...X, port: agentPort },
    { ...Y, port: agentPort },
  ]);
  const trapPort = await freeUdpPort();
  // recordingSource gives the config, bus and recorders; the probe under test is built from them.
  const rec = recordingSource(inventory, (c) => {
    c.snmp.interval_s = 3600; // the schedule would never poll during this test anyway
    c.snmp.traps.port = trapPort;
    c.snmp.credentials.default = { version: '2c', community: 'public' };
    c.snmp.credentials.traps_v2c = { version: '2c', community: new Secret('trap-community', 'inline') };
    c.snmp.credentials.traps_v3 = { version: '3', user: 'netcov-trap', level: 'authPriv', auth_protocol: 'sha', auth_key: new Secret('trap-auth-pass', 'inline'), priv_protocol: 'aes', priv_key: new Secret('trap-priv-pass', 'inline') };
    c.snmp.traps.credentials = ['traps_v2c', 'traps_v3'];
    c.icmp.fping_path = fping;
  });
  await rec.source.stop(); // the helper's own source is not used: the probe below has its own
  rec.observations.length = 0;
  const probe = createSnmpProbe({ config: rec.config, inventory, bus: rec.bus, scheduler: rec.scheduler, log: rec.captured.log, write: (s) => rec.samples.push(...s) });
  const icmp = createIcmpSource({ icmp: rec.config.icmp, inventory, bus: rec.bus, scheduler: rec.scheduler, log: rec.captured.log });
  const pings: IcmpObservation[] = [];
  const rechecks: string[][] = [];
  rec.bus.on('icmp', (obs) => pings.push(...obs));
  rec.bus.on('recheck', (ids) => {
    rechecks.push(ids);
    // As src/daemon.ts wires it.
    icmp.recheck(ids).catch((err: unknown) => t.fail(`icmp recheck: ${String(err)}`));
  });
  icmp.start();
  await probe.start();
  t.teardown(async () => {
    await probe.stop();
    await icmp.stop();
  });
  t.equal(probe.traps?.port(), trapPort);

  // The link goes down at X, and X says so.
  await agents.setLink(X.address, 2, false);
  const env = { ...process.env, MIBS: '', SNMPCONFPATH: '/nonexistent' };
  const sentAt = Date.now();
  await execFileAsync(snmptrap, [
    '-v2c', '-c', 'trap-community', `--clientaddr=${X.address}`, `127.0.0.1:${trapPort}`, '',
    '1.3.6.1.6.3.1.1.5.3',
    '1.3.6.1.2.1.2.2.1.1.2', 'i', '2',
    '1.3.6.1.2.1.2.2.1.7.2', 'i', '1',
    '1.3.6.1.2.1.2.2.1.8.2', 'i', '2',
  ], { env });
  const eventMs = await until('the link_down event', () => rec.events.some((e) => e.pointId === X.id && e.type === 'link_down'));
  t.match(rec.events.find((e) => e.type === 'link_down'), { pointId: X.id, source: 'trap', ifIndex: 2 });
  const pollMs = await until('the SNMP re-poll of X', () => rec.observations.some((o) => o.pointId === X.id));
  const pingMs = await until('the ping of X', () => pings.some((p) => p.pointId === X.id));
  t.comment(`event after ${eventMs} ms, SNMP re-poll done after ${pollMs} ms more, ping after ${pingMs} ms more (trap sent ${Date.now() - sentAt} ms ago)`);
  const xPoll = rec.observations.find((o) => o.pointId === X.id);
  t.equal(xPoll?.ok, true);
  t.same(xPoll?.interfaces.map((i) => i.operStatus), [1, 2, 1], 'the re-poll sees interface 2 down');
  t.equal(pings.find((p) => p.pointId === X.id)?.received, 3, 'X answers ping (the link down is a LAN port)');
  t.same(rechecks, [[X.id]]);
  t.notOk(rec.observations.some((o) => o.pointId === Y.id), 'Y was not polled: the re-check is for the trap\'s point only');

  // Y restarts and says so over SNMPv3 authPriv (SHA + AES).
  await agents.reboot(Y.address);
  await execFileAsync(snmptrap, [
    '-v3', '-e', '0x80001f8880c0ffee0001', '-u', 'netcov-trap', '-l', 'authPriv', '-a', 'SHA', '-A', 'trap-auth-pass', '-x', 'AES', '-X', 'trap-priv-pass',
    `--clientaddr=${Y.address}`, `127.0.0.1:${trapPort}`, '', '1.3.6.1.6.3.1.1.5.1',
  ], { env });
  await until('the cold_start event', () => rec.events.some((e) => e.pointId === Y.id && e.type === 'cold_start'));
  await until('the SNMP re-poll of Y', () => rec.observations.some((o) => o.pointId === Y.id));
  await until('the ping of Y', () => pings.some((p) => p.pointId === Y.id));
  t.ok((rec.observations.find((o) => o.pointId === Y.id)?.uptimeS ?? 1e9) < 30, 'the re-poll sees the fresh uptime');
  t.same(rechecks, [[X.id], [Y.id]]);

  // A trap with a community netcov does not accept changes nothing, and is counted.
  await execFileAsync(snmptrap, ['-v2c', '-c', 'not-ours', `--clientaddr=${X.address}`, `127.0.0.1:${trapPort}`, '', '1.3.6.1.6.3.1.1.5.3'], { env });
  await until('the rejection to be counted', () => (probe.traps?.stats().rejected.unknown_community ?? 0) === 1);
  t.equal(rechecks.length, 2);
  for (const s of ['trap-community', 'trap-auth-pass', 'trap-priv-pass']) t.notOk(rec.captured.text().includes(s), `"${s}" is not in the log`);
});
