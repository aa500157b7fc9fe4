// A pino logger whose JSON lines a test can read back (events, fields, and proof that no secret leaked).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/util/log.js';

export interface CapturedLog {
  log: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Lines whose `event` is `event`. */
  events(event: string): Record<string, unknown>[];
  /** Everything written, as text (to search for leaked secrets). */
  text(): string;
}

export function captureLog(level = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log: createLogger({ level, destination }), lines, events: (event) => lines().filter((l) => l.event === event), text };
}
