// A MetricSink that keeps samples in memory, checking each against the metric schema as the
// real writer's encoder does (unit tests of sources only; the real sink is tested against influxd).
import { encodeSamples } from '../../src/metrics/line-protocol.js';
import type { Sample } from '../../src/metrics/schema.js';
import { emptySinkStats, type MetricSink, type SinkStats } from '../../src/sink/types.js';

export interface MemorySink extends MetricSink {
  samples: Sample[];
  of(measurement: string): Sample[];
}

export function memorySink(): MemorySink {
  const samples: Sample[] = [];
  const stats: SinkStats = emptySinkStats();
  return {
    samples,
    of: (m) => samples.filter((s) => s.measurement === m),
    async start() {},
    write(batch) {
      encodeSamples(batch); // throws on an unknown measurement, tag or field, or a mistyped value
      samples.push(...batch);
      stats.pointsAccepted += batch.length;
    },
    async flush() {},
    async stop() {},
    stats: () => stats,
  };
}
