// The SQLite alert store: WAL mode, one open alert per fingerprint, the outbox's dedup key, due
// deliveries, silences and maintenance round trips, pruning; and durability across a SIGKILL of a
// child process that committed and was killed before it could close the database. Also the cron
// matcher and mute rules (maintenance windows in config.timezone, Alertmanager-style matchers),
// the cross-key config checks, and the service's input validation.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertStore } from '../../src/alerts/store.js';
import type { AlertRecord, MaintenanceWindow } from '../../src/alerts/types.js';
import { activeOccurrence, cronMatches, cronProblem, parseCron } from '../../src/alerts/cron.js';
import { matcherMatches, parseMatcher, silencesFor, windowActiveUntil, windowCovers } from '../../src/alerts/mute.js';
import { parseConfig, ConfigError } from '../../src/config/load.js';
import { loadInventory } from '../../src/inventory/load.js';
import { REPO_ROOT } from '../helpers/cli.js';

const inv = loadInventory().inventory;

function tempStore(t: Test): { store: AlertStore; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-store-'));
  const file = join(dir, 'alerts.sqlite');
  const store = AlertStore.open(file);
  t.teardown(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, file };
}

function draft(fingerprint: string, now = 1000): Omit<AlertRecord, 'id'> {
  return {
    fingerprint,
    pointId: fingerprint.split('|')[0]!,
    condition: 'down',
    severity: 'critical',
    state: 'firing',
    labels: { unit: '24187' },
    details: { figures: {}, affected: [], affectedUnits: [], affectedPopulation: 0 },
    startedAtMs: now,
    updatedAtMs: now,
    receivers: ['oncall'],
    escalation: [],
    repeatCount: 0,
    escalationsSent: 0,
  };
}

t.test('store: WAL, one open alert per fingerprint, outbox dedup, due rows, filters, prune', async (t) => {
  const { store } = tempStore(t);
  t.equal(store.journalMode, 'wal');
  const a = store.insertAlert(draft('commune-24187|down'));
  t.throws(() => store.insertAlert(draft('commune-24187|down')), /UNIQUE/, 'a second open alert for the fingerprint is refused');
  store.updateAlert({ ...a, state: 'resolved', resolvedAtMs: 2000 });
  const b = store.insertAlert(draft('commune-24187|down', 3000));
  t.ok(b.id > a.id, 'after resolution a new incident opens a new alert');
  t.same(store.openAlerts().map((x) => x.id), [b.id]);
  const row = store.enqueue({ alertId: b.id, kind: 'firing', seq: 0, receiver: 'oncall', integration: 'oncall/webhook[0]', nowMs: 3000 });
  t.ok(row);
  t.equal(store.enqueue({ alertId: b.id, kind: 'firing', seq: 0, receiver: 'oncall', integration: 'oncall/webhook[0]', nowMs: 3001 }), undefined, 'the same delivery is never queued twice');
  t.same(store.dueNotifications(2999).length, 0);
  t.same(store.dueNotifications(3000).map((n) => n.id), [row!.id]);
  store.updateNotification({ ...row!, status: 'delivered', attempts: 1, deliveredAtMs: 3100, updatedAtMs: 3100 });
  t.same(store.dueNotifications(10_000), [], 'delivered rows are not due');
  t.equal(store.cancelOpenNotifications(b.id, ['firing'], 4000), 0, 'nothing open to cancel');
  t.same(store.listAlerts({ units: ['24187'], open: true }).map((x) => x.id), [b.id]);
  t.same(store.listAlerts({ units: ['645'] }), [], 'unit filter is exact (the service expands "within")');
  t.same(store.listAlerts({ states: ['resolved'] }).map((x) => x.id), [a.id]);
  store.addEvent(b.id, 3000, 'opened', undefined, { receivers: ['oncall'] });
  t.same(store.events(b.id).map((e) => e.type), ['opened']);
  t.same(store.prune(2500), { alerts: 1, silences: 0 }, 'resolved alerts older than the cut go, with their rows');
  t.equal(store.alert(a.id), undefined);
});

