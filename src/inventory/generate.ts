// Deterministic generation of the shipped inventory from the real administrative data in
// shared/data/daklak (GSO codes and names, polygon centroids, 2019 census population):
// units.yaml (province → districts → communes), points.yaml (the 235 points of the dedicated
// network, loopback addresses 127.66.x.y) and villages.sample.csv (SAMPLE villages: no public list
// of Đắk Lắk's thôn/buôn exists). Pure: text in, text out; the same input gives the same bytes.
import { parse as parseCsv } from 'csv-parse/sync';
import { CORE_AGENCY_SLUG, PROVINCIAL_AGENCIES } from './agencies.js';
import { hashSeed, seededRandom } from '../util/random.js';

export interface SourceTexts {
  districtsCsv: string;
  communesCsv: string;
}

export interface GeneratedFiles {
  'units.yaml': string;
  'points.yaml': string;
  'villages.sample.csv': string;
}

interface DistrictRow {
  code: string;
  name: string;
  type: string;
  lat: number;
  lon: number;
  population: number;
}

interface CommuneRow extends DistrictRow {
  district: string;
  areaKm2: number;
}

export const PROVINCE = { code: '66', name: 'Tỉnh Đắk Lắk', type: 'Tỉnh' } as const;
/** The bounding box given in shared/data/daklak/SOURCES.md. */
export const PROVINCE_BOUNDS = { latMin: 12.16, latMax: 13.42, lonMin: 107.48, lonMax: 108.995 } as const;

function rows(text: string): Record<string, string>[] {
  return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
}

/** GSO writes "Thị Xã Buôn Hồ"; the unit type is spelt "Thị xã" everywhere else. */
function tidyName(name: string): string {
  return name.replace(/^Thị Xã /, 'Thị xã ');
}

const q = (s: string) => JSON.stringify(s);
const fix = (n: number, d = 5) => Number(n.toFixed(d)).toString();

// Syllables of Êđê and M'nông place names, for sample buôn names ("Buôn Ea Knir").
const BUON_FIRST = ['Ea', 'Cư', 'Krông', 'Kô', 'Ya', 'Dray', 'Tơng', 'Kmrơng', 'Drai', 'Hra', 'Jang', 'Bhôk'];
const BUON_SECOND = ['Knir', 'Sut', 'Drông', 'Pông', 'Tam', 'Ktur', 'Mblang', 'Dhăm', 'Kuăng', 'Ruê', 'Sah', 'Blang', 'Hđing', 'Ana', 'Kmăl', 'Trấp'];

interface VillageOut {
  code: string;
  name: string;
  type: string;
  unit: string;
  lat: number;
  lon: number;
  population: number;
}

/** 8–20 villages per commune, about one per 760 inhabitants; populations sum exactly to the census. */
export function generateVillages(c: CommuneRow): VillageOut[] {
  const rand = seededRandom(hashSeed(`villages:${c.code}`));
  const count = Math.max(8, Math.min(20, Math.round(c.population / 760)));
  const urban = c.type === 'Phường' || c.type === 'Thị trấn';
  // Radius of a disc with the commune's area; villages sit within 85% of it.
  const radiusKm = Math.sqrt(Math.max(c.areaKm2, 1) / Math.PI);
  const kmPerDegLat = 110.574;
  const kmPerDegLon = 111.32 * Math.cos((c.lat * Math.PI) / 180);
  const weights = Array.from({ length: count }, () => 0.4 + rand() * 1.2);
  const total = weights.reduce((a, b) => a + b, 0);
  const pops = weights.map((w) => Math.floor((c.population * w) / total));
  let rest = c.population - pops.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % count, rest--) pops[i]! += 1;
  const used = new Set<string>();
  const out: VillageOut[] = [];
  let thon = 0;
  let to = 0;
  for (let i = 0; i < count; i++) {
    let name: string;
    let type: string;
    if (urban) {
      type = 'tổ dân phố';
      name = `Tổ dân phố ${++to}`;
    } else if (rand() < 0.35) {
      type = 'buôn';
      do name = `Buôn ${BUON_FIRST[Math.floor(rand() * BUON_FIRST.length)]} ${BUON_SECOND[Math.floor(rand() * BUON_SECOND.length)]}`;
      while (used.has(name));
    } else {
      type = 'thôn';
      name = `Thôn ${++thon}`;
    }
    used.add(name);
    const angle = rand() * 2 * Math.PI;
    const distKm = radiusKm * 0.85 * Math.sqrt(rand());
    const lat = Math.min(PROVINCE_BOUNDS.latMax, Math.max(PROVINCE_BOUNDS.latMin, c.lat + (distKm * Math.sin(angle)) / kmPerDegLat));
    const lon = Math.min(PROVINCE_BOUNDS.lonMax, Math.max(PROVINCE_BOUNDS.lonMin, c.lon + (distKm * Math.cos(angle)) / kmPerDegLon));
    out.push({ code: `${c.code}-${String(i + 1).padStart(2, '0')}`, name, type, unit: c.code, lat, lon, population: pops[i]! });
  }
  return out;
}

