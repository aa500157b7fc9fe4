// A small typed InfluxQL builder for Grafana panels: SELECTs over the metric schema (field and tag
// names checked by the compiler), rendered to the raw query text Grafana's InfluxDB datasource
// runs, and wrapped as a foundation-SDK Dataquery (the SDK has no InfluxDB query type).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { RETENTION_POLICIES, type MeasurementDef, type RollupDef } from '../metrics/schema.js';

// ------------------------------------------------------------------------------------ expressions

export type Aggregate =
  | 'last' | 'first' | 'min' | 'max' | 'mean' | 'median' | 'sum' | 'count' | 'spread' | 'stddev'
  | 'non_negative_difference' | 'difference' | 'distinct'
  /** Math on a value (1.4+): ceil(received / transmitted) is 1 when anything answered. */
  | 'ceil' | 'floor' | 'round' | 'abs';

/** An InfluxQL expression: a field or tag reference, a number, a function call or arithmetic. */
export type Expr =
  | { kind: 'ref'; name: string; type?: 'field' | 'tag' }
  | { kind: 'number'; value: number }
  | { kind: 'call'; fn: Aggregate | 'percentile' | 'top' | 'bottom'; args: Expr[] }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr };

export const num = (value: number): Expr => ({ kind: 'number', value });
export const call = (fn: Aggregate, arg: Expr): Expr => ({ kind: 'call', fn, args: [arg] });
export const percentile = (arg: Expr, p: number): Expr => ({ kind: 'call', fn: 'percentile', args: [arg, num(p)] });
export const add = (left: Expr, right: Expr | number): Expr => ({ kind: 'binary', op: '+', left, right: typeof right === 'number' ? num(right) : right });
export const sub = (left: Expr | number, right: Expr | number): Expr => ({ kind: 'binary', op: '-', left: typeof left === 'number' ? num(left) : left, right: typeof right === 'number' ? num(right) : right });
export const mul = (left: Expr, right: Expr | number): Expr => ({ kind: 'binary', op: '*', left, right: typeof right === 'number' ? num(right) : right });
export const div = (left: Expr, right: Expr | number): Expr => ({ kind: 'binary', op: '/', left, right: typeof right === 'number' ? num(right) : right });
export const last = (e: Expr) => call('last', e);
export const mean = (e: Expr) => call('mean', e);
export const min = (e: Expr) => call('min', e);
export const max = (e: Expr) => call('max', e);
export const sum = (e: Expr) => call('sum', e);
export const count = (e: Expr) => call('count', e);
export const median = (e: Expr) => call('median', e);
/** Rate of a cumulative counter per GROUP BY interval (netcov's self-figures are counters). */
export const increase = (e: Expr) => call('non_negative_difference', e);

/** An InfluxQL identifier, always double-quoted (names may hold dots, dashes, keywords). */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A string literal (single quotes). */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function renderNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`InfluxQL has no literal for ${n}`);
  return String(n);
}

export function renderExpr(e: Expr): string {
  switch (e.kind) {
    case 'ref':
      return e.type ? `${ident(e.name)}::${e.type}` : ident(e.name);
    case 'number':
      return renderNumber(e.value);
    case 'call':
      return `${e.fn}(${e.args.map(renderExpr).join(', ')})`;
    case 'binary': {
      const wrap = (x: Expr) => (x.kind === 'binary' ? `(${renderExpr(x)})` : renderExpr(x));
      return `${wrap(e.left)} ${e.op} ${wrap(e.right)}`;
    }
  }
}

// ---------------------------------------------------------------------------------------- sources

/** What a FROM can name: a measurement netcov writes or a rollup InfluxDB computes. */
export type SchemaSource = MeasurementDef | RollupDef;

/** A typed handle on a source: `f()` and `tag()` only accept names the schema declares. */
export interface SourceHandle<F extends string, T extends string> {
  readonly from: string;
  /** A field of the source. */
  f(name: F): Expr;
  /** A tag key of the source, for WHERE and GROUP BY (tags cannot be aggregated). */
  tag(name: T): TagKey;
  /** A tag as a column of a raw (non-aggregated) SELECT, e.g. an event's type. */
  tagColumn(name: T): Expr;
}

/** A tag key: a declared tag, or an administrative level tag (`level()`: data-driven, any depth). */
export interface TagKey {
  readonly tagKey: string;
}

type FieldsOf<S extends SchemaSource> = Extract<keyof S['fields'], string>;
type TagsOf<S extends SchemaSource> = Extract<keyof S['tags'], string>;

/** `"rp"."measurement"` for a schema source: every query names its retention policy. */
export function source<S extends SchemaSource>(def: S): SourceHandle<FieldsOf<S>, TagsOf<S>> {
  const rp = RETENTION_POLICIES[def.retention];
  return {
    from: `${ident(rp)}.${ident(def.name)}`,
    f: (name) => {
      if (!Object.hasOwn(def.fields, name)) throw new Error(`${def.name} has no field "${name}"`);
      return { kind: 'ref', name };
    },
    tag: (name) => {
      if (!Object.hasOwn(def.tags, name)) throw new Error(`${def.name} has no tag "${name}"`);
      return { tagKey: name };
    },
    tagColumn: (name) => {
      if (!Object.hasOwn(def.tags, name)) throw new Error(`${def.name} has no tag "${name}"`);
      return { kind: 'ref', name, type: 'tag' };
    },
  };
}

