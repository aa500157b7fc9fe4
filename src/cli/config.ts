// `netcov config check`: validate the configuration; `--print` shows the effective config with
// every default filled in and every secret shown as "[secret]" (never its value).
import { stringify } from 'yaml';
import type { Config } from '../config/schema.js';
import { EXIT_OK, type Io } from './common.js';

export function configCheck(config: Config, file: string, io: Io, print: boolean): number {
  if (print) io.out(stringify(JSON.parse(JSON.stringify(config)) as unknown));
  io.out(`${file}: ok`);
  return EXIT_OK;
}
