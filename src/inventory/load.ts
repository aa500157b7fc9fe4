// Load the inventory directory (units.yaml, points.yaml, villages*.csv) and an optional site file,
// check it whole, and report every problem as `FILE:LINE: message` (errors) or as a warning.
// Nothing is half-loaded: with any error the caller gets an InventoryError and no Inventory.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { Inventory, type AdminUnit, type InventoryData, type Point, type Village } from './model.js';
import { PointsFileSchema, SiteFileSchema, UnitsFileSchema, VILLAGE_COLUMNS, type PointsFile, type SiteFile, type UnitsFile } from './files.js';
import { validateInventory, type Located } from './validate.js';
import { formatPath, parseYamlSource, type YamlSource } from '../util/yaml-source.js';
import { applyDefaults, schemaProblems } from '../util/schema-errors.js';

/** The inventory shipped with netcov: loopback addresses (127.66.x.y) only. */
export const SHIPPED_INVENTORY_DIR = resolve(fileURLToPath(new URL('../../inventory', import.meta.url)));

export class InventoryError extends Error {
  constructor(readonly errors: string[], readonly warnings: string[]) {
    super(`inventory has ${errors.length} error(s):\n${errors.join('\n')}`);
    this.name = 'InventoryError';
  }
}

export interface LoadedInventory {
  inventory: Inventory;
  warnings: string[];
  files: string[];
}

export interface InventoryReport {
  inventory?: Inventory;
  errors: string[];
  warnings: string[];
  files: string[];
}

function readYaml(path: string, errors: string[]): YamlSource | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    errors.push(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return undefined;
  }
  const src = parseYamlSource(text, path);
  if (src.syntaxErrors.length) {
    errors.push(...src.syntaxErrors);
    return undefined;
  }
  return src;
}

function checkShape<T>(src: YamlSource, schema: Parameters<typeof schemaProblems>[0], errors: string[]): T | undefined {
  const value = applyDefaults(schema, structuredClone(src.value ?? {}));
  const problems = schemaProblems(schema, value);
  for (const p of problems) {
    const pos = src.positionOf(p.path);
    errors.push(`${src.file}:${pos?.line ?? 1}: ${formatPath(p.path)}: ${p.message}`);
  }
  return problems.length ? undefined : (value as T);
}

function toPoint(raw: PointsFile['points'][number]): Point {
  return {
    id: raw.id,
    name: raw.name,
    kind: raw.kind,
    unit: raw.unit,
    lat: raw.lat,
    lon: raw.lon,
    address: raw.address,
    snmpProfile: raw.snmp_profile,
    ...(raw.snmp_credential !== undefined ? { snmpCredential: raw.snmp_credential } : {}),
    ...(raw.snmp_port !== undefined ? { snmpPort: raw.snmp_port } : {}),
    ...(raw.snmp_interval_s !== undefined ? { snmpIntervalS: raw.snmp_interval_s } : {}),
    icmp: {
      ...(raw.icmp?.interval_s !== undefined ? { intervalS: raw.icmp.interval_s } : {}),
      ...(raw.icmp?.count !== undefined ? { count: raw.icmp.count } : {}),
      ...(raw.icmp?.timeout_ms !== undefined ? { timeoutMs: raw.icmp.timeout_ms } : {}),
    },
    ...(raw.upstream !== undefined && raw.upstream !== '' ? { upstream: raw.upstream } : {}),
    tags: raw.tags ?? {},
  };
}

function applySite(point: Point, site: SiteFile['points'][string]): Point {
  return {
    ...point,
    ...(site.address !== undefined ? { address: site.address } : {}),
    ...(site.snmp_profile !== undefined ? { snmpProfile: site.snmp_profile } : {}),
    ...(site.snmp_credential !== undefined ? { snmpCredential: site.snmp_credential } : {}),
    ...(site.snmp_port !== undefined ? { snmpPort: site.snmp_port } : {}),
    ...(site.snmp_interval_s !== undefined ? { snmpIntervalS: site.snmp_interval_s } : {}),
    icmp: {
      ...point.icmp,
      ...(site.icmp?.interval_s !== undefined ? { intervalS: site.icmp.interval_s } : {}),
      ...(site.icmp?.count !== undefined ? { count: site.icmp.count } : {}),
      ...(site.icmp?.timeout_ms !== undefined ? { timeoutMs: site.icmp.timeout_ms } : {}),
    },
    tags: { ...point.tags, ...(site.tags ?? {}) },
  };
}

function readVillages(path: string, errors: string[]): Located<Village>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    errors.push(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return [];
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), { info: true, skip_empty_lines: true, relax_column_count: true, comment: '#' }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    errors.push(`${path}:${e.lines ?? 1}: not valid CSV: ${e.message}`);
    return [];
  }
  const header = records[0]?.record.map((h) => h.trim());
  if (!header || VILLAGE_COLUMNS.some((c, i) => header[i] !== c)) {
    errors.push(`${path}:${records[0]?.info.lines ?? 1}: header must be ${VILLAGE_COLUMNS.join(',')}`);
    return [];
  }
  const out: Located<Village>[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const at = `${path}:${line}`;
    if (record.length !== VILLAGE_COLUMNS.length) {
      errors.push(`${at}: expected ${VILLAGE_COLUMNS.length} columns, found ${record.length}`);
      continue;
    }
    const [code, name, type, unit, lat, lon, population, source] = record.map((f) => f.trim()) as [string, string, string, string, string, string, string, string];
    const latN = Number(lat);
    const lonN = Number(lon);
    const popN = Number(population);
    const bad: string[] = [];
    if (!/^[A-Za-z0-9_.-]+$/.test(code)) bad.push(`code "${code}" is not a valid code`);
    if (!name) bad.push('name is empty');
    if (lat === '' || !Number.isFinite(latN) || latN < -90 || latN > 90) bad.push(`lat "${lat}" is not a latitude`);
    if (lon === '' || !Number.isFinite(lonN) || lonN < -180 || lonN > 180) bad.push(`lon "${lon}" is not a longitude`);
    if (!Number.isInteger(popN) || popN < 0) bad.push(`population "${population}" is not a whole number`);
    if (bad.length) {
      errors.push(...bad.map((b) => `${at}: ${b}`));
      continue;
    }
    out.push({ value: { code, name, type, unit, lat: latN, lon: lonN, population: popN, source: source || 'official' }, file: path, line });
  }
  return out;
}

