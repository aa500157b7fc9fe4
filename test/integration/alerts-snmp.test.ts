// Interface alerts through the real SNMP path: simulated routers (net-snmp agents on loopback,
// src/sim/snmp-agents.ts) polled by netcov's SNMP probe, Debian's `snmptrap` sending linkDown /
// linkUp to netcov's trap listener, the daemon's wiring to the alert engine, and a real webhook
// receiver. Intervals are shortened through config (polls every 1 s, link-down hold 4 s,
// saturation hold 3 s) so the scenarios take seconds, not minutes:
//   - an uplink toggled down/up every 1.5 s (polls and traps both see it) → one FLAPPING notice,
//     no link-down page (scenario 4 of the issue at 10× speed; at full speed on a fake clock in
//     test/unit/alerts-engine.test.ts);
//   - an uplink that stays down (admin up) → one link-down page, one resolved when it is back;
//   - an uplink filled to 97 % → one saturation warning.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDaemon } from '../../src/daemon.js';
import { startSnmpAgents } from '../../src/sim/snmp-agents.js';
import { silentLogger } from '../../src/util/log.js';
import { freeUdpPort, requireBinary } from '../helpers/services.js';
import { inventoryWith, recordingSource } from '../helpers/snmp-points.js';
import { hookSummary, startWebhookReceiver } from '../helpers/alerting.js';

const execFileAsync = promisify(execFile);
const FLAP = { id: 'flap-x', address: '127.66.241.1' };
const DOWN = { id: 'down-y', address: '127.66.241.2' };
const BUSY = { id: 'busy-z', address: '127.66.241.3' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

t.test('uplink flapping, down and saturated, seen through SNMP polls and traps', async (t) => {
  const snmptrap = requireBinary(t, 'snmptrap');
  const fping = requireBinary(t, 'fping');
  if (!snmptrap || !fping) return;
  const agentPort = await freeUdpPort([FLAP.address, DOWN.address, BUSY.address]);
  const agents = await startSnmpAgents({ agents: [FLAP, DOWN, BUSY].map((a) => ({ address: a.address, name: a.id })), port: agentPort, workers: 1, interfaces: 3 });
  t.teardown(() => agents.stop());
  const inventory = inventoryWith([FLAP, DOWN, BUSY].map((a) => ({ ...a, port: agentPort })));
  const hook = await startWebhookReceiver('snmp-hook');
  t.teardown(() => hook.close());
  const dir = mkdtempSync(join(tmpdir(), 'netcov-alerts-snmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const trapPort = await freeUdpPort();
  // The SNMP helpers' config (short timeouts, public community), then alerting's shortened holds.
  const rec = recordingSource(inventory, (c) => {
    c.state_dir = dir;
    c.snmp.interval_s = 1;
    c.snmp.traps.port = trapPort;
    c.icmp.interval_s = 2;
    c.icmp.fping_path = fping;
    c.sink.kind = 'none';
    c.api.enabled = false;
    c.alerts.interfaces.oper_down_for_s = 4;
    c.alerts.interfaces.utilization_for_s = 3;
    c.notify.receivers = { oncall: { webhook_configs: [{ url: hook.url, secret: 'snmp-hook' }] } };
    c.notify.default_receivers = ['oncall'];
  });
  await rec.source.stop(); // the daemon builds its own probes from this config
  const daemon = createDaemon({ config: rec.config, inventory, log: silentLogger() });
  await daemon.start();
  t.teardown(() => daemon.stop('test'));
  await sleep(3000);

  const env = { ...process.env, MIBS: '', SNMPCONFPATH: '/nonexistent' };
  const trap = (address: string, up: boolean) =>
    execFileAsync(snmptrap, ['-v2c', '-c', 'public', `--clientaddr=${address}`, `127.0.0.1:${trapPort}`, '', up ? '1.3.6.1.6.3.1.1.5.4' : '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.1', 'i', '1', '1.3.6.1.2.1.2.2.1.7.1', 'i', '1', '1.3.6.1.2.1.2.2.1.8.1', 'i', up ? '1' : '2'], { env });
  const about = (id: string) => hookSummary(hook.received.filter((r) => r.body.alert.point_id === id));

  await t.test('an uplink toggled every 1.5 s: one FLAPPING notice, no link-down page', async (t) => {
    let up = true;
    for (let i = 0; i < 14; i++) {
      up = !up;
      await agents.setLink(FLAP.address, 1, up);
      await trap(FLAP.address, up);
      await sleep(1500);
    }
    await until('the FLAPPING notice', () => hook.received.find((r) => r.body.alert.point_id === FLAP.id), 10_000);
    await sleep(3000);
    t.same(about(FLAP.id), [`firing if_flapping ${FLAP.id}`], 'exactly one notice, not one per change');
    t.match(hook.received.find((r) => r.body.alert.point_id === FLAP.id)!.body.text, /cổng ge-0\/0\/0 \(uplink\)/);
  });

  await t.test('an uplink down (admin up) past the hold: one page; back up: one resolved', async (t) => {
    await agents.setLink(DOWN.address, 1, false);
    await trap(DOWN.address, false);
    const page = await until('the link-down page', () => hook.received.find((r) => r.body.alert.point_id === DOWN.id), 15_000);
    t.equal(page.body.alert.condition, 'if_down');
    t.equal(page.body.alert.severity, 'critical');
    t.match(page.body.title, `Đường truyền uplink mất tín hiệu: ${DOWN.id}`);
    await agents.setLink(DOWN.address, 1, true);
    await trap(DOWN.address, true);
    await until('the resolved notice', () => hook.received.find((r) => r.body.alert.point_id === DOWN.id && r.body.kind === 'resolved'), 10_000);
    await sleep(2000);
    t.same(about(DOWN.id), [`firing if_down ${DOWN.id}`, `resolved if_down ${DOWN.id}`]);
  });

  await t.test('an uplink at 97 % for longer than the hold: one saturation warning', async (t) => {
    await agents.saturate(BUSY.address, 1, true);
    const warning = await until('the saturation warning', () => hook.received.find((r) => r.body.alert.point_id === BUSY.id), 20_000);
    t.equal(warning.body.alert.condition, 'if_utilization');
    t.equal(warning.body.alert.severity, 'warning');
    t.match(warning.body.text, /sử dụng (9[0-9]|100)% băng thông/);
    await sleep(2000);
    t.same(about(BUSY.id), [`firing if_utilization ${BUSY.id}`]);
  });
});
