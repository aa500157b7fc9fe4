// Scenario files: the shipped ones load against the shipped inventory; every kind of mistake is
// reported with file, key path and line; incidents are checked against the inventory.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/load.js';
import { loadScenario, parseScenario, ScenarioError } from '../../src/sim/scenario.js';
import { SCENARIO_DIR } from '../../src/sim/simulator.js';

const { inventory } = loadInventory();

const problems = (yaml: string): string[] => {
  try {
    parseScenario(yaml, 's.yaml', inventory);
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
};

t.test('every shipped scenario loads', async (t) => {
  const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.yaml'));
  t.ok(files.includes('demo.yaml'), 'demo.yaml is shipped');
  for (const f of files) {
    const s = loadScenario(join(SCENARIO_DIR, f), inventory);
    t.ok(s.name, f);
  }
  const demo = loadScenario(join(SCENARIO_DIR, 'demo.yaml'), inventory);
  t.same(
    [...new Set(demo.incidents.map((i) => i.kind))].sort(),
    ['cell_outage', 'district_dark', 'interface_saturated', 'packet_loss', 'point_dark', 'uplink_flap'],
    'the demo shows the six incidents of the issue',
  );
});

t.test('defaults are filled per kind', async (t) => {
  const s = parseScenario('name: x\nincidents:\n  - kind: packet_loss\n    point: agency-stttt\n  - kind: uplink_flap\n    point: district-645\n', 's.yaml', inventory);
  t.same(s.incidents[0], { kind: 'packet_loss', point: 'agency-stttt', at_s: 0, percent: 30 });
  t.same(s.incidents[1], { kind: 'uplink_flap', point: 'district-645', at_s: 0, period_s: 20 });
  t.equal(s.description, '');
});

t.test('mistakes are reported with path and line, one line per problem', async (t) => {
  t.same(problems('name: x\nincidents:\n  - kind: explode\n    point: agency-stttt\n'), [
    's.yaml: incidents[0].kind: must be one of point_dark, district_dark, uplink_flap, packet_loss, interface_saturated, snmp_silent, reboot, cell_outage (line 3)',
  ]);
  t.same(problems('name: x\nincidents:\n  - kind: packet_loss\n    point: agency-stttt\n    percent: 130\n'), ['s.yaml: incidents[0].percent: must be <= 100 (line 5)']);
  t.match(problems('name: x\nincidents:\n  - kind: point_dark\n    point: agency-stttt\n    colour: red\n')[0], /incidents\[0\]\.colour: unknown key \(line 5\)/);
  t.match(problems('incidents: []\n')[0], /\(root\): missing required key name/);
  t.same(problems('name: x\nincidents:\n  - kind: point_dark\n    point: nowhere\n'), ['s.yaml: incidents[0]: no point "nowhere" in the inventory (line 3)']);
  t.match(problems('name: x\nincidents:\n  - kind: district_dark\n    point: commune-24415\n')[0], /has no points behind it/);
  t.match(problems('name: x\nincidents:\n  - kind: cell_outage\n')[0], /give exactly one of cells or village/);
  t.match(problems('name: x\nincidents:\n  - kind: cell_outage\n    village: "00000-99"\n')[0], /no village with code "00000-99"/);
  t.match(problems('name: [\n')[0], /^s\.yaml:\d+:\d+: /, 'a syntax error names file, line and column');
  t.equal(problems('name: x\nincidents:\n  - kind: point_dark\n    point: nowhere\n  - kind: reboot\n    point: nowhere2\n').length, 2, 'every problem, not the first');
});
