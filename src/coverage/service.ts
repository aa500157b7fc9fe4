// The coverage service: reads the feeds (cron, in config.timezone), keeps their data, recomputes
// the model, tracks dead zones, emits DeadZoneChange on the bus, writes coverage metrics, and
// answers the read-only views the API serves. The I/O edge around the pure model.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config/schema.js';
import { revealSecret } from '../config/secret.js';
import type { Inventory } from '../inventory/model.js';
import type { DeadZoneChange, ObservationBus } from '../observations.js';
import type { MetricSink } from '../sink/types.js';
import type { Logger } from '../util/log.js';
import { coverageSettings, provinceBox, type CoverageFeedConfig, type CoverageSettings } from './config.js';
import { villageSet, type VillageSet } from './model.js';
import { unitMembership, type UnitMembership } from './kpis.js';
import { initialDeadZoneState, persistDeadZones, type DeadZoneState, type OpenZone, type PersistedDeadZones, type VillageNames } from './deadzones.js';
import { recomputeAll, villageNames } from './recompute.js';
import { feedSample, modelSample, unitSamples, villageSamples } from './metrics.js';
import { describeDeadZoneChange } from './messages.js';
import { FeedState } from './state.js';
import { RADIOS, type Carrier } from './types.js';
import { gaps, unitReport, villageView, type CoverageSnapshot, type GapFilter, type GapView, type UnitCoverageReport, type VillageCoverageView } from './views.js';
import { mergeMeasurements, parseFeed, type FeedContext, type FeedFormat, type FeedKind, type IngestReport, type KindBatches } from './feeds/index.js';
import { FeedSourceError, openFeed } from './feeds/source.js';
import { PushJournal } from './push-journal.js';

export interface CoverageServiceDeps {
  config: Config;
  inventory: Inventory;
  log: Logger;
  /** Dead-zone changes are emitted here as 'dead_zone'. */
  bus?: ObservationBus;
  sink?: MetricSink;
  now?: () => number;
  /** Where dead-zone since-times survive restarts; default <state_dir>/coverage; null: nowhere. */
  stateDir?: string | null;
}

export interface FeedStatusView {
  feed: string;
  kind: FeedKind;
  /** url, path, or push (API). */
  source: 'url' | 'path' | 'push';
  schedule: string;
  running: boolean;
  ingestions: number;
  /** Ingestions refused as a whole. */
  failed: number;
  rowsAccepted: number;
  rowsRejected: number;
  lastRunMs?: number;
  lastAppliedMs?: number;
  nextRunMs?: number;
  /** The last report, its problem list cut to the first 100 rows. */
  lastReport?: IngestReport;
}

/** Counts per feed: the API's Prometheus /metrics reads these. */
export interface FeedCount {
  feed: string;
  ingestions: number;
  failed: number;
  rowsAccepted: number;
  rowsRejected: number;
}

interface FeedStats extends Omit<FeedStatusView, 'running' | 'nextRunMs'> {
  task?: ScheduledTask;
}

const KIND_ORDER: Record<FeedKind, number> = { cells: 0, status: 1, reports: 2, measurements: 3 };
const STORED_PROBLEMS = 100;

export class CoverageService {
  readonly settings: CoverageSettings;
  readonly #deps: CoverageServiceDeps;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #state = new FeedState();
  readonly #villages: VillageSet;
  readonly #membership: UnitMembership;
  readonly #names: VillageNames;
  readonly #stats = new Map<string, FeedStats>();
  readonly #running = new Map<string, { promise: Promise<IngestReport>; abort: AbortController }>();
  readonly #stateDir: string | null;
  readonly #journal: PushJournal | undefined;
  #snapshot: CoverageSnapshot | undefined;
  #tracker: DeadZoneState = initialDeadZoneState();
  #persisting: Promise<void> = Promise.resolve();
  #recomputeTimer: NodeJS.Timeout | undefined;
  #interval: NodeJS.Timeout | undefined;
  #initialLoad: Promise<void> = Promise.resolve();
  #loading = false;
  #stopped = false;

