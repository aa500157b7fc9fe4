// The notification channels against real peers: Debian's prometheus-alertmanager 0.25 on loopback
// (alerts appear through its API with netcov's labels; the resolution propagates), a real SMTP
// server (the smtp-server package: the Vietnamese message keeps its diacritics; 4xx retried, 5xx
// not), and the Telegram Bot API as a contract server (no Telegram server can run here: the test
// checks path, token placement, JSON body, and the 429 retry_after back-off).
import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { parseConfig } from '../../src/config/load.js';
import { loadInventory } from '../../src/inventory/load.js';
import { createAlerting, type Alerting } from '../../src/alerts/index.js';
import { ObservationBus } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import { icmpRound } from '../helpers/alerting.js';
import { startAlertmanager } from '../helpers/alertmanager.js';

const inv = loadInventory().inventory;
const COMMUNE = 'commune-24187'; // UBND Xã Ea Sol

function alertingFor(t: Test, notifyYaml: string): { alerting: Alerting; bus: ObservationBus } {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-channels-'));
  const config = parseConfig(`state_dir: ${dir}\nnotify:\n${notifyYaml}`, 'test.yaml');
  const bus = new ObservationBus();
  const alerting = createAlerting({ config, inventory: inv, log: silentLogger(), bus, timers: false });
  alerting.start();
  t.teardown(async () => {
    await alerting.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { alerting, bus };
}

/** Rounds in real time (the peers judge startsAt/endsAt against their own clocks). */
async function rounds(a: { alerting: Alerting; bus: ObservationBus }, n: number, dark: string[] = []): Promise<void> {
  for (let i = 0; i < n; i++) {
    a.bus.emit('icmp', icmpRound(inv, Date.now(), { dark }));
    await a.alerting.dispatcher.drain();
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('Alertmanager: the alert appears through its API with netcov labels, and its resolution propagates', async (t) => {
  const am = await startAlertmanager(t);
  if (!am) return;
  const a = alertingFor(t, `  receivers:\n    am:\n      alertmanager_configs: [{ url: "${am.url}" }]\n  default_receivers: [am]\n`);
  await rounds(a, 1);
  await rounds(a, 3, [COMMUNE]);
  const alert = await until('the alert in Alertmanager', async () => (await am.alerts()).find((x) => x.labels.point_id === COMMUNE));
  t.match(alert.labels, { alertname: 'NetcovPointDown', point_id: COMMUNE, point_name: 'UBND Xã Ea Sol', kind: 'commune', condition: 'down', severity: 'critical', province: '66', district: '645', commune: '24187', unit: '24187' });
  t.match(alert.annotations.summary, /Mất kết nối: UBND Xã Ea Sol/);
  t.match(alert.annotations.url, /\/api\/v1\/alerts\/\d+$/);
  t.equal(alert.status.state, 'active');
  t.ok(Date.parse(alert.endsAt) > Date.now(), 'endsAt ahead: Alertmanager keeps it firing until netcov re-posts or resolves it');
  const record = a.alerting.service.listAlerts()[0]!;
  t.equal(Date.parse(alert.startsAt), Date.parse(record.started_at), 'startsAt is when netcov opened it');
  await rounds(a, 1);
  await until('the resolution in Alertmanager', async () => ((await am.alerts()).some((x) => x.labels.point_id === COMMUNE) ? undefined : true));
  t.pass('resolved: Alertmanager no longer lists it as active');
  const deliveries = a.alerting.service.getAlert(record.id).notifications;
  t.same(deliveries.map((n) => `${n.kind}:${n.status}`), ['firing:delivered', 'resolved:delivered']);
});

/** Decode RFC 2047 encoded-words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=) of a header. */
function decodeHeader(value: string): string {
  return value.replace(/\s*\r?\n\s+/g, ' ').replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

/** The text/plain body of a simple (non-multipart) message, transfer-decoded. */
function decodeBody(raw: string): { headers: Record<string, string>; text: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of (head ?? '').replace(/\r?\n\s+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.join('\n\n');
  const enc = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text = body;
  if (enc === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (enc === 'quoted-printable') text = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  return { headers, text };
}

t.test('Email over a real SMTP server: the Vietnamese subject and body keep their diacritics; 4xx is retried, 5xx is not', async (t) => {
  const messages: string[] = [];
  let reject: { code: number; message: string } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, cb) {
      if (reject) {
        const err = Object.assign(new Error(reject.message), { responseCode: reject.code });
        cb(err);
      } else cb();
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  const a = alertingFor(t, `  smtp: { host: 127.0.0.1, port: ${port}, from: "netcov <netcov@daklak.test>" }\n  retry: { initial_ms: 10, max_ms: 20 }\n  receivers:\n    mail:\n      email_configs: [{ to: ["truc-ca@daklak.test"] }]\n  default_receivers: [mail]\n`);
  await rounds(a, 1);
  await rounds(a, 3, [COMMUNE]);
  await until('the email', async () => (messages.length ? true : undefined));
  const { headers, text } = decodeBody(messages[0]!);
  const subject = decodeHeader(headers.subject ?? '');
  t.equal(subject, '🔴 Mất kết nối: UBND Xã Ea Sol', 'subject with diacritics intact');
  t.match(text, 'Xã Ea Sol, Huyện Ea H\'leo');
  t.match(text, /Dân số bị ảnh hưởng: [\d.]+ người/);
  t.match(headers['content-type'], /charset=utf-8/i);
  t.match(headers['x-netcov-alert'], /^\d+$/);

  // A temporary refusal (451) is retried; a permanent one (550) is recorded as not recoverable.
  reject = { code: 451, message: 'try again later' };
  await rounds(a, 1);
  const id = a.alerting.service.listAlerts({ state: 'all' })[0]!.id;
  const resolvedRow = () => a.alerting.service.getAlert(id).notifications.find((n) => n.kind === 'resolved')!;
  t.equal(resolvedRow().status, 'retrying');
  t.equal(resolvedRow().recoverable, true);
  t.match(resolvedRow().last_error, /SMTP 451/);
  reject = { code: 550, message: 'no such mailbox' };
  await new Promise((r) => setTimeout(r, 50));
  await a.alerting.dispatcher.drain();
  t.equal(resolvedRow().status, 'failed');
  t.equal(resolvedRow().recoverable, false);
  t.match(resolvedRow().last_error, /SMTP 550/);
});

t.test('Telegram Bot API contract: token in the path only, plain text JSON, 429 retry_after honoured', async (t) => {
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  let tooMany = 1;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body: JSON.parse(raw) as Record<string, unknown> });
      if (tooMany-- > 0) {
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { message_id: 7 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const a = alertingFor(t, `  telegram: { api_url: "http://127.0.0.1:${port}", token: "123456:ABC-secret" }\n  retry: { initial_ms: 10, max_ms: 5000 }\n  receivers:\n    tg:\n      telegram_configs: [{ chat_id: "-1001234567890" }]\n  default_receivers: [tg]\n`);
  await rounds(a, 1);
  await rounds(a, 3, [COMMUNE]);
  const id = a.alerting.service.listAlerts()[0]!.id;
  const row = () => a.alerting.service.getAlert(id).notifications[0]!;
  t.equal(row().status, 'retrying', 'a 429 is retried');
  t.notMatch(row().last_error, /ABC-secret/, 'the token never appears in a recorded error');
  const retryAt = Date.parse(row().next_attempt_at!);
  t.ok(retryAt - Date.now() > 800, 'not before Telegram\'s retry_after (1 s)');
  await until('the retry', async () => {
    await a.alerting.dispatcher.drain();
    return row().status === 'delivered' ? true : undefined;
  });
  t.equal(requests.length, 2);
  t.equal(requests[1]!.url, '/bot123456:ABC-secret/sendMessage');
  t.equal(requests[1]!.body.chat_id, '-1001234567890');
  t.match(requests[1]!.body.text as string, /^🔴 Mất kết nối: UBND Xã Ea Sol\n/);
  t.equal(requests[1]!.body.parse_mode, undefined, 'plain text: names need no escaping');
});
