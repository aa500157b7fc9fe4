// Prometheus Alertmanager channel (API v2, POST /api/v2/alerts): an existing Alertmanager can then
// route, group, silence and run netcov's alerts as an HA cluster. Like Prometheus, netcov re-posts
// firing alerts periodically with endsAt a few resend intervals ahead, and posts endsAt on resolution.
import { postBody } from './http.js';
import type { Channel, Outgoing } from './types.js';

export interface AlertmanagerOptions {
  /** Base URL, e.g. http://127.0.0.1:9093 (a trailing slash is fine). */
  url: string;
  timeoutMs: number;
  /** Seconds between re-posts; a firing alert's endsAt is 4 of them ahead (as Prometheus does). */
  resendS: number;
}

const ALERTNAMES: Record<string, string> = {
  down: 'NetcovPointDown',
  degraded: 'NetcovPointDegraded',
  flapping: 'NetcovPointFlapping',
  if_down: 'NetcovUplinkDown',
  if_errors: 'NetcovInterfaceErrors',
  if_utilization: 'NetcovInterfaceSaturated',
  if_flapping: 'NetcovUplinkFlapping',
  dead_zone: 'NetcovDeadZone',
};

export function alertname(condition: string): string {
  return ALERTNAMES[condition] ?? `Netcov_${condition}`;
}

/** One postable alert (Alertmanager's PostableAlert). */
export function postableAlert(n: Outgoing, resendS: number) {
  const a = n.alert;
  const resolved = a.state === 'resolved';
  const endsAtMs = resolved ? (a.resolvedAtMs ?? n.sentAtMs) : n.sentAtMs + 4 * resendS * 1000;
  return {
    labels: { alertname: alertname(a.condition), ...a.labels },
    annotations: {
      summary: n.message.title,
      description: n.message.text,
      url: n.url,
      alert_id: String(a.id),
      ...(a.details.affectedPopulation ? { affected_population: String(a.details.affectedPopulation) } : {}),
    },
    startsAt: new Date(a.startedAtMs).toISOString(),
    endsAt: new Date(endsAtMs).toISOString(),
    generatorURL: n.url,
  };
}

export function createAlertmanagerChannel(receiver: string, index: number, opts: AlertmanagerOptions): Channel {
  const integration = `${receiver}/alertmanager[${index}]`;
  const endpoint = `${opts.url.replace(/\/+$/, '')}/api/v2/alerts`;
  const post = async (alerts: readonly Outgoing[]) => {
    const body = JSON.stringify(alerts.map((n) => postableAlert(n, opts.resendS)));
    const { status } = await postBody(endpoint, body, { timeoutMs: opts.timeoutMs, target: integration });
    return status === undefined ? {} : { status };
  };
  return {
    type: 'alertmanager',
    integration,
    receiver,
    send: (n) => post([n]),
    sync: (firing) => (firing.length ? post(firing) : Promise.resolve({})),
  };
}