/**
 * A tag of one administrative level (province, district, commune …). Levels are inventory data,
 * so the compiler cannot check them: `source` checks the measurement carries level tags at all.
 */
export function level(def: SchemaSource, levelName: string): TagKey {
  if (!def.unitLevels) throw new Error(`${def.name} carries no administrative level tags`);
  return { tagKey: levelName };
}

/** A subquery as a source: its column aliases become the fields of the outer query. */
export function subquery<A extends string>(inner: Select<A>): SourceHandle<A, string> {
  return {
    from: `(${inner.render()})`,
    f: (name) => {
      if (!inner.columns.includes(name)) throw new Error(`subquery has no column "${name}"`);
      return { kind: 'ref', name };
    },
    tag: (name) => ({ tagKey: name }),
    tagColumn: (name) => ({ kind: 'ref', name, type: 'tag' }),
  };
}

// ------------------------------------------------------------------------------------- conditions

export type Condition =
  | { kind: 'raw-macro'; text: '$timeFilter' }
  | { kind: 'since'; duration: string }
  | { kind: 'tag'; key: TagKey; op: '=' | '!='; value: string }
  | { kind: 'tag-var'; key: TagKey; variable: string }
  | { kind: 'tag-in'; key: TagKey; values: string[] }
  | { kind: 'starts-with'; left: Expr; prefix: string }
  | { kind: 'compare'; left: Expr; op: '=' | '!=' | '<' | '<=' | '>' | '>='; right: number | string }
  | { kind: 'and' | 'or'; parts: Condition[] };

/** Grafana's dashboard time range. */
export const timeFilter = (): Condition => ({ kind: 'raw-macro', text: '$timeFilter' });
/** A fixed look-back for "now" panels (current state), independent of the time picker. */
export const since = (duration: string): Condition => {
  if (!/^\d+[smhdw]$/.test(duration)) throw new Error(`bad InfluxQL duration "${duration}"`);
  return { kind: 'since', duration };
};
export const tagIs = (key: TagKey, value: string): Condition => ({ kind: 'tag', key, op: '=', value });
export const tagIsNot = (key: TagKey, value: string): Condition => ({ kind: 'tag', key, op: '!=', value });
/**
 * `"key" =~ /^$var$/`: Grafana formats a variable used in a regex as an escaped alternation, so
 * multi-value and "All" selections work; a missing tag reads as "" and matches only `.*`.
 */
export const tagMatchesVar = (key: TagKey, variable: string): Condition => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new Error(`bad variable name "${variable}"`);
  return { kind: 'tag-var', key, variable };
};
/** `"key" =~ /^(a|b)$/`: the tag is one of fixed values (e.g. event types). */
export const tagIn = (key: TagKey, values: readonly string[]): Condition => {
  if (values.length === 0) throw new Error('tagIn needs at least one value');
  return { kind: 'tag-in', key, values: [...values] };
};
/** `"field" =~ /^prefix/`: a string field (or tag column) starting with fixed text. */
export const startsWith = (left: Expr, prefix: string): Condition => ({ kind: 'starts-with', left, prefix });
export const cmp = (left: Expr, op: '=' | '!=' | '<' | '<=' | '>' | '>=', right: number | string): Condition => ({ kind: 'compare', left, op, right });
export const and = (...parts: Condition[]): Condition => ({ kind: 'and', parts });
export const or = (...parts: Condition[]): Condition => ({ kind: 'or', parts });

/** A fixed string inside an InfluxQL /regex/ literal: regex metacharacters and the slash escaped. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function renderCondition(c: Condition, top = false): string {
  switch (c.kind) {
    case 'raw-macro':
      return c.text;
    case 'since':
      return `time > now() - ${c.duration}`;
    case 'tag':
      return `${ident(c.key.tagKey)} ${c.op} ${str(c.value)}`;
    case 'tag-var':
      return `${ident(c.key.tagKey)} =~ /^$${c.variable}$/`;
    case 'tag-in':
      return `${ident(c.key.tagKey)} =~ /^(${c.values.map(regexLiteral).join('|')})$/`;
    case 'starts-with':
      return `${renderExpr(c.left)} =~ /^${regexLiteral(c.prefix)}/`;
    case 'compare':
      return `${renderExpr(c.left)} ${c.op} ${typeof c.right === 'number' ? renderNumber(c.right) : str(c.right)}`;
    case 'and':
    case 'or': {
      // A part of the same kind needs no parentheses: a AND (b AND c) is a AND b AND c.
      const inner = c.parts.map((p) => renderCondition(p, p.kind === c.kind)).join(` ${c.kind.toUpperCase()} `);
      return top || c.parts.length < 2 ? inner : `(${inner})`;
    }
  }
}

// ---------------------------------------------------------------------------------------- selects

export type Fill = 'null' | 'none' | 'previous' | 'linear' | number;

/** GROUP BY time(): Grafana's automatic interval, or a fixed one (e.g. 1d for daily uptime). */
export interface TimeBucket {
  readonly timeBucket: string;
}
export const byInterval = (): TimeBucket => ({ timeBucket: '$__interval' });
export const byTime = (duration: string): TimeBucket => {
  if (!/^\d+[smhdw]$/.test(duration)) throw new Error(`bad InfluxQL duration "${duration}"`);
  return { timeBucket: duration };
};

