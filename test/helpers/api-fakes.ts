// In-memory implementations of the API's dependency interfaces (src/api/deps.ts), for unit tests of
// the routes only: the integration tests use the real alert store, coverage model and InfluxDB.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Inventory } from '../../src/inventory/model.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { IcmpObservation, SnmpObservation } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import type { AlertRecord, MaintenanceWindow, Silence } from '../../src/alerts/types.js';
import type {
  AckOutcome,
  AlertQuery,
  AlertsApi,
  MaintenanceInput,
  SilenceInput,
  ApiDeps,
  AvailabilityApi,
  CoverageApi,
  GapView,
  IngestReport,
  PointStateView,
  PointsView,
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
  list: AlertRecord[] = [];
  silenceList: Silence[] = [];
  windows: MaintenanceWindow[] = [];
  #seq = 0;
  constructor(
    private readonly inv: Inventory,
    private readonly now: () => number,
  ) {}
  alerts(q: AlertQuery) {
    return this.list.filter(
      (a) =>
        (!q.states || q.states.includes(a.state)) &&
        (!q.pointIds || q.pointIds.includes(a.pointId)) &&
        (!q.severities || q.severities.includes(a.severity)) &&
        (!q.conditions || q.conditions.includes(a.condition)) &&
        (!q.unit || this.inv.isWithin(this.inv.point(a.pointId)?.unit ?? '', q.unit)),
    );
  }
  ack(id: number, by: string, comment: string): AckOutcome {
    const a = this.list.find((x) => x.id === id);
    if (!a) return { ok: false, reason: 'not_found' };
    if (a.state === 'resolved') return { ok: false, reason: 'resolved' };
    Object.assign(a, { state: 'acknowledged', ackedBy: by, ackComment: comment, ackedAtMs: this.now() });
    return { ok: true, alert: a };
  }
  silences() {
    return this.silenceList;
  }
  addSilence(input: SilenceInput): Silence {
    if (input.matchers.some((m) => m.name === 'forbidden')) throw new InputError('body.matchers[0].name: refused by the service', 'body.matchers[0].name');
    const s = { id: `s${++this.#seq}`, ...input, createdAtMs: this.now(), updatedAtMs: this.now() };
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
  addMaintenance(input: MaintenanceInput): MaintenanceWindow {
    const m = { id: `m${++this.#seq}`, ...input, createdAtMs: this.now(), updatedAtMs: this.now(), source: 'store' as const };
    this.windows.push(m);
    return m;
  }
  removeMaintenance(id: string) {
    const w = this.windows.find((x) => x.id === id);
    if (w?.source === 'config') return 'read_only' as const;
    this.windows = this.windows.filter((s) => s.id !== id);
    return w !== undefined;
  }
  activeUntil(w: MaintenanceWindow, nowMs: number) {
    return w.startsAtMs !== undefined && w.endsAtMs !== undefined && nowMs >= w.startsAtMs && nowMs < w.endsAtMs ? w.endsAtMs : undefined;
  }
}

/** An alert record as the alerting module stores it. */
export function alertRecord(id: number, pointId: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    fingerprint: `${pointId}/down`,
    pointId,
    condition: 'down',
    severity: 'critical',
    state: 'firing',
    labels: { alertname: 'down', point_id: pointId },
    details: { figures: { loss_pct: 100 }, affected: [], affectedUnits: [], affectedPopulation: 0 },
    startedAtMs: Date.UTC(2025, 0, 15, 2, 0, 0) + id * 1000,
    updatedAtMs: Date.UTC(2025, 0, 15, 2, 0, 0) + id * 1000,
    receivers: ['oncall'],
    escalation: [],
    repeatCount: 0,
    escalationsSent: 0,
    ...over,
  };
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
  const now = overrides.now ?? (() => Date.UTC(2025, 0, 15, 3, 0, 0));
  const alerts = new FakeAlerts(inventory, now);
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
    ...overrides,
    now,
  };
  return { deps, points, alerts, coverage, availability };
}
