// Structured JSON logs (pino, as fastify uses) to stdout for journald: one event per line.
// Secrets never reach a log: config secrets are `Secret` objects that serialise as "[secret]",
// and the redact list below is a second guard for anything that slips through as plain text.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field names that are always censored, wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password', '*.password', 'token', '*.token', 'community', '*.community',
  'authKey', '*.authKey', 'privKey', '*.privKey', 'auth_key', '*.auth_key', 'priv_key', '*.priv_key',
  'authorization', '*.authorization', 'req.headers.authorization', 'secret', '*.secret',
];

export interface LogOptions {
  level?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  destination?: pino.DestinationStream;
  name?: string;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts: LoggerOptions = {
    name: options.name ?? 'netcov',
    level: options.level ?? process.env.NETCOV_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[secret]' },
    // journald adds its own timestamp, but files and tests need one too: ISO, UTC.
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { pid: process.pid },
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that drops everything: for unit tests of modules that take a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
