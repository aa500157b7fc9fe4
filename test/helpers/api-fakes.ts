// In-memory implementations of the API's dependency interfaces (src/api/deps.ts), for unit tests of
// the routes only: the integration tests use the real alert store, coverage model and InfluxDB.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Inventory } from '../../src/inventory/model.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { IcmpObservation, SnmpObservation } from '../../src/observations.js';
import { silentLogger } from '../../src/util/log.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlerting, type Alerting } from '../../src/alerts/index.js';
import type { AlertRecord } from '../../src/alerts/types.js';
import type { Readable } from 'node:stream';
import { CoverageQueryError } from '../../src/coverage/views.js';
import type {
  ApiDeps,
  FeedFormat,
  AvailabilityApi,
  CoverageApi,
  GapView,
  IngestReport,
  PointStateView,
  PointsView,
  UnitCoverageReport,
} from '../../src/api/deps.js';

export const TOKENS = {
  read: 'read-token-0123456789abcdefghij',
  operator: 'operator-token-0123456789abcdefgh',
  ingest: 'ingest-token-0123456789abcdefghij',
  admin: 'admin-token-0123456789abcdefghijk',
} as const;

/** Secrets the tests scan every response body for. */
export const SECRETS = [...Object.values(TOKENS), 'community-s3cret-value', 'influx-pa55word-value', 'v3-auth-key-value-123'];

export function testConfig(extra = '', top = ''): Config {
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
${extra}
${top}`;
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

/** An alert record as the alerting module stores it (without its id). */
export function alertRecord(pointId: string, over: Partial<AlertRecord> = {}): Omit<AlertRecord, 'id'> {
  return {
    fingerprint: `${pointId}/down`,
    pointId,
    condition: 'down',
    severity: 'critical',
    state: 'firing',
    labels: { alertname: 'down', point_id: pointId, severity: 'critical', unit: shippedInventory().point(pointId)?.unit ?? '' },
    details: { figures: { loss_pct: 100 }, affected: [], affectedUnits: [], affectedPopulation: 0 },
    startedAtMs: Date.UTC(2025, 0, 15, 2, 0, 0),
    updatedAtMs: Date.UTC(2025, 0, 15, 2, 0, 0),
    receivers: [],
    escalation: [],
    repeatCount: 0,
    escalationsSent: 0,
    ...over,
  };
}

/**
 * The real alerting module (SQLite store in a temp dir, engine without timers, no receivers) with
 * the given alerts stored before it starts, as after a restart.
 */
export function realAlerting(config: Config, inventory: Inventory, now: () => number, seed: Omit<AlertRecord, 'id'>[] = []): Alerting {
  const dir = mkdtempSync(join(tmpdir(), 'netcov-api-alerts-'));
  const cfg: Config = { ...config, state_dir: dir };
  const alerting = createAlerting({ config: cfg, inventory, log: silentLogger(), clock: { now } as never, timers: false });
  for (const a of seed) alerting.store.insertAlert(a);
  alerting.start();
  return alerting;
}

/** Coverage answers for route tests only; the real model on the sample data is in api-coverage.test.ts. */
export class FakeCoverage implements CoverageApi {
  pushed: { feed: string; body: string; format: string }[] = [];
  constructor(
    private readonly inv: Inventory,
    readonly gapList: GapView[] = [],
  ) {}
  unit(code: string): UnitCoverageReport | undefined {
    if (!this.inv.unit(code)) return undefined;
    const kpi = (c: string) => {
      const unit = this.inv.unit(c)!;
      const pop = this.inv.population(c);
      return {
        code: c, name: unit.name, level: unit.level, population: pop, coveredPopulation: pop * 0.99, coveredPct: 99, villages: 10, villagesCovered: 9,
        deadZoneVillages: 1, deadZonePopulation: pop * 0.01, conflictVillages: 0,
        byCarrier: [{ carrier: 'viettel', name: 'Viettel', coveredPopulation: pop * 0.98, coveredPct: 98, villagesCovered: 9 }],
      };
    };
    return { ...kpi(code), children: this.inv.children(code).map((c) => kpi(c.code)), computedAtMs: Date.UTC(2025, 0, 15, 2, 0, 0) };
  }
  gaps(f: { unit?: string; carrier?: string; radio?: string }) {
    if (f.carrier !== undefined && !['viettel', '04'].includes(f.carrier)) throw new CoverageQueryError(`unknown carrier "${f.carrier}"`, 400, 'carrier');
    return this.gapList.filter((g) => !f.unit || Object.values(g.units).includes(f.unit));
  }
  async #ingest(kind: 'measurements' | 'status', body: string, format: FeedFormat): Promise<IngestReport> {
    this.pushed.push({ feed: kind, body, format });
    const base = { feed: 'api', kind, format, problemsNotListed: 0, startedAtMs: 0, durationMs: 1, rowsPerSecond: 1000, notes: [] };
    if (body.startsWith('garbage')) return { ...base, rowsRead: 0, accepted: 0, rejected: 0, problems: [], reasons: {}, applied: false, error: 'wrong header' };
    const rows = body.trim().split('\n').length - (format === 'csv' ? 1 : 0);
    return { ...base, rowsRead: rows, accepted: rows - 1, rejected: 1, problems: [{ row: 2, reason: 'RSRP outside −156…−31 dBm' }] as never, reasons: { rsrp_range: 1 }, applied: true };
  }
  ingestMeasurements(body: string | Readable, format: FeedFormat) {
    return this.#ingest('measurements', String(body), format);
  }
  ingestCellStatus(body: string | Readable, format: FeedFormat) {
    return this.#ingest('status', String(body), format);
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
  alerting: Alerting;
  coverage: FakeCoverage;
  availability: FakeAvailability;
  close(): Promise<void>;
}

export const TEST_NOW = Date.UTC(2025, 0, 15, 3, 0, 0);

/** Deps for route tests: the real alerting module, doubles for the rest. Call close() in teardown. */
export function fakeDeps(overrides: Partial<ApiDeps> = {}, opts: { gaps?: GapView[]; alerts?: Omit<AlertRecord, 'id'>[] } = {}): FakeSet {
  const inventory = overrides.inventory ?? shippedInventory();
  const config = overrides.config ?? testConfig();
  const now = overrides.now ?? (() => TEST_NOW);
  const points = new FakePoints();
  const alerting = realAlerting(config, inventory, now, opts.alerts);
  const coverage = new FakeCoverage(inventory, opts.gaps ?? []);
  const availability = new FakeAvailability();
  const deps: ApiDeps = {
    config,
    inventory,
    log: silentLogger(),
    points,
    readiness: [{ name: 'inventory', check: () => ({ ok: true, detail: `${inventory.points.length} points` }) }],
    metrics: {},
    alerts: alerting.service,
    coverage,
    availability,
    ...overrides,
    now,
  };
  return { deps, points, alerting, coverage, availability, close: () => alerting.stop() };
}