t.test('store: silences and maintenance round trips; point states', async (t) => {
  const { store } = tempStore(t);
  store.putSilence({ id: 's1', matchers: [{ name: 'district', value: '645|646', isRegex: true, isEqual: true }], startsAtMs: 1, endsAtMs: 2, createdBy: 'ops', comment: 'c', createdAtMs: 1, updatedAtMs: 1 });
  t.same(store.silence('s1')?.matchers[0], { name: 'district', value: '645|646', isRegex: true, isEqual: true });
  t.ok(store.deleteSilence('s1'));
  const w: MaintenanceWindow = { id: 'm1', pointIds: [], unitCodes: ['645'], cron: '0 22 * * 6', durationMin: 120, comment: 'bảo trì', createdBy: 'ops', createdAtMs: 1, updatedAtMs: 1, source: 'store' };
  store.putMaintenance(w);
  t.same(store.maintenance('m1'), w);
  store.savePointStates([{ pointId: 'p', status: 'DOWN', stateType: 'hard', sinceMs: 5, reach: 'DOWN', failedRounds: 4, recent: [], degraded: false, flap: { results: [1, 1], percent: 0, flapping: false }, topology: { verdict: 'upstream_ok' }, maintenance: false, interfaces: {} }], 10);
  t.equal(store.loadPointStates().get('p')?.failedRounds, 4);
});

