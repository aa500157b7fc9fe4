// ICMP observations → `ping` samples (Telegraf field names, see src/metrics/schema.ts PING).
// Fields a round did not measure (RTTs when nothing came back) are left out, as Telegraf does.
import type { Inventory } from '../../inventory/model.js';
import { PING, pointTags, type Sample } from '../../metrics/schema.js';
import type { IcmpObservation } from '../../observations.js';

type PingField = keyof typeof PING.fields;

/** The `ping` sample of one observation; undefined when the point is not in the inventory. */
export function icmpSample(inventory: Inventory, obs: IcmpObservation): Sample | undefined {
  const point = inventory.point(obs.pointId);
  if (!point) return undefined;
  const fields: Partial<Record<PingField, number>> = {
    packets_transmitted: obs.transmitted,
    packets_received: obs.received,
    percent_packet_loss: obs.percentPacketLoss,
    result_code: obs.resultCode,
  };
  const optional: [PingField, number | undefined][] = [
    ['minimum_response_ms', obs.minimumResponseMs],
    ['average_response_ms', obs.averageResponseMs],
    ['median_response_ms', obs.medianResponseMs],
    ['maximum_response_ms', obs.maximumResponseMs],
    ['standard_deviation_ms', obs.standardDeviationMs],
    ['jitter_ms', obs.jitterMs],
  ];
  for (const [name, value] of optional) if (value !== undefined) fields[name] = value;
  return { measurement: PING.name, tags: pointTags(inventory, point), fields, timeMs: obs.timeMs };
}

/** Samples of a batch of observations (one round), skipping ids the inventory does not know. */
export function icmpSamples(inventory: Inventory, observations: readonly IcmpObservation[]): Sample[] {
  const out: Sample[] = [];
  for (const obs of observations) {
    const s = icmpSample(inventory, obs);
    if (s) out.push(s);
  }
  return out;
}
