// What mutes a page, pure: maintenance windows (per point or administrative unit, one-off or
// recurring by cron in config.timezone) and silences (Alertmanager-style label matchers with expiry).
import type { Inventory, Point } from '../inventory/model.js';
import { activeOccurrence, parseCron, type CronExpr } from './cron.js';
import type { MaintenanceWindow, Matcher, Silence } from './types.js';

const cronCache = new Map<string, CronExpr>();

function cronOf(source: string): CronExpr {
  let expr = cronCache.get(source);
  if (!expr) {
    expr = parseCron(source);
    cronCache.set(source, expr);
  }
  return expr;
}

const occurrences = new Map<string, number | null>();

/**
 * activeOccurrence() scans up to duration_min minutes; the answer only changes at a minute
 * boundary, and mutes are asked per open alert per tick, so it is remembered per minute.
 */
function occurrenceAt(cron: string, durationMin: number, nowMs: number, timeZone: string): number | undefined {
  const key = `${timeZone}|${durationMin}|${Math.floor(nowMs / 60_000)}|${cron}`;
  let hit = occurrences.get(key);
  if (hit === undefined) {
    if (occurrences.size > 10_000) occurrences.clear();
    hit = activeOccurrence(cronOf(cron), durationMin, nowMs, timeZone) ?? null;
    occurrences.set(key, hit);
  }
  return hit ?? undefined;
}

/** The end (ms) of the window's occurrence running at `nowMs`, or undefined when it is not running. */
export function windowActiveUntil(w: MaintenanceWindow, nowMs: number, timeZone: string): number | undefined {
  if (w.cron !== undefined) {
    const duration = w.durationMin ?? 0;
    // A recurring window may also be bounded by starts_at / ends_at (e.g. "every night this month").
    if (w.startsAtMs !== undefined && nowMs < w.startsAtMs) return undefined;
    if (w.endsAtMs !== undefined && nowMs >= w.endsAtMs) return undefined;
    const start = occurrenceAt(w.cron, duration, nowMs, timeZone);
    return start === undefined ? undefined : start + duration * 60_000;
  }
  if (w.startsAtMs === undefined || w.endsAtMs === undefined) return undefined;
  return nowMs >= w.startsAtMs && nowMs < w.endsAtMs ? w.endsAtMs : undefined;
}

export function windowCovers(inv: Inventory, w: MaintenanceWindow, p: Point): boolean {
  return w.pointIds.includes(p.id) || w.unitCodes.some((code) => inv.isWithin(p.unit, code));
}

/** Windows in force for a point at `nowMs`. */
export function activeWindowsFor(inv: Inventory, windows: readonly MaintenanceWindow[], p: Point, nowMs: number, timeZone: string): MaintenanceWindow[] {
  return windows.filter((w) => windowCovers(inv, w, p) && windowActiveUntil(w, nowMs, timeZone) !== undefined);
}

const regexCache = new Map<string, RegExp>();

/** Alertmanager anchors regex matchers: "645|646" matches exactly those values. */
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    regexCache.set(pattern, re);
  }
  return re;
}

export function matcherProblem(m: Matcher): string | undefined {
  if (!m.name) return 'matcher name must not be empty';
  if (!m.isRegex) return undefined;
  try {
    anchored(m.value);
    return undefined;
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
}

export function matcherMatches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[m.name] ?? '';
  const hit = m.isRegex ? anchored(m.value).test(value) : value === m.value;
  return m.isEqual ? hit : !hit;
}

export function silenceActive(s: Silence, nowMs: number): boolean {
  return nowMs >= s.startsAtMs && nowMs < s.endsAtMs;
}

/** Active silences whose matchers all match the labels. */
export function silencesFor(silences: readonly Silence[], labels: Readonly<Record<string, string>>, nowMs: number): Silence[] {
  return silences.filter((s) => silenceActive(s, nowMs) && s.matchers.length > 0 && s.matchers.every((m) => matcherMatches(m, labels)));
}

/**
 * Parse "name=value", "name!=value", "name=~regex", "name!~regex" (the amtool / Alertmanager UI
 * form) into a Matcher. Returns a reason string when it cannot.
 */
export function parseMatcher(text: string): Matcher | string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(text);
  if (!m) return `"${text}" is not name=value, name!=value, name=~regex or name!~regex`;
  const [, name, op, value] = m as unknown as [string, string, string, string];
  const matcher: Matcher = { name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
  return matcherProblem(matcher) ?? matcher;
}
