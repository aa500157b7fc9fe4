// Real network faults on loopback with nftables: a uniquely named `inet` table with an input
// chain, rules that drop echo requests to an address or prefix (all, or N% at random) or UDP to a
// port, and deletion of the whole table. Used by tests, the simulator and benchmarks.
// Safety: only 127.0.0.0/8 targets are accepted, nft runs with an argument array (no shell), and
// the table only ever holds our own rules. Needs root (CAP_NET_ADMIN).
//
// Drops sit in the input hook on purpose: an output-hook drop makes the sender's sendto() fail
// with EPERM, which is not what a dead host looks like to a probe.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { findExecutable } from '../util/executable.js';
import { runProcess } from '../util/run-process.js';

/** Every table this module creates starts with this, so leftovers can be found. */
export const TABLE_PREFIX = 'netcov_';

export class NftError extends Error {
  override name = 'NftError';
}

export type NftAvailability = { ok: true; path: string } | { ok: false; reason: string };

/** Whether faults can be injected here: nft installed and the process is root. */
export function nftAvailability(env: NodeJS.ProcessEnv = process.env): NftAvailability {
  const path = findExecutable('nft', env);
  if (!path) return { ok: false, reason: "'nft' not found (Debian package nftables)" };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'nftables faults need root (CAP_NET_ADMIN)' };
  return { ok: true, path };
}

/**
 * `target` as an nft address: an IPv4 address or prefix (/8 … /32) inside 127.0.0.0/8, else
 * throws. The prefix must be a network address (127.66.9.0/24, not 127.66.9.7/24), as nft wants.
 */
export function loopbackTarget(target: string): string {
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(target);
  const address = m?.[1];
  if (!m || address === undefined || !isIPv4(address)) throw new NftError(`refusing fault target "${target}": not an IPv4 address or prefix`);
  const octets = address.split('.').map(Number);
  if (octets[0] !== 127) throw new NftError(`refusing fault target "${target}": only 127.0.0.0/8 (loopback) may be faulted`);
  if (m[2] !== undefined) {
    const len = Number(m[2]);
    if (len < 8 || len > 32) throw new NftError(`refusing fault target "${target}": prefix length must be 8–32`);
    const value = octets.reduce((acc, o) => acc * 256 + o, 0);
    const hostBits = 32 - len;
    if (value % 2 ** hostBits !== 0) throw new NftError(`refusing fault target "${target}": host bits set (use the network address)`);
  }
  return target;
}

