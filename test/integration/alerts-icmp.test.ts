// Outage scenarios end to end with real parts, at the default settings (5 s rounds, 3 echoes, 3
// failed rounds to DOWN): the daemon's wiring (scheduler → fping → bus → alert engine → SQLite →
// webhook) over the shipped 235-point loopback inventory, real ICMP faults from nftables drops on
// loopback, a real webhook receiver (node:http, HMAC checked), and a real influxd for the `alerts`
// and `point_status` transitions. Each scenario uses points of its own district, and counts only
// notifications about them (other tests on this machine may fault other loopback addresses).
//   1. one commune dark → one DOWN page within 30 s, one resolved after it returns;
//   2. a district dark with its communes (drop 127.66.i.0/24) → one page naming the district and
//      listing its communes and their population, none for the communes; one resolved on recovery;
//   3. 30 % random loss on a live point → a DEGRADED warning and no DOWN page.
// Scenario 4 (a link toggling for 5 minutes) runs on a fake clock in test/unit/alerts-engine.test.ts;
// scenario 5 (SIGKILL) in alerts-restart.test.ts.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon.js';
import { loadInventory } from '../../src/inventory/load.js';
import { silentLogger } from '../../src/util/log.js';
import { requireBinary, startInfluxd } from '../helpers/services.js';
import { faultTable } from '../helpers/nft.js';
import { hookSummary, startWebhookReceiver, type ReceivedHook } from '../helpers/alerting.js';

const inv = loadInventory().inventory;

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const about = (received: readonly ReceivedHook[], ids: readonly string[]) => hookSummary(received.filter((r) => ids.includes(r.body.alert.point_id)));

