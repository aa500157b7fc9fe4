// The netcov configuration that points a daemon at the simulated province: the coverage feeds of
// the simulator's server, the agents' SNMP port, and (for the demo) fast rounds, a state directory
// of its own, a webhook receiver and a public read API on loopback. Pure: data in, YAML-ready out.
import type { FeedKindName } from './coverage-server.js';

/** coverage.feeds entries for the simulator's feed URLs; the status feed is re-read every `statusEveryS`. */
export function feedConfig(urls: Partial<Record<FeedKindName, string>>, statusEveryS: number): Record<string, unknown>[] {
  // Without cell sites the model has nothing to compute (and netcov refuses such a config).
  if (!urls.cells) return [];
  const feeds: Record<string, unknown>[] = [];
  for (const kind of ['cells', 'measurements', 'reports', 'status'] as const) {
    const url = urls[kind];
    if (!url) continue;
    // Cells, measurements and reports are read at start; the status feed (base-station alarms) is polled.
    feeds.push({ name: `sim-${kind}`, kind, url, ...(kind === 'status' ? { schedule: `*/${statusEveryS} * * * * *` } : {}) });
  }
  return feeds;
}

export interface DemoConfigInput {
  stateDir: string;
  snmpPort: number;
  feedUrls: Partial<Record<FeedKindName, string>>;
  apiPort: number;
  /** Where alert notifications are POSTed (the demo's own receiver). */
  webhookUrl?: string;
  influxUrl: string;
  language: 'vi' | 'en';
  /** Seconds between ICMP rounds (and the status feed's polling). */
  roundS: number;
  trapPort: number;
}

/** The demo daemon's configuration as a plain object (written as YAML for `netcov run`). */
export function demoConfig(i: DemoConfigInput): Record<string, unknown> {
  return {
    language: i.language,
    state_dir: i.stateDir,
    log: { level: 'info' },
    icmp: { interval_s: i.roundS, count: 3, period_ms: 200, timeout_ms: 500 },
    snmp: { port: i.snmpPort, interval_s: 15, timeout_ms: 1000, retries: 0, traps: { port: i.trapPort } },
    sink: { kind: 'influx_v1', url: i.influxUrl, database: 'netcov' },
    alerts: { down_after_rounds: 3 },
    ...(i.webhookUrl ? { notify: { receivers: { demo: { webhook_configs: [{ url: i.webhookUrl }] } }, default_receivers: ['demo'] } } : {}),
    coverage: { feeds: feedConfig(i.feedUrls, i.roundS), recompute_delay_ms: 200 },
    api: { host: '127.0.0.1', port: i.apiPort, public_read: true },
  };
}
