// Load the configuration: parse YAML text → apply defaults → validate against the one schema →
// resolve secrets → cross-field checks. Every problem is collected (not only the first) and
// reported as `FILE: path.to.key: message (line N)`. No message ever contains a secret's value.
import { readFileSync } from 'node:fs';
import { ConfigSchema, SECRET_KEYS, type Config } from './schema.js';
import { Secret } from './secret.js';
import { formatPath, parseYamlSource, type YamlSource } from '../util/yaml-source.js';
import { applyDefaults, schemaProblems as describe, type Problem } from '../util/schema-errors.js';
import { coverageConfigProblems } from '../coverage/config.js';
import { alertingConfigProblems } from '../alerts/config-check.js';

export const DEFAULT_CONFIG_PATH = '/etc/netcov/netcov.yaml';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadEnv {
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/**
 * Replace every `name` / `name_env` / `name_file` triple by one Secret under `name`.
 * Problems name the key and the variable or file, never the value.
 */
function resolveSecrets(node: unknown, path: (string | number)[], env: NodeJS.ProcessEnv, readFile: (p: string) => string, problems: Problem[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => resolveSecrets(item, [...path, i], env, readFile, problems));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const name of SECRET_KEYS) {
    const inline = obj[name];
    const envName = obj[`${name}_env`];
    const fileName = obj[`${name}_file`];
    const given = [inline, envName, fileName].filter((v) => v !== undefined).length;
    if (given === 0) continue;
    if (given > 1) {
      problems.push({ path: [...path, name], message: `give only one of ${name}, ${name}_env, ${name}_file` });
      continue;
    }
    delete obj[`${name}_env`];
    delete obj[`${name}_file`];
    if (typeof inline === 'string') obj[name] = new Secret(inline, 'inline');
    else if (typeof envName === 'string') {
      const value = env[envName];
      if (value === undefined || value === '') problems.push({ path: [...path, `${name}_env`], message: `environment variable ${envName} is not set` });
      else obj[name] = new Secret(value, `env ${envName}`);
    } else if (typeof fileName === 'string') {
      try {
        obj[name] = new Secret(readFile(fileName).replace(/\r?\n$/, ''), `file ${fileName}`);
      } catch (err) {
        problems.push({ path: [...path, `${name}_file`], message: `cannot read ${fileName}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
      }
    }
  }
  for (const [key, child] of Object.entries(obj)) {
    if (!(child instanceof Secret)) resolveSecrets(child, [...path, key], env, readFile, problems);
  }
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function compiles(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Checks that span several keys; run after the schema accepted the shape. */
function crossChecks(config: Config): Problem[] {
  const problems: Problem[] = [];
  if (!isValidTimeZone(config.timezone)) problems.push({ path: ['timezone'], message: `unknown time zone "${config.timezone}"` });
  const creds = config.snmp.credentials;
  if (!(config.snmp.default_credential in creds))
    problems.push({ path: ['snmp', 'default_credential'], message: `no credential named "${config.snmp.default_credential}" in snmp.credentials` });
  for (const [name, cred] of Object.entries(creds)) {
    const at = ['snmp', 'credentials', name];
    if (cred.version === '3') {
      if (!cred.user) problems.push({ path: [...at, 'user'], message: 'v3 needs a user' });
      const level = cred.level ?? 'noAuthNoPriv';
      if (level !== 'noAuthNoPriv' && (!cred.auth_protocol || !cred.auth_key))
        problems.push({ path: at, message: `${level} needs auth_protocol and auth_key (or auth_key_env / auth_key_file)` });
      if (level === 'authPriv' && (!cred.priv_protocol || !cred.priv_key))
        problems.push({ path: at, message: 'authPriv needs priv_protocol and priv_key (or priv_key_env / priv_key_file)' });
    } else if (!cred.community) problems.push({ path: [...at, 'community'], message: `v${cred.version} needs a community (or community_env / community_file)` });
  }
  for (const name of config.snmp.traps.credentials)
    if (!(name in creds)) problems.push({ path: ['snmp', 'traps', 'credentials'], message: `no credential named "${name}" in snmp.credentials` });
  for (const [name, profile] of Object.entries(config.snmp.profiles)) {
    for (const key of ['interface_include', 'interface_exclude'] as const) {
      const bad = profile[key] ? compiles(profile[key]) : undefined;
      if (bad) problems.push({ path: ['snmp', 'profiles', name, key], message: `not a valid regular expression: ${bad}` });
    }
  }
  if (config.sink.retry_max_ms < config.sink.retry_initial_ms)
    problems.push({ path: ['sink', 'retry_max_ms'], message: 'must be at least retry_initial_ms' });
  problems.push(...coverageConfigProblems(config));
  problems.push(...alertingConfigProblems(config));
  return problems;
}

/** Parse and validate configuration text. `file` is only used in messages. */
export function parseConfig(text: string, file: string, opts: LoadEnv = {}): Config {
  const env = opts.env ?? process.env;
  const readFile = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const source = parseYamlSource(text, file);
  if (source.syntaxErrors.length) throw new ConfigError(source.syntaxErrors);
  const raw = source.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) throw new ConfigError([`${file}: (root): must be a mapping of keys`]);
  const value = applyDefaults(ConfigSchema, structuredClone(raw)) as Record<string, unknown>;
  const schemaProblems = describe(ConfigSchema, value);
  const format = (source: YamlSource, p: Problem) => {
    const pos = source.positionOf(p.path);
    return `${file}: ${formatPath(p.path)}: ${p.message}${pos ? ` (line ${pos.line})` : ''}`;
  };
  const secretProblems: Problem[] = [];
  resolveSecrets(value, [], env, readFile, secretProblems);
  const config = value as Config;
  // Cross-field checks assume the shape the schema guarantees, so they run only on a valid shape.
  const all = [...schemaProblems, ...secretProblems, ...(schemaProblems.length ? [] : crossChecks(config))];
  if (all.length) {
    const lineOf = (p: { path: (string | number)[] }) => source.positionOf(p.path)?.line ?? 0;
    throw new ConfigError([...all].sort((a, b) => lineOf(a) - lineOf(b)).map((p) => format(source, p)));
  }
  return config;
}

/** Read and parse a configuration file. A missing default file yields the defaults. */
export function loadConfigFile(path: string, opts: LoadEnv & { allowMissing?: boolean } = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.allowMissing) text = '';
    else throw new ConfigError([`${path}: cannot read: ${code ?? (err as Error).message}`]);
  }
  return parseConfig(text, path, opts);
}

/** The configuration with every default and no file at all. */
export function defaultConfig(): Config {
  return parseConfig('', '(defaults)');
}
