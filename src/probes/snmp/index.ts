// The SNMP probe as one component for the daemon: interval polling of every point plus the trap
// listener, wired so a link or reboot trap re-polls its point here and asks the other probes
// (ICMP) for a re-check through the bus.
import type { Config } from '../../config/schema.js';
import type { Inventory } from '../../inventory/model.js';
import type { Sample } from '../../metrics/schema.js';
import type { ObservationBus } from '../../observations.js';
import type { Scheduler } from '../../scheduler/index.js';
import type { Logger } from '../../util/log.js';
import { createSnmpSource, type SnmpSource, type SnmpSourceDeps } from './source.js';
import { createTrapListener, type TrapListener } from './traps.js';

export { eventSample, pollSamples } from './metrics.js';
export type { SnmpSource, SnmpSourceStats } from './source.js';
export type { TrapListener, TrapStats } from './traps.js';

export interface SnmpProbeDeps {
  config: Config;
  inventory: Inventory;
  bus: ObservationBus;
  scheduler: Scheduler;
  log: Logger;
  write?: (samples: Sample[]) => void;
  /** Test hooks passed to the source (session factory, options). */
  source?: Pick<SnmpSourceDeps, 'openClient' | 'options' | 'points'>;
}

export interface SnmpProbe {
  /** Scheduler jobs of the poller (remove them before replacing the probe on reload). */
  readonly jobNames: readonly string[];
  readonly source: SnmpSource | undefined;
  readonly traps: TrapListener | undefined;
  /** Start polling and the trap listener. A listener that cannot bind is logged; polling goes on. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSnmpProbe(deps: SnmpProbeDeps): SnmpProbe {
  const { config, inventory, bus, log } = deps;
  const source = config.snmp.enabled
    ? createSnmpSource({ snmp: config.snmp, inventory, bus, scheduler: deps.scheduler, log, ...(deps.write ? { write: deps.write } : {}), ...deps.source })
    : undefined;
  const traps = config.snmp.traps.enabled
    ? createTrapListener({
        snmp: config.snmp,
        inventory,
        bus,
        log,
        recheck(pointIds) {
          source?.recheck(pointIds);
          bus.emit('recheck', pointIds);
        },
      })
    : undefined;
  return {
    jobNames: source?.jobNames ?? [],
    source,
    traps,
    async start() {
      source?.start();
      try {
        await traps?.start();
      } catch (err) {
        log.error({ event: 'snmp_traps_failed', component: 'snmp_traps', error: (err as Error).message }, (err as Error).message);
      }
    },
    async stop() {
      await traps?.stop();
      await source?.stop();
    },
  };
}
