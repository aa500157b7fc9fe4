// Renders an alert into a short message for people: a one-line title and a few lines naming the
// point, its administrative units, the communes cut off and their population, and a link to the
// details in the API. The words come from messages.vi.ts / messages.en.ts; the layout lives here.
import type { Language } from '../i18n.js';
import type { Inventory } from '../inventory/model.js';
import type { AlertRecord, ConditionName, NotificationKind } from '../alerts/types.js';
import type { RenderedMessage } from './types.js';
import { vi } from './messages.vi.js';
import { en } from './messages.en.js';

type ListFn = (names: string, more: number) => string;
type CountedListFn = (count: number, names: string, more: number) => string;

export interface MessageCatalog {
  language: Language;
  firing: Record<ConditionName, string>;
  resolved: Record<ConditionName, string>;
  repeatPrefix: string;
  escalationPrefix: string;
  acknowledgedBy(who: string): string;
  unacknowledgedFor(minutes: number): string;
  since(time: string): string;
  lasted(duration: string, from: string, to: string): string;
  duration(ms: number): string;
  cutOff(count: number): string;
  pointsCutOff: ListFn;
  communes: CountedListFn;
  population(people: number): string;
  reconnected(back: number, total: number): string;
  stillDown: ListFn;
  details(url: string): string;
  figures: {
    loss(pct: number): string;
    rtt(ms: number): string;
    flap(pct: number): string;
    errors(perS: number): string;
    utilization(pct: number): string;
    ifOperDown: string;
    port(name: string): string;
  };
  deadZone: {
    villages: CountedListFn;
    cellOutage(carriers: string): string;
    noCoverage: string;
  };
  /** dmy: 14:03 28/05/2026; ymd: 2026-05-28 14:03. */
  timeFormat: { locale: string; pattern: 'dmy' | 'ymd' };
}

export const CATALOGS: Record<Language, MessageCatalog> = { vi, en };

