// Regenerate the SAMPLE coverage feeds in data/coverage-sample/ from the shipped (sample) villages:
// `npm run coverage:sample [-- --out DIR]`. Deterministic: a test checks that the committed files
// equal a fresh generation.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInventory } from '../src/inventory/load.js';
import { generateCoverageSample } from '../src/coverage/sample.js';

export const SAMPLE_DIR = resolve(import.meta.dirname, '../data/coverage-sample');

const { values } = parseArgs({ options: { out: { type: 'string', default: SAMPLE_DIR } } });
const { inventory } = loadInventory();
const sample = generateCoverageSample(inventory);
mkdirSync(values.out, { recursive: true });
for (const [name, text] of Object.entries(sample.files)) {
  writeFileSync(join(values.out, name), text);
  process.stderr.write(`wrote ${join(values.out, name)} (${text.split('\n').length - 1} lines)\n`);
}
process.stderr.write(`${sample.cells} cells; ${sample.deadVillages.length} dead-zone villages; outage of ${sample.outageCell} cuts off ${sample.outageVillages.join(', ')}\n`);
