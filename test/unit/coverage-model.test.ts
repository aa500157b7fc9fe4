// The pure coverage model on a tiny hand-made province (test/helpers/coverage-province.ts):
// every expected figure below is computed by hand in the comments.
import t from 'tap';
import { join } from 'node:path';
import { computeCoverage, DEFAULT_MODEL_OPTIONS, villageSet, type CoverageInputs, type ModelOptions } from '../../src/coverage/model.js';
import { computeUnitCoverage, unitMembership } from '../../src/coverage/kpis.js';
import { MeasurementColumns } from '../../src/coverage/feeds/measurements.js';
import { haversineM } from '../../src/coverage/geo.js';
import { carrierList, EVIDENCE, LEVELS, RADIOS, type CellSite, type CellStatus, type VillageReport } from '../../src/coverage/types.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';
import { tinyProvince, KEY_A, KEY_B, KEY_C } from '../helpers/coverage-province.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 31, 3, 0, 0);
const CARRIERS = carrierList({ '01': 'MobiFone', '02': 'VinaPhone', '04': 'Viettel', '05': 'Vietnamobile' });
const MOBI = 0;
const VINA = 1;
const VIETTEL = 2;
const LTE = RADIOS.indexOf('LTE');

const A: CellSite = { key: KEY_A, radio: 'LTE', carrier: VIETTEL, lat: 12.009, lon: 108.0, rangeM: 3000 };
const B: CellSite = { key: KEY_B, radio: 'LTE', carrier: VIETTEL, lat: 12.0, lon: 108.105, rangeM: 2000 };
const C: CellSite = { key: KEY_C, radio: 'LTE', carrier: VINA, lat: 12.1, lon: 108.01, rangeM: 1500 };

type M = [timeMs: number, carrier: number, radio: string, lat: number, lon: number, rsrp: number];
function measurements(rows: M[]) {
  const cols = new MeasurementColumns(4);
  for (const [time, carrier, radio, lat, lon, rsrp] of rows) cols.push(time, lat, lon, rsrp, NaN, NaN, carrier, RADIOS.indexOf(radio as 'LTE'));
  return cols.seal();
}

function run(inv: Inventory, o: { cells?: CellSite[]; status?: [string, CellStatus][]; m?: M[]; reports?: VillageReport[]; options?: Partial<ModelOptions> } = {}) {
  const vs = villageSet(inv.villages);
  const inputs: CoverageInputs = {
    villages: vs, carriers: CARRIERS, cells: o.cells ?? [A, B, C], status: new Map(o.status ?? []),
    measurements: o.m ? [measurements(o.m)] : [], reports: o.reports ?? [],
  };
  const result = computeCoverage(inputs, { ...DEFAULT_MODEL_OPTIONS, ...o.options }, NOW);
  const v = (code: string) => vs.byCode.get(code)!;
  const slot = (code: string, carrier: number, radio = LTE) => (v(code) * CARRIERS.length + carrier) * RADIOS.length + radio;
  const at = (code: string, carrier: number, radio = LTE) => {
    const s = slot(code, carrier, radio);
    return { level: LEVELS[result.level[s]!], evidence: EVIDENCE[result.evidence[s]!], conflict: result.conflict[s] === 1, rsrp: result.rsrpMedianDbm[s], n: result.measurementCount[s] };
  };
  const dead = (code: string) => result.deadZone[v(code)] === 1;
  return { result, at, dead, units: computeUnitCoverage(result, unitMembership(inv, vs)) };
}

t.test('haversine: 0.01° of latitude is 1,111.95 m on the mean sphere (the unit of the hand computations)', async (t) => {
  t.equal(Math.round(haversineM(12, 108, 12.01, 108) * 100) / 100, 1111.95);
});