export function generateInventory(src: SourceTexts): GeneratedFiles {
  const districts: DistrictRow[] = rows(src.districtsCsv)
    .map((r) => ({ code: r.district_code!, name: tidyName(r.district_name!), type: r.district_type!, lat: Number(r.lat), lon: Number(r.lon), population: Number(r.population) }))
    .sort((a, b) => Number(a.code) - Number(b.code));
  const communes: CommuneRow[] = rows(src.communesCsv)
    .map((r) => ({
      code: r.commune_code!,
      name: r.commune_name!,
      type: r.commune_type!,
      district: r.district_code!,
      lat: Number(r.lat),
      lon: Number(r.lon),
      population: Number(r.population),
      areaKm2: Number(r.area_km2_kml),
    }))
    .sort((a, b) => Number(a.code) - Number(b.code));
  const provincePopulation = communes.reduce((s, c) => s + c.population, 0);
  const provinceLat = districts.reduce((s, d) => s + d.lat, 0) / districts.length;
  const provinceLon = districts.reduce((s, d) => s + d.lon, 0) / districts.length;

  const header = (what: string) =>
    `# ${what}\n# GENERATED by \`npm run inventory:generate\` (scripts/generate-inventory.ts) from shared/data/daklak; do not edit by hand.\n`;

  // units.yaml
  const u: string[] = [header('Administrative units of Đắk Lắk as of 01/09/2024 (GSO codes, 2019 census population).')];
  u.push(`bounds: { lat_min: ${PROVINCE_BOUNDS.latMin}, lat_max: ${PROVINCE_BOUNDS.latMax}, lon_min: ${PROVINCE_BOUNDS.lonMin}, lon_max: ${PROVINCE_BOUNDS.lonMax} }`);
  u.push('levels:');
  u.push('  - { name: province, label_vi: "Tỉnh", label_en: "Province" }');
  u.push('  - { name: district, label_vi: "Huyện", label_en: "District" }');
  u.push('  - { name: commune, label_vi: "Xã", label_en: "Commune" }');
  u.push('units:');
  u.push(`  - { code: ${q(PROVINCE.code)}, name: ${q(PROVINCE.name)}, type: ${q(PROVINCE.type)}, level: province, lat: ${fix(provinceLat)}, lon: ${fix(provinceLon)}, population: ${provincePopulation} }`);
  for (const d of districts) {
    u.push(`  - { code: ${q(d.code)}, name: ${q(d.name)}, type: ${q(d.type)}, level: district, parent: ${q(PROVINCE.code)}, lat: ${fix(d.lat)}, lon: ${fix(d.lon)}, population: ${d.population} }`);
  }
  for (const c of communes) {
    u.push(`  - { code: ${q(c.code)}, name: ${q(c.name)}, type: ${q(c.type)}, level: commune, parent: ${q(c.district)}, lat: ${fix(c.lat)}, lon: ${fix(c.lon)}, population: ${c.population} }`);
  }

  // points.yaml
  const core = `agency-${CORE_AGENCY_SLUG}`;
  // Provincial agencies sit in Buôn Ma Thuột; their real offices are not in the data, so they are
  // spread on a small deterministic ring around the city centroid to be distinct on a map.
  const bmt = districts[0]!;
  const p: string[] = [
    header('The 235 points of the dedicated data network (mạng truyền số liệu chuyên dùng): 36 agencies, 15 district and 184 commune People\'s Committees.'),
    '# Management addresses are LOOPBACK (127.66.x.y) so the shipped defaults only touch this machine.',
    '# A real deployment overrides them in a site file (config inventory.site_file); see inventory/README.md.',
    '# Coordinates of district and commune points are unit centroids (or the district town\'s), not office addresses.',
    'points:',
  ];
  const point = (f: { id: string; name: string; kind: string; unit: string; lat: number; lon: number; address: string; upstream?: string; tags?: Record<string, string> }) => {
    p.push(`  - id: ${f.id}`);
    p.push(`    name: ${q(f.name)}`);
    p.push(`    kind: ${f.kind}`);
    p.push(`    unit: ${q(f.unit)}`);
    p.push(`    lat: ${fix(f.lat)}`);
    p.push(`    lon: ${fix(f.lon)}`);
    p.push(`    address: ${f.address}`);
    p.push('    snmp_profile: default');
    if (f.upstream) p.push(`    upstream: ${f.upstream}`);
    if (f.tags && Object.keys(f.tags).length) p.push(`    tags: { ${Object.entries(f.tags).map(([k, v]) => `${k}: ${q(v)}`).join(', ')} }`);
  };
  PROVINCIAL_AGENCIES.forEach((a, i) => {
    const angle = (2 * Math.PI * i) / PROVINCIAL_AGENCIES.length;
    const isCore = a.slug === CORE_AGENCY_SLUG;
    point({
      id: `agency-${a.slug}`,
      name: a.name,
      kind: 'agency',
      unit: PROVINCE.code,
      lat: bmt.lat + (isCore ? 0 : 0.012 * Math.sin(angle)),
      lon: bmt.lon + (isCore ? 0 : 0.012 * Math.cos(angle)),
      address: `127.66.0.${i + 1}`,
      ...(isCore ? { tags: { role: 'core' } } : { upstream: core }),
    });
  });
  districts.forEach((d, i) => {
    const own = communes.filter((c) => c.district === d.code);
    const seat = own.find((c) => c.type === 'Thị trấn') ?? own.find((c) => c.type === 'Phường');
    point({ id: `district-${d.code}`, name: `UBND ${d.name}`, kind: 'district', unit: d.code, lat: seat?.lat ?? d.lat, lon: seat?.lon ?? d.lon, address: `127.66.${i + 1}.1`, upstream: core });
    own.forEach((c, j) => {
      point({ id: `commune-${c.code}`, name: `UBND ${c.name}`, kind: 'commune', unit: c.code, lat: c.lat, lon: c.lon, address: `127.66.${i + 1}.${10 + j}`, upstream: `district-${d.code}` });
    });
  });

  // villages.sample.csv
  const v: string[] = [
    '# SAMPLE DATA: generated villages (thôn, buôn, tổ dân phố). No public list of Đắk Lắk\'s villages exists;',
    '# names, positions and populations are made up (populations sum exactly to each commune\'s 2019 census).',
    '# Replace this file with the official list (same columns, source=official). GENERATED: do not edit by hand.',
    'code,name,type,unit,lat,lon,population,source',
  ];
  for (const c of communes) {
    for (const vil of generateVillages(c)) v.push(`${vil.code},${vil.name},${vil.type},${vil.unit},${fix(vil.lat)},${fix(vil.lon)},${vil.population},sample`);
  }
  return { 'units.yaml': u.join('\n') + '\n', 'points.yaml': p.join('\n') + '\n', 'villages.sample.csv': v.join('\n') + '\n' };
}
