// A pino logger whose JSON lines a test can read back (events, fields, and proof that no secret leaked).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/util/log.js';

export interface CapturedLog {
  log: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** The same lines as one live array that grows as the logger writes (hold it, read it later). */
  records: Record<string, unknown>[];
  /** Lines whose `event` is `event`. */
  events(event: string): Record<string, unknown>[];
  /** Everything written, as text (to search for leaked secrets). */
  text(): string;
}

export function captureLog(level = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const records: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      chunks.push(text);
      // pino writes whole lines: parse as they come, so `records` is live.
      for (const l of text.split('\n')) if (l) records.push(JSON.parse(l) as Record<string, unknown>);
      callback();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log: createLogger({ level, destination }), lines, records, events: (event) => lines().filter((l) => l.event === event), text };
}
