import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';

t.test('--help for the CLI and every command', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.code, 0);
  for (const cmd of ['run', 'config check', 'inventory check', 'inventory stats']) {
    t.match(top.stdout, cmd);
    const r = await runCli([...cmd.split(' '), '--help']);
    t.equal(r.code, 0, cmd);
    t.match(r.stdout, /Usage: netcov /);
  }
});

t.test('usage errors exit 2', async (t) => {
  t.equal((await runCli([])).code, 2);
  t.equal((await runCli(['frobnicate'])).code, 2);
  t.equal((await runCli(['inventory', 'stats', '--bogus'])).code, 2);
  t.equal((await runCli(['inventory', 'stats', '--lang', 'fr'])).code, 2);
});

t.test('the real binary: stats in English and exit codes', async (t) => {
  const r = spawnCli(['inventory', 'stats', '--lang', 'en']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Points of the dedicated data network: 235/);
  t.match(r.stdout, /agency 36 \/ district 15 \/ commune 184/);
  t.match(r.stdout, /district\s+15/);
  t.match(r.stdout, /commune\s+184/);
  t.match(r.stdout, /Population \(2019 census\): 1,869,322/);
  const vi = spawnCli(['inventory', 'stats']);
  t.match(vi.stdout, /Dân số \(điều tra 2019\): 1\.869\.322/);
  t.equal(spawnCli(['nope']).code, 2);
});
