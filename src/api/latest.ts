// The latest ICMP round and SNMP poll of each point, kept from the observation bus for the API's
// point pages, and probe results counted by outcome for /metrics. Memory is bounded by the
// inventory: one entry per point id.
import type { IcmpObservation, ObservationBus, SnmpObservation } from '../observations.js';
import type { ProbeResultCount } from './prom.js';

/** ok: every echo came back; loss: some did; down: none did; error: the probe itself failed. */
export function icmpOutcome(o: IcmpObservation): string {
  if (o.resultCode !== 0) return 'error';
  if (o.received === 0) return 'down';
  return o.received < o.transmitted ? 'loss' : 'ok';
}

export class LatestObservations {
  readonly #icmp = new Map<string, IcmpObservation>();
  readonly #snmp = new Map<string, SnmpObservation>();
  readonly #counts = new Map<string, ProbeResultCount>();
  #detach: (() => void) | undefined;

  /** Starts listening; returns `this` for chaining. Call detach() on stop. */
  attach(bus: ObservationBus): this {
    const onIcmp = (list: IcmpObservation[]) => {
      for (const o of list) {
        this.#icmp.set(o.pointId, o);
        this.#count('icmp', icmpOutcome(o));
      }
    };
    const onSnmp = (o: SnmpObservation) => {
      this.#snmp.set(o.pointId, o);
      this.#count('snmp', o.ok ? 'ok' : 'error');
    };
    bus.on('icmp', onIcmp);
    bus.on('snmp', onSnmp);
    this.#detach = () => {
      bus.off('icmp', onIcmp);
      bus.off('snmp', onSnmp);
    };
    return this;
  }

  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  #count(probe: string, result: string): void {
    const key = `${probe}\u0000${result}`;
    const c = this.#counts.get(key);
    if (c) c.count++;
    else this.#counts.set(key, { probe, result, count: 1 });
  }

  lastIcmp(pointId: string): IcmpObservation | undefined {
    return this.#icmp.get(pointId);
  }

  lastSnmp(pointId: string): SnmpObservation | undefined {
    return this.#snmp.get(pointId);
  }

  probeResults(): ProbeResultCount[] {
    return [...this.#counts.values()].map((c) => ({ ...c }));
  }
}
