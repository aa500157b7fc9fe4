// A small 5-field cron matcher (minute hour day-of-month month day-of-week) evaluated in an IANA
// time zone, for recurring maintenance windows. Pure: "does minute t match?", no scheduling.
// node-cron schedules callbacks but cannot answer "did a window start in the last N minutes?".

export interface CronExpr {
  source: string;
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Standard cron: when both day fields are restricted, either may match. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export class CronError extends Error {}

function parseValue(text: string, min: number, names?: string[]): number {
  const lower = text.toLowerCase();
  const named = names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + min;
  if (!/^\d+$/.test(text)) throw new CronError(`"${text}" is not a number`);
  return Number(text);
}

function parseField(text: string, min: number, max: number, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const stepBy = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(stepBy) || stepBy < 1) throw new CronError(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [lo, hi] = [parseValue(a, min, names), parseValue(b, min, names)];
    } else {
      lo = parseValue(range, min, names);
      hi = stepText === undefined ? lo : max;
    }
    // Day of week 7 is Sunday too.
    const top = max === 6 ? 7 : max;
    if (lo < min || hi > top || lo > hi) throw new CronError(`"${part}" is outside ${min}–${max}`);
    for (let v = lo; v <= hi; v += stepBy) out.add(max === 6 && v === 7 ? 0 : v);
  }
  return out;
}

/** Parse "m h dom mon dow"; throws CronError with the reason. */
export function parseCron(source: string): CronExpr {
  const fields = source.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  return {
    source,
    minute: parseField(mi, 0, 59),
    hour: parseField(h, 0, 23),
    dayOfMonth: parseField(dom, 1, 31),
    month: parseField(mon, 1, 12, MONTHS),
    dayOfWeek: parseField(dow, 0, 6, DAYS),
    domRestricted: dom !== '*',
    dowRestricted: dow !== '*',
  };
}

export function cronProblem(source: string): string | undefined {
  try {
    parseCron(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

interface LocalTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in `timeZone`. */
export function localTime(timeMs: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(timeMs)) parts[p.type] = p.value;
  return { minute: Number(parts.minute), hour: Number(parts.hour), day: Number(parts.day), month: Number(parts.month), weekday: WEEKDAY[parts.weekday ?? ''] ?? 0 };
}

export function cronMatches(expr: CronExpr, timeMs: number, timeZone: string): boolean {
  const t = localTime(timeMs, timeZone);
  if (!expr.minute.has(t.minute) || !expr.hour.has(t.hour) || !expr.month.has(t.month)) return false;
  const dom = expr.dayOfMonth.has(t.day);
  const dow = expr.dayOfWeek.has(t.weekday);
  if (expr.domRestricted && expr.dowRestricted) return dom || dow;
  return dom && dow;
}

/**
 * Start (ms, on a minute boundary) of the most recent occurrence that is still running at `nowMs`
 * for a window of `durationMin` minutes, or undefined when none is.
 */
export function activeOccurrence(expr: CronExpr, durationMin: number, nowMs: number, timeZone: string): number | undefined {
  const minuteMs = 60_000;
  const thisMinute = Math.floor(nowMs / minuteMs) * minuteMs;
  for (let back = 0; back < durationMin; back++) {
    const t = thisMinute - back * minuteMs;
    if (cronMatches(expr, t, timeZone)) return t;
  }
  return undefined;
}
