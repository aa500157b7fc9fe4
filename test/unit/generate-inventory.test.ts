// The committed inventory must equal a fresh generation from shared/data/daklak.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateInventory } from '../../src/inventory/generate.js';
import { REPO_ROOT } from '../helpers/cli.js';

const SOURCE = resolve(REPO_ROOT, '../shared/data/daklak');

t.test('committed inventory equals a fresh generation', async (t) => {
  if (!existsSync(join(SOURCE, 'communes.csv'))) {
    if (process.env.CI === 'true') t.fail(`source data missing: ${SOURCE} (shared/ must sit beside the clone)`);
    else t.plan(0, `skipped: source data not found at ${SOURCE}`);
    return;
  }
  const src = { districtsCsv: readFileSync(join(SOURCE, 'districts.csv'), 'utf8'), communesCsv: readFileSync(join(SOURCE, 'communes.csv'), 'utf8') };
  const fresh = generateInventory(src);
  for (const [name, text] of Object.entries(fresh)) {
    t.equal(readFileSync(join(REPO_ROOT, 'inventory', name), 'utf8'), text, `inventory/${name} is up to date (run npm run inventory:generate)`);
  }
  t.same(generateInventory(src), fresh, 'generation is deterministic');
});
