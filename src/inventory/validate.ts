// Whole-inventory checks that a schema cannot express: unique ids and codes, known parents and
// upstreams, no cycles in the topology, safe management addresses, coordinates inside the
// territory (warning) and village populations that add up to their unit's census figure (warning).
import type { AdminUnit, Bounds, Level, Point, Village } from './model.js';
import { addressProblem } from './address.js';

export interface Located<T> {
  value: T;
  file: string;
  line: number;
  /** Line of one field of the entry, when the source knows it. */
  fieldLine?: (field: string) => number | undefined;
  /** Fields replaced by a site file, with where they were written. */
  overrides?: Record<string, { file: string; line: number }>;
}

export interface ValidationInput {
  levels: Level[];
  levelsLine: { file: string; line: number };
  units: Located<AdminUnit>[];
  villages: Located<Village>[];
  points: Located<Point>[];
  bounds?: Bounds;
}

export interface ValidationResult {
  errors: string[];
  warnings: string[];
}

/** `file:line: field: message`, pointing at the site file when the field came from there. */
function at(entry: Located<unknown>, field: string | undefined, message: string, siteField?: string): string {
  const override = siteField ? entry.overrides?.[siteField] : undefined;
  if (override) return `${override.file}:${override.line}: ${field ? `${field}: ` : ''}${message}`;
  const line = (field && entry.fieldLine?.(field.split('.').pop()!)) ?? entry.line;
  return `${entry.file}:${line}: ${field ? `${field}: ` : ''}${message}`;
}

function outside(b: Bounds | undefined, lat: number, lon: number): boolean {
  return b !== undefined && (lat < b.latMin || lat > b.latMax || lon < b.lonMin || lon > b.lonMax);
}

export function validateInventory(input: ValidationInput, opts: { snmpProfiles?: readonly string[]; snmpCredentials?: readonly string[] } = {}): ValidationResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const levelIndex = new Map(input.levels.map((l, i) => [l.name, i]));
  if (levelIndex.size !== input.levels.length) errors.push(`${input.levelsLine.file}:${input.levelsLine.line}: levels: duplicate level name`);

  // Units
  const units = new Map<string, Located<AdminUnit>>();
  for (const u of input.units) {
    const prev = units.get(u.value.code);
    if (prev) {
      errors.push(at(u, 'code', `duplicate unit code "${u.value.code}" (first at line ${prev.line})`));
      continue;
    }
    units.set(u.value.code, u);
  }
  for (const u of units.values()) {
    const li = levelIndex.get(u.value.level);
    if (li === undefined) {
      errors.push(at(u, 'level', `unknown level "${u.value.level}" (levels: ${input.levels.map((l) => l.name).join(', ')})`));
      continue;
    }
    if (u.value.parent === undefined) {
      if (li !== 0) errors.push(at(u, 'parent', `unit "${u.value.code}" at level ${u.value.level} needs a parent`));
    } else {
      const parent = units.get(u.value.parent);
      if (!parent) errors.push(at(u, 'parent', `unknown administrative code "${u.value.parent}"`));
      else if ((levelIndex.get(parent.value.level) ?? Infinity) >= li)
        errors.push(at(u, 'parent', `parent "${parent.value.code}" (${parent.value.level}) is not above level ${u.value.level}`));
    }
    if (outside(input.bounds, u.value.lat, u.value.lon)) warnings.push(at(u, 'lat', `coordinates ${u.value.lat},${u.value.lon} of unit "${u.value.code}" are outside the province's bounding box`));
  }

  // Villages
  const villageCodes = new Map<string, Located<Village>>();
  const villagePopulation = new Map<string, { sum: number; file: string }>();
  for (const v of input.villages) {
    const prev = villageCodes.get(v.value.code);
    if (prev) errors.push(at(v, 'code', `duplicate village code "${v.value.code}" (first at ${prev.file}:${prev.line})`));
    else villageCodes.set(v.value.code, v);
    if (!units.has(v.value.unit)) {
      errors.push(at(v, 'unit', `unknown administrative code "${v.value.unit}"`));
      continue;
    }
    if (outside(input.bounds, v.value.lat, v.value.lon)) warnings.push(at(v, 'lat', `coordinates ${v.value.lat},${v.value.lon} of village "${v.value.code}" are outside the province's bounding box`));
    const agg = villagePopulation.get(v.value.unit) ?? { sum: 0, file: v.file };
    agg.sum += v.value.population;
    villagePopulation.set(v.value.unit, agg);
  }
  for (const [code, agg] of villagePopulation) {
    const u = units.get(code)!;
    if (u.value.population !== undefined && u.value.population !== agg.sum)
      warnings.push(at(u, 'population', `villages in ${agg.file} sum to ${agg.sum} people, unit "${code}" has ${u.value.population}`));
  }

  // Points
  const points = new Map<string, Located<Point>>();
  for (const p of input.points) {
    const prev = points.get(p.value.id);
    if (prev) {
      errors.push(at(p, 'id', `duplicate point id "${p.value.id}" (first at line ${prev.line})`));
      continue;
    }
    points.set(p.value.id, p);
  }
  const profiles = opts.snmpProfiles && new Set(opts.snmpProfiles);
  const credentials = opts.snmpCredentials && new Set(opts.snmpCredentials);
  for (const p of points.values()) {
    const v = p.value;
    if (!units.has(v.unit)) errors.push(at(p, 'unit', `unknown administrative code "${v.unit}"`));
    const bad = addressProblem(v.address);
    if (bad) errors.push(at(p, 'address', bad, 'address'));
    if (v.upstream !== undefined) {
      if (v.upstream === v.id) errors.push(at(p, 'upstream', `point "${v.id}" is its own upstream`));
      else if (!points.has(v.upstream)) errors.push(at(p, 'upstream', `unknown upstream point "${v.upstream}"`));
    }
    if (profiles && !profiles.has(v.snmpProfile)) errors.push(at(p, 'snmp_profile', `unknown SNMP profile "${v.snmpProfile}" (not in config snmp.profiles)`, 'snmp_profile'));
    if (credentials && v.snmpCredential !== undefined && !credentials.has(v.snmpCredential))
      errors.push(at(p, 'snmp_credential', `unknown SNMP credential "${v.snmpCredential}" (not in config snmp.credentials)`, 'snmp_credential'));
    if (outside(input.bounds, v.lat, v.lon)) warnings.push(at(p, 'lat', `coordinates ${v.lat},${v.lon} of point "${v.id}" are outside the province's bounding box`));
  }

  // Cycles: follow upstream links; a walk that meets itself is a cycle, reported once.
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of points.keys()) {
    const path: string[] = [];
    let id: string | undefined = start;
    while (id !== undefined && points.has(id) && state.get(id) !== 'done') {
      if (state.get(id) === 'visiting') {
        const cycle = path.slice(path.indexOf(id));
        const first = points.get(cycle.reduce((a, b) => (points.get(a)!.line <= points.get(b)!.line ? a : b)))!;
        errors.push(at(first, 'upstream', `cycle in topology: ${[...cycle, id].join(' → ')}`));
        break;
      }
      state.set(id, 'visiting');
      path.push(id);
      id = points.get(id)!.value.upstream;
    }
    for (const p of path) state.set(p, 'done');
  }
  const roots = [...points.values()].filter((p) => p.value.upstream === undefined);
  if (points.size > 0 && roots.length === 0) errors.push(`${input.points[0]!.file}: no point without upstream: the topology has no core`);
  return { errors, warnings };
}
