// The sink against a REAL influxd 1.6 with authentication on: wrong credentials are a clear
// configuration error (logged without the password) while every point stays in the durable spool;
// with the right password the same spool drains into InfluxDB, nothing lost, nothing twice.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Sample } from '../../src/metrics/schema.js';
import { createSink } from '../../src/sink/index.js';
import { captureLog } from '../helpers/log-capture.js';
import { startInfluxd } from '../helpers/services.js';

const USER = 'netcov';
const RIGHT = 'right-s3cret-pass';
const WRONG = 'wrong-s3cret-pass';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

t.test('401 from a real influxd: spooled, named as a config error, then delivered with the right password', async (t) => {
  const influxd = await startInfluxd(t, { auth: { user: USER, password: RIGHT } });
  if (!influxd) return;
  const stateDir = mkdtempSync(join(tmpdir(), 'netcov-auth-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const config = (password: string) =>
    parseConfig(
      `state_dir: ${stateDir}\nsink: { url: "${influxd.url}", username: ${USER}, password: ${password}, flush_interval_ms: 50, retry_initial_ms: 50, retry_max_ms: 300 }\n`,
      'auth.yaml',
    );
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 600_000;
  const samples: Sample[] = Array.from({ length: 30 }, (_, i) => ({
    measurement: 'ping',
    tags: { point_id: `commune-${24118 + (i % 3)}`, kind: 'commune', upstream: 'district-643', url: '127.66.1.10', province: '66', district: '643' },
    fields: { packets_transmitted: 3, packets_received: 3, percent_packet_loss: 0, result_code: 0 },
    timeMs: t0 + i * 5000,
  }));

  const wrongLog = captureLog();
  const wrong = createSink(config(WRONG), wrongLog.log);
  await wrong.start();
  wrong.write(samples);
  await until('a sink_config_error', () => wrongLog.events('sink_config_error').length > 0);
  await until('the batch in the spool', () => wrong.stats().spoolPoints === 30);
  t.match(wrong.stats(), { pointsWritten: 0, pointsDropped: 0, state: 'spooling' });
  const event = wrongLog.events('sink_config_error')[0]!;
  t.equal(event.status, 401);
  t.match(String(event.msg), /refused netcov's credentials .*sink\.username\/sink\.password/);
  t.notMatch(wrongLog.text(), new RegExp(`${WRONG}|${RIGHT}`), 'the password is never logged');
  await wrong.stop();

  const rightLog = captureLog();
  const right = createSink(config(RIGHT), rightLog.log);
  await right.start();
  await until('the spool drained', () => right.stats().spoolPoints === 0 && right.stats().pointsWritten === 30);
  await right.stop();
  const q = new URLSearchParams({ db: 'netcov', u: USER, p: RIGHT, q: 'SELECT count(packets_transmitted) FROM "raw"."ping" GROUP BY point_id' });
  const body = (await (await fetch(`${influxd.url}/query?${q}`)).json()) as { results: { series?: { tags: { point_id: string }; values: [string, number][] }[] }[] };
  const counts = Object.fromEntries((body.results[0]?.series ?? []).map((s) => [s.tags.point_id, s.values[0]![1]]));
  t.same(counts, { 'commune-24118': 10, 'commune-24119': 10, 'commune-24120': 10 }, 'every spooled point, exactly once');
  t.notMatch(rightLog.text(), new RegExp(`${WRONG}|${RIGHT}`));
});
