// The feeds' current data, one batch per feed, replaced whole (a refused file never touches it),
// and merged into the model's inputs: cells by key (a later feed wins), status by the most recent
// statement, reports by the newest date, measurement batches side by side.
import type { CellSite, CellStatus, MeasurementBatch, VillageReport } from './types.js';
import type { FeedKind, KindBatches as Batches } from './feeds/index.js';

export interface MergedInputs {
  cells: CellSite[];
  status: Map<string, CellStatus>;
  measurements: MeasurementBatch[];
  reports: VillageReport[];
}

export class FeedState {
  readonly #batches: { [K in FeedKind]: Map<string, Batches[K]> } = { cells: new Map(), status: new Map(), measurements: new Map(), reports: new Map() };
  #merged: MergedInputs | undefined;
  /** Increases on every change; lets callers tell whether anything new arrived. */
  version = 0;

  /** Replace one feed's batch (atomically: the model sees the old or the new one, never half). */
  set<K extends FeedKind>(kind: K, feed: string, batch: Batches[K]): void {
    (this.#batches[kind] as Map<string, Batches[K]>).set(feed, batch);
    this.#merged = undefined;
    this.version++;
  }

  get<K extends FeedKind>(kind: K, feed: string): Batches[K] | undefined {
    return (this.#batches[kind] as Map<string, Batches[K]>).get(feed);
  }

  /** True once a cells feed has loaded: before that every village would look like a dead zone. */
  hasCells(): boolean {
    return [...this.#batches.cells.values()].some((b) => b.cells.length > 0);
  }

  cellKeys(): Set<string> {
    return new Set([...this.#batches.cells.values()].flatMap((b) => b.cells.map((c) => c.key)));
  }

  merged(): MergedInputs {
    if (this.#merged) return this.#merged;
    const cells = new Map<string, CellSite>();
    for (const b of this.#batches.cells.values()) for (const c of b.cells) cells.set(c.key, c);
    const status = new Map<string, CellStatus>();
    for (const b of this.#batches.status.values())
      for (const [key, s] of b.status) {
        const prev = status.get(key);
        if (!prev || s.sinceMs >= prev.sinceMs) status.set(key, s);
      }
    const reports = new Map<string, VillageReport>();
    for (const b of this.#batches.reports.values())
      for (const [key, r] of b.reports) {
        const prev = reports.get(key);
        if (!prev || r.dateMs >= prev.dateMs) reports.set(key, r);
      }
    this.#merged = { cells: [...cells.values()], status, measurements: [...this.#batches.measurements.values()], reports: [...reports.values()] };
    return this.#merged;
  }
}
