// Regenerate inventory/ from shared/data/daklak: `npm run inventory:generate [-- --source DIR --out DIR]`.
// Deterministic: a test checks that the committed files equal a fresh generation.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateInventory } from '../src/inventory/generate.js';

export const DEFAULT_SOURCE_DIR = resolve(import.meta.dirname, '../../shared/data/daklak');

const { values } = parseArgs({
  options: { source: { type: 'string', default: DEFAULT_SOURCE_DIR }, out: { type: 'string', default: resolve(import.meta.dirname, '../inventory') } },
});
const files = generateInventory({
  districtsCsv: readFileSync(join(values.source, 'districts.csv'), 'utf8'),
  communesCsv: readFileSync(join(values.source, 'communes.csv'), 'utf8'),
});
mkdirSync(values.out, { recursive: true });
for (const [name, text] of Object.entries(files)) {
  writeFileSync(join(values.out, name), text);
  process.stderr.write(`wrote ${join(values.out, name)} (${text.split('\n').length - 1} lines)\n`);
}