/** A unique table name: netcov_<tag>_<pid>_<random>, e.g. netcov_icmp_4242_a1b2. */
export function faultTableName(tag: string): string {
  if (!/^[a-z0-9]{1,20}$/.test(tag)) throw new NftError(`table tag "${tag}" must be 1–20 lowercase letters or digits`);
  return `${TABLE_PREFIX}${tag}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
}

export interface FaultRule {
  /** nft rule handle within the table's input chain. */
  readonly handle: number;
  readonly description: string;
  /** Packets the rule has matched (dropped) so far. */
  packets(): Promise<number>;
  /** Take this fault away again (the table stays). */
  remove(): Promise<void>;
}

export interface FaultTable {
  readonly name: string;
  /** Drop every ICMP echo request to an address or prefix: the point(s) look dark. */
  dropEcho(target: string): Promise<FaultRule>;
  /**
   * Drop `percent` % of echo requests to an address or prefix: at random per packet (default), or
   * with `sequence: true` exactly `percent` of every 100 consecutive matching packets (nft's
   * `numgen inc`), for tests that need an exact figure.
   */
  dropEchoPercent(target: string, percent: number, options?: { sequence?: boolean }): Promise<FaultRule>;
  /** Drop UDP datagrams to an address or prefix and port (an SNMP agent that stays silent). */
  dropUdp(target: string, port: number): Promise<FaultRule>;
  /** Remove every rule, keep the table. */
  clear(): Promise<void>;
  /** Delete the table and its rules; safe to call twice. */
  delete(): Promise<void>;
}

export interface FaultTableOptions {
  /** Short tag in the table name (default "fault"). */
  tag: string;
  /** Also delete the table synchronously if the process exits before delete() (default true). */
  deleteOnExit: boolean;
}

export const DEFAULT_FAULT_TABLE: FaultTableOptions = { tag: 'fault', deleteOnExit: true };

async function nft(path: string, args: string[]): Promise<string> {
  const r = await runProcess(path, args, { deadlineMs: 10_000 });
  if (r.spawnError) throw new NftError(`nft could not run: ${r.spawnError.message}`);
  if (r.code !== 0) throw new NftError(`nft ${args.join(' ')} failed (status ${String(r.code)}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Create a fresh table with an accept-by-default input chain. Throws NftError without nft/root. */
export async function createFaultTable(options: Partial<FaultTableOptions> = {}): Promise<FaultTable> {
  const opts = { ...DEFAULT_FAULT_TABLE, ...options };
  const availability = nftAvailability();
  if (!availability.ok) throw new NftError(availability.reason);
  const path = availability.path;
  const name = faultTableName(opts.tag);
  await nft(path, ['add', 'table', 'inet', name]);
  let deleted = false;
  const onExit = () => {
    if (!deleted) spawnSync(path, ['delete', 'table', 'inet', name], { stdio: 'ignore' });
  };
  if (opts.deleteOnExit) process.once('exit', onExit);
  try {
    await nft(path, ['add', 'chain', 'inet', name, 'input', '{', 'type', 'filter', 'hook', 'input', 'priority', '0', ';', 'policy', 'accept', ';', '}']);
  } catch (err) {
    await nft(path, ['delete', 'table', 'inet', name]).catch(() => undefined);
    throw err;
  }

  const addRule = async (match: string[], description: string): Promise<FaultRule> => {
    if (deleted) throw new NftError(`table ${name} was deleted`);
    // --echo --handle prints the rule back with "# handle N".
    const out = await nft(path, ['--echo', '--handle', 'add', 'rule', 'inet', name, 'input', ...match, 'counter', 'drop']);
    const handle = Number(/# handle (\d+)/.exec(out)?.[1]);
    if (!Number.isInteger(handle)) throw new NftError(`nft did not report a rule handle: ${out.trim()}`);
    return {
      handle,
      description,
      async packets() {
        const listing = JSON.parse(await nft(path, ['--json', 'list', 'chain', 'inet', name, 'input'])) as { nftables: { rule?: { handle: number; expr: { counter?: { packets: number } }[] } }[] };
        const rule = listing.nftables.find((e) => e.rule?.handle === handle)?.rule;
        if (!rule) throw new NftError(`rule ${handle} (${description}) is not in table ${name}`);
        return rule.expr.find((e) => e.counter)?.counter?.packets ?? 0;
      },
      async remove() {
        await nft(path, ['delete', 'rule', 'inet', name, 'input', 'handle', String(handle)]);
      },
    };
  };

  return {
    name,
    async dropEcho(target) {
      const t = loopbackTarget(target);
      return addRule(['ip', 'daddr', t, 'icmp', 'type', 'echo-request'], `drop echo requests to ${t}`);
    },
    async dropEchoPercent(target, percent, options = {}) {
      const t = loopbackTarget(target);
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new NftError(`percent must be an integer 0–100, got ${percent}`);
      const generator = options.sequence ? 'inc' : 'random';
      return addRule(['ip', 'daddr', t, 'icmp', 'type', 'echo-request', 'numgen', generator, 'mod', '100', '<', String(percent)], `drop ${percent}% of echo requests to ${t} (${generator})`);
    },
    async dropUdp(target, port) {
      const t = loopbackTarget(target);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NftError(`port must be 1–65535, got ${port}`);
      return addRule(['ip', 'daddr', t, 'udp', 'dport', String(port)], `drop UDP to ${t}:${port}`);
    },
    async clear() {
      await nft(path, ['flush', 'chain', 'inet', name, 'input']);
    },
    async delete() {
      if (deleted) return;
      deleted = true;
      process.removeListener('exit', onExit);
      await nft(path, ['delete', 'table', 'inet', name]);
    },
  };
}

/**
 * Delete netcov fault tables left behind by processes that no longer exist (a test runner killed
 * mid-test). Tables of live processes are left alone. Returns the names deleted.
 */
export async function deleteStaleFaultTables(): Promise<string[]> {
  const availability = nftAvailability();
  if (!availability.ok) return [];
  const out = await nft(availability.path, ['list', 'tables', 'inet']);
  const deleted: string[] = [];
  for (const m of out.matchAll(/^table inet (netcov_[a-z0-9]+_(\d+)_[a-z0-9]+)$/gm)) {
    const [, name, pid] = m;
    if (existsSync(`/proc/${pid!}`)) continue;
    await nft(availability.path, ['delete', 'table', 'inet', name!]).catch(() => undefined);
    deleted.push(name!);
  }
  return deleted;
}
