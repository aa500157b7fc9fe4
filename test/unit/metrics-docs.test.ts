// docs/metrics.md is checked against the metric schema: every tag and field of `ping` and of the
// rollups is documented with its type, and the continuous query shown is the one netcov creates.
// (Other measurements join the list below as their sections are written.)
import t from 'tap';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ALERTS, COVERAGE_FEED, COVERAGE_MODEL, COVERAGE_UNIT, COVERAGE_VILLAGE, EVENTS, INTERFACE, NETCOV, PING, POINT_INFO, POINT_STATE, POINT_STATUS, ROLLUPS, RETENTION_POLICIES, SNMP, SNMP_SCALAR, UNIT_INFO, VILLAGE_INFO,
  type MeasurementDef, type RollupDef,
} from '../../src/metrics/schema.js';
import { continuousQuery } from '../../src/sink/influx-v1.js';

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/metrics.md'), 'utf8');
const DOCUMENTED: (MeasurementDef | RollupDef)[] = [
  PING, ...Object.values(ROLLUPS), NETCOV, POINT_STATE, POINT_STATUS, ALERTS, POINT_INFO, UNIT_INFO, VILLAGE_INFO, COVERAGE_VILLAGE, COVERAGE_UNIT, COVERAGE_FEED, COVERAGE_MODEL,
  INTERFACE, SNMP, SNMP_SCALAR, EVENTS,
];

for (const m of DOCUMENTED) {
  t.test(`${m.name}`, async (t) => {
    t.match(doc, new RegExp(`## \`${m.name}\``), 'has a section');
    for (const tag of Object.keys(m.tags)) t.match(doc, `| \`${tag}\``, `tag ${tag}`);
    for (const [name, f] of Object.entries(m.fields)) {
      t.match(doc, new RegExp(`\\| \`${name}\` \\| ${f.type} \\| ${f.unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`), `field ${name}: ${f.type}, ${f.unit || 'no unit'}`);
    }
  });
}

t.test('retention policies and the continuous query as netcov creates them', async (t) => {
  for (const rp of Object.values(RETENTION_POLICIES)) t.match(doc, `| \`${rp}\``);
  for (const r of Object.values(ROLLUPS)) t.ok(doc.includes(continuousQuery(r, 'netcov')), `${r.name}: the CREATE CONTINUOUS QUERY statement`);
});
