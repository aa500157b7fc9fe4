import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInventory, loadInventory, SHIPPED_INVENTORY_DIR } from '../../src/inventory/load.js';
import { addressProblem, assertSafeTarget, isLoopback } from '../../src/inventory/address.js';
import { inventoryStats } from '../../src/cli/inventory.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const TWO_LEVEL = join(REPO_ROOT, 'test/fixtures/inventory-2level');

function copyShipped(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-inv-'));
  cpSync(SHIPPED_INVENTORY_DIR, dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture edit: "${from}" not found in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

t.test('the shipped inventory: 235 points, 15 districts, 184 communes, 1,869,322 people', async (t) => {
  const { inventory, warnings } = loadInventory();
  t.same(warnings, []);
  const s = inventoryStats(inventory, 'en');
  t.equal(s.points, 235);
  t.same(s.pointsByKind, { agency: 36, district: 15, commune: 184 });
  t.same(s.levels.map((l) => [l.name, l.units]), [['province', 1], ['district', 15], ['commune', 184]]);
  t.equal(s.population, 1_869_322);
  t.ok(s.villages >= 2300 && s.villages <= 2500, `about 2,400 villages (${s.villages})`);
  t.equal(s.sampleVillages, s.villages, 'every generated village is marked sample');
});

t.test('shipped addresses are loopback 127.66.x.y, one per point', async (t) => {
  const { inventory } = loadInventory();
  const addresses = inventory.points.map((p) => p.address);
  t.equal(new Set(addresses).size, 235);
  t.ok(addresses.every((a) => /^127\.66\.\d+\.\d+$/.test(a) && isLoopback(a)));
});

t.test('topology: communes → district → core; agencies → core', async (t) => {
  const { inventory } = loadInventory();
  const roots = inventory.points.filter((p) => p.upstream === undefined);
  t.same(roots.map((p) => p.id), ['agency-stttt']);
  for (const p of inventory.points) {
    const up = p.upstream && inventory.point(p.upstream);
    if (p.kind === 'commune') {
      t.equal(up && up.kind, 'district', p.id);
      t.equal(inventory.unit(p.unit)!.parent, up && up.unit, `${p.id} hangs off its own district`);
    }
    if (p.kind === 'district' || (p.kind === 'agency' && p.id !== 'agency-stttt')) t.equal(p.upstream, 'agency-stttt', p.id);
  }
  // Buôn Ma Thuột (643) has 21 communes, so its district point carries 21 dependants.
  t.equal(inventory.allDependants('district-643').length, 21);
  t.equal(inventory.allDependants('agency-stttt').length, 234);
  t.same(inventory.unitTags('24118'), { province: '66', district: '643', commune: '24118' });
});

t.test('village populations sum exactly to each commune census figure', async (t) => {
  const { inventory } = loadInventory();
  for (const c of inventory.unitsAtLevel('commune')) {
    const villages = inventory.villagesWithin(c.code);
    t.ok(villages.length >= 8 && villages.length <= 20, `${c.code}: ${villages.length} villages`);
    const sum = villages.reduce((s, v) => s + v.population, 0);
    if (sum !== c.population) t.fail(`${c.code}: villages ${sum} ≠ census ${c.population}`);
  }
  t.equal(inventory.villagesWithin('66').reduce((s, v) => s + v.population, 0), 1_869_322);
});

t.test('an inventory broken four ways: every problem named with file and line', async (t) => {
  const dir = copyShipped();
  const points = join(dir, 'points.yaml');
  edit(points, '  - id: agency-vpdbqh-hdnd', '  - id: agency-vpubnd'); // duplicate id
  edit(points, 'upstream: district-644', 'upstream: district-999'); // unknown upstream
  edit(points, 'address: 127.66.0.5\n', 'address: 127.0.0.1;id\n'); // shell metacharacter
  edit(points, 'address: 127.66.3.1\n    snmp_profile: default\n    upstream: agency-stttt', 'address: 127.66.3.1\n    snmp_profile: default\n    upstream: commune-24181'); // cycle
  const r = await runCli(['inventory', 'check', '--dir', dir, '--lang', 'en']);
  t.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  t.equal(lines.length, 4, r.stderr);
  t.match(r.stderr, new RegExp(`${points}:\\d+: id: duplicate point id "agency-vpubnd" \\(first at line \\d+\\)`));
  t.match(r.stderr, new RegExp(`${points}:\\d+: upstream: unknown upstream point "district-999"`));
  t.match(r.stderr, new RegExp(`${points}:\\d+: upstream: cycle in topology: district-645 → commune-24181 → district-645`));
  t.match(r.stderr, new RegExp(`${points}:\\d+: address: address "127\\.0\\.0\\.1;id" is neither an IP literal nor a valid host name`));
  // The line named for the bad address is the line that holds it.
  const addrLine = Number(/points\.yaml:(\d+): address:/.exec(r.stderr)![1]);
  t.equal(readFileSync(points, 'utf8').split('\n')[addrLine - 1]!.trim(), 'address: 127.0.0.1;id');
});

t.test('unknown administrative codes, bad villages, warnings', async (t) => {
  const dir = copyShipped();
  edit(join(dir, 'points.yaml'), 'unit: "24118"', 'unit: "99999"');
  const villages = join(dir, 'villages.sample.csv');
  const lines = readFileSync(villages, 'utf8').split('\n');
  const firstRow = lines.findIndex((l) => /^24121-01,/.test(l));
  lines[firstRow] = lines[firstRow]!.replace(/,24121,/, ',77777,');
  const popRow = lines.findIndex((l) => /^24124-01,/.test(l));
  lines[popRow] = lines[popRow]!.replace(/,(\d+),sample$/, (_m, n: string) => `,${Number(n) + 5},sample`);
  const farRow = lines.findIndex((l) => /^24130-01,/.test(l));
  lines[farRow] = lines[farRow]!.replace(/,12\.\d+,1\d\d\.\d+,/, ',10.5,106.7,');
  writeFileSync(villages, lines.join('\n'));
  const report = checkInventory(dir);
  t.equal(report.inventory, undefined);
  t.match(report.errors.join('\n'), /points\.yaml:\d+: unit: unknown administrative code "99999"/);
  t.match(report.errors.join('\n'), new RegExp(`villages\\.sample\\.csv:${firstRow + 1}: unit: unknown administrative code "77777"`));
  t.match(report.warnings.join('\n'), /units\.yaml:\d+: population: villages in .* sum to \d+ people, unit "24124" has \d+/);
  t.match(report.warnings.join('\n'), new RegExp(`villages\\.sample\\.csv:${farRow + 1}: lat: coordinates 10\\.5,106\\.7 of village "24130-01" are outside`));
});

t.test('addresses: IP literals and host names only', async (t) => {
  for (const ok of ['127.66.1.1', '::1', 'router-1.example.net', 'ubnd-eatam']) t.equal(addressProblem(ok), undefined, ok);
  for (const bad of ['127.0.0.1;id', '-f/etc/passwd', '$(reboot)', 'a b', '`id`', '127.0.0.1 && id', '', '-1.2.3.4', '999.1.1.1', 'host|cat', 'x\ny'])
    t.type(addressProblem(bad), 'string', JSON.stringify(bad));
  t.throws(() => assertSafeTarget('-f/etc/passwd'), /refusing target/);
});

t.test('a site file overrides addresses; its errors point at the site file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-site-'));
  const site = join(dir, 'site.yaml');
  writeFileSync(site, 'points:\n  commune-24118:\n    address: ubnd-tanlap.mgmt.example\n  commune-24121:\n    address: "bad host"\n  commune-00000:\n    address: 127.0.0.1\n');
  const report = checkInventory(SHIPPED_INVENTORY_DIR, { siteFile: site });
  t.match(report.errors.join('\n'), new RegExp(`${site}:6: points\\.commune-00000: no point with this id`));
  t.match(report.errors.join('\n'), new RegExp(`${site}:4: address: address "bad host"`));
  writeFileSync(site, 'points:\n  commune-24118:\n    address: ubnd-tanlap.mgmt.example\n    tags: { site: "tan-lap" }\n');
  const { inventory } = loadInventory(SHIPPED_INVENTORY_DIR, { siteFile: site });
  t.equal(inventory.point('commune-24118')!.address, 'ubnd-tanlap.mgmt.example');
  t.same(inventory.point('commune-24118')!.tags, { site: 'tan-lap' });
});