t.test('outage scenarios at the default settings', async (t) => {
  if (!requireBinary(t, 'fping')) return;
  const faults = await faultTable(t, 'alerts');
  if (!faults) return;
  const influxd = await startInfluxd(t);
  if (!influxd) return;
  const hook = await startWebhookReceiver('hook-secret');
  t.teardown(() => hook.close());
  const dir = mkdtempSync(join(tmpdir(), 'netcov-alerts-icmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig(
    `state_dir: ${dir}
sink:
  kind: influx_v1
  url: ${influxd.url}
  flush_interval_ms: 200
notify:
  receivers:
    oncall:
      webhook_configs: [{ url: "${hook.url}", secret: hook-secret }]
  default_receivers: [oncall]
`,
    'test.yaml',
  );
  t.equal(config.icmp.interval_s, 5, 'default round interval');
  t.equal(config.alerts.down_after_rounds, 3, 'default failed rounds');
  const daemon = createDaemon({ config, inventory: inv, log: silentLogger() });
  await daemon.start();
  t.teardown(() => daemon.stop('test'));
  // Let the first rounds establish every point UP.
  await new Promise((r) => setTimeout(r, 6000));

  await t.test('1. one commune dark: one DOWN page within 30 s, one resolved after it returns', async (t) => {
    const p = inv.point('commune-24583')!; // UBND Xã Yang Tao, Huyện Lắk, 127.66.14.11
    const rule = await faults.dropEcho(p.address);
    const droppedAt = Date.now();
    const page = await until('the DOWN page', () => hook.received.find((r) => r.body.alert.point_id === p.id), 30_000);
    const detectMs = page.atMs - droppedAt;
    t.comment(`drop rule → webhook delivery: ${(detectMs / 1000).toFixed(1)} s`);
    t.ok(detectMs <= 30_000, `paged within 30 s (${detectMs} ms)`);
    t.equal(page.body.kind, 'firing');
    t.equal(page.body.alert.condition, 'down');
    t.ok(page.signatureOk, 'HMAC-SHA256 signature verifies');
    t.match(page.body.title, `Mất kết nối: ${p.name}`);
    await new Promise((r) => setTimeout(r, 10_000));
    t.same(about(hook.received, [p.id]), [`firing down ${p.id}`], 'still exactly one page after two more rounds');
    await rule.remove();
    await until('the resolved notice', () => hook.received.find((r) => r.body.alert.point_id === p.id && r.body.kind === 'resolved'), 20_000);
    await new Promise((r) => setTimeout(r, 6000));
    t.same(about(hook.received, [p.id]), [`firing down ${p.id}`, `resolved down ${p.id}`], 'exactly one page and one resolved notice');
    // The transitions reached InfluxDB (for Grafana annotations) through the sink.
    const q = async (sql: string) => {
      const res = await fetch(`${influxd.url}/query?db=${config.sink.database}&q=${encodeURIComponent(sql)}`);
      const body = (await res.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
      const s = body.results[0]?.series?.[0];
      return s ? s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))) : [];
    };
    const rows = await until('the alerts rows in InfluxDB', async () => {
      const r = await q(`SELECT * FROM "alerts" WHERE point_id = '${p.id}'`);
      return r.length >= 2 ? r : undefined;
    }, 10_000);
    t.same(rows.map((r) => r.state), ['firing', 'resolved']);
    t.match(rows[0], { condition: 'down', severity: 'critical', kind: 'commune', district: p.unit.length ? inv.unitTags(p.unit).district : '' });
    const statuses = await q(`SELECT status, state_type FROM "point_status" WHERE point_id = '${p.id}'`);
    t.same(statuses.map((r) => `${String(r.status)}/${String(r.state_type)}`), ['UP/hard', 'DOWN/soft', 'DOWN/hard', 'UP/hard']);
  });

  await t.test('2. a district dark with its communes: one page for the district listing them; one resolved', async (t) => {
    const district = inv.point('district-653')!; // UBND Huyện Krông Bông, 127.66.11.1
    const behind = inv.allDependants(district.id);
    const ids = [district.id, ...behind.map((p) => p.id)];
    t.ok(behind.length >= 10, `${behind.length} communes behind it`);
    const prefix = district.address.replace(/\.\d+$/, '.0/24');
    t.ok(behind.every((p) => p.address.startsWith(prefix.slice(0, -4))), 'the /24 holds the district and all its communes');
    const rule = await faults.dropEcho(prefix);
    const page = await until('the district page', () => hook.received.find((r) => ids.includes(r.body.alert.point_id)), 30_000);
    await new Promise((r) => setTimeout(r, 10_000));
    t.same(about(hook.received, ids), [`firing down ${district.id}`], 'one page, for the district; none for its communes');
    const alert = page.body.alert as unknown as { affected: { point_id: string }[]; affected_units: { code: string; name: string; population: number }[]; affected_population: number };
    t.same(alert.affected.map((a) => a.point_id).sort(), behind.map((p) => p.id).sort(), 'every commune point behind it is listed');
    const population = behind.reduce((sum, p) => sum + inv.population(p.unit), 0);
    t.equal(alert.affected_population, population, 'the population of the communes cut off');
    t.same(alert.affected_units.map((u) => u.name).sort(), behind.map((p) => inv.unit(p.unit)!.name).sort());
    t.match(page.body.text, `Xã bị ảnh hưởng (${behind.length})`);
    t.match(page.body.text, `Dân số bị ảnh hưởng: ${new Intl.NumberFormat('vi-VN').format(population)} người`);
    await rule.remove();
    await until('the resolved notice', () => hook.received.find((r) => r.body.alert.point_id === district.id && r.body.kind === 'resolved'), 25_000);
    await new Promise((r) => setTimeout(r, 11_000));
    t.same(about(hook.received, ids), [`firing down ${district.id}`, `resolved down ${district.id}`], 'one resolved notice, no recovery storm');
  });

  await t.test('3. 30 % random loss on a live point: a DEGRADED warning, no DOWN page', async (t) => {
    const p = inv.point('commune-24541')!; // UBND Xã Cư Ê Wi, Huyện Cư Kuin, 127.66.15.11
    const rule = await faults.dropEchoPercent(p.address, 30);
    const warning = await until('the DEGRADED warning', () => hook.received.find((r) => r.body.alert.point_id === p.id), 90_000);
    t.equal(warning.body.alert.condition, 'degraded');
    t.equal(warning.body.alert.severity, 'warning');
    t.match(warning.body.text, /mất gói \d+%/);
    await new Promise((r) => setTimeout(r, 20_000));
    t.same(about(hook.received, [p.id]).filter((s) => s.includes(' down ')), [], 'no DOWN page');
    t.same(about(hook.received, [p.id]).filter((s) => s.startsWith('firing degraded')).length, 1, 'one DEGRADED warning');
    t.comment(`rule dropped ${await rule.packets()} echo requests`);
    await rule.remove();
  });
});
