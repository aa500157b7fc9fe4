// `netcov demo`: the simulated province and a real `netcov run` pointed at it, with a scenario that
// shows an outage page, a root-cause page and a new dead zone within two minutes. It picks free
// loopback ports, writes the daemon's config into the demo directory, receives the alert
// notifications on a local webhook and prints them, and says where to look. Ctrl-C (or the end of
// a headless run) stops the daemon, the simulator, any influxd it started and removes its
// nftables table; a second Ctrl-C stops at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Config } from '../config/schema.js';
import type { Language } from '../i18n.js';
import type { Inventory } from '../inventory/model.js';
import { demoConfig } from './demo-config.js';
import { influxAnswers, startLocalInfluxd, type LocalInfluxd } from './influxd.js';
import type { IncidentEvent, PlannedIncident } from './incidents.js';
import type { Scenario } from './scenario.js';
import { outageRulesFrom, startSimulator, type Simulator } from './simulator.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DemoOptions {
  inventory: Inventory;
  /** The config the demo starts from (language, timezone, coverage rules); usually the defaults. */
  base: Config;
  scenario: Scenario;
  /** Directory for the daemon's config, state, logs (default ./.demo); its state is reset each run. */
  dir: string;
  /** InfluxDB URL to use when something answers there. */
  influxUrl: string;
  withInfluxd: boolean;
  /** No TTY niceties; stop when the three outcomes are seen or after durationS; JSON lines out. */
  headless: boolean;
  durationS?: number;
  /** Seconds between ICMP rounds (5 shows the incidents within two minutes). */
  roundS: number;
  nftFaults: 'auto' | 'off';
  /** Sample coverage feeds (default: the simulator's, inventory/coverage). */
  coverageDir?: string;
  lang: Language;
  out: (line: string) => void;
}

export interface DemoOutcome {
  /** GET /api/v1/summary's total. */
  points?: number;
  /** A page for a point that went down. */
  outagePage?: { point_id: string; title: string };
  /** A page naming a root cause with points behind it. */
  rootCausePage?: { point_id: string; affected: number; title: string };
  /** The village the base station outage turned into a dead zone, seen in /api/v1/coverage/gaps. */
  deadZone?: { village_code: string; village: string; population: number };
}

interface WebhookAlert {
  status: string;
  title: string;
  text: string;
  kind: string;
  alert: { point_id: string; condition: string; affected: unknown[] };
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `preferred` if it can be bound on `host` (UDP), else a free one. */
async function udpPort(host: string, preferred: number): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<number | undefined>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        res(undefined);
      });
      s.bind(port, host, () => {
        const p = s.address().port;
        s.close(() => res(p));
      });
    });
  return (await tryBind(preferred)) ?? (await tryBind(0)) ?? preferred;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** The webhook receiver: every notification the daemon sends, as it arrives. */
async function startWebhook(onAlert: (a: WebhookAlert) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        onAlert(JSON.parse(body) as WebhookAlert);
      } catch {
        // not a netcov notification: ignore it
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, server };
}

/** The daemon as a child process: the build when run from dist, the TypeScript source under tsx. */
function daemonCommand(configFile: string): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/main.ts'), 'run', '--config', configFile]
    : [process.execPath, join(REPO_ROOT, 'bin/netcov.js'), 'run', '--config', configFile];
}

const t = (lang: Language, vi: string, en: string) => (lang === 'vi' ? vi : en);