t.test('store: a committed transaction survives SIGKILL of the writer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-store-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'alerts.sqlite');
  const script = join(dir, 'writer.ts');
  // The child commits an alert and its page, then kills itself without closing the database.
  writeFileSync(
    script,
    `import { AlertStore } from ${JSON.stringify(join(REPO_ROOT, 'src/alerts/store.ts'))};
const s = AlertStore.open(${JSON.stringify(file)});
s.transaction(() => {
  const a = s.insertAlert({ fingerprint: 'x|down', pointId: 'x', condition: 'down', severity: 'critical', state: 'firing', labels: {}, details: { figures: {}, affected: [], affectedUnits: [], affectedPopulation: 0 }, startedAtMs: 1, updatedAtMs: 1, receivers: ['r'], escalation: [], repeatCount: 0, escalationsSent: 0 });
  s.enqueue({ alertId: a.id, kind: 'firing', seq: 0, receiver: 'r', integration: 'r/webhook[0]', nowMs: 1 });
});
process.kill(process.pid, 'SIGKILL');
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  t.equal(r.signal, 'SIGKILL', 'the writer was killed');
  const store = AlertStore.open(file);
  t.teardown(() => store.close());
  t.same(store.openAlerts().map((a) => a.fingerprint), ['x|down'], 'the open alert is there');
  t.equal(store.dueNotifications(10).length, 1, 'and its queued page');
});

t.test('cron in a time zone; maintenance windows; silences', async (t) => {
  t.equal(cronProblem('0 22 * * 6'), undefined);
  t.match(cronProblem('0 25 * * *'), /outside/);
  t.match(cronProblem('* * *'), /5 fields/);
  const sat22 = parseCron('0 22 * * sat');
  // 22:00 Saturday 30/05/2026 in Asia/Ho_Chi_Minh is 15:00 UTC.
  const at = Date.UTC(2026, 4, 30, 15, 0);
  t.ok(cronMatches(sat22, at, 'Asia/Ho_Chi_Minh'));
  t.notOk(cronMatches(sat22, at, 'UTC'), 'the same instant is 15:00 in UTC');
  t.equal(activeOccurrence(sat22, 120, at + 119 * 60_000, 'Asia/Ho_Chi_Minh'), at);
  t.equal(activeOccurrence(sat22, 120, at + 120 * 60_000, 'Asia/Ho_Chi_Minh'), undefined, 'over after duration_min');
  const both = parseCron('0 3 1 * mon');
  t.ok(cronMatches(both, Date.UTC(2026, 5, 1, 3, 0), 'UTC'), 'day of month OR day of week when both are given (1 June)');
  t.ok(cronMatches(both, Date.UTC(2026, 5, 8, 3, 0), 'UTC'), 'a Monday');
  t.same([...parseCron('*/15 * * * *').minute], [0, 15, 30, 45]);
  t.same([...parseCron('0 0 * * 7').dayOfWeek], [0], '7 is Sunday');

  const w: MaintenanceWindow = { id: 'w', pointIds: ['agency-stp'], unitCodes: ['645'], startsAtMs: 100, endsAtMs: 200, comment: '', createdBy: 'x', createdAtMs: 0, updatedAtMs: 0, source: 'store' };
  t.ok(windowCovers(inv, w, inv.point('commune-24187')!), 'a unit covers the points serving units below it');
  t.ok(windowCovers(inv, w, inv.point('district-645')!));
  t.ok(windowCovers(inv, w, inv.point('agency-stp')!));
  t.notOk(windowCovers(inv, w, inv.point('district-646')!));
  t.equal(windowActiveUntil(w, 150, 'UTC'), 200);
  t.equal(windowActiveUntil(w, 200, 'UTC'), undefined);
  const recurring: MaintenanceWindow = { ...w, startsAtMs: undefined, endsAtMs: Date.UTC(2026, 5, 1), cron: '0 22 * * 6', durationMin: 60 };
  t.equal(windowActiveUntil(recurring, at + 30 * 60_000, 'Asia/Ho_Chi_Minh'), at + 60 * 60_000);
  t.equal(windowActiveUntil(recurring, Date.UTC(2026, 5, 6, 15, 30), 'Asia/Ho_Chi_Minh'), undefined, 'bounded by ends_at');

  const m = parseMatcher('district=~"645|646"');
  t.same(m, { name: 'district', value: '645|646', isRegex: true, isEqual: true });
  t.ok(matcherMatches(m as never, { district: '645' }));
  t.notOk(matcherMatches(m as never, { district: '6450' }), 'regex matchers are anchored');
  t.ok(matcherMatches(parseMatcher('severity!=warning') as never, { severity: 'critical' }));
  t.ok(matcherMatches(parseMatcher('if_name!~"ge-.*"') as never, {}), 'a missing label is the empty string');
  t.type(parseMatcher('bad matcher'), 'string');
  t.match(parseMatcher('x=~"("'), /not a valid regular expression/);
  const s = { id: 's', matchers: [parseMatcher('point_id=commune-24187') as never], startsAtMs: 10, endsAtMs: 20, createdBy: 'x', comment: '', createdAtMs: 0, updatedAtMs: 0 };
  t.equal(silencesFor([s], { point_id: 'commune-24187' }, 15).length, 1);
  t.equal(silencesFor([s], { point_id: 'commune-24187' }, 20).length, 0, 'expired');
  t.equal(silencesFor([s], { point_id: 'commune-24190' }, 15).length, 0);
});

t.test('config: cross-key checks of alerts and notify name the key', async (t) => {
  const problems = (yaml: string) => {
    try {
      parseConfig(yaml, 'x.yaml');
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  t.same(problems(''), [], 'the defaults are valid');
  const bad = problems(`alerts:
  degraded: { loss_pct: 10, loss_clear_pct: 15 }
  interfaces: { uplink_pattern: "(" }
  maintenance:
    - { id: nightly, units: ["645"], cron: "0 25 * * *" }
    - { id: nightly, points: [x], starts_at: "tomorrow", ends_at: "2026-06-01T00:00:00+07:00" }
notify:
  receivers:
    oncall: {}
    tg:
      telegram_configs: [{ chat_id: "1" }]
  routes:
    - { receivers: [nobody], escalate_after_min: 30 }
  default_receivers: [ghost]
`);
  const text = bad.join('\n');
  t.match(text, 'alerts.degraded.loss_clear_pct: must not exceed loss_pct');
  t.match(text, 'alerts.interfaces.uplink_pattern: not a valid regular expression');
  t.match(text, /alerts\.maintenance\[0\]\.cron: "25" is outside 0–23/);
  t.match(text, 'alerts.maintenance[0]: a recurring window (cron) needs duration_min');
  t.match(text, 'alerts.maintenance[1].id: duplicate id "nightly"');
  t.match(text, 'alerts.maintenance[1].starts_at: "tomorrow" is not an ISO 8601 time');
  t.match(text, 'notify.receivers.oncall: a receiver needs at least one of');
  t.match(text, 'notify.telegram: receiver "tg" uses Telegram: set token');
  t.match(text, 'notify.routes[0].receivers: no receiver named "nobody"');
  t.match(text, 'notify.routes[0]: give escalate_after_min and escalate_to together');
  t.match(text, 'notify.default_receivers: no receiver named "ghost"');
  t.ok(bad.every((p) => p.startsWith('x.yaml: ')), 'every problem names the file');
  const withSecret = parseConfig('notify:\n  receivers:\n    r:\n      webhook_configs: [{ url: "http://127.0.0.1:9/x", secret_env: HOOK }]\n  default_receivers: [r]\n', 'x.yaml', { env: { HOOK: 'abc' } });
  const secret = withSecret.notify.receivers.r!.webhook_configs![0]!.secret;
  t.equal(String(secret), '[secret]', 'the webhook key is a Secret');
  t.notMatch(JSON.stringify(withSecret), 'abc', 'and never serialised');
});
