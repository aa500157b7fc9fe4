// Scenario 5: `netcov run` SIGKILLed while an alert fires. Real fping, a real nftables drop on a
// loopback commune, a real webhook receiver, the SQLite store in state_dir. Checked: a page that
// could not be delivered before the kill is delivered after the restart (nothing forgotten); after
// a kill with the page delivered, the restarted daemon keeps the alert open and pages nobody twice;
// the recovery after the restarts sends exactly one resolved notice. Rounds every 2 s to keep CI
// time sane (the default 5 s rounds are tested in alerts-icmp.test.ts).
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/load.js';
import { AlertStore } from '../../src/alerts/store.js';
import { requireBinary } from '../helpers/services.js';
import { faultTable } from '../helpers/nft.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { hookSummary, startWebhookReceiver } from '../helpers/alerting.js';

const inv = loadInventory().inventory;
const MAIN = join(REPO_ROOT, 'src/main.ts');

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(t: Test, configFile: string): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: '' } });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON (should not happen); ignored here, run-smoke checks it
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (stderr.trim()) t.comment(`stderr: ${stderr.trim().slice(-1500)}`);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    lines,
    exited,
    async waitFor(pred, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`netcov exited (${child.exitCode ?? child.signalCode}) while waiting`);
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

t.test('SIGKILL while an alert fires: after restart the alert is open, nothing is paged twice, nothing forgotten', async (t) => {
  if (!requireBinary(t, 'fping')) return;
  const faults = await faultTable(t, 'alertkill');
  if (!faults) return;
  const hook = await startWebhookReceiver('k1ll');
  t.teardown(() => hook.close());
  const dir = mkdtempSync(join(tmpdir(), 'netcov-alerts-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'netcov.yaml');
  writeFileSync(
    configFile,
    `state_dir: ${JSON.stringify(dir)}
icmp: { interval_s: 2 }
sink: { kind: none }
api: { enabled: false }
notify:
  retry: { initial_ms: 500, max_ms: 2000 }
  receivers:
    oncall:
      webhook_configs: [{ url: "${hook.url}", secret: k1ll }]
  default_receivers: [oncall]
`,
  );
  const p = inv.point('commune-24496')!; // UBND Xã Ea Kly, Huyện Krông Pắc, 127.66.12.12 (no simulator scenario touches it)
  const mine = () => hookSummary(hook.received.filter((r) => r.body.alert.point_id === p.id));

  // 1. The receiver is down (503) when the page is due; the daemon is killed while it retries.
  let d = run(t, configFile);
  await d.waitFor((l) => l.event === 'daemon_started', 30_000);
  await sleep(3000);
  hook.setStatus(503);
  const rule = await faults.dropEcho(p.address);
  await d.waitFor((l) => l.event === 'notification_retry' && l.point_id === p.id, 30_000);
  d.child.kill('SIGKILL');
  t.match(await d.exited, { signal: 'SIGKILL' });
  t.same(mine(), [], 'nothing delivered before the kill');

  // 2. Restart, receiver back: the page held in the outbox is delivered, once.
  hook.setStatus(200);
  d = run(t, configFile);
  const started = await d.waitFor((l) => l.event === 'alerts_started', 30_000);
  t.ok(Number(started.open_alerts) >= 1, 'open alerts were restored from the store');
  await d.waitFor((l) => l.event === 'notification_delivered' && l.point_id === p.id, 30_000);
  t.same(mine(), [`firing down ${p.id}`], 'the page that was pending at the kill went out after the restart');

  // 3. Killed again with the page delivered: after the restart the alert is still open, no second page.
  await sleep(2000);
  d.child.kill('SIGKILL');
  await d.exited;
  d = run(t, configFile);
  await d.waitFor((l) => l.event === 'alerts_started', 30_000);
  await sleep(10_000); // five more failing rounds
  const store = AlertStore.open(join(dir, 'alerts.sqlite'));
  // Other tests on this machine may fault other loopback points: only this point's alerts count.
  const open = store.openAlerts().filter((a) => a.pointId === p.id);
  store.close();
  t.same(open.map((a) => `${a.pointId} ${a.condition} ${a.state}`), [`${p.id} down firing`], 'the alert is still open (read from the store while the daemon runs)');
  t.same(mine(), [`firing down ${p.id}`], 'nothing paged twice');
  t.notOk(d.lines.some((l) => l.event === 'alert_opened' && l.point_id === p.id), 'no new alert opened for it after the restart');

  // 4. Recovery: exactly one resolved notice.
  await rule.remove();
  const resolved = await d.waitFor((l) => l.event === 'alert_resolved' && l.point_id === p.id, 20_000);
  await d.waitFor((l) => l.event === 'notification_delivered' && l.alert_id === resolved.alert_id && l.kind === 'resolved', 10_000);
  await sleep(4000);
  t.same(mine(), [`firing down ${p.id}`, `resolved down ${p.id}`]);
  t.ok(hook.received.every((r) => r.signatureOk));
  d.child.kill('SIGTERM');
  t.match(await d.exited, { code: 0 }, 'a clean stop after all that');
});