export interface RenderContext {
  inventory: Inventory;
  timeZone: string;
  /** Most names listed before "and N more". */
  maxListed: number;
  /** Link to the alert in the API. */
  url: string;
  nowMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A time as people of the language read it, in the configured zone. */
export function formatTime(cat: MessageCatalog, timeMs: number, timeZone: string): string {
  const key = `${cat.timeFormat.locale}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(key, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(timeMs)) p[part.type] = part.value;
  return cat.timeFormat.pattern === 'dmy' ? `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}` : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "02:42 → 02:46 29/05/2026" when both fall on the same local day, else both in full. */
export function formatRange(cat: MessageCatalog, fromMs: number, toMs: number, timeZone: string): [string, string] {
  const from = formatTime(cat, fromMs, timeZone);
  const to = formatTime(cat, toMs, timeZone);
  const clock = /\d{2}:\d{2}/;
  const dayOf = (s: string) => s.replace(clock, '').trim();
  return dayOf(from) === dayOf(to) ? [clock.exec(from)![0], to] : [from, to];
}

/** Conditions that cut people off: their messages name the communes and the population. */
const OUTAGES = new Set<ConditionName>(['down', 'if_down']);

function listed(names: readonly string[], max: number): [string, number] {
  return [names.slice(0, max).join(', '), Math.max(0, names.length - max)];
}

const EMOJI = { critical: '🔴', warning: '⚠️', info: 'ℹ️', resolved: '✅', repeat: '🔁', escalation: '⏫' } as const;

/** Where the subject is: its unit and the units above it, below the province ("Xã Ea Sol, Huyện Ea H'leo"). */
function place(inv: Inventory, unitCode: string): string {
  const chain = inv.ancestry(unitCode);
  const shown = chain.length > 1 ? chain.slice(1) : chain;
  return shown
    .reverse()
    .map((u) => u.name)
    .join(', ');
}

function subjectOf(inv: Inventory, a: AlertRecord): { name: string; unit: string } {
  const p = inv.point(a.pointId);
  if (p) return { name: p.name, unit: p.unit };
  const unit = a.labels.unit ?? '';
  return { name: inv.unit(unit)?.name ?? a.labels.unit_name ?? a.pointId, unit };
}

function figuresLine(cat: MessageCatalog, a: AlertRecord): string | undefined {
  const f = a.details.figures;
  const port = a.details.interface ? cat.figures.port(a.details.interface.ifAlias ? `${a.details.interface.ifName} (${a.details.interface.ifAlias})` : a.details.interface.ifName) : undefined;
  const parts: string[] = [];
  switch (a.condition) {
    case 'degraded':
      if (f.loss_pct !== undefined) parts.push(cat.figures.loss(f.loss_pct));
      if (f.median_rtt_ms !== undefined) parts.push(cat.figures.rtt(f.median_rtt_ms));
      break;
    case 'flapping':
      if (f.flap_pct !== undefined) parts.push(cat.figures.flap(f.flap_pct));
      break;
    case 'if_down':
      parts.push(port ?? '', cat.figures.ifOperDown);
      break;
    case 'if_flapping':
      parts.push(port ?? '');
      if (f.flap_pct !== undefined) parts.push(cat.figures.flap(f.flap_pct));
      break;
    case 'if_errors':
      parts.push(port ?? '');
      if (f.errors_per_s !== undefined) parts.push(cat.figures.errors(f.errors_per_s));
      break;
    case 'if_utilization':
      parts.push(port ?? '');
      if (f.utilization_pct !== undefined) parts.push(cat.figures.utilization(f.utilization_pct));
      break;
    case 'dead_zone':
      if (a.details.deadZone) {
        const z = a.details.deadZone;
        parts.push(cat.deadZone.villages(z.villages.length, ...listed(z.villages.map((v) => v.name), 10)));
        parts.push(z.cause === 'cell_outage' ? cat.deadZone.cellOutage(z.carriers.join(', ')) : cat.deadZone.noCoverage);
      }
      break;
    default:
      break;
  }
  const line = parts.filter((s) => s !== '').join(a.condition === 'dead_zone' ? '\n' : ' · ');
  return line || undefined;
}

export function renderMessage(cat: MessageCatalog, a: AlertRecord, kind: NotificationKind, ctx: RenderContext): RenderedMessage {
  const inv = ctx.inventory;
  const d = a.details;
  const subject = subjectOf(inv, a);
  const resolved = kind === 'resolved';
  const prefix = kind === 'repeat' ? `${EMOJI.repeat} ${cat.repeatPrefix} · ` : kind === 'escalation' ? `${EMOJI.escalation} ${cat.escalationPrefix} · ` : '';
  const icon = resolved ? EMOJI.resolved : EMOJI[a.severity];
  const what = resolved ? cat.resolved[a.condition] : cat.firing[a.condition];
  const title = `${prefix || `${icon} `}${what}: ${subject.name}`;

  const lines: string[] = [];
  const time = (ms: number) => formatTime(cat, ms, ctx.timeZone);
  const where = subject.unit ? place(inv, subject.unit) : '';
  const endMs = a.resolvedAtMs ?? ctx.nowMs;
  const when = resolved ? cat.lasted(cat.duration(endMs - a.startedAtMs), ...formatRange(cat, a.startedAtMs, endMs, ctx.timeZone)) : cat.since(time(a.startedAtMs));
  const head = [where, when];
  if (!resolved && d.affected.length) head.push(cat.cutOff(d.affected.length));
  if (resolved && d.affected.length) head.push(cat.reconnected(d.affected.length - (d.stillDown?.length ?? 0), d.affected.length));
  lines.push(head.filter((s) => s !== '').join(' · '));

  const figures = figuresLine(cat, a);
  if (figures && !resolved) lines.push(figures);
  if (d.note && !resolved) lines.push(d.note);

  if (!resolved) {
    // Points cut off that serve no commune (agencies behind a dead core) are named as points.
    const nonLeaf = d.affected.filter((p) => !d.affectedUnits.some((u) => u.code === p.unit));
    if (nonLeaf.length) lines.push(cat.pointsCutOff(...listed(nonLeaf.map((p) => p.name), ctx.maxListed)));
    if (OUTAGES.has(a.condition) || a.condition === 'dead_zone') {
      // A commune point alone: its commune is already named in the first line.
      const onlyOwn = d.affectedUnits.length === 1 && d.affectedUnits[0]!.code === subject.unit;
      if (a.condition !== 'dead_zone' && d.affectedUnits.length && !onlyOwn) lines.push(cat.communes(d.affectedUnits.length, ...listed(d.affectedUnits.map((u) => u.name), ctx.maxListed)));
      if (d.affectedPopulation > 0) lines.push(cat.population(d.affectedPopulation));
    }
    if (a.state === 'acknowledged' && a.ackedBy) lines.push(cat.acknowledgedBy(a.ackedBy));
    else if (kind === 'repeat' || kind === 'escalation') lines.push(cat.unacknowledgedFor(Math.floor((ctx.nowMs - (a.notifiedAtMs ?? a.startedAtMs)) / 60_000)));
  } else if (d.stillDown?.length) {
    lines.push(cat.stillDown(...listed(d.stillDown.map((p) => p.name), ctx.maxListed)));
  }
  lines.push(cat.details(ctx.url));
  return { language: cat.language, title, text: lines.join('\n') };
}
