// SAMPLE coverage feeds for the shipped (sample) villages: deterministic cell sites of the four
// carriers, a status feed with outages, drive-test measurements and carrier village reports.
// No public cell list of Đắk Lắk exists: all of this is made up, and labelled so in every file.
//
// Arranged so that (1) sites are dense in Buôn Ma Thuột and the district towns, sparse in remote
// communes; (2) some remote villages of Ea Súp, Buôn Đôn, M'Đrắk, Krông Bông and Lắk have no 4G
// from any carrier (2G/3G may reach some), plus one village set cut off by a down cell in the
// status feed; (3) the province's population-weighted 4G figure lands near the 99.23 % the
// province reports; (4) measurements and reports agree with the cells, so the dead-zone set is
// the same whether the sample's evidence is fresh or stale (it is dated 2025).
import { hashSeed, seededRandom } from '../util/random.js';
import type { Inventory, Village } from '../inventory/model.js';
import { haversineM, METRES_PER_DEGREE } from './geo.js';
import { carrierList, RADIOS, type Radio } from './types.js';

/** Reference time of the sample (its measurements and reports are from the two weeks before). */
export const SAMPLE_REFERENCE_MS = Date.UTC(2025, 5, 30, 0, 0, 0);
/** Districts where remote villages are made dead zones (Ea Súp, Buôn Đôn, M'Đrắk, Krông Bông, Lắk). */
export const SAMPLE_DEAD_ZONE_DISTRICTS = ['646', '647', '652', '653', '656'] as const;
/** Population-weighted 4G coverage the sample aims near (the province's reported 99.23 %). */
export const SAMPLE_TARGET_PCT = 99.23;

const CARRIERS = carrierList({ '01': 'MobiFone', '02': 'VinaPhone', '04': 'Viettel', '05': 'Vietnamobile' });
const VIETTEL = CARRIERS.findIndex((c) => c.id === 'viettel');
const VINAPHONE = CARRIERS.findIndex((c) => c.id === 'vinaphone');
const CELL_HEADER = 'radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal';
const DAY = 86_400_000;

interface SampleCell {
  radio: Radio;
  carrier: number;
  area: number;
  cell: number;
  unit: number;
  lat: number;
  lon: number;
  rangeM: number;
  samples: number;
  createdS: number;
  updatedS: number;
  district: string;
}

export interface CoverageSample {
  files: Record<string, string>;
  /** Structural dead-zone villages (no 4G cell at all) and those cut off by the down cell. */
  deadVillages: string[];
  outageVillages: string[];
  outageCell: string;
  cells: number;
}

const keyOf = (c: SampleCell) => `452-${CARRIERS[c.carrier]!.mnc}-${c.radio}-${c.area}-${c.cell}`;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function offset(lat: number, lon: number, distM: number, angle: number): [number, number] {
  const dLat = (distM * Math.sin(angle)) / METRES_PER_DEGREE;
  const dLon = (distM * Math.cos(angle)) / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
  return [round6(lat + dLat), round6(lon + dLon)];
}

