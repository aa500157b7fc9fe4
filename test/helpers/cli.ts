// Run netcov's CLI in-process with captured output (fast), or as a real child process when the
// exit code and streams of the actual binary matter.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { main } from '../../src/main.js';
import type { Io } from '../../src/cli/common.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`), env: { ...process.env, ...env } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The real thing: `node --import tsx src/main.ts …` as a child process (no shell). */
export function spawnCli(argv: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'src/main.ts'), ...argv], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
