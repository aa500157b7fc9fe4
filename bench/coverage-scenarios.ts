// Scenarios for bench:coverage: the province (shipped inventory + SAMPLE feeds) and a synthetic
// national-scale tree, plus the recompute under test with either spatial index.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { defaultConfig } from '../src/config/load.js';
import { coverageSettings, provinceBox } from '../src/coverage/config.js';
import { initialDeadZoneState } from '../src/coverage/deadzones.js';
import { unitMembership } from '../src/coverage/kpis.js';
import { villageSet, type CoverageInputs, type ModelOptions } from '../src/coverage/model.js';
import { recomputeAll, villageNames } from '../src/coverage/recompute.js';
import { MeasurementColumns } from '../src/coverage/feeds/measurements.js';
import { parseFeed } from '../src/coverage/feeds/index.js';
import { RADIOS, type CellSite, type CellStatus, type Radio, type VillageReport } from '../src/coverage/types.js';
import { METRES_PER_DEGREE } from '../src/coverage/geo.js';
import { seededRandom } from '../src/util/random.js';
import { loadInventory } from '../src/inventory/load.js';
import { Inventory, type AdminUnit, type Village } from '../src/inventory/model.js';

export const settings = coverageSettings(defaultConfig().coverage);

export interface Scenario {
  inv: Inventory;
  inputs: Omit<CoverageInputs, 'villages'>;
  nowMs: number;
}

export function recomputer(s: Scenario, villages: readonly Village[], index: ModelOptions['index']) {
  const vs = villageSet(villages);
  const membership = unitMembership(s.inv, vs);
  const names = villageNames(s.inv);
  const options = { ...settings.model, index };
  return () => recomputeAll({ ...s.inputs, villages: vs }, options, s.nowMs, membership, initialDeadZoneState(), names);
}

export function sameResult(a: ReturnType<ReturnType<typeof recomputer>>, b: ReturnType<ReturnType<typeof recomputer>>): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.from(x).every((v, i) => v === y[i] || (Number.isNaN(v) && Number.isNaN(y[i])));
  const r = a.result;
  const q = b.result;
  return eq(r.level, q.level) && eq(r.evidence, q.evidence) && eq(r.conflict, q.conflict) && eq(r.rsrpMedianDbm, q.rsrpMedianDbm) && eq(r.deadZone, q.deadZone) && eq(r.carrierCovers, q.carrierCovers);
}

// ---------------------------------------------------------------------------------------------
// Province: the shipped inventory and the SAMPLE feeds.
export async function provinceScenario(): Promise<Scenario> {
  const { inventory } = loadInventory();
  const nowMs = Date.UTC(2025, 6, 1);
  const ctx = {
    mcc: '452', carriers: settings.carriers, bounds: provinceBox(inventory, 10), villageCodes: new Set(inventory.villages.map((v) => v.code)),
    nowMs, defaultRangeM: settings.defaultRangeM, maxRangeM: settings.maxRangeM,
  };
  const dir = resolve(import.meta.dirname, '../data/coverage-sample');
  const read = <K extends 'cells' | 'status' | 'measurements' | 'reports'>(kind: K) =>
    parseFeed(kind, Readable.from([readFileSync(join(dir, `${kind}.csv`), 'utf8')]), ctx, { feed: kind, format: 'csv' }).then((r) => r.batch!);
  const [cells, status, measurements, reports] = await Promise.all([read('cells'), read('status'), read('measurements'), read('reports')]);
  return {
    inv: inventory, nowMs,
    inputs: { carriers: settings.carriers, cells: cells.cells, status: status.status, measurements: [measurements], reports: [...reports.reports.values()] },
  };
}