  constructor(deps: CoverageServiceDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ component: 'coverage' });
    this.#now = deps.now ?? Date.now;
    this.settings = coverageSettings(deps.config.coverage);
    const inv = deps.inventory;
    this.#villages = villageSet(inv.villages.map((v) => ({ code: v.code, lat: v.lat, lon: v.lon, population: v.population, unit: v.unit })));
    this.#membership = unitMembership(inv, this.#villages);
    this.#names = villageNames(inv);
    this.#stateDir = deps.stateDir === undefined ? join(deps.config.state_dir, 'coverage') : deps.stateDir;
    this.#journal = this.#stateDir === null ? undefined : new PushJournal(join(this.#stateDir, 'pushes'), this.settings.pushRetentionMs, this.#now);
    for (const f of deps.config.coverage.feeds)
      this.#stats.set(f.name, { feed: f.name, kind: f.kind, source: f.url ? 'url' : 'path', schedule: f.schedule, ingestions: 0, failed: 0, rowsAccepted: 0, rowsRejected: 0 });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Load the persisted dead-zone times, read every feed once in the background (cells first),
   * then schedule the feeds and the periodic recompute. Resolves at once: the model is not ready
   * until a cells feed has loaded (`ready()`, `whenLoaded()`).
   */
  async start(): Promise<void> {
    if (!this.#deps.config.coverage.enabled) {
      this.#log.info({ event: 'coverage_disabled' }, 'coverage model disabled by config');
      return;
    }
    await this.#loadPersisted();
    const feeds = [...this.#deps.config.coverage.feeds].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    if (feeds.length === 0) this.#log.info({ event: 'coverage_idle' }, 'no coverage feeds configured: the coverage model stays idle');
    // One recompute after every feed has been read once, so the first changes (marked initial)
    // see cells and statuses together, not cells alone for a moment.
    this.#loading = true;
    this.#initialLoad = (async () => {
      await this.#replayPushes();
      for (const f of feeds) {
        if (this.#stopped) return;
        await this.runFeed(f.name);
      }
      this.#loading = false;
      if (!this.#stopped) this.recompute();
    })()
      .catch((err: unknown) => this.#log.error({ event: 'coverage_initial_load_failed', err }, 'initial coverage load failed'))
      .finally(() => (this.#loading = false));
    for (const f of feeds) {
      if (f.schedule === '') continue;
      const task = cron.schedule(f.schedule, () => this.runFeed(f.name).then(() => undefined), { timezone: this.#deps.config.timezone, noOverlap: true, name: `coverage:${f.name}` });
      this.#stats.get(f.name)!.task = task;
    }
    this.#interval = setInterval(() => this.recompute(), this.settings.recomputeIntervalMs);
    this.#interval.unref();
  }

  /** Resolves when the feeds read at start have been read (successfully or not). */
  whenLoaded(): Promise<void> {
    return this.#initialLoad;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const s of this.#stats.values()) {
      await s.task?.destroy();
      delete s.task;
    }
    clearInterval(this.#interval);
    clearTimeout(this.#recomputeTimer);
    for (const r of this.#running.values()) r.abort.abort(new Error('netcov is stopping'));
    await Promise.allSettled([...this.#running.values()].map((r) => r.promise));
    await this.#initialLoad;
    await this.#persisting;
  }

  /** True once a cells feed has loaded and the model has been computed. */
  ready(): boolean {
    return this.#snapshot !== undefined;
  }

  snapshot(): CoverageSnapshot | undefined {
    return this.#snapshot;
  }

  // -------------------------------------------------------------------------------------------
  // Ingestion

  /** Fetch and ingest one configured feed now (as its cron schedule does). Never rejects. */
  runFeed(name: string): Promise<IngestReport> {
    const running = this.#running.get(name);
    if (running) return running.promise;
    const feed = this.#deps.config.coverage.feeds.find((f) => f.name === name);
    if (!feed) return Promise.reject(new Error(`no coverage feed named "${name}"`));
    const abort = new AbortController();
    const promise = this.#pull(feed, abort).finally(() => this.#running.delete(name));
    this.#running.set(name, { promise, abort });
    return promise;
  }

  async #pull(feed: CoverageFeedConfig, abort: AbortController): Promise<IngestReport> {
    const startedAtMs = this.#now();
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${feed.timeout_ms} ms`)), feed.timeout_ms);
    try {
      const token = revealSecret(feed.token);
      const opened = await openFeed({
        ...(feed.url ? { url: feed.url } : { path: feed.path }), format: feed.format, compression: feed.compression,
        maxBytes: feed.max_bytes, signal: abort.signal, ...(token ? { token } : {}),
      });
      return await this.ingest(feed.kind, opened.stream, opened.format, { feed: feed.name, mode: 'replace' });
    } catch (err) {
      const message = err instanceof FeedSourceError ? err.message : `${(err as Error).message}`;
      const report = failedReport(feed.name, feed.kind, feed.format === 'auto' ? 'csv' : feed.format, message, startedAtMs, this.#now() - startedAtMs);
      this.#record(report);
      return report;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Measurements pushed through the API: merged into the feed's (default "api") kept measurements. */
  ingestMeasurements(input: Readable | string, format: FeedFormat, feed = 'api'): Promise<IngestReport> {
    return this.#push('measurements', input, format, feed);
  }

  /** Cell status pushed through the API: each row updates that cell (other cells keep theirs). */
  ingestCellStatus(input: Readable | string, format: FeedFormat, feed = 'api'): Promise<IngestReport> {
    return this.#push('status', input, format, feed);
  }

  /** A push is merged like any feed and, once applied, kept in the journal so a restart replays it. */
  async #push(kind: 'measurements' | 'status', input: Readable | string, format: FeedFormat, feed: string): Promise<IngestReport> {
    if (!this.#journal) return this.ingest(kind, input, format, { feed, mode: 'merge' });
    const captured = this.#journal.capture(input, kind, feed, format);
    let applied = false;
    try {
      const report = await this.ingest(kind, captured.stream, format, { feed, mode: 'merge' });
      applied = report.applied;
      return report;
    } finally {
      captured.commit(applied);
    }
  }

  /** Pushes kept from earlier runs, replayed in order (before the pulled feeds are read). */
  async #replayPushes(): Promise<void> {
    const entries = this.#journal?.entries() ?? [];
    let accepted = 0;
    for (const e of entries) {
      if (this.#stopped) return;
      const report = await this.ingest(e.kind, createReadStream(e.path), e.format, { feed: e.feed, mode: 'merge' });
      accepted += report.accepted;
    }
    if (entries.length) this.#log.info({ event: 'coverage_pushes_replayed', pushes: entries.length, rows_accepted: accepted }, `replayed ${entries.length} pushed feed batch(es) kept from earlier runs`);
  }

  /**
   * Parse a feed and, when it is usable, swap it in (replace: the feed's data becomes the file's;
   * merge: rows are added to what the feed had), then schedule a recompute. A refused input
   * leaves everything as it was. Never rejects for bad input.
   */
  async ingest<K extends FeedKind>(kind: K, input: Readable | string, format: FeedFormat, opts: { feed: string; mode: 'replace' | 'merge' }): Promise<IngestReport> {
    const stream = typeof input === 'string' ? Readable.from([input]) : input;
    const ctx = this.#context();
    const { report, batch } = await parseFeed(kind, stream, ctx, {
      feed: opts.feed, format, maxRejectedPct: this.settings.maxRejectedPct, maxListedRejections: this.settings.maxListedRejections, now: this.#now,
    });
    if (batch !== undefined) {
      const next = opts.mode === 'merge' ? this.#merge(kind, opts.feed, batch) : batch;
      this.#state.set(kind, opts.feed, next);
      if (kind === 'status') this.#noteUnknownCells(report, (batch as KindBatches['status']).status.keys());
      this.#scheduleRecompute();
    }
    this.#record(report);
    return report;
  }

  #merge<K extends FeedKind>(kind: K, feed: string, batch: KindBatches[K]): KindBatches[K] {
    if (kind === 'measurements') {
      const prev = this.#state.get('measurements', feed);
      return mergeMeasurements(prev, batch as KindBatches['measurements'], this.#now() - this.settings.pushRetentionMs, this.settings.pushMaxMeasurements) as KindBatches[K];
    }
    if (kind === 'status') {
      const prev = this.#state.get('status', feed);
      return { status: new Map([...(prev?.status ?? []), ...(batch as KindBatches['status']).status]) } as KindBatches[K];
    }
    if (kind === 'reports') {
      const prev = this.#state.get('reports', feed);
      return { reports: new Map([...(prev?.reports ?? []), ...(batch as KindBatches['reports']).reports]) } as KindBatches[K];
    }
    const prev = this.#state.get('cells', feed);
    const cells = new Map((prev?.cells ?? []).map((c) => [c.key, c]));
    const b = batch as KindBatches['cells'];
    for (const c of b.cells) cells.set(c.key, c);
    return { ...b, cells: [...cells.values()] } as KindBatches[K];
  }

  #noteUnknownCells(report: IngestReport, keys: Iterable<string>): void {
    if (!this.#state.hasCells()) return;
    const known = this.#state.cellKeys();
    let unknown = 0;
    for (const k of keys) if (!known.has(k)) unknown++;
    if (unknown) report.notes.push(`${unknown} status row(s) name cells the cell feeds do not list (kept; they apply once the cells appear)`);
  }

  #context(): FeedContext {
    return {
      mcc: this.settings.mcc,
      carriers: this.settings.carriers,
      bounds: provinceBox(this.#deps.inventory, this.settings.boundsMarginKm),
      villageCodes: new Set(this.#villages.byCode.keys()),
      nowMs: this.#now(),
      defaultRangeM: this.settings.defaultRangeM,
      maxRangeM: this.settings.maxRangeM,
    };
  }

  #record(report: IngestReport): void {
    let s = this.#stats.get(report.feed);
    if (!s) {
      s = { feed: report.feed, kind: report.kind, source: 'push', schedule: '', ingestions: 0, failed: 0, rowsAccepted: 0, rowsRejected: 0 };
      this.#stats.set(report.feed, s);
    }
    s.ingestions++;
    if (!report.applied) s.failed++;
    s.rowsAccepted += report.accepted;
    s.rowsRejected += report.rejected;
    s.lastRunMs = report.startedAtMs;
    if (report.applied) s.lastAppliedMs = report.startedAtMs;
    s.lastReport = { ...report, problems: report.problems.slice(0, STORED_PROBLEMS) };
    const fields = {
      event: report.applied ? 'coverage_feed_loaded' : 'coverage_feed_refused', feed: report.feed, kind: report.kind, format: report.format,
      rows_read: report.rowsRead, rows_accepted: report.accepted, rows_rejected: report.rejected, reasons: report.reasons,
      duration_ms: Math.round(report.durationMs), rows_per_s: report.rowsPerSecond, ...(report.notes.length ? { notes: report.notes } : {}),
    };
    if (report.applied) this.#log.info(fields, `coverage feed ${report.feed} loaded`);
    else this.#log.warn({ ...fields, error: report.error }, `coverage feed ${report.feed} refused: ${report.error ?? ''}; previous data kept`);
    this.#write(() => [feedSample(report)]);
  }

  // -------------------------------------------------------------------------------------------
  // Model

  #scheduleRecompute(): void {
    if (this.#recomputeTimer || this.#stopped || this.#loading) return;
    this.#recomputeTimer = setTimeout(() => {
      this.#recomputeTimer = undefined;
      this.recompute();
    }, this.settings.recomputeDelayMs);
    this.#recomputeTimer.unref();
  }

  /** Recompute now (synchronously); returns the new snapshot, or undefined before any cells loaded. */
  recompute(): CoverageSnapshot | undefined {
    if (!this.#state.hasCells()) return undefined;
    try {
      const t0 = performance.now();
      const inputs = this.#state.merged();
      const inputsAll = { villages: this.#villages, carriers: this.settings.carriers, ...inputs };
      const { result, units, step, changes } = recomputeAll(inputsAll, this.settings.model, this.#now(), this.#membership, this.#tracker, this.#names);
      this.#tracker = step.next;
      this.#snapshot = { result, units, deadZones: step.next };
      const durationMs = performance.now() - t0;
      let cellsDown = 0;
      for (const s of inputs.status.values()) if (!s.up) cellsDown++;
      const province = this.#deps.inventory.roots()[0];
      const top = province ? units.get(province.code) : undefined;
      this.#log.info(
        {
          event: 'coverage_recomputed', duration_ms: Math.round(durationMs), cells: inputs.cells.length, cells_down: cellsDown,
          dead_zone_villages: top?.deadZoneVillages, dead_zone_population: top?.deadZonePopulation,
          population_covered_pct: top?.populationCoveredPct !== undefined ? Math.round(top.populationCoveredPct * 100) / 100 : undefined,
        },
        'coverage recomputed',
      );
      if (step.changed) this.#persist();
      for (const change of changes) this.#emit(change);
      const measurements = inputs.measurements.reduce((n, b) => n + b.count, 0);
      this.#write(() => [
        modelSample(result, { durationMs, cells: inputs.cells.length, cellsDown, measurements, reports: inputs.reports.length }),
        ...unitSamples(this.#deps.inventory, units, result.computedAtMs),
        ...(this.settings.villageMetrics ? villageSamples(this.#deps.inventory, result, step.next) : []),
      ]);
      return this.#snapshot;
    } catch (err) {
      this.#log.error({ event: 'coverage_recompute_failed', err }, 'coverage recompute failed; previous figures kept');
      return this.#snapshot;
    }
  }

  #emit(change: DeadZoneChange): void {
    const lang = this.#deps.config.language;
    this.#log[change.kind === 'opened' && change.cause === 'cell_outage' ? 'warn' : 'info'](
      {
        event: change.kind === 'opened' ? 'dead_zone_opened' : 'dead_zone_cleared', key: change.key, cause: change.cause, initial: change.initial,
        ...change.unitTags, villages: change.villages.map((v) => v.code), population: change.population, remaining_villages: change.remainingVillages,
        cells: change.causeCells.map((c) => c.key), since: new Date(change.sinceMs).toISOString(),
      },
      describeDeadZoneChange(change, lang, this.#deps.config.timezone),
    );
    this.#deps.bus?.emit('dead_zone', change);
  }

  #write(samples: () => import('../metrics/schema.js').Sample[]): void {
    const sink = this.#deps.sink;
    if (!sink) return;
    try {
      sink.write(samples());
    } catch (err) {
      this.#log.error({ event: 'coverage_metrics_failed', err }, 'coverage metrics not written');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Persistence of dead-zone since-times (so a restart does not reset "since")

  #file(): string | undefined {
    return this.#stateDir === null ? undefined : join(this.#stateDir, 'dead-zones.json');
  }

  async #loadPersisted(): Promise<void> {
    const file = this.#file();
    if (!file) return;
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as PersistedDeadZones;
      if (data.version === 2 && typeof data.zones === 'object' && typeof data.carrierGaps === 'object') this.#tracker = initialDeadZoneState(data);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#log.warn({ event: 'coverage_state_unreadable', file, err: (err as Error).message }, 'dead-zone times not restored');
    }
  }

  #persist(): void {
    const file = this.#file();
    if (!file || !this.#stateDir) return;
    const dir = this.#stateDir;
    const data = JSON.stringify(persistDeadZones(this.#tracker));
    // Writes are chained so an older state never lands after a newer one.
    this.#persisting = this.#persisting
      .then(async () => {
        await mkdir(dir, { recursive: true });
        await writeFile(`${file}.tmp`, data);
        await rename(`${file}.tmp`, file);
      })
      .catch((err: unknown) => this.#log.warn({ event: 'coverage_state_not_saved', file, err: (err as Error).message }, 'dead-zone times not saved (kept in memory)'));
  }

  // -------------------------------------------------------------------------------------------
  // Read-only views (the API serves these)

  carriers(): readonly Carrier[] {
    return this.settings.carriers;
  }

  radios(): readonly string[] {
    return RADIOS;
  }

  /** A unit's population-weighted coverage and its children's; undefined for an unknown unit or before the model is ready. */
  unit(code: string): UnitCoverageReport | undefined {
    return this.#snapshot && unitReport(this.#deps.inventory, this.#snapshot, code);
  }

  /** Gap villages (see views.ts `gaps`); empty before the model is ready. Throws CoverageQueryError for a bad filter. */
  gaps(filter: GapFilter = {}): GapView[] {
    return this.#snapshot ? gaps(this.#deps.inventory, this.#snapshot, filter) : [];
  }

  village(code: string): VillageCoverageView | undefined {
    return this.#snapshot && villageView(this.#deps.inventory, this.#snapshot, code);
  }

  /** Open dead zones by village code (since, cause, cells). */
  deadZones(): ReadonlyMap<string, OpenZone> {
    return this.#tracker.zones;
  }

  feeds(): FeedStatusView[] {
    return [...this.#stats.values()].map(({ task, ...s }) => {
      const next = task?.getNextRun();
      return { ...s, running: this.#running.has(s.feed), ...(next ? { nextRunMs: next.getTime() } : {}) };
    });
  }

  feedCounts(): FeedCount[] {
    return [...this.#stats.values()].map((s) => ({ feed: s.feed, ingestions: s.ingestions, failed: s.failed, rowsAccepted: s.rowsAccepted, rowsRejected: s.rowsRejected }));
  }
}

function failedReport(feed: string, kind: FeedKind, format: FeedFormat, error: string, startedAtMs: number, durationMs: number): IngestReport {
  return {
    feed, kind, format, applied: false, error, rowsRead: 0, accepted: 0, rejected: 0, problems: [], problemsNotListed: 0, reasons: {},
    startedAtMs, durationMs, rowsPerSecond: 0, notes: [],
  };
}