t.test('prediction: a village inside an up cell\'s range is covered, just outside it is not', async (t) => {
  const inv = tinyProvince();
  // V1 (12.000, 108.000); the cell 0.01° north: 1,111.95 m away.
  const cell = (rangeM: number): CellSite => ({ key: '452-04-LTE-9-9', radio: 'LTE', carrier: VIETTEL, lat: 12.01, lon: 108.0, rangeM });
  // 1,111.95 / 1,120 = 0.993: inside, beyond 0.8 of the range → poor.
  t.equal(run(inv, { cells: [cell(1120)] }).at('V1', VIETTEL).level, 'poor');
  t.equal(run(inv, { cells: [cell(1120)] }).at('V1', VIETTEL).evidence, 'predicted');
  // 1,111.95 > 1,100: outside → none, and V1 is a dead zone.
  t.equal(run(inv, { cells: [cell(1100)] }).at('V1', VIETTEL).level, 'none');
  t.ok(run(inv, { cells: [cell(1100)] }).dead('V1'));
  // 1,111.95 / 1,390 = 0.79996 ≤ 0.8 → fair; / 1,389 = 0.80054 → poor.
  t.equal(run(inv, { cells: [cell(1390)] }).at('V1', VIETTEL).level, 'fair');
  t.equal(run(inv, { cells: [cell(1389)] }).at('V1', VIETTEL).level, 'poor');
  // 1,111.95 / 2,224 = 0.49998 ≤ 0.5 → good; / 2,223 = 0.50020 → fair.
  t.equal(run(inv, { cells: [cell(2224)] }).at('V1', VIETTEL).level, 'good');
  t.equal(run(inv, { cells: [cell(2223)] }).at('V1', VIETTEL).level, 'fair');
  // Other carriers and radios are untouched by a Viettel LTE cell.
  t.equal(run(inv, { cells: [cell(2224)] }).at('V1', VINA).level, 'none');
  t.equal(run(inv, { cells: [cell(2224)] }).at('V1', VIETTEL, RADIOS.indexOf('UMTS')).level, 'none');
});

t.test('the tiny province: A covers V1, B covers V2, C covers V3, V4 is a dead zone', async (t) => {
  const { at, dead } = run(tinyProvince());
  t.same(at('V1', VIETTEL).level, 'good'); // 1,000.8 m ≤ 0.5 × 3,000
  t.same(at('V2', VIETTEL).level, 'good'); // 543.8 m ≤ 0.5 × 2,000
  t.same(at('V3', VINA).level, 'fair'); // 1,087.6 m = 0.725 × 1,500
  t.same(at('V2', VINA).level, 'none');
  t.same([dead('V1'), dead('V2'), dead('V3'), dead('V4')], [false, false, false, true]);
});

t.test('population-weighted coverage is exact at every level, overall and per carrier', async (t) => {
  const { units } = run(tinyProvince());
  // Province: covered V1 + V2 + V3 = 1000 + 500 + 2000 = 3500 of 5000 → 70 %.
  const p = units.get('P')!;
  t.match(p, { level: 'province', villages: 4, population: 5000, populationCovered: 3500, populationCoveredPct: 70, deadZoneVillages: 1, deadZonePopulation: 1500 });
  // Viettel covers V1, V2: 1500 / 5000 = 30 %; VinaPhone covers V3: 2000 / 5000 = 40 %; MobiFone nothing.
  t.same(p.carriers.viettel, { villagesCovered: 2, populationCovered: 1500, populationCoveredPct: 30 });
  t.same(p.carriers.vinaphone, { villagesCovered: 1, populationCovered: 2000, populationCoveredPct: 40 });
  t.same(p.carriers.mobifone, { villagesCovered: 0, populationCovered: 0, populationCoveredPct: 0 });
  // District D1 = C1 + C2: 3500 of 3500 → 100 %; D2 = C3: 0 of 1500 → 0 %.
  t.match(units.get('D1'), { level: 'district', population: 3500, populationCovered: 3500, populationCoveredPct: 100, deadZoneVillages: 0 });
  t.match(units.get('D2'), { level: 'district', population: 1500, populationCovered: 0, populationCoveredPct: 0, deadZoneVillages: 1, deadZonePopulation: 1500 });
  // Commune C1: Viettel 1500 / 1500 = 100 %; C2: VinaPhone 2000 / 2000.
  t.same(units.get('C1')!.carriers.viettel, { villagesCovered: 2, populationCovered: 1500, populationCoveredPct: 100 });
  t.same(units.get('C2')!.carriers.vinaphone, { villagesCovered: 1, populationCovered: 2000, populationCoveredPct: 100 });
  t.same(units.get('C2')!.carriers.viettel, { villagesCovered: 0, populationCovered: 0, populationCoveredPct: 0 });
});

