// src/sim/nft.ts against the real nftables (root): tables are created and deleted, faults really
// drop echo requests (seen by fping and by the rule counters), loopback-only targets, no leftovers.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loopbackTarget, NftError, faultTableName } from '../../src/sim/nft.js';
import { requireBinary } from '../helpers/binaries.js';
import { faultTable } from '../helpers/nft.js';

const FIXTURE = fileURLToPath(new URL('../helpers/nft-teardown-fixture.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const listTables = () => spawnSync('nft', ['list', 'tables', 'inet'], { encoding: 'utf8' }).stdout;

t.test('targets: loopback addresses and network prefixes only', async (t) => {
  for (const ok of ['127.0.0.1', '127.66.9.9', '127.66.9.0/24', '127.0.0.0/8', '127.66.9.9/32']) t.equal(loopbackTarget(ok), ok);
  for (const bad of ['10.0.0.1', '192.168.1.0/24', '0.0.0.0/0', '127.0.0.0/7', '128.0.0.1', '127.66.9.7/24', '::1', '127.0.0.1; drop', '127.0.0.1 ip daddr 10.0.0.1', '', 'localhost', '127.1', '127.0.0.1/33'])
    t.throws(() => loopbackTarget(bad), NftError, JSON.stringify(bad));
  t.match(faultTableName('icmp'), new RegExp(`^netcov_icmp_${process.pid}_[a-z0-9]+$`));
  t.throws(() => faultTableName('Bad Tag'), NftError);
});

t.test('a fault table drops what it says and is gone after delete', async (t) => {
  const fping = requireBinary(t, 'fping');
  if (!fping) return;
  const table = await faultTable(t, 'nfttest');
  if (!table) return;
  t.match(listTables(), `table inet ${table.name}`);
  const dark = await table.dropEcho('127.99.4.0/24');
  const seq = await table.dropEchoPercent('127.99.5.1', 50, { sequence: true });
  await t.rejects(table.dropEcho('10.0.0.1'), NftError, 'non-loopback refused before nft runs');
  await t.rejects(table.dropEchoPercent('127.99.5.1', 101), NftError);
  await t.rejects(table.dropUdp('127.99.5.1', 0), NftError);
  const udp = await table.dropUdp('127.99.5.1', 1161);
  t.ok(dark.handle > 0 && seq.handle > 0 && udp.handle > 0);

  const run = spawnSync(fping, ['-C', '100', '-q', '-p', '10', '-t', '200', '127.99.4.7', '127.99.5.1', '127.99.6.1'], { encoding: 'utf8' });
  const echoes = (address: string) => (new RegExp(`${address.replaceAll('.', '\\.')} : (.*)`).exec(run.stderr)?.[1] ?? '').split(' ');
  t.equal(echoes('127.99.4.7').filter((x) => x === '-').length, 100, 'all dropped');
  t.equal(echoes('127.99.6.1').filter((x) => x !== '-').length, 100, 'another /24 untouched');
  t.equal(echoes('127.99.5.1').filter((x) => x === '-').length, 50, 'sequence mode drops exactly half of 100');
  t.equal(await dark.packets(), 100);
  t.equal(await seq.packets(), 50);

  await dark.remove();
  const again = spawnSync(fping, ['-C', '2', '-q', '-p', '20', '-t', '200', '127.99.4.7'], { encoding: 'utf8' });
  t.match(again.stderr, /127\.99\.4\.7 : [\d.]+ [\d.]+/, 'removed rule: the address answers again');
  await t.rejects(dark.packets(), NftError);

  await table.clear();
  t.notMatch(spawnSync('nft', ['list', 'table', 'inet', table.name], { encoding: 'utf8' }).stdout, /drop/);
  await table.delete();
  await table.delete(); // idempotent
  t.notMatch(listTables(), table.name);
  await t.rejects(table.dropEcho('127.99.4.1'), /deleted/);
});

t.test('the helper deletes the table in teardown even when the test fails', async (t) => {
  if (!(await faultTable(t, 'probe'))) return; // same availability policy as the fixture
  // Without tap's own variables the child reports like a standalone test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|_TAPJS|NODE_V8_COVERAGE)/.test(k)));
  const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  t.not(child.status, 0, 'the fixture test failed');
  const name = /TABLE=(\S+)/.exec(child.stdout)?.[1];
  t.ok(name, 'the fixture created a table');
  t.notMatch(listTables(), name!, 'and it is gone');
});
