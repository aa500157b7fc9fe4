// netcov's SNMP poller against Debian's snmpsim (the standard SNMP agent simulator) serving the
// 235 points of the shipped inventory, one endpoint per point (127.66.x.y), with counters that grow
// at recorded rates (snmpsim's numeric variation):
//  - the rates netcov computes match the recorded growth;
//  - a recorded Counter32 wrap gives the right rate, no spike, no event;
//  - a recorded reboot (sysUpTime and counters wrap back to ~0 together) gives no rate, no spike,
//    and exactly one `discontinuity` event.
// snmpsim costs ~40 ms of CPU per device poll, so the 235 points are polled only twice; the wrap
// and the reboot live in a second, small snmpsim instance polled every 1.5 s.
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';
import { Inventory } from '../../src/inventory/model.js';
import { compareOids } from '../../src/probes/snmp/oids.js';
import { startSnmpsim } from '../helpers/services.js';
import { inventoryWith, recordingSource } from '../helpers/snmp-points.js';

const INTERFACES = 8;
/** Recorded growth of ifHCInOctets of interface i: i × 125,000 octets/s = i Mbit/s (out: half). */
const inOctetsPerSecond = (i: number) => i * 125_000;
const TOLERANCE = 0.03;

function snmprec(lines: [string, string, string][]): string {
  return lines
    .sort((a, b) => compareOids(a[0], b[0]))
    .map((l) => l.join('|'))
    .join('\n');
}

function system(name: string, uptime: string): [string, string, string][] {
  return [
    ['1.3.6.1.2.1.1.1.0', '4', `snmpsim ${name}`],
    ['1.3.6.1.2.1.1.3.0', '67:numeric', uptime],
    ['1.3.6.1.2.1.1.5.0', '4', name],
  ];
}

function ifRows(i: number, speedMbps: number, counters: [string, string, string][]): [string, string, string][] {
  return [
    [`1.3.6.1.2.1.2.2.1.1.${i}`, '2', String(i)],
    [`1.3.6.1.2.1.2.2.1.2.${i}`, '4', `eth${i - 1}`],
    [`1.3.6.1.2.1.2.2.1.5.${i}`, '66', String(speedMbps * 1e6)],
    [`1.3.6.1.2.1.2.2.1.7.${i}`, '2', '1'],
    [`1.3.6.1.2.1.2.2.1.8.${i}`, '2', '1'],
    [`1.3.6.1.2.1.2.2.1.13.${i}`, '65', '0'],
    [`1.3.6.1.2.1.2.2.1.14.${i}`, '65', '0'],
    [`1.3.6.1.2.1.2.2.1.19.${i}`, '65', '0'],
    [`1.3.6.1.2.1.2.2.1.20.${i}`, '65', '0'],
    [`1.3.6.1.2.1.31.1.1.1.1.${i}`, '4', i === 1 ? 'uplink' : `lan${i - 1}`],
    [`1.3.6.1.2.1.31.1.1.1.15.${i}`, '66', String(speedMbps)],
    [`1.3.6.1.2.1.31.1.1.1.18.${i}`, '4', i === 1 ? 'to district' : ''],
    ...counters,
  ];
}

/** Every endpoint: 8 interfaces whose Counter64s grow at i Mbit/s in, i/2 out. */
function routerData(): string {
  const lines = system('sim-router', 'rate=100,initial=360000');
  for (let i = 1; i <= INTERFACES; i++) {
    lines.push(
      ...ifRows(i, 100, [
        [`1.3.6.1.2.1.31.1.1.1.6.${i}`, '70:numeric', `rate=${inOctetsPerSecond(i)},initial=${1e9 * i}`],
        [`1.3.6.1.2.1.31.1.1.1.10.${i}`, '70:numeric', `rate=${inOctetsPerSecond(i) / 2},initial=${1e9 * i}`],
      ]),
    );
  }
  return snmprec(lines);
}

