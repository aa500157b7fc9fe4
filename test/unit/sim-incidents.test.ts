// Planning incidents (pure) and running them on a clock against recording fakes of the backends
// (the real nftables, agents and feed server are exercised by test/integration/simulator.test.ts).
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';
import { planIncidents, runIncidents, type Capabilities, type IncidentEvent } from '../../src/sim/incidents.js';
import { parseScenario } from '../../src/sim/scenario.js';
import type { CoverageServer } from '../../src/sim/coverage-server.js';
import type { FaultTable } from '../../src/sim/nft.js';
import type { SnmpAgents } from '../../src/sim/snmp-agents.js';

const { inventory } = loadInventory();
const scenario = (yaml: string) => parseScenario(yaml, 's.yaml', inventory);
const caps = (over: Partial<Capabilities> = {}): Capabilities => ({ resolveCells: () => ({ keys: ['452-04-LTE-1-1'], village: { code: '24199-04', name: 'Buôn Bhôk Kuăng', population: 830 } }), ...over });

t.test('plan: what each incident does, with root', async (t) => {
  const s = scenario(`name: x
duration_s: 100
incidents:
  - { kind: point_dark, point: commune-24415, at_s: 5, duration_s: 10 }
  - { kind: district_dark, point: district-647, at_s: 7 }
  - { kind: packet_loss, point: agency-skhdt, percent: 30 }
  - { kind: uplink_flap, point: district-645, period_s: 8 }
  - { kind: interface_saturated, point: district-651, if_index: 2 }
  - { kind: snmp_silent, point: commune-24418 }
  - { kind: reboot, point: district-652 }
  - { kind: cell_outage, village: auto }
`);
  const plans = planIncidents(s, inventory, caps(), 'en');
  const [dark, district, loss, flap, sat, silent, reboot, cells] = plans;
  t.same(dark?.actions, [{ type: 'drop_echo', address: '127.66.10.11' }, { type: 'drop_snmp', address: '127.66.10.11' }]);
  t.equal(dark?.startS, 5);
  t.equal(dark?.endS, 15);
  t.equal(district?.endS, 100, 'lasts until the scenario ends');
  const districtAddresses = [...new Set(district!.actions.map((a) => ('address' in a ? a.address : '')))];
  t.equal(districtAddresses.length, 8, 'the district point and its 7 communes');
  t.ok(districtAddresses.every((a) => a.startsWith('127.66.5.')), 'all in 127.66.5.0/24');
  t.equal(district?.affects, 'district-647 and 7 points behind it');
  t.same(loss?.actions, [{ type: 'drop_echo_percent', address: inventory.point('agency-skhdt')!.address, percent: 30 }]);
  t.same(flap?.actions, [{ type: 'flap', address: '127.66.3.1', ifIndex: 1, periodS: 8 }]);
  t.same(sat?.actions, [{ type: 'saturate', address: inventory.point('district-651')!.address, ifIndex: 2 }]);
  t.same(silent?.actions, [{ type: 'silent', address: '127.66.10.12' }]);
  t.same(reboot?.actions, [{ type: 'reboot', address: inventory.point('district-652')!.address }]);
  t.same(cells?.actions, [{ type: 'cells_down', keys: ['452-04-LTE-1-1'] }]);
  t.equal(cells?.affects, '1 cells covering village 24199-04 Buôn Bhôk Kuăng (830 people)');
  t.ok(plans.every((p) => p.skipped.length === 0));
  t.equal(dark?.description, 'commune-24415 goes dark');
});

t.test('plan without root: nftables parts skipped with the reason, SNMP parts still run', async (t) => {
  const s = scenario('name: x\nincidents:\n  - { kind: point_dark, point: commune-24415 }\n  - { kind: packet_loss, point: agency-skhdt }\n  - { kind: interface_saturated, point: district-651 }\n  - { kind: cell_outage, village: auto }\n');
  const plans = planIncidents(s, inventory, caps({ nftUnavailable: 'nftables faults need root (CAP_NET_ADMIN)', resolveCells: () => ({ unavailable: 'no sample cells file' }) }), 'en');
  t.same(plans[0]?.actions, [{ type: 'silent', address: '127.66.10.11' }], 'the agent goes silent instead');
  t.same(plans[0]?.skipped, ['ICMP and SNMP drop skipped: nftables faults need root (CAP_NET_ADMIN)']);
  t.same(plans[1]?.actions, []);
  t.same(plans[1]?.skipped, ['30 % echo drop skipped: nftables faults need root (CAP_NET_ADMIN)']);
  t.equal(plans[2]?.actions.length, 1, 'saturation needs no root');
  t.same(plans[3]?.skipped, ['base station outage skipped: no sample cells file']);
  const vi = planIncidents(s, inventory, caps(), 'vi');
  t.equal(vi[0]?.description, 'commune-24415 mất kết nối', 'Vietnamese by default');
});

