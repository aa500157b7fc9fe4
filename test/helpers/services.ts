// Starts REAL services (Debian's influxd 1.6, snmpd 5.9, snmpsimd 0.4.5) on free loopback ports
// in private temp dirs for tap integration tests, waits until they answer, and stops them and
// removes their dirs in the test's teardown (and, as a backstop, when the process exits).
//
// Every start* returns undefined when its binary is missing: the test has then already been failed
// (CI=true) or marked skipped (see binaries.ts), and the caller must simply `return`:
//
//   void t.test('writes survive an influxd restart', async (t) => {
//     const influx = await startInfluxd(t);
//     if (influx === undefined) return;
//     ... fetch(`${influx.url}/write?db=x`, ...); await influx.stop(); await influx.restart(); ...
//   });
//
// Call start* inside a subtest, before any assertion (a skip is recorded as that test's plan(0)).
// A service that fails to come up rejects with its log tail in the message.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireBinaries } from './binaries.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import { logTail, makeTempDir, spawnService, waitReady, type ChildService } from './process.js';
import { snmpAnswers } from './snmp-client.js';
import { influxdConfig } from '../../src/sim/influxd.js';

export { APT_PACKAGE, findBinary, isCi, requireBinaries, requireBinary } from './binaries.js';
export { freePort, freeTcpPort, freeUdpPort, releasePort } from './ports.js';
export type { FreePortOptions, PortProtocol } from './ports.js';

// Python-based snmpsimd and a cold influxd can be slow on a loaded CI runner; these are deadlines,
// not delays (the services are normally up in 0.1–0.5 s).
const DEFAULT_START_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------- influxd

export interface InfluxdOptions {
  /** Deadline for /ping to answer 204 (default 20 s). */
  startTimeoutMs?: number;
  /** Turn on authentication and create this admin user (the first user InfluxDB 1.x lets in). */
  auth?: { user: string; password: string };
}

export interface InfluxdService {
  /** Base URL of the 1.x HTTP API, e.g. http://127.0.0.1:23456 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Port of the top-level RPC (backup/restore) listener, also on 127.0.0.1. */
  readonly rpcPort: number;
  /** Temp dir holding influxdb.conf, influxd.log and the meta/, data/, wal/ dirs. */
  readonly dataDir: string;
  readonly logFile: string;
  /** True between a successful start and stop(). */
  readonly running: boolean;
  /** Stop influxd (SIGTERM, then SIGKILL after 10 s); data and port are kept for restart(). */
  stop(): Promise<void>;
  /** Start again on the same port with the same data dir (stopping first if still running). */
  restart(): Promise<void>;
}

async function influxdPings(url: string): Promise<boolean> {
  const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer(); // drain so the connection can be reused or closed
  return res.status === 204;
}