// ---------------------------------------------------------------------------------------------
// National: a synthetic Viet Nam-sized tree (63 provinces × 11 districts × 15 communes) with
// 100,000 villages, clustered cells and measurements.
export function nationalScenario(): Scenario {
  const rand = seededRandom(2025);
  const between = (a: number, b: number) => a + rand() * (b - a);
  const units: AdminUnit[] = [];
  const villages: Village[] = [];
  const communes: AdminUnit[] = [];
  const near = (lat: number, lon: number, km: number): [number, number] => {
    const d = (km * 1000 * Math.sqrt(rand())) / METRES_PER_DEGREE;
    const a = rand() * 2 * Math.PI;
    return [lat + d * Math.sin(a), lon + (d * Math.cos(a)) / Math.cos((lat * Math.PI) / 180)];
  };
  units.push({ code: 'VN', name: 'Việt Nam', type: 'Quốc gia', level: 'country', lat: 16, lon: 106 });
  for (let p = 0; p < 63; p++) {
    const [plat, plon] = [between(8.6, 23.3), between(102.2, 109.4)];
    const pc = `P${p}`;
    units.push({ code: pc, name: `Tỉnh ${p}`, type: 'Tỉnh', level: 'province', parent: 'VN', lat: plat, lon: plon });
    for (let d = 0; d < 11; d++) {
      const [dlat, dlon] = near(plat, plon, 50);
      const dc = `${pc}-D${d}`;
      units.push({ code: dc, name: `Huyện ${d}`, type: 'Huyện', level: 'district', parent: pc, lat: dlat, lon: dlon });
      for (let c = 0; c < 15; c++) {
        const [clat, clon] = near(dlat, dlon, 15);
        const u: AdminUnit = { code: `${dc}-C${c}`, name: `Xã ${c}`, type: 'Xã', level: 'commune', parent: dc, lat: clat, lon: clon };
        units.push(u);
        communes.push(u);
      }
    }
  }
  for (let i = 0; i < 100_000; i++) {
    const c = communes[i % communes.length]!;
    const [lat, lon] = near(c.lat, c.lon, 4);
    villages.push({ code: `v${i}`, name: `Thôn ${i}`, type: 'thôn', unit: c.code, lat, lon, population: 200 + Math.floor(rand() * 1500), source: 'sample' });
  }
  const inv = new Inventory({ levels: ['country', 'province', 'district', 'commune'].map((n) => ({ name: n, labelVi: n, labelEn: n })), units, villages, points: [] });
  const nowMs = Date.UTC(2025, 6, 1);
  const radios: [Radio, number, number][] = [['LTE', 1000, 5000], ['LTE', 1000, 5000], ['GSM', 3000, 10000], ['UMTS', 1500, 6000], ['NR', 300, 1500]];
  const cells: CellSite[] = [];
  const status = new Map<string, CellStatus>();
  for (let i = 0; i < 120_000; i++) {
    const v = villages[Math.floor(rand() * villages.length)]!;
    const [lat, lon] = near(v.lat, v.lon, 3);
    const [radio, lo, hi] = radios[Math.floor(rand() * radios.length)]!;
    const carrier = Math.floor(rand() * settings.carriers.length);
    const key = `452-${settings.carriers[carrier]!.mnc}-${radio}-1-${i}`;
    cells.push({ key, radio, carrier, lat, lon, rangeM: Math.round(between(lo, hi)) });
    if (rand() < 0.03) status.set(key, { up: false, sinceMs: nowMs - Math.floor(rand() * 30) * 86_400_000 });
  }
  const m = new MeasurementColumns(1_000_000);
  for (let i = 0; i < 1_000_000; i++) {
    const v = villages[Math.floor(rand() * villages.length)]!;
    const [lat, lon] = near(v.lat, v.lon, 2);
    m.push(nowMs - Math.floor(rand() * 300) * 86_400_000, lat, lon, -70 - rand() * 60, NaN, NaN, Math.floor(rand() * 4), rand() < 0.8 ? RADIOS.indexOf('LTE') : RADIOS.indexOf('NR'));
  }
  const reports: VillageReport[] = [];
  for (let i = 0; i < 50_000; i++)
    reports.push({ village: villages[Math.floor(rand() * villages.length)]!.code, carrier: Math.floor(rand() * 4), radio: 'LTE', covered: rand() < 0.9, dateMs: nowMs - Math.floor(rand() * 300) * 86_400_000 });
  return { inv, nowMs, inputs: { carriers: settings.carriers, cells, status, measurements: [m.seal()], reports } };
}

