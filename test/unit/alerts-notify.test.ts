// Notification pieces, pure or against node:http: messages in Vietnamese and English (names with
// diacritics, communes cut off, population, times in config.timezone, short enough for a phone),
// routing, backoff, failure classification, the webhook signature, Alertmanager's payload.
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadInventory } from '../../src/inventory/load.js';
import { affectedPoint, affectedUnits, classify, recheckStatus } from '../../src/alerts/rootcause.js';
import type { AlertRecord, PointState } from '../../src/alerts/types.js';
import { initialPointState } from '../../src/alerts/state.js';
import { CATALOGS, formatTime, renderMessage } from '../../src/notify/messages.js';
import { route } from '../../src/notify/routing.js';
import { backoffMs } from '../../src/notify/pipeline.js';
import { parseRetryAfter, postBody } from '../../src/notify/http.js';
import { classifySmtpError } from '../../src/notify/email.js';
import { sign, verifySignature, webhookPayload } from '../../src/notify/webhook.js';
import { postableAlert } from '../../src/notify/alertmanager.js';
import { telegramText } from '../../src/notify/telegram.js';
import { DeliveryError, type Outgoing } from '../../src/notify/types.js';

const inv = loadInventory().inventory;
const START = Date.UTC(2026, 4, 28, 19, 42); // 02:42 on 29/05 in Asia/Ho_Chi_Minh

function alert(pointId: string, over: Partial<AlertRecord> = {}): AlertRecord {
  const p = inv.point(pointId)!;
  const behind = over.condition === undefined || over.condition === 'down' ? inv.allDependants(pointId) : [];
  const units = affectedUnits(inv, p, behind);
  return {
    id: 17,
    fingerprint: `${pointId}|down`,
    pointId,
    condition: 'down',
    severity: 'critical',
    state: 'firing',
    labels: { point_id: pointId, unit: p.unit },
    details: { figures: {}, affected: behind.map((q) => affectedPoint(inv, q)), affectedUnits: units, affectedPopulation: units.reduce((s, u) => s + u.population, 0) },
    startedAtMs: START,
    updatedAtMs: START,
    receivers: ['oncall'],
    escalation: [],
    repeatCount: 0,
    escalationsSent: 0,
    ...over,
  };
}

const ctx = { inventory: inv, timeZone: 'Asia/Ho_Chi_Minh', maxListed: 25, url: 'https://netcov.example/api/v1/alerts/17', nowMs: START + 300_000 };

t.test('a dead district point: names the district, the communes cut off and their population (vi)', async (t) => {
  const m = renderMessage(CATALOGS.vi, alert('district-653'), 'firing', ctx);
  t.equal(m.title, '🔴 Mất kết nối: UBND Huyện Krông Bông');
  t.equal(m.language, 'vi');
  const lines = m.text.split('\n');
  t.equal(lines[0], 'Huyện Krông Bông · từ 02:42 29/05/2026 · 14 điểm phía sau bị cô lập', 'time in Asia/Ho_Chi_Minh');
  t.match(lines[1], /^Xã bị ảnh hưởng \(14\): Thị trấn Krông Kmar, Xã Dang Kang, .*Xã Khuê Ngọc Điền/);
  t.equal(lines[2], 'Dân số bị ảnh hưởng: 92.064 người', 'population written the Vietnamese way');
  t.equal(lines.at(-1), 'Chi tiết: https://netcov.example/api/v1/alerts/17');
  t.ok(m.title.length <= 64, 'the title fits a phone notification');
  t.ok(m.text.length < 700, `short enough for a phone (${m.text.length} characters)`);
  t.equal(m.text, m.text.normalize('NFC'), 'precomposed diacritics (NFC)');
});

