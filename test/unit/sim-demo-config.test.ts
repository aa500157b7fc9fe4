// The demo daemon's configuration is a valid netcov configuration (checked by netcov's own loader),
// and the feeds it points at follow the simulator's URLs.
import t from 'tap';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { demoConfig, feedConfig } from '../../src/sim/demo-config.js';
import { influxdConfig } from '../../src/sim/influxd.js';

const urls = { cells: 'http://127.0.0.1:9/cells.csv', status: 'http://127.0.0.1:9/status.csv', measurements: 'http://127.0.0.1:9/measurements.csv' };

t.test('feeds: read once, the status feed polled; none without cells', async (t) => {
  t.same(feedConfig(urls, 5), [
    { name: 'sim-cells', kind: 'cells', url: urls.cells },
    { name: 'sim-measurements', kind: 'measurements', url: urls.measurements },
    { name: 'sim-status', kind: 'status', url: urls.status, schedule: '*/5 * * * * *' },
  ]);
  t.same(feedConfig({ status: urls.status }, 5), [], 'no cell sites: no coverage feeds (netcov would refuse them)');
});

t.test('the demo config passes netcov config check', async (t) => {
  const config = demoConfig({ stateDir: '/tmp/x/state', snmpPort: 1161, feedUrls: urls, apiPort: 8099, webhookUrl: 'http://127.0.0.1:9/alerts', influxUrl: 'http://127.0.0.1:8086', language: 'vi', roundS: 5, trapPort: 1162 });
  const parsed = parseConfig(stringify(config), 'demo.yaml');
  t.equal(parsed.snmp.port, 1161);
  t.equal(parsed.icmp.interval_s, 5);
  t.equal(parsed.api.port, 8099);
  t.equal(parsed.api.public_read, true);
  t.equal(parsed.api.host, '127.0.0.1', 'the API stays on loopback');
  t.equal(parsed.coverage.feeds.length, 3);
  t.same(Object.keys(parsed.notify.receivers), ['demo']);
  const noHook = parseConfig(stringify(demoConfig({ stateDir: '/s', snmpPort: 1161, feedUrls: {}, apiPort: 1, influxUrl: 'http://127.0.0.1:8086', language: 'en', roundS: 5, trapPort: 1162 })), 'd.yaml');
  t.same(noHook.coverage.feeds, []);
});

t.test('influxd config keeps everything in its directory and on loopback', async (t) => {
  const conf = influxdConfig('/tmp/d', 18086, 18088);
  t.match(conf, 'bind-address = "127.0.0.1:18088"');
  t.match(conf, 'bind-address = "127.0.0.1:18086"');
  t.match(conf, 'dir = "/tmp/d/meta"');
  t.match(conf, 'wal-dir = "/tmp/d/wal"');
  t.match(conf, 'reporting-disabled = true');
});
