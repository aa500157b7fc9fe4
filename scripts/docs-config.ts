// Writes docs/configuration.md from the config schema (npm run docs:config). With --check it
// writes nothing and exits 1 when the file is out of date (for CI or a pre-commit hook).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from '../src/config/docs.js';
import { ConfigSchema } from '../src/config/schema.js';

const file = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const fresh = renderConfigDocs(ConfigSchema);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // absent: out of date
  }
  if (current !== fresh) {
    process.stderr.write(`${file} is out of date: run npm run docs:config\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, fresh);
  process.stdout.write(`wrote ${file}\n`);
}
