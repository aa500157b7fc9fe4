// Assembles alerting for the daemon: store → channels → dispatcher → engine → service.
// start() restores open alerts and states and starts delivering; stop() stops the timers, waits
// for deliveries in flight, and closes the store.
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Inventory } from '../inventory/model.js';
import type { ObservationBus } from '../observations.js';
import type { MetricSink } from '../sink/types.js';
import type { Logger } from '../util/log.js';
import { createChannels } from '../notify/channels.js';
import { CATALOGS, renderMessage } from '../notify/messages.js';
import { Dispatcher, type Clock } from '../notify/pipeline.js';
import type { Channel } from '../notify/types.js';
import { AlertEngine } from './engine.js';
import { apiBaseUrl, dispatcherOptions } from './options.js';
import { AlertService } from './service.js';
import { AlertStore } from './store.js';
import type { AlertRecord } from './types.js';

export interface AlertingDeps {
  config: Config;
  inventory: Inventory;
  log: Logger;
  sink?: MetricSink;
  bus?: ObservationBus;
  clock?: Clock;
  /** Extra channels (tests); normally all come from notify.receivers. */
  channels?: Channel[];
  /** false: no timers; the caller drives engine.tick() and dispatcher.runOnce() (fake-clock tests). */
  timers?: boolean;
}

export interface Alerting {
  readonly store: AlertStore;
  readonly engine: AlertEngine;
  readonly dispatcher: Dispatcher;
  /** What the HTTP API calls. */
  readonly service: AlertService;
  start(): void;
  stop(): Promise<void>;
}

export function alertStorePath(config: Config): string {
  return config.alerts.store_file || join(config.state_dir, 'alerts.sqlite');
}

export function alertUrl(config: Config, id: number): string {
  return `${apiBaseUrl(config)}/api/v1/alerts/${id}`;
}

export function createAlerting(deps: AlertingDeps): Alerting {
  const { config, inventory } = deps;
  const log = deps.log.child({ component: 'alerts' });
  const store = AlertStore.open(alertStorePath(config));
  const built = createChannels(config);
  const channels = [...built.channels, ...(deps.channels ?? [])];
  // The dispatcher asks the engine about mutes; the engine queues through the dispatcher.
  const late: { engine?: AlertEngine } = {};
  const render = (alert: AlertRecord, kind: Parameters<typeof renderMessage>[2], language: 'vi' | 'en', nowMs: number) => {
    const url = alertUrl(config, alert.id);
    const message = renderMessage(CATALOGS[language], alert, kind, { inventory, timeZone: config.timezone, maxListed: config.notify.max_listed, url, nowMs });
    return { message, url };
  };
  const dispatcher = new Dispatcher({
    store,
    channels,
    receivers: built.receivers,
    render,
    muteReason: (alert, nowMs) => late.engine?.muteReason(alert, nowMs),
    log,
    ...(deps.clock ? { clock: deps.clock } : {}),
    options: dispatcherOptions(config),
  });
  const engine = new AlertEngine({
    config,
    inventory,
    store,
    dispatcher,
    log,
    ...(deps.sink ? { sink: deps.sink } : {}),
    ...(deps.bus ? { bus: deps.bus } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    title: (a) => render(a, a.state === 'resolved' ? 'resolved' : 'firing', config.language, a.updatedAtMs).message.title,
  });
  const service = new AlertService({ config, inventory, store, engine });
  late.engine = engine;
  let pruneTimer: NodeJS.Timeout | undefined;
  const prune = () => {
    const removed = store.prune(Date.now() - config.alerts.history_days * 86_400_000);
    if (removed.alerts || removed.silences) log.info({ event: 'alerts_pruned', ...removed }, 'old alert history removed');
  };
  return {
    store,
    engine: engine,
    dispatcher,
    service,
    start() {
      engine.start({ tick: deps.timers !== false });
      if (deps.timers === false) return;
      dispatcher.start();
      prune();
      pruneTimer = setInterval(() => {
        try {
          prune();
        } catch (err) {
          log.error({ event: 'alerts_prune_failed', err }, 'pruning alert history failed; next hour retries');
        }
      }, 3_600_000);
      pruneTimer.unref();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      engine.stop();
      await dispatcher.stop();
      store.close();
    },
  };
}