/** Start influxd 1.x on 127.0.0.1:<free port> with its data in a fresh temp dir. */
export async function startInfluxd(
  t: Test,
  options: InfluxdOptions = {},
): Promise<InfluxdService | undefined> {
  const bins = requireBinaries(t, ['influxd']);
  if (bins === undefined) return undefined;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  const dir = makeTempDir(t, 'influxd');
  const port = await freeTcpPort();
  const rpcPort = await freeTcpPort();
  const configFile = join(dir, 'influxdb.conf');
  writeFileSync(configFile, influxdConfig(dir, port, rpcPort, { auth: options.auth !== undefined }));
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'influxd.log');

  let proc: ChildService | undefined;

  const start = async (): Promise<void> => {
    const p = spawnService('influxd', bins.influxd, ['-config', configFile], { logFile, cwd: dir });
    try {
      await waitReady(p, () => influxdPings(url), { timeoutMs });
    } catch (err) {
      await p.stop();
      throw err;
    }
    proc = p;
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p !== undefined) await p.stop(10_000);
  };

  t.teardown(async () => {
    reportUnexpectedExit(t, proc);
    await stop();
  });
  await start();
  if (options.auth) {
    // With auth on and no user yet, InfluxDB 1.x accepts exactly one statement: the first admin.
    const q = `CREATE USER "${options.auth.user}" WITH PASSWORD '${options.auth.password.replace(/'/g, "\\'")}' WITH ALL PRIVILEGES`;
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
    const body = await res.text();
    if (res.status !== 200 || body.includes('"error"')) throw new Error(`influxd: creating the admin user failed: ${res.status} ${body}`);
  }

  return {
    url,
    port,
    rpcPort,
    dataDir: dir,
    logFile,
    get running() {
      return proc !== undefined && proc.exitInfo() === undefined;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** A service that died on its own during the test: say so, with its log, to explain failures. */
/** The service's stop(), also run in teardown; a service that died on its own is reported there. */
function stopInTeardown(t: Test, proc: ChildService): () => Promise<void> {
  let stopped = false;
  const stop = async (): Promise<void> => {
    stopped = true;
    await proc.stop();
  };
  t.teardown(async () => {
    if (!stopped) reportUnexpectedExit(t, proc);
    await stop();
  });
  return stop;
}

function reportUnexpectedExit(t: Test, proc: ChildService | undefined): void {
  const info = proc?.exitInfo();
  if (proc === undefined || info === undefined) return;
  t.comment(
    `${proc.name} exited during the test (code ${String(info.code)}, signal ${String(info.signal)});` +
      ` last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
  );
}

// ------------------------------------------------------------------------------------------ snmpd

export type SnmpAuthProtocol = 'MD5' | 'SHA' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type SnmpPrivProtocol = 'DES' | 'AES';

export interface SnmpV3User {
  name: string;
  authProtocol: SnmpAuthProtocol;
  /** Passphrase, at least 8 characters (net-snmp's minimum). */
  authKey: string;
  /** Omit (with privKey) for an authNoPriv user. */
  privProtocol?: SnmpPrivProtocol;
  privKey?: string;
}

export interface SnmpdOptions {
  /** Read-only v2c/v1 community, allowed from 127.0.0.1 only (default 'public'). */
  community?: string;
  /** Read-only v3 users (authPriv if privProtocol is set, else authNoPriv). */
  v3Users?: readonly SnmpV3User[];
  sysName?: string;
  sysDescr?: string;
  sysLocation?: string;
  sysContact?: string;
  /** Raw snmpd.conf lines appended verbatim (the test's own responsibility). */
  extraConfig?: readonly string[];
  /** Deadline for the agent to answer (default 20 s). */
  startTimeoutMs?: number;
}

export interface SnmpdService {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly community: string;
  readonly logFile: string;
  /**
   * Environment for net-snmp command-line tools (snmpget, snmpwalk…) aimed at this agent: no MIB
   * loading (Debian ships few MIBs, and tests use numeric OIDs) and a private persistent dir.
   */
  readonly clientEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;

function confValue(what: string, value: string): string {
  // Passphrases are written inside double quotes (createUser parses quoted words); keep them in.
  if (/["\r\n\\]/.test(value)) throw new Error(`startSnmpd: ${what} must not contain quotes, backslashes or newlines`);
  return `"${value}"`;
}

function confName(what: string, value: string): string {
  if (!NAME_RE.test(value)) throw new Error(`startSnmpd: ${what} '${value}' must match ${String(NAME_RE)}`);
  return value;
}

function snmpdConfig(port: number, community: string, options: SnmpdOptions): string {
  const lines = [
    `agentAddress udp:127.0.0.1:${port}`,
    `rocommunity ${confName('community', community)} 127.0.0.1`,
    // One log line per request is noise in the log we quote on failure.
    'dontLogTCPWrappersConnects yes',
  ];
  const sys: [string, string | undefined][] = [
    ['sysName', options.sysName],
    ['sysDescr', options.sysDescr],
    ['sysLocation', options.sysLocation],
    ['sysContact', options.sysContact],
  ];
  for (const [key, value] of sys) {
    if (value === undefined) continue;
    // snmpd keeps quotes in these values literally, so they are written bare: the rest of the line.
    if (/[\r\n]/.test(value) || value.trim() !== value || value === '') {
      throw new Error(`startSnmpd: ${key} must be one non-empty line without surrounding spaces`);
    }
    lines.push(`${key} ${value}`);
  }
  for (const user of options.v3Users ?? []) {
    const name = confName('v3 user name', user.name);
    if (user.authKey.length < 8) throw new Error(`startSnmpd: authKey of ${name} must have at least 8 characters`);
    let create = `createUser ${name} ${user.authProtocol} ${confValue('authKey', user.authKey)}`;
    if (user.privProtocol !== undefined) {
      const privKey = user.privKey ?? '';
      if (privKey.length < 8) throw new Error(`startSnmpd: privKey of ${name} must have at least 8 characters`);
      create += ` ${user.privProtocol} ${confValue('privKey', privKey)}`;
    }
    // With -C, snmpd reads no persistent config at start, so createUser must sit in the -c file
    // (verified with snmpd 5.9.3: a createUser in $SNMP_PERSISTENT_DIR/snmpd.conf is ignored).
    lines.push(create, `rouser ${name} ${user.privProtocol !== undefined ? 'authPriv' : 'authNoPriv'}`);
  }
  lines.push(...(options.extraConfig ?? []), '');
  return lines.join('\n');
}

/** Start snmpd on udp:127.0.0.1:<free port> with only the given community and v3 users. */
export async function startSnmpd(t: Test, options: SnmpdOptions = {}): Promise<SnmpdService | undefined> {
  const bins = requireBinaries(t, ['snmpd']);
  if (bins === undefined) return undefined;
  const community = options.community ?? 'public';
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  const dir = makeTempDir(t, 'snmpd');
  const port = await freeUdpPort();
  const configFile = join(dir, 'snmpd.conf');
  writeFileSync(configFile, snmpdConfig(port, community, options), { mode: 0o600 });
  const persistentDir = join(dir, 'persist');
  mkdirSync(persistentDir);
  const agentLog = join(dir, 'snmpd.log');
  const stdioLog = join(dir, 'snmpd.stdio.log');

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // No MIB parsing: saves time and hundreds of "Cannot find module" lines on Debian.
    MIBS: '',
    MIBDIRS: join(dir, 'no-mibs'),
    SNMPCONFPATH: join(dir, 'no-conf'),
  };
  const env = { ...baseEnv, SNMP_PERSISTENT_DIR: persistentDir };
  const clientEnv = { ...baseEnv, SNMP_PERSISTENT_DIR: join(dir, 'client-persist') };

  const args = [
    '-f', // foreground, so we own the process
    '-C', // read no config but ours
    '-c', configFile,
    '-I', '-smux', // the smux module would listen on 0.0.0.0:199 and collide between instances
    '-Lf', agentLog,
    '-p', join(dir, 'snmpd.pid'),
  ];
  const proc = spawnService('snmpd', bins.snmpd, args, { logFile: stdioLog, cwd: dir, env });
  const stop = stopInTeardown(t, proc);
  try {
    await waitReady(proc, () => snmpAnswers('127.0.0.1', port, community), {
      timeoutMs,
      logFiles: [agentLog],
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, community, logFile: agentLog, clientEnv, stop };
}

// --------------------------------------------------------------------------------------- snmpsimd

export interface SnmpsimOptions {
  /** Loopback addresses to serve on, e.g. ['127.66.1.1', '127.66.1.2']. */
  endpoints: readonly string[];
  /** UDP port on every endpoint (default: one free on all of them). */
  port?: number;
  /** community -> .snmprec text (`OID|TYPE|VALUE` lines); each community answers on every endpoint. */
  dataFiles: Readonly<Record<string, string>>;
  /** Silence snmpsimd's per-request logging (benchmarks); default false (logs help debugging). */
  quiet?: boolean;
  /** Deadline for every endpoint to answer (default 20 s). */
  startTimeoutMs?: number;
}

export interface SnmpsimService {
  readonly endpoints: readonly string[];
  readonly port: number;
  readonly communities: readonly string[];
  /** The --data-dir holding <community>.snmprec files. */
  readonly dataDir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

// snmpsimd refuses to run as root; these are Debian's unprivileged ids.
const SIM_USER = 'nobody';
const SIM_GROUP = 'nogroup';

/** Start snmpsimd serving `dataFiles` on every endpoint:port. */
export async function startSnmpsim(t: Test, options: SnmpsimOptions): Promise<SnmpsimService | undefined> {
  const bins = requireBinaries(t, ['snmpsimd']);
  if (bins === undefined) return undefined;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const communities = Object.keys(options.dataFiles);
  const firstCommunity = communities[0];
  if (firstCommunity === undefined) throw new Error('startSnmpsim: dataFiles must name at least one community');
  for (const c of communities) {
    // The community is the file name: no path separators or other surprises.
    if (!NAME_RE.test(c)) throw new Error(`startSnmpsim: community '${c}' must match ${String(NAME_RE)}`);
  }
  if (options.endpoints.length === 0) throw new Error('startSnmpsim: endpoints must not be empty');
  for (const ep of options.endpoints) {
    // Tests only ever serve on loopback (docs/platform-notes.md).
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ep)) throw new Error(`startSnmpsim: ${ep} is not a 127.x.y.z address`);
  }

  const port = options.port ?? (await freeUdpPort(options.endpoints));
  const dir = makeTempDir(t, 'snmpsim'); // 0755: readable by the dropped-privilege user
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  for (const [community, text] of Object.entries(options.dataFiles)) {
    writeFileSync(join(dataDir, `${community}.snmprec`), text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
  }
  // Index cache written by the unprivileged user; private per instance so parallel runs don't share.
  const cacheDir = join(dir, 'cache');
  mkdirSync(cacheDir);
  chmodSync(cacheDir, 0o777);
  const logFile = join(dir, 'snmpsimd.log');

  const args = [`--data-dir=${dataDir}`, `--cache-dir=${cacheDir}`];
  for (const ep of options.endpoints) args.push(`--agent-udpv4-endpoint=${ep}:${port}`);
  if (process.getuid?.() === 0) args.push(`--process-user=${SIM_USER}`, `--process-group=${SIM_GROUP}`);
  if (options.quiet === true) args.push('--logging-method=null');

  const proc = spawnService('snmpsimd', bins.snmpsimd, args, { logFile, cwd: dir });
  const stop = stopInTeardown(t, proc);
  try {
    await waitReady(
      proc,
      async () => (await Promise.all(options.endpoints.map((ep) => snmpAnswers(ep, port, firstCommunity)))).every(Boolean),
      { timeoutMs, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoints: [...options.endpoints], port, communities, dataDir, logFile, stop };
}