t.test('English by config; a single commune; long lists are cut with a count; resolved notices', async (t) => {
  const en = renderMessage(CATALOGS.en, alert('district-653'), 'firing', ctx);
  t.equal(en.title, '🔴 DOWN: UBND Huyện Krông Bông', 'names stay as written (Vietnamese)');
  t.match(en.text, 'Population affected: 92,064');
  t.match(en.text, /since 2026-05-29 02:42/);
  const commune = renderMessage(CATALOGS.vi, alert('commune-24187'), 'firing', ctx);
  t.equal(commune.text.split('\n')[0], "Xã Ea Sol, Huyện Ea H'leo · từ 02:42 29/05/2026");
  t.notMatch(commune.text, 'Xã bị ảnh hưởng', 'its own commune is not listed twice');
  t.match(commune.text, 'Dân số bị ảnh hưởng: 14.941 người');
  const short = renderMessage(CATALOGS.vi, alert('district-653'), 'firing', { ...ctx, maxListed: 3 });
  t.match(short.text, /Xã bị ảnh hưởng \(14\): Thị trấn Krông Kmar, Xã Dang Kang, Xã Cư KTy và 11 xã khác/);
  const core = renderMessage(CATALOGS.vi, alert('agency-stttt'), 'firing', { ...ctx, maxListed: 5 });
  t.match(core.text, /Điểm bị cô lập: .* và \d+ điểm khác/, 'agencies behind a dead core are named as points');
  t.match(core.text, /Xã bị ảnh hưởng \(184\)/);
  const resolved = renderMessage(CATALOGS.vi, alert('district-653', { state: 'resolved', resolvedAtMs: START + 252_000, details: { ...alert('district-653').details, stillDown: [affectedPoint(inv, inv.point('commune-24451')!)] } }), 'resolved', ctx);
  t.equal(resolved.title, '✅ Đã khôi phục kết nối: UBND Huyện Krông Bông');
  t.match(resolved.text, 'kéo dài 4 phút 12 giây (02:42 → 02:46 29/05/2026) · 13/14 điểm phía sau đã kết nối lại');
  t.match(resolved.text, 'Vẫn mất kết nối: UBND Xã Dang Kang');
  const degraded = renderMessage(CATALOGS.vi, alert('commune-24187', { condition: 'degraded', severity: 'warning', details: { figures: { loss_pct: 31.2, median_rtt_ms: 48.25 }, affected: [], affectedUnits: [], affectedPopulation: 0 } }), 'firing', ctx);
  t.equal(degraded.title, '⚠️ Chất lượng kết nối kém: UBND Xã Ea Sol');
  t.match(degraded.text, 'mất gói 31% · độ trễ trung vị 48,3 ms');
  const esc = renderMessage(CATALOGS.en, alert('commune-24187', { notifiedAtMs: START }), 'escalation', { ...ctx, nowMs: START + 31 * 60_000 });
  t.match(esc.title, /^⏫ Escalated · DOWN/);
  t.match(esc.text, 'unacknowledged for 31 minutes');
  t.equal(formatTime(CATALOGS.vi, Date.UTC(2026, 0, 1, 17, 5), 'Asia/Ho_Chi_Minh'), '00:05 02/01/2026');
  t.equal(formatTime(CATALOGS.en, Date.UTC(2026, 0, 1, 17, 5), 'UTC'), '2026-01-01 17:05');
});

t.test('routing: by severity, kind, unit (within) and condition; continue; defaults; escalation steps', async (t) => {
  const routes = [
    { receivers: ['district-645-team'], units: ['645'], continue: true },
    { receivers: ['oncall'], severities: ['critical' as const], kinds: ['district', 'commune'], escalate_after_min: 30, escalate_to: ['managers'] },
    { receivers: ['planners'], conditions: ['dead_zone'] },
  ];
  const r1 = route(inv, routes, ['fallback'], { severity: 'critical', condition: 'down', kind: 'commune', unit: '24187' });
  t.same(r1, { receivers: ['district-645-team', 'oncall'], escalation: [{ afterMin: 30, receivers: ['managers'] }] }, 'a commune of 645 matches the unit route (continue) and the critical route');
  const r2 = route(inv, routes, ['fallback'], { severity: 'warning', condition: 'degraded', kind: 'commune', unit: '24448' });
  t.same(r2.receivers, ['fallback'], 'nothing matched: default receivers');
  const r3 = route(inv, routes, ['fallback'], { severity: 'info', condition: 'dead_zone', kind: '', unit: '24448' });
  t.same(r3.receivers, ['planners']);
  const r4 = route(inv, routes, [], { severity: 'critical', condition: 'down', kind: 'agency', unit: '66' });
  t.same(r4.receivers, [], 'an agency is not a district or commune; no defaults: nobody (the alert is still recorded)');
});

t.test('root cause helpers: verdicts, hold, re-check', async (t) => {
  const states = new Map<string, PointState>(inv.points.map((p) => [p.id, { ...initialPointState(p.id, 0), reach: 'UP', lastCheckMs: 100 }]));
  const down = (id: string, since: number, rounds: number) => states.set(id, { ...states.get(id)!, reach: 'DOWN', failingSinceMs: since, failedRounds: rounds, lastCheckMs: 100, hardEligibleSinceMs: rounds >= 3 ? 100 : undefined });
  down('district-645', 90, 3);
  down('commune-24187', 90, 3);
  down('agency-stttt', 95, 1);
  const opts = { downAfterRounds: 3, holdMs: () => 7000 };
  const v = classify(inv, states, 100, opts);
  t.same(v.get('commune-24187'), { verdict: 'upstream_down', rootId: 'agency-stttt' }, 'the topmost failing point of the chain is the root');
  t.same(v.get('agency-stttt'), { verdict: 'upstream_ok' }, 'the core has no upstream');
  t.same(v.get('commune-24190'), { verdict: 'none' });
  states.set('agency-stttt', { ...states.get('agency-stttt')!, reach: 'UP', lastCheckMs: 100 });
  t.same(classify(inv, states, 100, opts).get('commune-24187'), { verdict: 'upstream_down', rootId: 'district-645' });
  states.set('district-645', { ...states.get('district-645')!, reach: 'UP', lastCheckMs: 80 });
  t.same(classify(inv, states, 100, opts).get('commune-24187'), { verdict: 'upstream_unknown' }, 'upstream last checked before the failure began: hold');
  t.same(classify(inv, states, 7100, opts).get('commune-24187'), { verdict: 'upstream_ok' }, 'hold time over: judged on its own');
  states.set('commune-24190', { ...states.get('commune-24190')!, reach: 'DOWN', lastCheckMs: 200 });
  const rc = recheckStatus(states, ['commune-24187', 'commune-24190', 'commune-24193'], 150);
  t.same(rc, { pending: ['commune-24187'], stillDown: ['commune-24190'] }, 'UP dependants are done; down ones need a check after the recovery round');
});