t.test('unknown SNMP profile or credential names are errors when the config is known', async (t) => {
  const dir = copyShipped();
  edit(join(dir, 'points.yaml'), 'snmp_profile: default', 'snmp_profile: cisco');
  const report = checkInventory(dir, { snmpProfiles: ['default'], snmpCredentials: ['default'] });
  t.match(report.errors.join('\n'), /points\.yaml:\d+: snmp_profile: unknown SNMP profile "cisco"/);
});

t.test('the two-level (post-2025) inventory loads and reports correctly', async (t) => {
  const { inventory } = loadInventory(TWO_LEVEL);
  t.same(inventory.levels.map((l) => l.name), ['province', 'commune']);
  t.same(inventory.unitTags('24352'), { province: '66', commune: '24352' });
  t.equal(inventory.totalPopulation(), 25809 + 13824 + 10634 + 10506);
  t.equal(inventory.population('66'), 60773, 'province population falls back to the sum of its communes');
  const r = await runCli(['inventory', 'stats', '--dir', TWO_LEVEL, '--json']);
  t.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as ReturnType<typeof inventoryStats>;
  t.same(s.levels.map((l) => [l.name, l.units]), [['province', 1], ['commune', 4]]);
  t.equal(s.points, 5);
  t.same(s.pointsByKind, { agency: 1, commune: 4 });
  t.equal(s.villages, 7);
  t.equal(s.population, 60773);
});

t.test('a malformed file is reported, not thrown', async (t) => {
  const dir = copyShipped();
  writeFileSync(join(dir, 'units.yaml'), 'levels: [\n');
  const report = checkInventory(dir);
  t.ok(report.errors.length > 0);
  t.match(report.errors[0]!, /units\.yaml:\d+:\d+: /);
  writeFileSync(join(dir, 'units.yaml'), 'levels: []\nunits: []\nextra: 1\n');
  t.match(checkInventory(dir).errors.join('\n'), /units\.yaml:3: extra: unknown key/);
});
