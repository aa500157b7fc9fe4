// A tiny hand-made province for the coverage tests: 2 districts, 3 communes, 4 villages, with
// distances that are easy to compute by hand (0.01° of latitude = 1,111.95 m on the mean sphere).
//
//   P (province)
//   ├─ D1 ── C1: V1 (12.000, 108.000) pop 1000, V2 (12.000, 108.100) pop 500
//   │     └─ C2: V3 (12.100, 108.000) pop 2000
//   └─ D2 ── C3: V4 (12.300, 108.300) pop 1500   (remote: no cell near it)
import { Inventory, type Village } from '../../src/inventory/model.js';
import { defaultConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

export const TINY_VILLAGES: Village[] = [
  { code: 'V1', name: 'Thôn Một', type: 'thôn', unit: 'C1', lat: 12.0, lon: 108.0, population: 1000, source: 'sample' },
  { code: 'V2', name: 'Buôn Hai', type: 'buôn', unit: 'C1', lat: 12.0, lon: 108.1, population: 500, source: 'sample' },
  { code: 'V3', name: 'Thôn Ba', type: 'thôn', unit: 'C2', lat: 12.1, lon: 108.0, population: 2000, source: 'sample' },
  { code: 'V4', name: 'Buôn Bốn', type: 'buôn', unit: 'C3', lat: 12.3, lon: 108.3, population: 1500, source: 'sample' },
];

export function tinyProvince(): Inventory {
  return new Inventory({
    levels: [
      { name: 'province', labelVi: 'Tỉnh', labelEn: 'Province' },
      { name: 'district', labelVi: 'Huyện', labelEn: 'District' },
      { name: 'commune', labelVi: 'Xã', labelEn: 'Commune' },
    ],
    units: [
      { code: 'P', name: 'Tỉnh Thử', type: 'Tỉnh', level: 'province', lat: 12.1, lon: 108.1 },
      { code: 'D1', name: 'Huyện Một', type: 'Huyện', level: 'district', parent: 'P', lat: 12.05, lon: 108.05 },
      { code: 'D2', name: 'Huyện Hai', type: 'Huyện', level: 'district', parent: 'P', lat: 12.3, lon: 108.3 },
      { code: 'C1', name: 'Xã Một', type: 'Xã', level: 'commune', parent: 'D1', lat: 12.0, lon: 108.05, population: 1500 },
      { code: 'C2', name: 'Xã Hai', type: 'Xã', level: 'commune', parent: 'D1', lat: 12.1, lon: 108.0, population: 2000 },
      { code: 'C3', name: 'Xã Ba', type: 'Xã', level: 'commune', parent: 'D2', lat: 12.3, lon: 108.3, population: 1500 },
    ],
    villages: TINY_VILLAGES,
    points: [],
    bounds: { latMin: 11.9, latMax: 12.4, lonMin: 107.9, lonMax: 108.4 },
  });
}

export const CELL_HEADER = 'radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal';

/** An OpenCelliD row. */
export function cellRow(radio: string, net: number, cell: number, lat: number, lon: number, rangeM: number, area = 1): string {
  return `${radio},452,${net},${area},${cell},0,${lon},${lat},${rangeM},10,1,1700000000,1730000000,0`;
}

/** The tiny province's cells: Viettel A near V1, Viettel B near V2, VinaPhone C near V3. */
export const TINY_CELLS = [
  CELL_HEADER,
  cellRow('LTE', 4, 1, 12.009, 108.0, 3000), // A: 1,000.8 m north of V1 (≤ 0.5 × 3000: good)
  cellRow('LTE', 4, 2, 12.0, 108.105, 2000), // B: 543.6 m east of V2 (≤ 0.5 × 2000: good)
  cellRow('LTE', 2, 3, 12.1, 108.01, 1500), // C: 1,087.3 m east of V3 (0.725 × 1500: fair)
].join('\n');

export const KEY_A = '452-04-LTE-1-1';
export const KEY_B = '452-04-LTE-1-2';
export const KEY_C = '452-02-LTE-1-3';

export function testConfig(patch: (c: Config) => void = () => {}): Config {
  const c = defaultConfig();
  c.coverage.recompute_delay_ms = 0;
  patch(c);
  return c;
}
