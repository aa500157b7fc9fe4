// `netcov inventory check` and `netcov inventory stats`.
import type { Config } from '../config/schema.js';
import { checkInventory, SHIPPED_INVENTORY_DIR } from '../inventory/load.js';
import type { Inventory } from '../inventory/model.js';
import { formatNumber, t, tOr, type Language } from '../i18n.js';
import { EXIT_OK, EXIT_PROBLEM, type Io } from './common.js';

export interface InventorySelection {
  dir?: string;
  site?: string;
}

/** The inventory dir and site file: command-line flags win over the config. */
export function inventoryPaths(config: Config, sel: InventorySelection): { dir: string; siteFile?: string } {
  const dir = sel.dir ?? (config.inventory.dir || SHIPPED_INVENTORY_DIR);
  const site = sel.site ?? (config.inventory.site_file || undefined);
  return { dir, ...(site ? { siteFile: site } : {}) };
}

export function inventoryCheck(config: Config, sel: InventorySelection, io: Io, lang: Language): number {
  const { dir, siteFile } = inventoryPaths(config, sel);
  const report = checkInventory(dir, {
    ...(siteFile ? { siteFile } : {}),
    snmpProfiles: Object.keys(config.snmp.profiles),
    snmpCredentials: Object.keys(config.snmp.credentials),
  });
  for (const e of report.errors) io.err(`error: ${e}`);
  for (const w of report.warnings) io.err(`warning: ${w}`);
  const summary = `${dir}: ${report.errors.length} ${t(lang, 'check.errors')}, ${report.warnings.length} ${t(lang, 'check.warnings')}`;
  if (report.errors.length) {
    io.err(summary);
    return EXIT_PROBLEM;
  }
  io.out(`${summary}: ${t(lang, 'check.ok')}`);
  return EXIT_OK;
}

export interface InventoryStats {
  levels: { name: string; label: string; units: number }[];
  points: number;
  pointsByKind: Record<string, number>;
  villages: number;
  sampleVillages: number;
  population: number;
}

export function inventoryStats(inv: Inventory, lang: Language): InventoryStats {
  const pointsByKind: Record<string, number> = {};
  for (const p of inv.points) pointsByKind[p.kind] = (pointsByKind[p.kind] ?? 0) + 1;
  return {
    levels: inv.levels.map((l) => ({ name: l.name, label: lang === 'vi' ? l.labelVi : l.labelEn, units: inv.unitsAtLevel(l.name).length })),
    points: inv.points.length,
    pointsByKind,
    villages: inv.villages.length,
    sampleVillages: inv.villages.filter((v) => v.source === 'sample').length,
    population: inv.totalPopulation(),
  };
}

export function formatStats(s: InventoryStats, lang: Language): string {
  const n = (x: number) => formatNumber(lang, x);
  const lines = [`${t(lang, 'stats.title')}`, `${t(lang, 'stats.levels')}:`];
  for (const l of s.levels) lines.push(`  ${l.name.padEnd(10)} ${n(l.units).padStart(7)}  (${l.label})`);
  lines.push(`${t(lang, 'stats.points')}: ${n(s.points)}`);
  const kinds = Object.entries(s.pointsByKind);
  lines.push(`  ${t(lang, 'stats.kinds')}: ${kinds.map(([k, c]) => `${k} ${n(c)}`).join(' / ')}`);
  for (const [k, c] of kinds) lines.push(`  ${k.padEnd(10)} ${n(c).padStart(7)}  (${tOr(lang, `kind.${k}`, k)})`);
  lines.push(`${t(lang, 'stats.villages')}: ${n(s.villages)}${s.sampleVillages ? ` (${n(s.sampleVillages)} ${t(lang, 'stats.sample')})` : ''}`);
  lines.push(`${t(lang, 'stats.population')}: ${n(s.population)}`);
  return lines.join('\n');
}

export function inventoryStatsCommand(config: Config, sel: InventorySelection, io: Io, lang: Language, json: boolean): number {
  const { dir, siteFile } = inventoryPaths(config, sel);
  const report = checkInventory(dir, siteFile ? { siteFile } : {});
  if (!report.inventory) {
    for (const e of report.errors) io.err(`error: ${e}`);
    return EXIT_PROBLEM;
  }
  const stats = inventoryStats(report.inventory, lang);
  io.out(json ? JSON.stringify(stats, null, 2) : formatStats(stats, lang));
  return EXIT_OK;
}
