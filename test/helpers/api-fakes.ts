// In-memory implementations of the API's dependency interfaces (src/api/deps.ts), for unit tests of
// the routes only: the integration tests use the real alert store, coverage model and InfluxDB.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Inventory } from '../../src/inventory/model.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { IcmpObservation, SnmpObservation } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import type {
  AlertFilter,
  AlertView,
  AlertsApi,
  ApiDeps,
  AvailabilityApi,
  CoverageApi,
  GapView,
  IngestReport,
  MaintenanceView,
  PointStateView,
  PointsView,
  SilenceView,
  UnitCoverageReport,
} from '../../src/api/deps.js';
import { InputError } from '../../src/api/deps.js';

export const TOKENS = {
  read: 'read-token-0123456789abcdefghij',
  operator: 'operator-token-0123456789abcdefgh',
  ingest: 'ingest-token-0123456789abcdefghij',
  admin: 'admin-token-0123456789abcdefghijk',
} as const;

/** Secrets the tests scan every response body for. */
export const SECRETS = [...Object.values(TOKENS), 'community-s3cret-value', 'influx-pa55word-value', 'v3-auth-key-value-123'];

export function testConfig(extra = ''): Config {
  const text = `
language: vi
snmp:
  credentials:
    default: { version: "2c", community: community-s3cret-value }
    v3: { version: "3", user: netcov, level: authNoPriv, auth_protocol: sha, auth_key: v3-auth-key-value-123 }
sink:
  password: influx-pa55word-value
api:
  tokens:
${Object.entries(TOKENS)
  .map(([role, token]) => `    - { name: ${role}-holder, role: ${role}, token: ${token} }`)
  .join('\n')}
${extra}`;
  return parseConfig(text, 'test.yaml');
}

let shipped: Inventory | undefined;
export function shippedInventory(): Inventory {
  shipped ??= loadInventory().inventory;
  return shipped;
}

export class FakePoints implements PointsView {
  states = new Map<string, PointStateView>();
  icmp = new Map<string, IcmpObservation>();
  snmp = new Map<string, SnmpObservation>();
  state(id: string) {
    return this.states.get(id);
  }
  lastIcmp(id: string) {
    return this.icmp.get(id);
  }
  lastSnmp(id: string) {
    return this.snmp.get(id);
  }
}

export class FakeAlerts implements AlertsApi {
  list: AlertView[] = [];
  silenceList: SilenceView[] = [];
  windows: MaintenanceView[] = [];
  #seq = 0;
  constructor(private readonly inv: Inventory) {}
  alerts(f: AlertFilter) {
    return this.list.filter(
      (a) =>
        (!f.status || f.status.includes(a.status)) &&
        (!f.pointId || a.pointId === f.pointId) &&
        (!f.severity || a.severity === f.severity) &&
        (!f.rule || a.rule === f.rule) &&
        (!f.unit || (a.unit !== undefined && this.inv.isWithin(a.unit, f.unit))),
    );
  }
  ack(id: string, by: string, comment: string, nowMs: number) {
    const a = this.list.find((x) => x.id === id);
    if (!a) return { ok: false as const, reason: 'not_found' as const };
    if (a.status === 'resolved') return { ok: false as const, reason: 'resolved' as const };
    a.status = 'acknowledged';
    a.ack = { by, comment, atMs: nowMs };
    return { ok: true as const, alert: a };
  }
  silences() {
    return this.silenceList;
  }
  addSilence(input: Omit<SilenceView, 'id'>) {
    if (input.matchers.some((m) => m.name === 'forbidden')) throw new InputError('body.matchers[0].name: refused by the service', 'body.matchers[0].name');
    const s = { id: `s${++this.#seq}`, ...input };
    this.silenceList.push(s);
    return s;
  }
  removeSilence(id: string) {
    const before = this.silenceList.length;
    this.silenceList = this.silenceList.filter((s) => s.id !== id);
    return this.silenceList.length < before;
  }
  maintenance() {
    return this.windows;
  }
  addMaintenance(input: Omit<MaintenanceView, 'id'>) {
    const m = { id: `m${++this.#seq}`, ...input };
    this.windows.push(m);
    return m;
  }
  removeMaintenance(id: string) {
    const before = this.windows.length;
    this.windows = this.windows.filter((s) => s.id !== id);
    return this.windows.length < before;
  }
}

