// What Grafana does with a dashboard's InfluxQL before it reaches InfluxDB, for tests: collect every
// query (panel targets, rows' panels, annotations, template variables), resolve the variables in
// order (each variable's own query, its regex with named groups value/text, chained on the ones
// before it), and substitute the macros ($timeFilter, $__interval) and variables the way Grafana's
// InfluxDB datasource does (regex-escaped values inside /…/, "All" as the variable's allValue).

export interface GrafanaTarget {
  refId?: string;
  query?: string;
  rawQuery?: boolean;
  resultFormat?: string;
  datasource?: { type?: string; uid?: string };
  hide?: boolean;
}

export interface GrafanaPanel {
  id?: number;
  type: string;
  title: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
  fieldConfig?: unknown;
  options?: unknown;
  transformations?: unknown[];
}

export interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | Record<string, unknown>;
  regex?: string;
  datasource?: { type?: string; uid?: string };
  includeAll?: boolean;
  allValue?: string;
  multi?: boolean;
}

export interface GrafanaAnnotation {
  name: string;
  datasource?: { type?: string; uid?: string };
  query?: string;
  target?: GrafanaTarget;
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels?: GrafanaPanel[];
  templating?: { list?: GrafanaVariable[] };
  annotations?: { list?: GrafanaAnnotation[] };
  links?: unknown[];
}

/** Every panel, rows' nested panels included. */
export function allPanels(d: GrafanaDashboard): GrafanaPanel[] {
  const out: GrafanaPanel[] = [];
  for (const p of d.panels ?? []) {
    out.push(p);
    for (const inner of p.panels ?? []) out.push(inner);
  }
  return out;
}

export interface QueryRef {
  where: string;
  query: string;
}

/** Every InfluxQL text the dashboard will send (panels and annotations; variables separately). */
export function dashboardQueries(d: GrafanaDashboard): QueryRef[] {
  const out: QueryRef[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      if (t.hide === true) continue;
      out.push({ where: `panel "${p.title}" target ${t.refId ?? '?'}`, query: t.query ?? '' });
    }
  }
  for (const a of d.annotations?.list ?? []) {
    const q = a.target?.query ?? a.query;
    if (q !== undefined) out.push({ where: `annotation "${a.name}"`, query: q });
  }
  return out;
}

/** Grafana's escaping of a variable value used inside an InfluxQL /regex/. */
export function escapeRegexValue(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

export interface Macros {
  /** What $timeFilter becomes, e.g. "time > now() - 1h". */
  timeFilter: string;
  /** What $__interval becomes, e.g. "10s". */
  interval: string;
}

export const DEFAULT_MACROS: Macros = { timeFilter: 'time > now() - 1h', interval: '10s' };

/** A resolved variable: the value Grafana would put in a query (already formatted for a regex). */
export type VariableValues = Map<string, { value: string; regex: string }>;

/**
 * Substitute macros and variables as Grafana does: `$name`, `${name}` and `${name:regex}`;
 * inside a /…/ literal the regex form is used (escaped, or the raw allValue for "All").
 */
export function interpolate(query: string, vars: VariableValues, macros: Macros = DEFAULT_MACROS): string {
  let q = query.replace(/\$timeFilter\b/g, macros.timeFilter).replace(/\$__interval_ms\b/g, String(durationMs(macros.interval))).replace(/\$__interval\b/g, macros.interval);
  // Longest names first so $district does not eat $district_x.
  const names = [...vars.keys()].sort((a, b) => b.length - a.length);
  for (const name of names) {
    const v = vars.get(name)!;
    q = q.replace(new RegExp(`\\$\\{${name}(?::regex)?\\}|\\$${name}\\b`, 'g'), (match, offset: number) => (insideRegex(q, offset) ? v.regex : v.value));
  }
  return q;
}

/** True when `offset` lies inside an InfluxQL /regex/ literal (after "=~ /" and before the closing "/"). */
function insideRegex(text: string, offset: number): boolean {
  const before = text.slice(0, offset);
  const open = before.lastIndexOf('=~ /');
  if (open < 0) return false;
  const close = before.indexOf('/', open + 4);
  return close < 0;
}

function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as Record<string, number>)[m[2]!]!;
}

