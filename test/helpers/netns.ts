// A network namespace of the test's own, with its loopback up: a whole simulated province (127.66.x.y
// agents, nftables faults, a daemon pinging them) runs inside it without touching, or being touched
// by, the other tests running in parallel on the host's loopback. Deleted in teardown (its nftables
// tables go with it). Needs root and `ip`; without them CI fails the test, elsewhere it is skipped.
import { spawnSync } from 'node:child_process';
import type { Test } from 'tap';
import { isCi, requireBinary } from './binaries.js';

export interface Netns {
  readonly name: string;
  /** argv prefix that runs a command inside the namespace: ['ip', 'netns', 'exec', name]. */
  readonly exec: readonly string[];
  /** Run a command inside the namespace and wait for it. */
  run(argv: readonly string[]): { status: number | null; stdout: string; stderr: string };
}

export function netns(t: Test, tag: string): Netns | undefined {
  const ip = requireBinary(t, 'ip');
  if (!ip) return undefined;
  if (process.getuid?.() !== 0) {
    if (isCi()) t.fail('a network namespace needs root (CI runs as root)');
    else t.plan(0, 'skipped: a network namespace needs root');
    return undefined;
  }
  const name = `netcov-${tag}-${process.pid}`;
  const add = spawnSync(ip, ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add ${name}: ${add.stderr}`);
  t.teardown(() => {
    spawnSync(ip, ['netns', 'del', name]);
  });
  const exec = [ip, 'netns', 'exec', name] as const;
  const up = spawnSync(ip, ['-n', name, 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`bringing lo up in ${name}: ${up.stderr}`);
  return {
    name,
    exec,
    run(argv) {
      const r = spawnSync(exec[0], [...exec.slice(1), ...argv], { encoding: 'utf8', timeout: 30_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
