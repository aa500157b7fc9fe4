// The SAMPLE coverage feeds: the committed files equal a fresh generation, every row is valid,
// and the model finds the dead zones the sample was built for, near the province's 99.23 %.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCoverageSample, SAMPLE_DEAD_ZONE_DISTRICTS, SAMPLE_REFERENCE_MS } from '../../src/coverage/sample.js';
import { CoverageService } from '../../src/coverage/service.js';
import { defaultConfig } from '../../src/config/load.js';
import { loadInventory } from '../../src/inventory/load.js';
import { silentLogger } from '../../src/util/log.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DIR = join(REPO_ROOT, 'data/coverage-sample');
const { inventory } = loadInventory();
const sample = generateCoverageSample(inventory);

t.test('the committed sample equals a fresh generation (npm run coverage:sample)', async (t) => {
  for (const [name, text] of Object.entries(sample.files)) t.equal(readFileSync(join(DIR, name), 'utf8'), text, name);
  t.ok(sample.cells > 2000 && sample.cells < 6000, `a few thousand cells (${sample.cells})`);
  for (const name of Object.keys(sample.files)) t.match(readFileSync(join(DIR, name), 'utf8'), /^# SAMPLE DATA/, `${name} says it is sample data`);
});

for (const [label, days] of [['fresh (a day after the sample)', 1], ['stale (400 days after)', 400]] as const) {
  t.test(`the model on the sample, evidence ${label}`, async (t) => {
    const now = SAMPLE_REFERENCE_MS + days * 86_400_000;
    const svc = new CoverageService({ config: defaultConfig(), inventory, log: silentLogger(), now: () => now, stateDir: null });
    for (const kind of ['cells', 'status', 'measurements', 'reports'] as const) {
      const r = await svc.ingest(kind, readFileSync(join(DIR, `${kind}.csv`), 'utf8'), 'csv', { feed: kind, mode: 'replace' });
      t.match(r, { applied: true, rejected: 0 }, `${kind}: every row accepted`);
    }
    svc.recompute();
    const province = svc.unit('66')!;
    t.ok(province.coveredPct > 99 && province.coveredPct < 99.5, `4G population coverage near 99.23 % (${province.coveredPct.toFixed(3)} %)`);
    t.equal(province.deadZoneVillages, sample.deadVillages.length + sample.outageVillages.length);
    const gaps = svc.gaps();
    t.same(gaps.map((g) => g.villageCode).sort(), [...sample.deadVillages, ...sample.outageVillages].sort());
    const districts = new Set(gaps.map((g) => g.units.district));
    t.same([...districts].sort(), [...SAMPLE_DEAD_ZONE_DISTRICTS], 'dead zones in Ea Súp, Buôn Đôn, M\'Đrắk, Krông Bông and Lắk');
    for (const g of gaps) t.equal(g.cause, sample.outageVillages.includes(g.villageCode) ? 'cell_outage' : 'no_coverage', g.villageCode);
    t.ok(gaps.filter((g) => g.cause === 'cell_outage').every((g) => g.causeCells?.[0]?.key === sample.outageCell));
    // Buôn Ma Thuột (the city) has no dead zone.
    const bmt = svc.unit('643')!;
    t.equal(bmt.deadZoneVillages, 0);
    t.equal(bmt.coveredPct, 100);
  });
}
