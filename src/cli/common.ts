// Shared CLI plumbing: exit codes, output streams, and loading config + inventory the same way
// for every command.
import { loadConfigFile, DEFAULT_CONFIG_PATH, ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Language } from '../i18n.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

/**
 * Load the config named by --config; without --config the default path is used and may be absent
 * (then every default applies). Problems are printed and yield undefined.
 */
export function loadConfigOrReport(configPath: string | undefined, io: Io): Config | undefined {
  try {
    return loadConfigFile(configPath ?? DEFAULT_CONFIG_PATH, { env: io.env, allowMissing: configPath === undefined });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) io.err(line);
      return undefined;
    }
    throw err;
  }
}

export function languageOf(config: Config | undefined, override: string | undefined): Language {
  if (override === 'vi' || override === 'en') return override;
  if (override !== undefined) throw new UsageError(`--lang must be vi or en, not "${override}"`);
  return config?.language ?? 'vi';
}