export interface InventoryLoadOptions {
  /** Site file overriding point fields (addresses of a real deployment). */
  siteFile?: string;
  /** SNMP profile and credential names known to the config; unknown names are errors when given. */
  snmpProfiles?: readonly string[];
  snmpCredentials?: readonly string[];
}

/** Load and check the inventory, returning every error and warning (never throws on bad data). */
export function checkInventory(dir: string = SHIPPED_INVENTORY_DIR, opts: InventoryLoadOptions = {}): InventoryReport {
  const errors: string[] = [];
  const files: string[] = [];
  const unitsPath = join(dir, 'units.yaml');
  const pointsPath = join(dir, 'points.yaml');
  files.push(unitsPath, pointsPath);
  const unitsSrc = readYaml(unitsPath, errors);
  const pointsSrc = readYaml(pointsPath, errors);
  const unitsFile = unitsSrc && checkShape<UnitsFile>(unitsSrc, UnitsFileSchema, errors);
  const pointsFile = pointsSrc && checkShape<PointsFile>(pointsSrc, PointsFileSchema, errors);

  let villageFiles: string[] = [];
  try {
    villageFiles = readdirSync(dir)
      .filter((f) => /^villages.*\.csv$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch (err) {
    errors.push(`${dir}: cannot list: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  files.push(...villageFiles);
  const villages = villageFiles.flatMap((f) => readVillages(f, errors));

  let site: SiteFile | undefined;
  let siteSrc: YamlSource | undefined;
  if (opts.siteFile) {
    files.push(opts.siteFile);
    siteSrc = readYaml(opts.siteFile, errors);
    site = siteSrc && checkShape<SiteFile>(siteSrc, SiteFileSchema, errors);
  }
  if (!unitsFile || !pointsFile || !unitsSrc || !pointsSrc || errors.length) return { errors, warnings: [], files };

  const units: Located<AdminUnit>[] = unitsFile.units.map((u, i) => ({
    value: {
      code: u.code,
      name: u.name,
      type: u.type,
      level: u.level,
      ...(u.parent !== undefined ? { parent: u.parent } : {}),
      lat: u.lat,
      lon: u.lon,
      ...(u.population !== undefined ? { population: u.population } : {}),
    },
    file: unitsPath,
    line: unitsSrc.positionOf(['units', i])?.line ?? 1,
  }));
  const points: Located<Point>[] = pointsFile.points.map((p, i) => ({
    value: toPoint(p),
    file: pointsPath,
    line: pointsSrc.positionOf(['points', i])?.line ?? 1,
    fieldLine: (field: string) => pointsSrc.positionOf(['points', i, field])?.line,
  }));
  if (site && siteSrc) {
    const byId = new Map(points.map((p) => [p.value.id, p]));
    for (const [id, override] of Object.entries(site.points)) {
      const target = byId.get(id);
      const line = siteSrc.positionOf(['points', id])?.line ?? 1;
      if (!target) {
        errors.push(`${siteSrc.file}:${line}: points.${id}: no point with this id in ${basename(pointsPath)}`);
        continue;
      }
      target.value = applySite(target.value, override);
      // Problems with an overridden field are reported at the site file, where it was written.
      for (const field of Object.keys(override)) target.overrides = { ...target.overrides, [field]: { file: siteSrc.file, line } };
    }
  }
  const levels = unitsFile.levels.map((l) => ({ name: l.name, labelVi: l.label_vi, labelEn: l.label_en }));
  const bounds = unitsFile.bounds && { latMin: unitsFile.bounds.lat_min, latMax: unitsFile.bounds.lat_max, lonMin: unitsFile.bounds.lon_min, lonMax: unitsFile.bounds.lon_max };
  const result = validateInventory({ levels, units, villages, points, ...(bounds ? { bounds } : {}), levelsLine: { file: unitsPath, line: unitsSrc.positionOf(['levels'])?.line ?? 1 } }, opts);
  errors.push(...result.errors);
  if (errors.length) return { errors, warnings: result.warnings, files };
  const data: InventoryData = { levels, units: units.map((u) => u.value), villages: villages.map((v) => v.value), points: points.map((p) => p.value), ...(bounds ? { bounds } : {}) };
  return { inventory: new Inventory(data), errors, warnings: result.warnings, files };
}

/** Load the inventory or throw an InventoryError listing every problem. */
export function loadInventory(dir: string = SHIPPED_INVENTORY_DIR, opts: InventoryLoadOptions = {}): LoadedInventory {
  const report = checkInventory(dir, opts);
  if (!report.inventory) throw new InventoryError(report.errors, report.warnings);
  return { inventory: report.inventory, warnings: report.warnings, files: report.files };
}