export class FakeCoverage implements CoverageApi {
  pushed: { feed: string; body: string; format: string }[] = [];
  constructor(
    private readonly inv: Inventory,
    readonly gapList: GapView[] = [],
  ) {}
  carriers() {
    return [
      { id: 'viettel', name: 'Viettel' },
      { id: 'vinaphone', name: 'VinaPhone' },
    ];
  }
  radios() {
    return ['GSM', 'UMTS', 'LTE', 'NR'];
  }
  unit(code: string): UnitCoverageReport | undefined {
    const u = this.inv.unit(code);
    if (!u) return undefined;
    const kpi = (c: string) => {
      const unit = this.inv.unit(c)!;
      const pop = this.inv.population(c);
      return { code: c, name: unit.name, level: unit.level, population: pop, coveredPopulation: pop * 0.99, coveredPct: 99, deadZoneVillages: 1, deadZonePopulation: pop * 0.01, villages: 10, byCarrier: [{ carrier: 'viettel', coveredPopulation: pop * 0.98, coveredPct: 98 }] };
    };
    return { ...kpi(code), children: this.inv.children(code).map((c) => kpi(c.code)) };
  }
  gaps(f: { unit?: string; carrier?: string; radio?: string }) {
    return this.gapList.filter((g) => !f.unit || Object.values(g.units).includes(f.unit));
  }
  async #ingest(feed: string, body: string, format: string): Promise<IngestReport> {
    this.pushed.push({ feed, body, format });
    if (body.startsWith('garbage')) return { feed, rowsRead: 0, accepted: 0, rejected: 0, problems: [], applied: false, error: 'wrong header' };
    const rows = body.trim().split('\n').length - (format === 'csv' ? 1 : 0);
    return { feed, rowsRead: rows, accepted: rows - 1, rejected: 1, problems: [{ row: 2, reason: 'RSRP outside −156…−31 dBm' }], applied: true };
  }
  ingestMeasurements(body: string, format: string) {
    return this.#ingest('measurements', body, format);
  }
  ingestCellStatus(body: string, format: string) {
    return this.#ingest('cell_status', body, format);
  }
}

export class FakeAvailability implements AvailabilityApi {
  calls: { fromMs: number; toMs: number; level: string }[] = [];
  fail = false;
  async availability(q: { fromMs: number; toMs: number; level: string }) {
    this.calls.push(q);
    if (this.fail) throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
    return { source: 'raw' as const, rows: [{ key: 'commune-24118', name: 'UBND Phường Tân Lập', points: 1, rounds: 100, upRounds: 99, uptimePct: 99 }] };
  }
}

export interface FakeSet {
  deps: ApiDeps;
  points: FakePoints;
  alerts: FakeAlerts;
  coverage: FakeCoverage;
  availability: FakeAvailability;
}

export function fakeDeps(overrides: Partial<ApiDeps> = {}, gaps: GapView[] = []): FakeSet {
  const inventory = overrides.inventory ?? shippedInventory();
  const points = new FakePoints();
  const alerts = new FakeAlerts(inventory);
  const coverage = new FakeCoverage(inventory, gaps);
  const availability = new FakeAvailability();
  const deps: ApiDeps = {
    config: testConfig(),
    inventory,
    log: silentLogger(),
    points,
    readiness: [{ name: 'inventory', check: () => ({ ok: true, detail: `${inventory.points.length} points` }) }],
    metrics: {},
    alerts,
    coverage,
    availability,
    now: () => Date.UTC(2025, 0, 15, 3, 0, 0),
    ...overrides,
  };
  return { deps, points, alerts, coverage, availability };
}
