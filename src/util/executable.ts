// Find an executable the way a service would run it: an absolute or relative path as given, else
// the first match on PATH, then the sbin/bin dirs a systemd unit's PATH may lack.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `nameOrPath` if it can be executed, else undefined. */
export function findExecutable(nameOrPath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (nameOrPath === '') return undefined;
  if (nameOrPath.includes('/')) {
    const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
    return isExecutable(path) ? path : undefined;
  }
  const dirs = [...(env.PATH ?? '').split(delimiter), ...EXTRA_DIRS].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, nameOrPath);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}