export function generateCoverageSample(inv: Inventory): CoverageSample {
  const rand = seededRandom(hashSeed('coverage-sample:v1'));
  const between = (a: number, b: number) => a + rand() * (b - a);
  const villages = [...inv.villages];
  const districtOf = (unit: string) => inv.ancestry(unit).find((u) => u.level === 'district')?.code ?? '';
  const communeType = (unit: string) => inv.unit(unit)?.type ?? '';

  // 1. The dead-zone villages: the most remote villages (farthest from their district's centre)
  // of the chosen districts, round robin, each at least 1.2 km from any village that keeps 4G.
  const total = villages.reduce((s, v) => s + v.population, 0);
  const targetDeadPop = Math.round(total * (1 - SAMPLE_TARGET_PCT / 100) * 0.93); // the outage adds the rest
  const dead = new Set<string>();
  const candidates = SAMPLE_DEAD_ZONE_DISTRICTS.map((d) => {
    const centre = inv.unit(d)!;
    return villages
      .filter((v) => districtOf(v.unit) === d && communeType(v.unit) === 'Xã')
      .map((v) => ({ v, remote: haversineM(v.lat, v.lon, centre.lat, centre.lon) }))
      .sort((a, b) => b.remote - a.remote || (a.v.code < b.v.code ? -1 : 1))
      .map((x) => x.v);
  });
  const isolated = (v: Village) => villages.every((o) => o === v || dead.has(o.code) || haversineM(v.lat, v.lon, o.lat, o.lon) >= 1200);
  let deadPop = 0;
  for (let round = 0; deadPop < targetDeadPop && round < 50; round++) {
    for (const list of candidates) {
      const next = list.find((v) => !dead.has(v.code) && isolated(v));
      if (!next || deadPop >= targetDeadPop) continue;
      dead.add(next.code);
      deadPop += next.population;
    }
  }
  const deadList = villages.filter((v) => dead.has(v.code));
  const distToDead = (lat: number, lon: number) => Math.min(Infinity, ...deadList.map((d) => haversineM(lat, lon, d.lat, d.lon)));

  // 2. Sites per commune, denser in the city and towns.
  const cells: SampleCell[] = [];
  const nextId = CARRIERS.map(() => 1000);
  const addSite = (lat: number, lon: number, district: string, urban: boolean, city: boolean, carriers: number[], lteRangeM: number, radios?: Radio[]) => {
    for (const carrier of carriers) {
      const site = nextId[carrier]!++;
      const area = Number(CARRIERS[carrier]!.mnc) * 10000 + Number(district);
      const want: Radio[] = radios ?? RADIOS.filter((r) => {
        if (r === 'GSM') return rand() < 0.75;
        if (r === 'UMTS') return rand() < 0.55;
        if (r === 'LTE') return urban || rand() < 0.92;
        return city && carrier !== CARRIERS.findIndex((c) => c.id === 'vietnamobile') && rand() < 0.35;
      });
      if (!want.includes('LTE') && !want.includes('GSM')) want.push('GSM');
      for (const radio of want) {
        const factor = radio === 'GSM' ? 2.5 : radio === 'UMTS' ? 1.3 : radio === 'NR' ? 0.4 : 1;
        const created = Math.floor(Date.UTC(2019, 0, 1) / 1000 + rand() * 5 * 365 * 86400);
        cells.push({
          radio, carrier, area,
          cell: radio === 'LTE' ? site * 256 + 1 : radio === 'NR' ? site * 4096 + 1 : radio === 'UMTS' ? site * 10 + 1 : site,
          unit: radio === 'LTE' || radio === 'NR' ? Math.floor(rand() * 504) : radio === 'UMTS' ? Math.floor(rand() * 512) : 0,
          lat, lon, rangeM: Math.round(Math.min(35_000, lteRangeM * factor)), samples: 1 + Math.floor(rand() * 200),
          createdS: created, updatedS: Math.floor(SAMPLE_REFERENCE_MS / 1000 - rand() * 90 * 86400), district,
        });
      }
    }
  };
  for (const commune of inv.leafUnits().sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const own = villages.filter((v) => v.unit === commune.code);
    if (!own.length) continue;
    const district = districtOf(commune.code);
    const city = district === '643';
    const urban = commune.type === 'Phường' || commune.type === 'Thị trấn';
    const pop = own.reduce((s, v) => s + v.population, 0);
    const sites = commune.type === 'Phường' ? 4 + Math.round(pop / 4000)
      : commune.type === 'Thị trấn' ? 3 + Math.round(pop / 5000)
      : city || district === '644' ? 2 + Math.round(pop / 7000) : 1 + Math.round(pop / 9000);
    for (let i = 0; i < sites; i++) {
      const at = own[Math.floor(rand() * own.length)]!;
      const [lat, lon] = offset(at.lat, at.lon, rand() * (urban ? 300 : 600), rand() * 2 * Math.PI);
      const carriers = CARRIERS.map((_, c) => c).filter((c) => {
        const id = CARRIERS[c]!.id;
        const p = id === 'viettel' ? 0.85 : id === 'vinaphone' ? 0.6 : id === 'mobifone' ? 0.55 : urban ? 0.45 : 0.1;
        return rand() < p;
      });
      if (!carriers.length) carriers.push(VIETTEL);
      const range = city && urban ? between(600, 1400) : urban ? between(1200, 2500) : between(2500, 5000);
      addSite(lat, lon, district, urban, city && urban, carriers, range);
    }
  }

  // 3. No 4G (LTE, NR) cell may reach a dead-zone village: shrink, or drop, the ones that do.
  for (let i = cells.length - 1; i >= 0; i--) {
    const c = cells[i]!;
    if (c.radio !== 'LTE' && c.radio !== 'NR') continue;
    const d = distToDead(c.lat, c.lon);
    if (d > c.rangeM) continue;
    if (d - 150 < 300) cells.splice(i, 1);
    else c.rangeM = Math.round(d - 150);
  }

  // 4. Every other village gets 4G from at least one carrier: add a site where none reaches.
  const lteCovers = (v: Village) => cells.some((c) => c.radio === 'LTE' && haversineM(v.lat, v.lon, c.lat, c.lon) <= c.rangeM);
  for (const v of villages) {
    if (dead.has(v.code) || lteCovers(v)) continue;
    const [lat, lon] = offset(v.lat, v.lon, rand() * 200, rand() * 2 * Math.PI);
    const range = Math.round(Math.min(between(1500, 3000), distToDead(lat, lon) - 150));
    const carrier = rand() < 0.7 ? VIETTEL : VINAPHONE;
    addSite(lat, lon, districtOf(v.unit), false, false, [carrier], range, ['GSM', 'LTE']);
  }

  // 5. The outage: a 4G cell in Krông Bông or M'Đrắk that alone covers 400–1,500 people goes down.
  const lte = cells.filter((c) => c.radio === 'LTE');
  const coverers = (v: Village) => lte.filter((c) => haversineM(v.lat, v.lon, c.lat, c.lon) <= c.rangeM);
  const soleCover = new Map<SampleCell, Village[]>();
  for (const v of villages) {
    if (dead.has(v.code)) continue;
    const cov = coverers(v);
    if (cov.length === 1) soleCover.set(cov[0]!, [...(soleCover.get(cov[0]!) ?? []), v]);
  }
  const outage = [...soleCover.entries()]
    .filter(([c, vs]) => (c.district === '653' || c.district === '652') && vs.reduce((s, v) => s + v.population, 0) >= 400 && vs.reduce((s, v) => s + v.population, 0) <= 1500)
    .sort(([a], [b]) => (keyOf(a) < keyOf(b) ? -1 : 1))[0];
  if (!outage) throw new Error('sample: no cell qualifies for the outage');
  const [outageCell, outageVillages] = outage;

  // 6. Status: the outage, a few redundant cells down (no village loses 4G), a few restored.
  const redundant = lte.filter((c) => c !== outageCell && !soleCover.has(c) && c.district !== '643');
  const pick = <T>(list: T[], n: number) => Array.from({ length: n }, () => list[Math.floor(rand() * list.length)]!).filter((x, i, a) => a.indexOf(x) === i);
  const statusRows: string[] = [];
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const statusRow = (c: SampleCell, up: boolean, sinceMs: number) =>
    `${c.radio},452,${CARRIERS[c.carrier]!.mnc},${c.area},${c.cell},${up ? 'up' : 'down'},${iso(sinceMs)}`;
  statusRows.push(statusRow(outageCell, false, SAMPLE_REFERENCE_MS - 3 * 3_600_000));
  for (const c of pick(redundant, 8)) statusRows.push(statusRow(c, false, SAMPLE_REFERENCE_MS - Math.floor(between(1, 48)) * 3_600_000));
  for (const c of pick(cells.filter((c) => c.radio !== 'LTE'), 4)) statusRows.push(statusRow(c, false, SAMPLE_REFERENCE_MS - Math.floor(between(1, 48)) * 3_600_000));
  for (const c of pick(lte, 6)) if (!statusRows.some((r) => r.includes(`,${c.cell},`))) statusRows.push(statusRow(c, true, SAMPLE_REFERENCE_MS - Math.floor(between(1, 24)) * 3_600_000));

  // 7. Measurements (drive tests): around every 7th village, the dead ones and the outage's, for
  // the two main carriers (all four at dead villages). RSRP at a point follows its distance to
  // the carrier's best 4G cell there, as a fraction of the range (-78 dBm at the site, -118 at the
  // edge), or about -124 dBm or worse where no cell reaches. A point is kept only when clearly
  // inside (≤ 0.8 of a range) or outside coverage, and only when every village within the
  // measurement radius (1,500 m) has the same 4G prediction for that carrier: the sample's
  // measurements then agree with its cells, and the dead-zone set does not depend on freshness.
  const MEASUREMENT_RADIUS_M = 1500;
  const predictedCovers = (v: Village, carrier: number) => lte.some((c) => c.carrier === carrier && haversineM(v.lat, v.lon, c.lat, c.lon) <= c.rangeM);
  const measured = villages.filter((v, i) => i % 7 === 0 || dead.has(v.code) || outageVillages.includes(v));
  const mRows: string[] = [];
  for (const v of measured) {
    const carriers = dead.has(v.code) ? CARRIERS.map((_, c) => c) : [VIETTEL, VINAPHONE];
    for (const carrier of carriers) {
      const own = lte.filter((c) => c.carrier === carrier);
      for (let k = 0; k < 6; k++) {
        const [lat, lon] = offset(v.lat, v.lon, rand() * 200, rand() * 2 * Math.PI);
        const noise = between(-3, 3);
        const hours = Math.floor(between(7, 17)) * 3_600_000 + Math.floor(rand() * 3600) * 1000;
        const day = Math.floor(between(1, 13));
        const best = Math.min(Infinity, ...own.map((c) => haversineM(lat, lon, c.lat, c.lon) / c.rangeM));
        if (best > 0.8 && best <= 1.2) continue;
        const covered = best <= 0.8;
        const near = villages.filter((o) => haversineM(lat, lon, o.lat, o.lon) <= MEASUREMENT_RADIUS_M);
        if (near.some((o) => predictedCovers(o, carrier) !== covered)) continue;
        const rsrp = covered ? -78 - 40 * best + noise : -124 + noise - 3;
        const rsrq = rsrp > -100 ? between(-11, -6) : between(-17, -10);
        const sinr = rsrp > -100 ? between(8, 22) : rsrp > -118 ? between(-2, 10) : between(-8, 0);
        const t = SAMPLE_REFERENCE_MS - day * DAY + hours;
        mRows.push(`${iso(t)},${CARRIERS[carrier]!.mnc},LTE,${lat.toFixed(6)},${lon.toFixed(6)},${rsrp.toFixed(1)},${rsrq.toFixed(1)},${sinr.toFixed(1)}`);
      }
    }
  }

  // 8. Carrier village reports for the five districts: 4G covered or not, as the cells say; and
  // one report of coverage that the drive test contradicts (a conflict, still a dead zone).
  const rRows: string[] = [];
  const reportDate = '2025-06-15';
  const firstDead = [...dead].sort()[0]!;
  for (const v of villages) {
    if (!(SAMPLE_DEAD_ZONE_DISTRICTS as readonly string[]).includes(districtOf(v.unit))) continue;
    const cov = coverers(v);
    for (let c = 0; c < CARRIERS.length; c++) {
      const covered = cov.some((x) => x.carrier === c) || (v.code === firstDead && c === VIETTEL);
      rRows.push(`${CARRIERS[c]!.name},${v.code},${covered ? 1 : 0},4G,${reportDate}`);
    }
  }

  const note = (what: string) =>
    `# SAMPLE DATA (${what}): generated by scripts/generate-coverage-sample.ts for the sample villages; not real carrier data.\n` +
    '# GENERATED: do not edit by hand (npm run coverage:sample). Whole lines starting with # are comments.\n';
  cells.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const cellText = cells.map((c) => `${c.radio},452,${Number(CARRIERS[c.carrier]!.mnc)},${c.area},${c.cell},${c.unit},${c.lon.toFixed(6)},${c.lat.toFixed(6)},${c.rangeM},${c.samples},1,${c.createdS},${c.updatedS},0`);
  return {
    files: {
      'cells.csv': `${note('cell sites, OpenCelliD format')}${CELL_HEADER}\n${cellText.join('\n')}\n`,
      'status.csv': `${note('cell status')}radio,mcc,net,area,cell,status,since\n${statusRows.join('\n')}\n`,
      'measurements.csv': `${note('drive-test measurements')}time,mnc,radio,lat,lon,rsrp,rsrq,sinr\n${mRows.join('\n')}\n`,
      'reports.csv': `${note('carrier village reports')}carrier,village,covered,technology,report_date\n${rRows.join('\n')}\n`,
    },
    deadVillages: [...dead].sort(),
    outageVillages: outageVillages.map((v) => v.code).sort(),
    outageCell: keyOf(outageCell),
    cells: cells.length,
  };
}
