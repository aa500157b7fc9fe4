import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/load.js';
import { Secret, revealSecret } from '../../src/config/secret.js';
import { runCli, REPO_ROOT } from '../helpers/cli.js';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'netcov.yaml', { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

t.test('defaults are complete and valid', async (t) => {
  const c = defaultConfig();
  t.equal(c.timezone, 'Asia/Ho_Chi_Minh');
  t.equal(c.language, 'vi');
  t.equal(c.icmp.interval_s, 5);
  t.equal(c.icmp.count, 3);
  t.equal(c.snmp.traps.port, 1162);
  t.equal(c.sink.spool.max_bytes, 1024 ** 3);
});

t.test('every error is reported with its path, not only the first', async (t) => {
  const p = problems('icmp:\n  count: three\n  colour: blue\nsnmp:\n  timeout_ms: -5\nlanguage: fr\n');
  t.equal(p.length, 4, p.join('\n'));
  t.match(p.join('\n'), /netcov\.yaml: icmp\.count: must be integer \(line 2\)/);
  t.match(p.join('\n'), /netcov\.yaml: icmp\.colour: unknown key \(line 3\)/);
  t.match(p.join('\n'), /netcov\.yaml: snmp\.timeout_ms: must be greater or equal to 10 \(line 5\)|snmp\.timeout_ms: .*10/);
  t.match(p.join('\n'), /language: must be one of "vi", "en"/);
});

t.test('unknown keys are errors at any depth', async (t) => {
  const p = problems('snmp:\n  traps:\n    prot: 162\n  credentials:\n    edge: { version: "2c", community: x, comunity: y }\n');
  t.match(p.join('\n'), /snmp\.traps\.prot: unknown key/);
  t.match(p.join('\n'), /snmp\.credentials\.edge\.comunity: unknown key/);
});

t.test('a syntax error names file, line and column', async (t) => {
  const p = problems('icmp:\n  count: [1,\n');
  t.equal(p.length > 0, true);
  t.match(p[0]!, /^netcov\.yaml:\d+:\d+: /);
});

t.test('secrets: inline, env and file; never printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-secret-'));
  const file = join(dir, 'token');
  writeFileSync(file, 'from-file-s3cr3t\n');
  const c = parseConfig(
    [
      'sink:',
      '  password: inline-s3cr3t',
      '  token_file: ' + file,
      'snmp:',
      '  credentials:',
      '    default: { version: "2c", community_env: NETCOV_TEST_COMMUNITY }',
    ].join('\n'),
    'netcov.yaml',
    { env: { NETCOV_TEST_COMMUNITY: 'env-s3cr3t' } },
  );
  t.ok(c.sink.password instanceof Secret);
  t.equal(revealSecret(c.sink.password), 'inline-s3cr3t');
  t.equal(revealSecret(c.sink.token), 'from-file-s3cr3t', 'trailing newline trimmed');
  t.equal(revealSecret(c.snmp.credentials.default!.community), 'env-s3cr3t');
  const printed = JSON.stringify(c) + String(c.sink.password) + `${c.sink.token}`;
  t.notMatch(printed, /s3cr3t/);
  t.match(printed, /\[secret\]/);
});

t.test('secret problems never show the value', async (t) => {
  const p = problems('sink:\n  password: hunter2-s3cr3t\n  password_env: SOMETHING\nsnmp:\n  credentials:\n    default: { version: "2c", community_env: NOT_SET_ANYWHERE }\n', {});
  t.match(p.join('\n'), /sink\.password: give only one of password, password_env, password_file/);
  t.match(p.join('\n'), /community_env: environment variable NOT_SET_ANYWHERE is not set/);
  t.notMatch(p.join('\n'), /hunter2/);
});

t.test('a wrongly typed secret is reported without its value', async (t) => {
  const p = problems('sink:\n  password: 12345678\n');
  t.match(p.join('\n'), /sink\.password: must be string/);
  t.notMatch(p.join('\n'), /12345678/);
});

t.test('cross-field checks: v3 needs user and keys, references resolve', async (t) => {
  const p = problems(
    'snmp:\n  default_credential: nope\n  credentials:\n    v3: { version: "3", level: authPriv, auth_protocol: sha }\n  traps:\n    credentials: [ghost]\n  profiles:\n    bad: { interface_include: "([" }\n',
  );
  const all = p.join('\n');
  t.match(all, /snmp\.default_credential: no credential named "nope"/);
  t.match(all, /snmp\.credentials\.v3\.user: v3 needs a user/);
  t.match(all, /authPriv needs auth_protocol and auth_key/);
  t.match(all, /authPriv needs priv_protocol and priv_key/);
  t.match(all, /snmp\.traps\.credentials: no credential named "ghost"/);
  t.match(all, /snmp\.profiles\.bad\.interface_include: not a valid regular expression/);
});

t.test('config check CLI: unknown key and wrong type both named, exit 1, secret hidden', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-cfg-'));
  const file = join(dir, 'netcov.yaml');
  writeFileSync(file, 'sink:\n  password: top-s3cr3t-value\n  batch_max_points: lots\nicmp:\n  intervall_s: 5\n');
  const r = await runCli(['config', 'check', '--config', file]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`${file}: sink\\.batch_max_points: must be integer`));
  t.match(r.stderr, new RegExp(`${file}: icmp\\.intervall_s: unknown key`));
  t.notMatch(r.stdout + r.stderr, /top-s3cr3t-value/);
});

t.test('config check --print shows the effective config without secrets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-cfg-'));
  const file = join(dir, 'netcov.yaml');
  writeFileSync(file, 'sink:\n  password: top-s3cr3t-value\n');
  const r = await runCli(['config', 'check', '--config', file, '--print']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /password: "\[secret\]"|password: '\[secret\]'|password: \[secret\]/);
  t.match(r.stdout, /interval_s: 5/);
  t.notMatch(r.stdout, /top-s3cr3t-value/);
});

t.test('the example config in the repo is accepted', async (t) => {
  const r = await runCli(['config', 'check', '--config', join(REPO_ROOT, 'docs/netcov.example.yaml')], { NETCOV_INFLUX_PASSWORD: 'x', NETCOV_SNMP_COMMUNITY: 'public' });
  t.equal(r.code, 0, r.stderr);
});

t.test('an explicitly named config that does not exist is a problem', async (t) => {
  const r = await runCli(['config', 'check', '--config', '/nonexistent/netcov.yaml']);
  t.equal(r.code, 1);
  t.match(r.stderr, /\/nonexistent\/netcov\.yaml: cannot read: ENOENT/);
});