interface SelectState {
  from: string;
  columns: { expr: Expr; alias: string }[];
  where: Condition[];
  groupBy: (TagKey | TimeBucket)[];
  fill?: Fill;
  orderDesc: boolean;
  limit?: number;
  tz?: string;
}

/**
 * An immutable SELECT. `A` accumulates the column aliases, so a subquery's outer query can only
 * name columns the inner one produces.
 */
export class Select<A extends string = never> {
  readonly #s: SelectState;

  constructor(state: SelectState) {
    this.#s = state;
  }

  get columns(): readonly string[] {
    return this.#s.columns.map((c) => c.alias);
  }

  /** Add a column; every column has an alias (it is what Grafana shows and what overrides match). */
  col<N extends string>(expr: Expr, alias: N): Select<A | N> {
    if (this.#s.columns.some((c) => c.alias === alias)) throw new Error(`duplicate column alias "${alias}"`);
    return new Select<A | N>({ ...this.#s, columns: [...this.#s.columns, { expr, alias }] });
  }

  where(...conditions: Condition[]): Select<A> {
    return new Select<A>({ ...this.#s, where: [...this.#s.where, ...conditions] });
  }

  groupBy(...keys: (TagKey | TimeBucket)[]): Select<A> {
    return new Select<A>({ ...this.#s, groupBy: [...this.#s.groupBy, ...keys] });
  }

  fill(fill: Fill): Select<A> {
    return new Select<A>({ ...this.#s, fill });
  }

  orderByTimeDesc(): Select<A> {
    return new Select<A>({ ...this.#s, orderDesc: true });
  }

  limit(n: number): Select<A> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('limit must be a positive integer');
    return new Select<A>({ ...this.#s, limit: n });
  }

  /** tz('Asia/Ho_Chi_Minh'): daily buckets start at local midnight, not UTC's. */
  tz(zone: string): Select<A> {
    if (!/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/.test(zone)) throw new Error(`bad time zone "${zone}"`);
    return new Select<A>({ ...this.#s, tz: zone });
  }

  render(): string {
    const s = this.#s;
    if (s.columns.length === 0) throw new Error('a SELECT needs at least one column');
    let q = `SELECT ${s.columns.map((c) => `${renderExpr(c.expr)} AS ${ident(c.alias)}`).join(', ')} FROM ${s.from}`;
    if (s.where.length > 0) q += ` WHERE ${renderCondition(and(...s.where), true)}`;
    if (s.groupBy.length > 0) {
      q += ` GROUP BY ${s.groupBy.map((g) => ('timeBucket' in g ? `time(${g.timeBucket})` : ident(g.tagKey))).join(', ')}`;
    }
    if (s.fill !== undefined) q += ` fill(${s.fill})`;
    if (s.orderDesc) q += ' ORDER BY time DESC';
    if (s.limit !== undefined) q += ` LIMIT ${s.limit}`;
    if (s.tz !== undefined) q += ` tz(${str(s.tz)})`;
    return q;
  }
}

export function select(from: SourceHandle<string, string>): Select {
  return new Select({ from: from.from, columns: [], where: [], groupBy: [], orderDesc: false });
}

// ------------------------------------------------------------------------------ Grafana dataquery

export type ResultFormat = 'time_series' | 'table';

/** The JSON Grafana's InfluxDB (InfluxQL) datasource stores for a raw-mode query. */
export class InfluxQLDataquery implements cog.Dataquery {
  refId = 'A';
  datasource?: common.DataSourceRef;
  query = '';
  rawQuery = true as const;
  resultFormat: ResultFormat = 'time_series';
  /** Legend pattern, e.g. "$tag_point_id" or "$col". */
  alias?: string;
  hide?: boolean;

  _implementsDataqueryVariant(): void {}
}

/** A foundation-SDK builder for InfluxQL targets. */
export class InfluxQLQueryBuilder implements cog.Builder<cog.Dataquery> {
  protected readonly internal = new InfluxQLDataquery();

  constructor(query: Select<string> | string) {
    this.internal.query = typeof query === 'string' ? query : query.render();
  }

  build(): InfluxQLDataquery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  datasource(ref: common.DataSourceRef): this {
    this.internal.datasource = ref;
    return this;
  }

  format(format: ResultFormat): this {
    this.internal.resultFormat = format;
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }
}