t.test('measurements override prediction, both ways; too few are not evidence', async (t) => {
  const inv = tinyProvince();
  const fresh = NOW - DAY;
  // Near V1 (within 1,500 m): -125, -119, -130 dBm → median -125 < -120 → none, although A predicts good.
  const weak: M[] = [[fresh, VIETTEL, 'LTE', 12.001, 108.0, -125], [fresh, VIETTEL, 'LTE', 12.0, 108.001, -119], [fresh, VIETTEL, 'LTE', 11.999, 108.0, -130]];
  const r1 = run(inv, { m: weak });
  t.match(r1.at('V1', VIETTEL), { level: 'none', evidence: 'measured', rsrp: -125, n: 3 });
  t.ok(r1.dead('V1'), 'V1 becomes a dead zone: no other carrier covers it');
  // Province: 3500 - 1000 = 2500 of 5000 → 50 %.
  t.equal(r1.units.get('P')!.populationCoveredPct, 50);
  // Near V4 (no cell): -95, -90, -99, -101 → median (-99 + -95) / 2 = -97 ≥ -100 → good.
  const strong: M[] = [[fresh, MOBI, 'LTE', 12.3, 108.3, -95], [fresh, MOBI, 'LTE', 12.3, 108.301, -90], [fresh, MOBI, 'LTE', 12.301, 108.3, -99], [fresh, MOBI, 'LTE', 12.3, 108.299, -101]];
  const r2 = run(inv, { m: strong });
  t.match(r2.at('V4', MOBI), { level: 'good', evidence: 'measured', rsrp: -97, n: 4 });
  t.notOk(r2.dead('V4'));
  // Two measurements (below min_measurements 3) are not evidence: the prediction stands.
  t.match(run(inv, { m: weak.slice(0, 2) }).at('V1', VIETTEL), { level: 'good', evidence: 'predicted', n: 0 });
  // Measurements farther than 1,500 m do not count: 0.014° north = 1,556.7 m.
  t.match(run(inv, { m: weak.map(([a, b, c, lat, lon, r]) => [a, b, c, lat + 0.014, lon, r] as M) }).at('V1', VIETTEL), { evidence: 'predicted' });
  // Thresholds are configurable: with poor at -126 dBm, a -125 median is poor.
  t.match(run(inv, { m: weak, options: { poorDbm: -126 } }).at('V1', VIETTEL), { level: 'poor', evidence: 'measured' });
});