/** No 64-bit counters; ifInOctets (Counter32) wraps ~6 s after snmpsim starts, then every ~71 min. */
function wrapData(): string {
  return snmprec([
    ...system('sim-wrap', 'rate=100,initial=360000'),
    ...ifRows(1, 100, [
      ['1.3.6.1.2.1.2.2.1.10.1', '65:numeric', 'rate=1000000,initial=4288967296,wrap=1'],
      ['1.3.6.1.2.1.2.2.1.16.1', '65:numeric', 'rate=500000,initial=1000'],
    ]),
  ]);
}

/**
 * A reboot 9 s after snmpsim starts: sysUpTime and the counters reach their `max` together and
 * wrap to ~0 (snmpsim's numeric module has no reboot, but a simultaneous wrap is one).
 */
const REBOOT_AFTER_S = 9;
function rebootData(): string {
  const up0 = 5_000_000;
  const in0 = 10_000_000_000;
  const rate = 1_250_000; // 10 Mbit/s
  return snmprec([
    ...system('sim-reboot', `rate=100,initial=${up0},max=${up0 + REBOOT_AFTER_S * 100},wrap=1`),
    ...ifRows(1, 100, [
      ['1.3.6.1.2.1.31.1.1.1.6.1', '70:numeric', `rate=${rate},initial=${in0},max=${in0 + REBOOT_AFTER_S * rate},wrap=1`],
      ['1.3.6.1.2.1.31.1.1.1.10.1', '70:numeric', `rate=${rate},initial=${in0},max=${in0 + REBOOT_AFTER_S * rate},wrap=1`],
    ]),
  ]);
}

const near = (actual: number | undefined, expected: number) => actual !== undefined && Math.abs(actual - expected) <= expected * TOLERANCE;

