// netcov's command line: parse argv, dispatch to a command, map the outcome to an exit code
// (0 ok, 1 problem found, 2 usage). Signals for `netcov run` are handled here and only here.
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH } from './config/load.js';
import { configCheck } from './cli/config.js';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, languageOf, loadConfigOrReport, processIo, UsageError, type Io } from './cli/common.js';
import { inventoryCheck, inventoryStatsCommand } from './cli/inventory.js';
import { runCommand } from './cli/run.js';
import { simulateCliCommand } from './cli/simulate.js';
import { demoCliCommand } from './cli/demo.js';

interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; help: string }>;
  run(values: Record<string, string | boolean | undefined>, io: Io): Promise<number> | number;
}

const configOption = { config: { type: 'string' as const, short: 'c', help: `Configuration file (default ${DEFAULT_CONFIG_PATH}; absent default file = all defaults)` } };
const langOption = { lang: { type: 'string' as const, help: 'Language of the output: vi (default from config) or en' } };
const inventoryOptions = {
  dir: { type: 'string' as const, help: 'Inventory directory (default: config inventory.dir, else the shipped inventory)' },
  site: { type: 'string' as const, help: 'Site file overriding point fields (default: config inventory.site_file)' },
};

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

const COMMANDS: Command[] = [
  {
    name: 'run',
    summary: 'Run the monitoring daemon (probes, sink, alerts, feeds, API).',
    usage: 'netcov run [--config FILE]   (SIGHUP reloads config and inventory; SIGTERM/SIGINT stop)',
    options: { ...configOption },
    run(values, io) {
      // Signals, SIGHUP reload and systemd notifications live in cli/run.ts.
      return runCommand(str(values.config), io);
    },
  },
  {
    name: 'config check',
    summary: 'Validate the configuration file; report every problem as FILE: path.to.key: message.',
    usage: 'netcov config check [--config FILE] [--print]',
    options: { ...configOption, print: { type: 'boolean', help: 'Print the effective configuration (secrets shown as [secret])' } },
    run(values, io) {
      const file = str(values.config) ?? DEFAULT_CONFIG_PATH;
      const config = loadConfigOrReport(str(values.config), io);
      if (!config) return EXIT_PROBLEM;
      return configCheck(config, file, io, values.print === true);
    },
  },
  {
    name: 'inventory check',
    summary: 'Validate the inventory (units, villages, points, site file); errors and warnings with file:line.',
    usage: 'netcov inventory check [--config FILE] [--dir DIR] [--site FILE]',
    options: { ...configOption, ...inventoryOptions, ...langOption },
    run(values, io) {
      const config = loadConfigOrReport(str(values.config), io);
      if (!config) return EXIT_PROBLEM;
      return inventoryCheck(config, { ...(str(values.dir) ? { dir: str(values.dir) } : {}), ...(str(values.site) ? { site: str(values.site) } : {}) }, io, languageOf(config, str(values.lang)));
    },
  },
  {
    name: 'inventory stats',
    summary: 'Count units per level, points per kind, villages and population.',
    usage: 'netcov inventory stats [--config FILE] [--dir DIR] [--site FILE] [--json] [--lang vi|en]',
    options: { ...configOption, ...inventoryOptions, ...langOption, json: { type: 'boolean', help: 'Machine-readable output' } },
    run(values, io) {
      const config = loadConfigOrReport(str(values.config), io);
      if (!config) return EXIT_PROBLEM;
      const sel = { ...(str(values.dir) ? { dir: str(values.dir) } : {}), ...(str(values.site) ? { site: str(values.site) } : {}) };
      return inventoryStatsCommand(config, sel, io, languageOf(config, str(values.lang)), values.json === true);
    },
  },
];

/** Register a further command (later features: simulate, demo …) without touching the dispatcher. */
export function registerCommand(command: Command): void {
  COMMANDS.push(command);
}

registerCommand(simulateCliCommand);
registerCommand(demoCliCommand);

function helpFor(c: Command): string {
  const opts = Object.entries({ ...c.options, help: { type: 'boolean', short: 'h', help: 'Show this help' } }).map(
    ([name, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(30) + o.help,
  );
  return `${c.summary}\n\nUsage: ${c.usage}\n\nOptions:\n${opts.join('\n')}\n`;
}

function mainHelp(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`);
  return `netcov: network and coverage monitor for the Đắk Lắk dedicated government data network.\n\nUsage: netcov <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "netcov <command> --help" for a command's options.\nExit codes: 0 ok, 1 problem found, 2 usage error.\n`;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(mainHelp());
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  // Longest command name that prefixes argv ("inventory check" before "inventory").
  const command = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length).find((c) => c.name.split(' ').every((w, i) => argv[i] === w));
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.split(' ')[0] === argv[0]);
    if (group.length && (argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h')) {
      io.out(`Commands:\n${group.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`).join('\n')}\n`);
      return argv[1] === undefined ? EXIT_USAGE : EXIT_OK;
    }
    io.err(`netcov: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(command.name.split(' ').length);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(command.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
    ({ values } = parseArgs({ args: rest, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }));
  } catch (err) {
    io.err(`netcov ${command.name}: ${(err as Error).message}\n\n${helpFor(command)}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.out(helpFor(command));
    return EXIT_OK;
  }
  try {
    return await command.run(values, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`netcov ${command.name}: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

// Run when executed directly (tsx src/main.ts …); bin/netcov.js imports main() from dist instead.
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`netcov: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