t.test('a fresh carrier report beats prediction; a report of coverage against fresh measurements of none is a conflict', async (t) => {
  const inv = tinyProvince();
  // VinaPhone reports V3 not covered by 4G: reported none beats predicted fair → V3 is a dead zone.
  const r1 = run(inv, { reports: [{ village: 'V3', carrier: VINA, radio: 'LTE', covered: false, dateMs: NOW - 10 * DAY }] });
  t.match(r1.at('V3', VINA), { level: 'none', evidence: 'reported', conflict: false });
  t.ok(r1.dead('V3'));
  // Viettel reports V4 covered: reported (the configured level, fair) beats predicted none.
  t.match(run(inv, { reports: [{ village: 'V4', carrier: VIETTEL, radio: 'LTE', covered: true, dateMs: NOW - 10 * DAY }] }).at('V4', VIETTEL), { level: 'fair', evidence: 'reported' });
  // Viettel reports V1 covered, fresh measurements say none: measured wins, conflict flagged.
  const fresh = NOW - DAY;
  const r3 = run(inv, {
    reports: [{ village: 'V1', carrier: VIETTEL, radio: 'LTE', covered: true, dateMs: NOW - 5 * DAY }],
    m: [[fresh, VIETTEL, 'LTE', 12.0, 108.0, -128], [fresh, VIETTEL, 'LTE', 12.0, 108.0, -127], [fresh, VIETTEL, 'LTE', 12.0, 108.0, -140]],
  });
  t.match(r3.at('V1', VIETTEL), { level: 'none', evidence: 'measured', conflict: true });
  t.equal(r3.units.get('P')!.conflictVillages, 1);
  t.equal(r3.units.get('C1')!.conflictVillages, 1);
  t.equal(r3.units.get('C2')!.conflictVillages, 0);
  // The same report with measurements saying poor is no conflict.
  const r4 = run(inv, {
    reports: [{ village: 'V1', carrier: VIETTEL, radio: 'LTE', covered: true, dateMs: NOW - 5 * DAY }],
    m: [[fresh, VIETTEL, 'LTE', 12.0, 108.0, -118], [fresh, VIETTEL, 'LTE', 12.0, 108.0, -119], [fresh, VIETTEL, 'LTE', 12.0, 108.0, -115]],
  });
  t.match(r4.at('V1', VIETTEL), { level: 'poor', evidence: 'measured', conflict: false });
});

t.test('stale evidence is shown but does not count as coverage', async (t) => {
  const inv = tinyProvince();
  const old = NOW - 200 * DAY; // older than the 180-day default
  const m: M[] = [[old, MOBI, 'LTE', 12.3, 108.3, -90], [old, MOBI, 'LTE', 12.3, 108.3, -91], [old, MOBI, 'LTE', 12.3, 108.3, -92]];
  const r = run(inv, { m });
  t.match(r.at('V4', MOBI), { level: 'good', evidence: 'stale', rsrp: -91, n: 3 });
  t.ok(r.dead('V4'), 'stale good does not lift a dead zone');
  // A stale report likewise.
  t.match(run(inv, { reports: [{ village: 'V4', carrier: VIETTEL, radio: 'LTE', covered: true, dateMs: old }] }).at('V4', VIETTEL), { level: 'fair', evidence: 'stale' });
  // Stale never beats a current prediction: A predicts good at V1 over a stale -130 measurement.
  const staleWeak: M[] = [[old, VIETTEL, 'LTE', 12.0, 108.0, -130], [old, VIETTEL, 'LTE', 12.0, 108.0, -130], [old, VIETTEL, 'LTE', 12.0, 108.0, -130]];
  t.match(run(inv, { m: staleWeak }).at('V1', VIETTEL), { level: 'good', evidence: 'predicted' });
  // The stale age is configurable: at 365 days the same measurements are fresh.
  t.match(run(inv, { m, options: { staleAfterMs: 365 * DAY } }).at('V4', MOBI), { level: 'good', evidence: 'measured' });
});