void t.test('snmpsim: 235 simulated routers, rates match recorded growth; a Counter32 wrap and a reboot never spike', async (t) => {
  const { inventory: shipped } = loadInventory();
  const endpoints = shipped.points.map((p) => p.address);
  t.equal(endpoints.length, 235);
  const sim = await startSnmpsim(t, { endpoints, dataFiles: { public: routerData() }, quiet: true, startTimeoutMs: 60_000 });
  if (sim === undefined) return;
  // The wrap and the reboot are timed from their snmpsim's start: a second, small instance started
  // now, so they happen while the test watches however long the big one took to come up.
  const special = await startSnmpsim(t, { endpoints: ['127.66.251.1'], dataFiles: { wrap: wrapData(), reboot: rebootData() }, quiet: true });
  if (special === undefined) return;
  const specialStartedMs = Date.now();

  const points = shipped.points.map((p) => ({ ...p, snmpPort: sim.port }));
  const inventory = new Inventory({ levels: shipped.levels, units: [...shipped.units.values()], villages: [...shipped.villages], points });
  const rec = recordingSource(inventory, (c) => {
    c.snmp.timeout_ms = 5000; // snmpsim answers slowly while 235 polls queue up
    c.snmp.concurrency = 32;
  });
  t.teardown(() => rec.source.stop());
  const specialRec = recordingSource(
    inventoryWith([
      { id: 'sim-wrap', address: '127.66.251.1', port: special.port, credential: 'wrap' },
      { id: 'sim-reboot', address: '127.66.251.1', port: special.port, credential: 'reboot' },
    ]),
    (c) => {
      c.snmp.timeout_ms = 3000;
      c.snmp.credentials.wrap = { version: '2c', community: 'wrap' };
      c.snmp.credentials.reboot = { version: '2c', community: 'reboot' };
    },
  );
  t.teardown(() => specialRec.source.stop());

  // The wrap and reboot points are polled every 1.5 s until the reboot is well past, while the
  // 235 routers are polled twice.
  const watching = (async () => {
    while (Date.now() - specialStartedMs < (REBOOT_AFTER_S + 8) * 1000) {
      await Promise.all([specialRec.source.pollNow('sim-wrap'), specialRec.source.pollNow('sim-reboot')]);
      await new Promise((r) => setTimeout(r, 1500));
    }
  })();
  const routers = shipped.points.map((p) => p.id);
  const round = async () => {
    const started = Date.now();
    await Promise.all(routers.map((id) => rec.source.pollNow(id)));
    return Date.now() - started;
  };
  const firstRoundMs = await round();
  await new Promise((r) => setTimeout(r, 2000));
  const secondRoundMs = await round();
  await watching;
  t.comment(`rounds of 235 snmpsim polls took ${firstRoundMs} and ${secondRoundMs} ms`);

  // Rates of the 235 routers match what snmpsim was told to record.
  let checked = 0;
  for (const id of routers) {
    const o = rec.latest(id);
    t.equal(o?.ok, true, `${id} answered`);
    for (const i of o?.interfaces ?? []) {
      if (!near(i.inBitsPerSecond, inOctetsPerSecond(i.ifIndex) * 8) || !near(i.outBitsPerSecond, inOctetsPerSecond(i.ifIndex) * 4)) {
        t.fail(`${id} ifIndex ${i.ifIndex}: in ${i.inBitsPerSecond} out ${i.outBitsPerSecond}, recorded ${inOctetsPerSecond(i.ifIndex) * 8}`);
      } else checked++;
    }
  }
  t.equal(checked, 235 * INTERFACES, 'every interface of every router has the recorded rate (±3 %)');
  t.equal(rec.events.length, 0, 'no discontinuity at any of them');

  // The Counter32 wrap: every interval has the recorded rate, the wrapping one included; no event.
  const wrapRates = specialRec.observations.filter((o) => o.pointId === 'sim-wrap').map((o) => o.interfaces[0]?.inBitsPerSecond);
  t.ok(wrapRates.length >= 6, `${wrapRates.length} polls of the wrapping counter`);
  t.notOk(wrapRates[0], 'first poll: baseline');
  t.ok(wrapRates.slice(1).every((r) => near(r, 8_000_000)), `Counter32 wrap, no spike: ${wrapRates.slice(1).map((r) => Math.round((r ?? 0) / 1000)).join(', ')} kbit/s`);
  const wrapSamples = specialRec.samples.filter((s) => s.measurement === 'interface' && s.tags.point_id === 'sim-wrap').map((s) => Number(s.fields.ifInOctets));
  t.ok(wrapSamples.some((v, k) => k > 0 && v < (wrapSamples[k - 1] ?? 0)), 'the raw Counter32 did wrap during the test');
  t.equal(specialRec.events.filter((e) => e.pointId === 'sim-wrap').length, 0, 'a wrap is no discontinuity');

  // The reboot: one discontinuity event, the poll across it without rates, rates around it normal.
  const reboot = specialRec.observations.filter((o) => o.pointId === 'sim-reboot');
  const events = specialRec.events.filter((e) => e.pointId === 'sim-reboot');
  t.equal(events.length, 1, 'exactly one discontinuity event');
  t.match(events[0], { type: 'discontinuity', source: 'poll', detail: /reboot/ });
  const at = reboot.findIndex((o) => o.timeMs === events[0]?.timeMs);
  t.ok(at > 1 && at < reboot.length - 2, `the reboot was seen at poll ${at} of ${reboot.length}`);
  t.equal(reboot[at]?.interfaces[0]?.inBitsPerSecond, undefined, 'no rate across the reboot');
  t.ok((reboot[at]?.uptimeS ?? 1e9) < (reboot[at - 1]?.uptimeS ?? 0), 'uptime went backwards');
  const rebootRates = reboot.map((o) => o.interfaces[0]?.inBitsPerSecond).filter((r) => r !== undefined);
  t.ok(rebootRates.length >= 4 && rebootRates.every((r) => near(r, 10_000_000)), `no spike around the reboot: ${rebootRates.map((r) => Math.round(r / 1000)).join(', ')} kbit/s`);
  const snmpRow = specialRec.samples.filter((s) => s.measurement === 'snmp' && s.tags.point_id === 'sim-reboot')[at];
  t.equal(snmpRow?.fields.discontinuities, 1);
});