t.test('backoff, Retry-After, status classification, SMTP errors', async (t) => {
  const retry = { maxAttempts: 8, initialMs: 1000, maxMs: 60_000 };
  t.equal(backoffMs(1, retry, undefined, () => 1), 1000);
  t.equal(backoffMs(1, retry, undefined, () => 0), 500, 'jitter down to half');
  t.equal(backoffMs(4, retry, undefined, () => 1), 8000, 'doubling');
  t.equal(backoffMs(20, retry, undefined, () => 1), 60_000, 'capped');
  t.equal(backoffMs(1, retry, 30_000, () => 0), 30_000, "the server's Retry-After wins when longer");
  t.equal(parseRetryAfter('7'), 7000);
  t.equal(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now()) !== undefined, true);
  t.equal(parseRetryAfter('soon'), undefined);
  const statuses = [200, 400, 404, 408, 429, 500, 503];
  const server = createServer((req, res) => {
    const status = Number(req.url?.slice(1));
    res.writeHead(status, status === 429 ? { 'retry-after': '3' } : {}).end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const outcome: Record<number, string> = {};
  for (const s of statuses) {
    try {
      await postBody(`${base}/${s}`, '{}', { timeoutMs: 2000, target: 'x/webhook[0]' });
      outcome[s] = 'ok';
    } catch (err) {
      const e = err as DeliveryError;
      outcome[s] = `${e.recoverable ? 'retry' : 'fail'}${e.retryAfterMs ? ` after ${e.retryAfterMs}` : ''}`;
    }
  }
  t.same(outcome, { 200: 'ok', 400: 'fail', 404: 'fail', 408: 'retry', 429: 'retry after 3000', 500: 'retry', 503: 'retry' });
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await t.rejects(postBody(`http://127.0.0.1:${closedPort}/`, '{}', { timeoutMs: 2000, target: 'x/webhook[0]' }), { recoverable: true, message: /ECONNREFUSED/ }, 'a refused connection is worth a retry');
  t.match(classifySmtpError('m/email[0]', { responseCode: 452 }), { recoverable: true, status: 452 });
  t.match(classifySmtpError('m/email[0]', { responseCode: 550 }), { recoverable: false });
  t.match(classifySmtpError('m/email[0]', { code: 'EAUTH' }), { recoverable: false });
  t.match(classifySmtpError('m/email[0]', { code: 'ECONNREFUSED' }), { recoverable: true });
});

t.test('webhook payload and signature; Alertmanager payload; Telegram length', async (t) => {
  const a = alert('district-653');
  const n: Outgoing = {
    notification: { id: 1, alertId: 17, kind: 'firing', seq: 0, receiver: 'oncall', integration: 'oncall/webhook[0]', status: 'pending', attempts: 0, nextAttemptAtMs: 0, createdAtMs: 0, updatedAtMs: 0 },
    alert: a,
    message: renderMessage(CATALOGS.vi, a, 'firing', ctx),
    url: ctx.url,
    dedupKey: 'netcov-17-firing-0',
    sentAtMs: START,
  };
  const body = JSON.stringify(webhookPayload(n));
  const parsed = JSON.parse(body) as ReturnType<typeof webhookPayload>;
  t.match(parsed, { version: 1, kind: 'firing', status: 'firing', dedup_key: 'netcov-17-firing-0', url: ctx.url, alert: { id: 17, condition: 'down', point_id: 'district-653', affected_population: 92064 } });
  t.equal(parsed.alert.affected.length, 14);
  const sig = sign('k', body);
  t.match(sig, /^sha256=[0-9a-f]{64}$/);
  t.ok(verifySignature('k', body, sig));
  t.notOk(verifySignature('other', body, sig), 'another key does not verify');
  t.notOk(verifySignature('k', body.replace('92064', '92065'), sig), 'a changed body does not verify');
  t.notOk(verifySignature('k', body, undefined));
  const am = postableAlert({ ...n, alert: { ...a, labels: { point_id: 'district-653', severity: 'critical' } } }, 60);
  t.equal(am.labels.alertname, 'NetcovPointDown');
  t.equal(am.endsAt, new Date(START + 240_000).toISOString(), 'firing: endsAt four re-post intervals ahead');
  const resolvedAm = postableAlert({ ...n, alert: { ...a, state: 'resolved', resolvedAtMs: START + 5000 } }, 60);
  t.equal(resolvedAm.endsAt, new Date(START + 5000).toISOString(), 'resolved: endsAt is the resolution');
  t.equal(telegramText('T', 'x'.repeat(5000)).length, 4096, 'cut to Telegram\'s limit');
});