t.test('a down cell leaves the villages only it covered as dead zones, and evidence older than the outage is set aside', async (t) => {
  const inv = tinyProvince();
  const down = NOW - DAY;
  const r1 = run(inv, { status: [[KEY_B, { up: false, sinceMs: down }]] });
  t.ok(r1.dead('V2'), 'V2: B was its only cover');
  t.notOk(r1.dead('V1'), 'V1 still has A');
  t.same(r1.result.outageCells.get(r1.result.villages.byCode.get('V2')!), [1], 'B (cells[1]) is the cause');
  // Province: 3500 - 500 = 3000 of 5000 → 60 %; commune C1: 1000 of 1500 → 66.67 %.
  t.equal(r1.units.get('P')!.populationCoveredPct, 60);
  t.equal(r1.units.get('C1')!.populationCoveredPct, (1000 * 100) / 1500);
  // Good measurements at V2 taken before B went down do not hide the outage …
  const before: M[] = [[down - DAY, VIETTEL, 'LTE', 12.0, 108.1, -90], [down - DAY, VIETTEL, 'LTE', 12.0, 108.1, -91], [down - DAY, VIETTEL, 'LTE', 12.0, 108.1, -92]];
  t.ok(run(inv, { status: [[KEY_B, { up: false, sinceMs: down }]], m: before }).dead('V2'));
  // … but measurements after the outage (another carrier's signal, here Viettel still heard) count.
  const after: M[] = before.map(([, c, r, lat, lon, rsrp]) => [down + 3_600_000, c, r, lat, lon, rsrp] as M);
  t.notOk(run(inv, { status: [[KEY_B, { up: false, sinceMs: down }]], m: after }).dead('V2'));
  // When B is up again (any since), V2 is covered again.
  t.notOk(run(inv, { status: [[KEY_B, { up: true, sinceMs: NOW }]] }).dead('V2'));
  // A down cell of a carrier that another carrier backs up changes nothing: C down, but an
  // extra MobiFone cell covers V3.
  const mobi: CellSite = { key: '452-01-LTE-1-4', radio: 'LTE', carrier: MOBI, lat: 12.1, lon: 108.0, rangeM: 1000 };
  t.notOk(run(inv, { cells: [A, B, C, mobi], status: [[KEY_C, { up: false, sinceMs: down }]] }).dead('V3'));
});

t.test('the dead-zone definition is configurable: radios and minimum level', async (t) => {
  const inv = tinyProvince();
  // Only a 3G (UMTS) cell at V4: not a 4G cover …
  const umts: CellSite = { key: '452-04-UMTS-1-5', radio: 'UMTS', carrier: VIETTEL, lat: 12.3, lon: 108.3, rangeM: 1000 };
  t.ok(run(inv, { cells: [A, B, C, umts] }).dead('V4'));
  // … unless UMTS counts.
  t.notOk(run(inv, { cells: [A, B, C, umts], options: { deadZoneRadios: ['LTE', 'UMTS'] } }).dead('V4'));
  // With min level good, V3 (VinaPhone fair only) becomes a dead zone.
  t.ok(run(inv, { options: { deadZoneMinLevel: 'good' } }).dead('V3'));
});

t.test('the two-level (province → commune) inventory works', async (t) => {
  const { inventory: inv } = loadInventory(join(REPO_ROOT, 'test/fixtures/inventory-2level'));
  // One Viettel LTE cell at Phường Tân Lập's two villages (12.676, 108.07) and (12.679, 108.073),
  // range 1,000 m; nothing else: every other village is a dead zone.
  const cell: CellSite = { key: '452-04-LTE-1-1', radio: 'LTE', carrier: VIETTEL, lat: 12.6775, lon: 108.0715, rangeM: 1000 };
  const { units, dead } = run(inv, { cells: [cell] });
  t.notOk(dead('24118-01'));
  t.notOk(dead('24118-02'));
  t.ok(dead('24121-01'));
  // Province: covered 12000 + 13809 = 25809 of 25809 + 13824 + 10634 + 10506 = 60773.
  t.match(units.get('66'), { level: 'province', population: 60773, populationCovered: 25809, villages: 7, deadZoneVillages: 5, deadZonePopulation: 34964 });
  t.equal(units.get('66')!.populationCoveredPct, (25809 * 100) / 60773);
  t.match(units.get('24118'), { level: 'commune', populationCoveredPct: 100 });
  t.match(units.get('24223'), { level: 'commune', populationCoveredPct: 0, deadZoneVillages: 2 });
  t.same([...units.keys()].sort(), ['24118', '24121', '24223', '24352', '66']);
});
