// `netcov run` as a process: starts with a temp config, logs JSON lines, keeps probing (real fping,
// shipped loopback inventory) whether InfluxDB is there or not, and exits 0 within 10 s of SIGTERM.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, requireBinary } from '../helpers/services.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');

interface Run {
  lines: Record<string, unknown>[];
  nonJson: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterSignalMs: number }>;
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  terminate(signal?: NodeJS.Signals): void;
}

function startRun(t: Test, configYaml: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'netcov.yaml');
  writeFileSync(configFile, `state_dir: ${JSON.stringify(dir)}\n${configYaml}`);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: '' } });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Record<string, unknown>[] = [];
  const nonJson: string[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        nonJson.push(line);
      }
      for (const w of waiters) w();
    }
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let signalAt = 0;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterSignalMs: number }>((resolve) => {
    child.on('exit', (code, signal) => {
      if (stderr.trim()) t.comment(`stderr: ${stderr.trim().slice(-2000)}`);
      resolve({ code, signal, afterSignalMs: Date.now() - signalAt });
    });
  });
  return {
    lines,
    nonJson,
    exit,
    waitFor(pred, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(pred);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}${stderr ? `; stderr: ${stderr.slice(-1000)}` : ''}`)), timeoutMs);
        waiters.push(check);
        check();
        void exit.then(() => check());
      });
    },
    terminate(signal = 'SIGTERM') {
      signalAt = Date.now();
      child.kill(signal);
    },
  };
}

const roundsLogged = (run: Run) => run.lines.filter((l) => l.event === 'icmp_round').length;

t.test('sink kind none: starts, probes, logs JSON, exits 0 within 10 s of SIGTERM', async (t) => {
  if (!requireBinary(t, 'fping')) return;
  const run = startRun(t, 'log:\n  level: debug\nicmp:\n  interval_s: 1\n  timeout_ms: 500\nsink:\n  kind: none\n');
  await run.waitFor((l) => l.event === 'daemon_started');
  await run.waitFor((l) => l.event === 'icmp_round');
  t.match(run.lines.find((l) => l.event === 'icmp_backend'), { backend: 'fping' });
  // Other test files fault some 127.66.x.y addresses in parallel, so `down` is only typed here.
  t.match(run.lines.find((l) => l.event === 'icmp_round'), { level: 'debug', points: 235, down: Number });
  run.terminate('SIGTERM');
  const exit = await run.exit;
  t.equal(exit.code, 0, 'exit status 0');
  t.ok(exit.afterSignalMs < 10_000, `stopped ${exit.afterSignalMs} ms after SIGTERM`);
  t.same(run.nonJson, [], 'stdout is JSON lines only');
  t.ok(run.lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && typeof l.msg === 'string'), 'each line has time, level, msg');
  t.ok(run.lines.some((l) => l.event === 'daemon_stopped'));
});

t.test('InfluxDB unreachable: probing goes on, SIGINT still exits 0 within 10 s', async (t) => {
  if (!requireBinary(t, 'fping')) return;
  const port = await freeTcpPort(); // nothing listens there
  const run = startRun(t, `log:\n  level: debug\nicmp:\n  interval_s: 1\n  timeout_ms: 500\nsink:\n  kind: influx_v1\n  url: http://127.0.0.1:${port}\n  retry_initial_ms: 100\n`);
  await run.waitFor((l) => l.event === 'daemon_started');
  await run.waitFor(() => roundsLogged(run) >= 3);
  t.ok(roundsLogged(run) >= 3, 'rounds keep coming while InfluxDB is down');
  t.ok(run.lines.some((l) => l.level === 'warn' || l.level === 'error'), 'the sink complains');
  run.terminate('SIGINT');
  const exit = await run.exit;
  t.equal(exit.code, 0);
  t.ok(exit.afterSignalMs < 10_000, `stopped ${exit.afterSignalMs} ms after SIGINT`);
  t.same(run.nonJson, []);
});