function fakes() {
  const log: string[] = [];
  let handle = 0;
  const nft = {
    name: 'netcov_fake',
    async dropEcho(a: string) {
      log.push(`+echo ${a}`);
      return { handle: ++handle, description: '', packets: async () => 0, remove: async () => void log.push(`-echo ${a}`) };
    },
    async dropEchoPercent(a: string, p: number) {
      log.push(`+echo${p}% ${a}`);
      return { handle: ++handle, description: '', packets: async () => 0, remove: async () => void log.push(`-echo${p}% ${a}`) };
    },
    async dropUdp(a: string, port: number) {
      log.push(`+udp ${a}:${port}`);
      return { handle: ++handle, description: '', packets: async () => 0, remove: async () => void log.push(`-udp ${a}:${port}`) };
    },
  } as unknown as FaultTable;
  const agents = {
    setLink: async (a: string, i: number, up: boolean) => void log.push(`link ${a}/${i} ${up ? 'up' : 'down'}`),
    saturate: async (a: string, i: number, on: boolean) => void log.push(`saturate ${a}/${i} ${on}`),
    setSilent: async (a: string, on: boolean) => void log.push(`silent ${a} ${on}`),
    reboot: async (a: string) => void log.push(`reboot ${a}`),
  } as unknown as SnmpAgents;
  const coverage = { setCells: (keys: string[], up: boolean) => void log.push(`cells ${keys.join(',')} ${up ? 'up' : 'down'}`) } as unknown as CoverageServer;
  return { log, nft, agents, coverage };
}

t.test('runner: applies at start, undoes at end, flaps, and stop() undoes what is in force', async (t) => {
  const s = scenario(`name: x
duration_s: 1
incidents:
  - { kind: point_dark, point: commune-24415, at_s: 0, duration_s: 1 }
  - { kind: uplink_flap, point: district-645, period_s: 2, at_s: 0 }
  - { kind: cell_outage, cells: [452-04-LTE-1-1], at_s: 0.1 }
  - { kind: reboot, point: district-652, at_s: 0.1 }
`);
  const f = fakes();
  const events: IncidentEvent[] = [];
  const plans = planIncidents(s, inventory, caps(), 'en');
  const runner = runIncidents(plans, { nft: f.nft, agents: f.agents, coverage: f.coverage, snmpPort: 1161 }, (e) => events.push(e), s.duration_s);
  await new Promise((r) => setTimeout(r, 400));
  t.same(runner.active().map((p) => p.index).sort(), [0, 1, 2], 'three incidents in force (reboot is instant)');
  t.ok(f.log.includes('+echo 127.66.10.11') && f.log.includes('+udp 127.66.10.11:1161'));
  t.ok(f.log.includes('link 127.66.3.1/1 down'), 'the flap starts with the link going down');
  t.ok(f.log.includes('cells 452-04-LTE-1-1 down'));
  t.ok(f.log.includes(`reboot ${inventory.point('district-652')!.address}`), 'the reboot happened');
  await runner.finished;
  t.ok(f.log.includes('-echo 127.66.10.11') && f.log.includes('-udp 127.66.10.11:1161'), 'the drop is removed at its end');
  t.ok(f.log.includes('cells 452-04-LTE-1-1 up'));
  t.equal(f.log.filter((l) => l.startsWith('link ')).at(-1), 'link 127.66.3.1/1 up', 'the link is left up');
  t.same(runner.active(), [], 'nothing in force after the scenario');
  t.ok(events.some((e) => e.type === 'scenario_end'));
  await runner.stop();

  // stop() before the end undoes everything, and cancels what has not started.
  const g = fakes();
  const later = scenario('name: y\nincidents:\n  - { kind: packet_loss, point: agency-skhdt, at_s: 0 }\n  - { kind: point_dark, point: commune-24415, at_s: 30 }\n');
  const r2 = runIncidents(planIncidents(later, inventory, caps(), 'en'), { nft: g.nft, agents: g.agents, coverage: g.coverage, snmpPort: 1161 }, () => undefined);
  await new Promise((r) => setTimeout(r, 100));
  await r2.stop();
  const addr = inventory.point('agency-skhdt')!.address;
  t.same(g.log, [`+echo30% ${addr}`, `-echo30% ${addr}`], 'undone, and the later incident never started');
});
