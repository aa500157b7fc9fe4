// Helpers of the SNMP integration tests: an inventory whose points are given agents (address,
// port, credential) with the fixture's units around them, a config with chosen credentials, a
// source wired to a bus that records what it sees, and `snmpwalk` output parsed by OID.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { loadInventory } from '../../src/inventory/load.js';
import { Inventory, type Point } from '../../src/inventory/model.js';
import type { Sample } from '../../src/metrics/schema.js';
import { ObservationBus, type PointEvent, type SnmpObservation } from '../../src/observations.js';
import { createSnmpSource, type SnmpSource, type SnmpSourceOptions } from '../../src/probes/snmp/source.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { captureLog, type CapturedLog } from './log-capture.js';

const execFileAsync = promisify(execFile);

export interface AgentPoint {
  id: string;
  address: string;
  port: number;
  credential?: string;
  profile?: string;
}

/** The 2-level fixture's units with these points (all communes of its first commune unit). */
export function inventoryWith(agents: readonly AgentPoint[]): Inventory {
  const { inventory: base } = loadInventory('test/fixtures/inventory-2level');
  const template = base.points[1] as Point;
  const points: Point[] = agents.map((a) => ({
    ...template,
    id: a.id,
    name: a.id,
    address: a.address,
    snmpPort: a.port,
    snmpProfile: a.profile ?? 'default',
    ...(a.credential !== undefined ? { snmpCredential: a.credential } : {}),
    upstream: undefined,
    tags: {},
  }));
  return new Inventory({ levels: base.levels, units: [...base.units.values()], villages: [...base.villages], points, ...(base.bounds ? { bounds: base.bounds } : {}) });
}

export interface Recorder {
  config: Config;
  inventory: Inventory;
  bus: ObservationBus;
  source: SnmpSource;
  scheduler: Scheduler;
  captured: CapturedLog;
  observations: SnmpObservation[];
  events: PointEvent[];
  samples: Sample[];
  latest(pointId: string): SnmpObservation | undefined;
}

export function recordingSource(inventory: Inventory, configure: (c: Config) => void = () => undefined, options: Partial<SnmpSourceOptions> = {}): Recorder {
  const config = defaultConfig();
  config.snmp.timeout_ms = 1000;
  config.snmp.retries = 1;
  configure(config);
  const bus = new ObservationBus();
  const observations: SnmpObservation[] = [];
  const events: PointEvent[] = [];
  const samples: Sample[] = [];
  bus.on('snmp', (o) => observations.push(o));
  bus.on('event', (e) => events.push(e));
  const captured = captureLog('info');
  const scheduler = new Scheduler(captured.log);
  const source = createSnmpSource({ snmp: config.snmp, inventory, bus, scheduler, log: captured.log, write: (s) => samples.push(...s), options });
  return {
    config,
    inventory,
    bus,
    source,
    scheduler,
    captured,
    observations,
    events,
    samples,
    latest: (id) => observations.filter((o) => o.pointId === id).at(-1),
  };
}

export interface WalkedValue {
  type: string;
  value: string;
}

/** `snmpwalk -On` (or snmpbulkwalk) of one subtree, by OID. `args` carry version and credentials. */
export async function snmpwalk(bin: string, env: NodeJS.ProcessEnv, args: readonly string[], target: string, oid: string): Promise<Map<string, WalkedValue>> {
  const { stdout } = await execFileAsync(bin, [...args, '-On', '-Oe', '-Ot', target, oid], { env, encoding: 'utf8' });
  const out = new Map<string, WalkedValue>();
  for (const line of stdout.split('\n')) {
    const m = /^\.?(\d+(?:\.\d+)+) = (?:([A-Za-z0-9-]+): )?(.*)$/.exec(line);
    if (!m) continue;
    const type = m[2] ?? 'STRING';
    let value = m[3] ?? '';
    if (type === 'STRING' || value === '""') value = value.replace(/^"|"$/g, '').replace(/\\(["\\])/g, '$1');
    out.set(m[1] ?? '', { type, value });
  }
  return out;
}
