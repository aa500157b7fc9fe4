// `netcov run`: load config + inventory, start the daemon and own its signals. SIGTERM/SIGINT stop
// it (capped; what has not flushed stays in the durable spool), a second one exits at once.
// SIGHUP re-reads config + inventory and hands them to the running daemon; if either is broken
// the daemon keeps the old ones and says why. Under systemd (Type=notify) it reports READY,
// RELOADING, STOPPING and pings the watchdog while the daemon is healthy.
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfigFile } from '../config/load.js';
import { configChanges } from '../config/diff.js';
import type { Config } from '../config/schema.js';
import { createDaemon as defaultCreateDaemon, type Daemon, type DaemonDeps } from '../daemon.js';
import { InventoryError, loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/model.js';
import { createSdNotifier, type SdNotifier } from '../util/sd-notify.js';
import { createLogger, type Logger } from '../util/log.js';
import { EXIT_OK, EXIT_PROBLEM, loadConfigOrReport, type Io } from './common.js';
import { inventoryPaths } from './inventory.js';

export interface RunOptions {
  /** Cap on a graceful stop; past it the process exits with status 1 (the spool keeps the data). */
  stopTimeoutMs: number;
  createDaemon: (deps: DaemonDeps) => Daemon;
  /** Where systemd notifications go (default: $NOTIFY_SOCKET, if any). */
  notifier?: (log: Logger) => SdNotifier;
}

export const DEFAULT_RUN: RunOptions = { stopTimeoutMs: 10_000, createDaemon: defaultCreateDaemon };

type StopSignal = 'SIGTERM' | 'SIGINT';
const HANDLED = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Load the inventory the config names; problems are logged and yield undefined. */
export function loadInventoryForRun(config: Config, log: Logger): Inventory | undefined {
  try {
    const { dir, siteFile } = inventoryPaths(config, {});
    const loaded = loadInventory(dir, { ...(siteFile ? { siteFile } : {}), snmpProfiles: Object.keys(config.snmp.profiles), snmpCredentials: Object.keys(config.snmp.credentials) });
    for (const w of loaded.warnings) log.warn({ event: 'inventory_warning' }, w);
    return loaded.inventory;
  } catch (err) {
    if (err instanceof InventoryError) {
      for (const e of err.errors) log.error({ event: 'inventory_error' }, e);
      return undefined;
    }
    throw err;
  }
}

/** A queue of received signals, so a SIGHUP that arrives during a reload is not lost. */
function signalQueue(): { next(): Promise<NodeJS.Signals>; dispose(): void } {
  const pending: NodeJS.Signals[] = [];
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // Several SIGHUPs while one reload runs need only one more reload.
    if (!(signal === 'SIGHUP' && pending.includes('SIGHUP'))) pending.push(signal);
    wake?.();
  };
  for (const s of HANDLED) process.on(s, onSignal);
  return {
    async next() {
      while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      return pending.shift() as NodeJS.Signals;
    },
    dispose() {
      for (const s of HANDLED) process.removeListener(s, onSignal);
    },
  };
}

export async function runCommand(configPath: string | undefined, io: Io, options: Partial<RunOptions> = {}): Promise<number> {
  const opts = { ...DEFAULT_RUN, ...options };
  const signals = signalQueue(); // from the very start: a SIGTERM during start-up still stops cleanly
  try {
    let config = loadConfigOrReport(configPath, io);
    if (!config) return EXIT_PROBLEM;
    const log = createLogger({ level: config.log.level });
    let inventory = loadInventoryForRun(config, log);
    if (!inventory) return EXIT_PROBLEM;
    const sd = (opts.notifier ?? ((l: Logger) => createSdNotifier(l)))(log);

    const daemon = opts.createDaemon({ config, inventory, log });
    await daemon.start();
    sd.ready(`monitoring ${inventory.points.length} points`);
    sd.startWatchdog(() => daemon.healthy());

    const reload = async () => {
      sd.reloading('reloading configuration and inventory');
      log.info({ event: 'reload_started' }, 'SIGHUP: reloading configuration and inventory');
      let next: Config;
      try {
        next = loadConfigFile(configPath ?? DEFAULT_CONFIG_PATH, { env: io.env, allowMissing: configPath === undefined });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const problem of err.problems) log.error({ event: 'reload_config_error' }, problem);
        log.error({ event: 'reload_failed', reason: 'config' }, 'reload failed: the configuration has errors; still running with the previous one');
        sd.ready('reload failed (configuration errors); running with the previous configuration');
        return;
      }
      const nextInventory = loadInventoryForRun(next, log);
      if (!nextInventory) {
        log.error({ event: 'reload_failed', reason: 'inventory' }, 'reload failed: the inventory has errors; still running with the previous one');
        sd.ready('reload failed (inventory errors); running with the previous configuration');
        return;
      }
      const changes = configChanges(config, next);
      await daemon.reload({ config: next, inventory: nextInventory, changes });
      log.level = next.log.level;
      log.info(
        { event: 'reload_done', changed: changes.changed, restart_required: changes.restartRequired, points_before: inventory?.points.length, points_after: nextInventory.points.length },
        changes.restartRequired.length
          ? `reloaded; these changes need a restart to take effect: ${changes.restartRequired.join(', ')}`
          : 'reloaded',
      );
      config = next;
      inventory = nextInventory;
      sd.ready(`monitoring ${nextInventory.points.length} points (reloaded)`);
    };

    let stopSignal: StopSignal;
    for (;;) {
      const signal = await signals.next();
      if (signal !== 'SIGHUP') {
        stopSignal = signal as StopSignal;
        break;
      }
      try {
        await reload();
      } catch (err) {
        // A component that failed to apply the new config must not take the daemon down.
        log.error({ event: 'reload_failed', err: (err as Error).message }, 'reload failed while applying; see the error');
        sd.ready('reload failed; see the journal');
      }
    }

    sd.stopping(`stopping (${stopSignal})`);
    // A second stop signal means "now": the durable spool already holds what was accepted.
    const impatient = signals.next().then(
      (s) => {
        if (s === 'SIGHUP') return;
        log.warn({ event: 'stop_forced', signal: s }, 'second signal: exiting without waiting for the flush');
        process.exit(EXIT_PROBLEM);
      },
      () => undefined,
    );
    void impatient.catch(() => undefined); // settled above; nothing to report
    const cap = setTimeout(() => {
      log.error({ event: 'stop_timeout', timeout_ms: opts.stopTimeoutMs }, `stop took longer than ${opts.stopTimeoutMs / 1000} s; exiting`);
      process.exit(EXIT_PROBLEM);
    }, opts.stopTimeoutMs);
    cap.unref();
    await daemon.stop(stopSignal);
    clearTimeout(cap);
    sd.close();
    return EXIT_OK;
  } finally {
    signals.dispose();
  }
}
