// `npm run dashboards [-- --out DIR --inventory DIR --dashboards-path PATH]`: writes dashboards/*.json
// and dashboards/provisioning/ from the metric schema, the inventory and the config defaults.
// Deterministic: a test checks that the committed files equal a fresh build.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/load.js';
import { buildFiles, DEFAULT_DASHBOARDS_PATH, writeFiles } from '../src/dashboards/build.js';
import { loadInventory, SHIPPED_INVENTORY_DIR } from '../src/inventory/load.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(import.meta.dirname, '../dashboards') },
    inventory: { type: 'string', default: SHIPPED_INVENTORY_DIR },
    'dashboards-path': { type: 'string', default: DEFAULT_DASHBOARDS_PATH },
  },
});
const config = defaultConfig();
const { inventory } = loadInventory(values.inventory);
const files = buildFiles(
  { inventory, timezone: config.timezone },
  { influxUrl: config.sink.url, database: config.sink.database, dashboardsPath: values['dashboards-path'], minIntervalS: config.icmp.interval_s },
);
writeFiles(values.out, files);
for (const f of files) process.stderr.write(`wrote ${resolve(values.out, f.path)}\n`);
