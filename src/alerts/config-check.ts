// Cross-key checks of the alerts and notify configuration sections (receivers named by routes
// exist, crons parse, thresholds are ordered …), run by the config loader after the schema.
import type { Config } from '../config/schema.js';
import type { Problem } from '../util/schema-errors.js';
import { cronProblem } from './cron.js';

function validIsoTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text));
}

/** Cross-key checks of the alerts and notify sections (run by the config loader after the schema). */
export function alertingConfigProblems(config: Config): Problem[] {
  const problems: Problem[] = [];
  const n = config.notify;
  const known = new Set(Object.keys(n.receivers));
  const checkNames = (names: readonly string[] | undefined, path: (string | number)[]) => {
    for (const name of names ?? []) if (!known.has(name)) problems.push({ path, message: `no receiver named "${name}" in notify.receivers` });
  };
  n.routes.forEach((r, i) => {
    checkNames(r.receivers, ['notify', 'routes', i, 'receivers']);
    checkNames(r.escalate_to, ['notify', 'routes', i, 'escalate_to']);
    if ((r.escalate_after_min === undefined) !== !r.escalate_to?.length) problems.push({ path: ['notify', 'routes', i], message: 'give escalate_after_min and escalate_to together' });
  });
  checkNames(n.default_receivers, ['notify', 'default_receivers']);
  for (const [name, r] of Object.entries(n.receivers)) {
    const count = (r.webhook_configs?.length ?? 0) + (r.alertmanager_configs?.length ?? 0) + (r.email_configs?.length ?? 0) + (r.telegram_configs?.length ?? 0);
    if (count === 0) problems.push({ path: ['notify', 'receivers', name], message: 'a receiver needs at least one of webhook_configs, alertmanager_configs, email_configs, telegram_configs' });
    if (r.telegram_configs?.length && !n.telegram.token) problems.push({ path: ['notify', 'telegram'], message: `receiver "${name}" uses Telegram: set token (or token_env / token_file)` });
  }
  if (n.retry.max_ms < n.retry.initial_ms) problems.push({ path: ['notify', 'retry', 'max_ms'], message: 'must be at least initial_ms' });
  const a = config.alerts;
  if (a.interfaces.uplink_pattern) {
    try {
      new RegExp(a.interfaces.uplink_pattern, 'i');
    } catch (err) {
      problems.push({ path: ['alerts', 'interfaces', 'uplink_pattern'], message: `not a valid regular expression: ${(err as Error).message}` });
    }
  }
  if (a.degraded.loss_clear_pct > a.degraded.loss_pct) problems.push({ path: ['alerts', 'degraded', 'loss_clear_pct'], message: 'must not exceed loss_pct' });
  if (a.degraded.rtt_clear_ms > a.degraded.rtt_ms) problems.push({ path: ['alerts', 'degraded', 'rtt_clear_ms'], message: 'must not exceed rtt_ms' });
  if (a.flapping.low_pct > a.flapping.high_pct) problems.push({ path: ['alerts', 'flapping', 'low_pct'], message: 'must not exceed high_pct' });
  const ids = new Set<string>();
  a.maintenance.forEach((m, i) => {
    const at = ['alerts', 'maintenance', i];
    if (ids.has(m.id)) problems.push({ path: [...at, 'id'], message: `duplicate id "${m.id}"` });
    ids.add(m.id);
    if (!m.points?.length && !m.units?.length) problems.push({ path: at, message: 'give points or units' });
    for (const key of ['starts_at', 'ends_at'] as const) {
      const v = m[key];
      if (v !== undefined && !validIsoTime(v)) problems.push({ path: [...at, key], message: `"${v}" is not an ISO 8601 time (e.g. 2026-06-01T22:00:00+07:00)` });
    }
    if (m.cron !== undefined) {
      const bad = cronProblem(m.cron);
      if (bad) problems.push({ path: [...at, 'cron'], message: bad });
      if (m.duration_min === undefined) problems.push({ path: at, message: 'a recurring window (cron) needs duration_min' });
    } else if (m.starts_at === undefined || m.ends_at === undefined) problems.push({ path: at, message: 'give starts_at and ends_at (one-off) or cron and duration_min (recurring)' });
  });
  return problems;
}
