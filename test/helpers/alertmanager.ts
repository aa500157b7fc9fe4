// Starts Debian's prometheus-alertmanager (0.25) on a free loopback port with its config and
// storage in a private temp dir, clustering off, and waits for /-/ready. Stopped in teardown.
// Returns undefined when the binary is missing (the test was then failed in CI or skipped).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireBinary } from './binaries.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, spawnService, waitReady } from './process.js';

export interface AlertmanagerService {
  /** Base URL, e.g. http://127.0.0.1:23456 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  /** GET /api/v2/alerts (active, unsilenced, uninhibited), parsed. */
  alerts(): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

/** A route to a receiver without integrations: alerts are held and shown by the API, never sent anywhere. */
const CONFIG = `route:
  receiver: blackhole
  group_by: ['...']
receivers:
  - name: blackhole
`;

export async function startAlertmanager(t: Test, options: { startTimeoutMs?: number } = {}): Promise<AlertmanagerService | undefined> {
  const bin = requireBinary(t, 'prometheus-alertmanager');
  if (bin === undefined) return undefined;
  const dir = makeTempDir(t, 'alertmanager');
  const port = await freeTcpPort();
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, CONFIG);
  const logFile = join(dir, 'alertmanager.log');
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // An empty cluster address turns gossip off: no port 9094, no peers.
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
  const proc = spawnService('alertmanager', bin, args, { logFile, cwd: dir });
  const stop = async () => {
    await proc.stop(5000);
  };
  t.teardown(stop);
  try {
    await waitReady(
      proc,
      async () => {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { timeoutMs: options.startTimeoutMs ?? 20_000 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    port,
    logFile,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`alertmanager GET /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as AlertmanagerAlert[];
    },
    stop,
  };
}
