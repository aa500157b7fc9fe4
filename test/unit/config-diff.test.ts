// configChanges: which keys a SIGHUP reload changed, and which of them need a restart.
import t from 'tap';
import { configChanges } from '../../src/config/diff.js';
import { defaultConfig, parseConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';

t.test('identical configs: nothing changed', async (t) => {
  t.same(configChanges(defaultConfig(), defaultConfig()), { changed: [], restartRequired: [] });
});

t.test('leaf keys, arrays as one value, restart-only keys flagged', async (t) => {
  const before = defaultConfig();
  const after = parseConfig('icmp:\n  interval_s: 10\nstate_dir: /srv/netcov\nsnmp:\n  traps:\n    port: 162\n', 'x.yaml');
  const c = configChanges(before, after);
  t.same(c.changed, ['icmp.interval_s', 'snmp.traps.port', 'state_dir']);
  t.same(c.restartRequired, ['snmp.traps.port', 'state_dir']);
});

t.test('secrets are compared by value and reported by key only', async (t) => {
  const a = { sink: { password: new Secret('one', 'inline') } };
  const b = { sink: { password: new Secret('two', 'inline') } };
  const same = { sink: { password: new Secret('one', 'env X') } };
  t.same(configChanges(a, b).changed, ['sink.password']);
  t.same(configChanges(a, same).changed, [], 'same value from another origin is no change');
  t.notMatch(JSON.stringify(configChanges(a, b)), /one|two/);
});

t.test('added and removed record entries', async (t) => {
  t.same(configChanges({ snmp: { credentials: { a: { version: '2c' } } } }, { snmp: { credentials: { b: { version: '2c' } } } }).changed, ['snmp.credentials.a', 'snmp.credentials.b']);
  t.same(configChanges({ x: [1, 2] }, { x: [1, 2, 3] }).changed, ['x']);
});