/** Variables referenced anywhere in the dashboard except their own definition. */
export function variableIsUsed(d: GrafanaDashboard, name: string): boolean {
  const re = new RegExp(`\\$\\{${name}(?::[a-z]+)?\\}|\\$${name}\\b|var-${name}=`);
  if (dashboardQueries(d).some((q) => re.test(q.query))) return true;
  if (allPanels(d).some((p) => re.test(p.title) || re.test(JSON.stringify(p.fieldConfig ?? {})))) return true;
  return (d.templating?.list ?? []).some((v) => v.name !== name && typeof v.query === 'string' && re.test(v.query));
}

/** Apply a variable's regex (with named groups value/text) to raw values, as Grafana does. */
export function applyVariableRegex(values: string[], regex: string | undefined): { value: string; text: string }[] {
  if (!regex) return values.map((v) => ({ value: v, text: v }));
  const m = /^\/(.*)\/([a-z]*)$/s.exec(regex);
  if (!m) throw new Error(`variable regex ${regex} is not /…/flags`);
  const re = new RegExp(m[1]!, m[2]);
  const out: { value: string; text: string }[] = [];
  for (const v of values) {
    const r = re.exec(v);
    if (!r) continue;
    const value = r.groups?.value ?? r[1] ?? v;
    out.push({ value, text: r.groups?.text ?? value });
  }
  return out;
}

// ------------------------------------------------------------------------------------ InfluxDB

export interface InfluxResult {
  error?: string;
  series: { name?: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
}

/** Run one InfluxQL statement through the 1.x /query API (POST, as the provisioned datasource does). */
export async function runInfluxQL(url: string, db: string, query: string): Promise<InfluxResult> {
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ db, q: query, epoch: 'ms' }),
  });
  const body = (await res.json()) as { error?: string; results?: { error?: string; series?: InfluxResult['series'] }[] };
  if (!res.ok || body.error) return { error: `HTTP ${res.status}: ${body.error ?? ''}`, series: [] };
  const r = body.results?.[0];
  return { ...(r?.error ? { error: r.error } : {}), series: r?.series ?? [] };
}

/** Values of a variable query result: SHOW TAG VALUES gives [key, value] rows, SELECTs [time, value]. */
export function variableValues(result: InfluxResult): string[] {
  const out = new Set<string>();
  for (const s of result.series) for (const row of s.values) out.add(String(row[1] ?? row[0]));
  return [...out];
}

/**
 * Resolve the dashboard's variables in order against InfluxDB: each gets its first value (or the
 * value `prefer` picks), or "All" when `useAll` is set and the variable includes All.
 */
export async function resolveVariables(
  d: GrafanaDashboard,
  run: (q: string) => Promise<InfluxResult>,
  opts: { useAll?: boolean; prefer?: Record<string, (options: { value: string; text: string }[]) => string | undefined>; macros?: Macros } = {},
): Promise<{ vars: VariableValues; problems: string[]; options: Map<string, { value: string; text: string }[]> }> {
  const vars: VariableValues = new Map();
  const problems: string[] = [];
  const options = new Map<string, { value: string; text: string }[]>();
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query' || typeof v.query !== 'string') {
      problems.push(`variable ${v.name}: type ${v.type} is not checked by this helper`);
      continue;
    }
    const q = interpolate(v.query, vars, opts.macros);
    const result = await run(q);
    if (result.error) {
      problems.push(`variable ${v.name}: ${result.error} in ${q}`);
      continue;
    }
    const opts2 = applyVariableRegex(variableValues(result), v.regex);
    options.set(v.name, opts2);
    if (opts2.length === 0) {
      problems.push(`variable ${v.name}: no value from ${q}`);
      continue;
    }
    if (opts.useAll && v.includeAll) {
      const all = v.allValue ?? `(${opts2.map((o) => escapeRegexValue(o.value)).join('|')})`;
      vars.set(v.name, { value: all, regex: all });
      continue;
    }
    const chosen = opts.prefer?.[v.name]?.(opts2) ?? opts2[0]!.value;
    vars.set(v.name, { value: chosen, regex: escapeRegexValue(chosen) });
  }
  return { vars, problems, options };
}