export async function runDemo(o: DemoOptions, stopRequested: Promise<unknown>): Promise<{ outcome: DemoOutcome; ok: boolean }> {
  const lang = o.lang;
  const say = (vi: string, en: string, json?: Record<string, unknown>) => o.out(o.headless ? JSON.stringify(json ?? { message: t(lang, vi, en) }) : t(lang, vi, en));
  const dir = resolve(o.dir);
  // A fresh state each run: yesterday's alerts would confuse today's demo.
  rmSync(join(dir, 'state'), { recursive: true, force: true });
  mkdirSync(join(dir, 'state'), { recursive: true });

  const cleanups: (() => Promise<void>)[] = [];
  const outcome: DemoOutcome = {};
  let daemon: ChildProcess | undefined;
  try {
    // ---- storage
    let influxUrl = o.influxUrl;
    let storage: string;
    if (await influxAnswers(influxUrl)) storage = t(lang, `InfluxDB trả lời tại ${influxUrl}: số liệu ghi vào đó.`, `InfluxDB answers at ${influxUrl}: metrics are written there.`);
    else if (o.withInfluxd) {
      const local: LocalInfluxd | undefined = await startLocalInfluxd(join(dir, 'influxd'), await freeTcpPort(), await freeTcpPort());
      if (local) {
        cleanups.push(() => local.stop());
        influxUrl = local.url;
        storage = t(lang, `Đã khởi động influxd của Debian tại ${local.url} (dữ liệu trong ${join(dir, 'influxd')}).`, `Started Debian's influxd at ${local.url} (data in ${join(dir, 'influxd')}).`);
      } else storage = t(lang, 'Không tìm thấy influxd (apt-get install influxdb): số liệu nằm trong spool bền vững.', 'influxd is not installed (apt-get install influxdb): metrics stay in the durable spool.');
    } else
      storage = t(
        lang,
        `Không có InfluxDB tại ${influxUrl}: số liệu được giữ trong spool bền vững (${join(dir, 'state/spool')}) và sẽ được ghi khi InfluxDB xuất hiện. Thêm --with-influxd để chạy influxd của Debian.`,
        `No InfluxDB at ${influxUrl}: metrics are kept in the durable spool (${join(dir, 'state/spool')}) and written once InfluxDB appears. Add --with-influxd to run Debian's influxd.`,
      );
    say(storage, storage, { event: 'demo_storage', influx_url: influxUrl, message: storage });

    // ---- the simulated province, incidents held until the daemon is up
    const snmpPort = await udpPort(o.inventory.points[0]?.address ?? '127.0.0.1', 1161);
    const onEvent = (e: IncidentEvent) => {
      if (e.type === 'flap') return; // too chatty for the demo; the uplink flap shows in Grafana and alerts
      const text = e.type === 'scenario_end' ? t(lang, 'kịch bản kết thúc', 'scenario over') : `${e.type === 'start' ? '▶' : e.type === 'end' ? '■' : '✗'} ${e.plan.description}${e.type === 'error' ? `: ${e.message}` : ''}`;
      say(text, text, { event: `incident_${e.type}`, ...('plan' in e ? { description: e.plan.description, affects: e.plan.affects } : {}) });
    };
    const sim: Simulator = await startSimulator({
      inventory: o.inventory,
      snmpPort,
      scenario: o.scenario,
      nftFaults: o.nftFaults,
      outageRules: outageRulesFrom(o.base),
      incidentsAtStart: false,
      ...(o.coverageDir ? { coverageDir: resolve(o.coverageDir) } : {}),
      lang,
      onEvent,
    });
    cleanups.push(() => sim.stop());
    for (const p of sim.plans) for (const s of p.skipped) say(`BỎ QUA (${p.description}) — ${s}`, `SKIPPED (${p.description}) — ${s}`, { event: 'incident_skipped', description: p.description, reason: s });
    const outagePlan: PlannedIncident | undefined = sim.plans.find((p) => p.village && p.actions.length);

    // ---- alerts arrive here
    const alerts: WebhookAlert[] = [];
    const webhook = await startWebhook((a) => {
      alerts.push(a);
      const head = a.title;
      say(head, head, { event: 'alert', status: a.status, kind: a.kind, condition: a.alert?.condition, point_id: a.alert?.point_id, affected: a.alert?.affected?.length ?? 0, title: a.title });
      if (!o.headless) for (const line of a.text.split('\n').slice(0, 6)) o.out(`     ${line}`);
    });
    cleanups.push(() => new Promise<void>((r) => webhook.server.close(() => r())));

    // ---- the daemon
    const apiPort = await freeTcpPort();
    const api = `http://127.0.0.1:${apiPort}`;
    const configFile = join(dir, 'netcov.yaml');
    const config = demoConfig({
      stateDir: join(dir, 'state'),
      snmpPort,
      feedUrls: sim.coverage.urls,
      apiPort,
      webhookUrl: webhook.url,
      influxUrl,
      language: lang,
      roundS: o.roundS,
      trapPort: await udpPort('127.0.0.1', 1162),
    });
    writeFileSync(configFile, `# Written by netcov demo; every run rewrites it.\n${stringify(config)}`);
    const logFile = join(dir, 'netcov.log');
    const fd = openSync(logFile, 'w');
    const [cmd, ...args] = daemonCommand(configFile);
    try {
      daemon = spawn(cmd!, args, { cwd: REPO_ROOT, stdio: ['ignore', fd, fd], env: { ...process.env, NOTIFY_SOCKET: '' } });
    } finally {
      closeSync(fd);
    }
    const child = daemon;
    const daemonExited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // If this process ends abruptly (a second Ctrl-C), the daemon must not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    cleanups.push(async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await daemonExited;
      clearTimeout(killer);
    });

    // Ready when the API answers (or, if it never does, when the daemon has been up 20 s).
    const readyBy = Date.now() + 60_000;
    let apiUp = false;
    while (Date.now() < readyBy && child.exitCode === null) {
      apiUp = await getJson(`${api}/healthz`).then(
        () => true,
        () => false,
      );
      if (apiUp) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (child.exitCode !== null) throw new Error(t(lang, `netcov run đã dừng (mã ${child.exitCode}); xem ${logFile}`, `netcov run exited (status ${child.exitCode}); see ${logFile}`));

    // The planner's query names the commune of the village that is about to lose coverage.
    const gapsUnit = outagePlan?.village ? o.inventory.villages.find((v) => v.code === outagePlan.village?.code)?.unit : undefined;
    say(
      [
        '',
        `netcov đang chạy. Xem:`,
        `  API:              ${api}/api/v1/summary`,
        `  Tài liệu API:     ${api}/docs`,
        `  Cảnh báo:         ${api}/api/v1/alerts`,
        `  Vùng lõm sóng:    curl '${api}/api/v1/coverage/gaps?${gapsUnit ? `unit=${gapsUnit}&` : ''}format=csv'`,
        `  Nhật ký daemon:   ${logFile}`,
        `  Cấu hình:         ${configFile}`,
        apiUp ? '' : `  (API chưa trả lời ở ${api}: xem nhật ký)`,
        `Kịch bản "${o.scenario.name}" bắt đầu; cảnh báo sẽ hiện ở đây. Ctrl-C để dừng.`,
      ].join('\n'),
      [
        '',
        `netcov is running. Look at:`,
        `  API:              ${api}/api/v1/summary`,
        `  API docs:         ${api}/docs`,
        `  Alerts:           ${api}/api/v1/alerts`,
        `  Dead zones:       curl '${api}/api/v1/coverage/gaps?${gapsUnit ? `unit=${gapsUnit}&` : ''}format=csv'`,
        `  Daemon log:       ${logFile}`,
        `  Config:           ${configFile}`,
        apiUp ? '' : `  (the API does not answer at ${api} yet: see the log)`,
        `Scenario "${o.scenario.name}" starts now; alerts appear here. Ctrl-C stops everything.`,
      ].join('\n'),
      { event: 'demo_ready', api, api_up: apiUp, log_file: logFile, config_file: configFile, dead_zone_village: outagePlan?.village?.code ?? null },
    );
    sim.startIncidents();

    // ---- watch for the three outcomes
    const startedMs = Date.now();
    const deadline = o.durationS !== undefined ? startedMs + o.durationS * 1000 : Infinity;
    let stop = false;
    // A second signal is handled by the caller with process.exit(): the exit hooks then kill the
    // daemon and influxd and delete the nftables table.
    void stopRequested.then(
      () => (stop = true),
      () => undefined,
    );
    const seen = () => outcome.points !== undefined && outcome.outagePage !== undefined && outcome.rootCausePage !== undefined && (outcome.deadZone !== undefined || !outagePlan);
    let lastSummary = '';
    while (!stop && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 2000));
      try {
        const summary = (await getJson(`${api}/api/v1/summary`)) as { total: number; by_state: Record<string, number> };
        outcome.points = summary.total;
        const line = `${summary.total} ${t(lang, 'điểm', 'points')}: ${Object.entries(summary.by_state).map(([k, v]) => `${k} ${v}`).join(', ')}`;
        if (line !== lastSummary && !o.headless) o.out(`  · ${line}`);
        lastSummary = line;
      } catch {
        // the API may not be up yet
      }
      for (const a of alerts) {
        if (a.status !== 'firing' || !a.alert) continue;
        if (a.alert.condition === 'down' && !outcome.outagePage) outcome.outagePage = { point_id: a.alert.point_id, title: a.title };
        if (a.alert.condition === 'down' && (a.alert.affected?.length ?? 0) > 0 && !outcome.rootCausePage)
          outcome.rootCausePage = { point_id: a.alert.point_id, affected: a.alert.affected.length, title: a.title };
      }
      if (outagePlan?.village && !outcome.deadZone) {
        // The village's own commune: a short list, within one page.
        const gaps = (await getJson(`${api}/api/v1/coverage/gaps?${gapsUnit ? `unit=${gapsUnit}&` : ''}limit=100`).catch(() => undefined)) as { items?: { village_code: string; village: string; population: number }[] } | undefined;
        const hit = gaps?.items?.find((g) => g.village_code === outagePlan.village?.code);
        if (hit) {
          outcome.deadZone = { village_code: hit.village_code, village: hit.village, population: hit.population };
          const msg = t(lang, `Vùng lõm sóng mới: ${hit.village} (${hit.population} người) — ${api}/api/v1/coverage/gaps`, `New dead zone: ${hit.village} (${hit.population} people) — ${api}/api/v1/coverage/gaps`);
          say(msg, msg, { event: 'dead_zone_listed', ...outcome.deadZone });
        }
      }
      if (o.headless && seen()) break;
    }
    if (child.exitCode !== null) say(`netcov run đã dừng (mã ${child.exitCode}); xem ${logFile}`, `netcov run exited (status ${child.exitCode}); see ${logFile}`, { event: 'daemon_exited', code: child.exitCode });
    const ok = seen();
    say(t(lang, 'Đang dừng…', 'Stopping…'), t(lang, 'Đang dừng…', 'Stopping…'), { event: 'demo_result', ok, outcome, elapsed_s: Math.round((Date.now() - startedMs) / 1000) });
    return { outcome, ok };
  } finally {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => o.out(`cleanup: ${(err as Error).message}`));
    say('Đã dừng tất cả; không còn tiến trình hay bảng nftables nào của demo.', 'Everything stopped; no demo process or nftables table is left.', { event: 'demo_stopped' });
  }
}
