// `netcov simulate`: the simulated province on loopback (SNMP agents for every point, the coverage
// feeds, a scenario's incidents) until Ctrl-C. Point `netcov run` at it with the config fragment
// it prints (or use `npm run demo`, which does both).
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Language } from '../i18n.js';
import type { Inventory } from '../inventory/model.js';
import { feedConfig } from '../sim/demo-config.js';
import type { IncidentEvent } from '../sim/incidents.js';
import { M } from '../sim/messages.js';
import { loadScenario, ScenarioError, type Scenario } from '../sim/scenario.js';
import { DEFAULT_COVERAGE_SAMPLE_DIR, outageRulesFrom, SCENARIO_DIR, startSimulator, type Simulator } from '../sim/simulator.js';
import { stringify } from 'yaml';
import { EXIT_OK, EXIT_PROBLEM, languageOf, loadConfigOrReport, UsageError, type Io } from './common.js';
import { inventoryPaths } from './inventory.js';
import { loadInventory, InventoryError } from '../inventory/load.js';

/** `demo` → src/sim/scenarios/demo.yaml; anything with a slash or .yaml is a path. */
export function scenarioPath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) return isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  if (!/^[a-z0-9-]+$/.test(nameOrPath)) throw new UsageError(`--scenario: "${nameOrPath}" is neither a scenario name nor a .yaml file`);
  return join(SCENARIO_DIR, `${nameOrPath}.yaml`);
}

/**
 * Resolves on the first SIGINT/SIGTERM. A second one exits at once: process.exit() still runs the
 * exit hooks, which delete the nftables table synchronously (a signal's default action would not).
 */
export function stopSignals(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    let seen = false;
    const on = (signal: NodeJS.Signals) => {
      if (seen) process.exit(130);
      seen = true;
      resolveSignal(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Wall-clock time for people, in the configured zone. */
export function clock(atMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(atMs);
}

/** One line per incident event, for people. */
export function eventLine(lang: Language, e: IncidentEvent, timeZone = 'Asia/Ho_Chi_Minh'): string {
  const time = clock(e.atMs, timeZone);
  switch (e.type) {
    case 'start':
      return `${time} ${M.started(lang, e.plan.description)}${e.plan.affects ? ` [${e.plan.affects}]` : ''}`;
    case 'end':
      return `${time} ${M.ended(lang, e.plan.description)}`;
    case 'flap':
      return `${time} ${M.flap(lang, e.plan.description, e.up)}`;
    case 'error':
      return `${time} ${M.error(lang, e.plan.description, e.message)}`;
    case 'scenario_end':
      return `${time} ${M.scenarioEnd(lang)}`;
  }
}

/** What the simulator is and will do, for people (also used by the demo). */
export function describeSimulator(lang: Language, sim: Simulator, scenario: Scenario | undefined, snmpPort: number, coverageDir: string): string[] {
  const lines = [sim.agents ? M.agents(lang, sim.agents.addresses.length, snmpPort) : M.noAgents(lang), M.feeds(lang, sim.coverage.url)];
  if (!sim.feedFiles.cells) lines.push(M.noFeedFiles(lang, coverageDir));
  lines.push(sim.faultTable ? M.nftOn(lang, sim.faultTable.name) : M.nftOff(lang, sim.nftUnavailable ?? '?'));
  if (scenario) {
    lines.push(M.scenario(lang, scenario.name, scenario.incidents.length));
    for (const p of sim.plans) {
      lines.push(M.planned(lang, p.startS, p.description, p.affects));
      for (const s of p.skipped) lines.push(M.skipped(lang, s));
    }
  }
  return lines;
}

export interface SimulateArgs {
  config?: string;
  scenario?: string;
  port: number;
  coverageDir?: string;
  coveragePort: number;
  nft: boolean;
  agents: boolean;
  json: boolean;
  lang?: string;
}

function loadInventoryOrReport(config: Config, io: Io): Inventory | undefined {
  try {
    const { dir, siteFile } = inventoryPaths(config, {});
    return loadInventory(dir, { ...(siteFile ? { siteFile } : {}) }).inventory;
  } catch (err) {
    if (err instanceof InventoryError) {
      for (const e of err.errors) io.err(e);
      return undefined;
    }
    throw err;
  }
}

export async function simulateCommand(args: SimulateArgs, io: Io): Promise<number> {
  const config = loadConfigOrReport(args.config, io);
  if (!config) return EXIT_PROBLEM;
  const lang = languageOf(config, args.lang);
  const inventory = loadInventoryOrReport(config, io);
  if (!inventory) return EXIT_PROBLEM;
  let scenario: Scenario | undefined;
  if (args.scenario) {
    try {
      scenario = loadScenario(scenarioPath(args.scenario), inventory);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) io.err(p);
      return EXIT_PROBLEM;
    }
  }
  const coverageDir = args.coverageDir ? resolve(args.coverageDir) : DEFAULT_COVERAGE_SAMPLE_DIR;
  const print = (line: string, json?: object) => io.out(args.json ? JSON.stringify(json ?? { message: line }) : line);
  const stopSignal = stopSignals();
  const sim = await startSimulator({
    inventory,
    snmpPort: args.port,
    agents: args.agents,
    coveragePort: args.coveragePort,
    coverageDir,
    ...(scenario ? { scenario } : {}),
    nftFaults: args.nft ? 'auto' : 'off',
    outageRules: outageRulesFrom(config),
    lang,
    onEvent: (e) => print(eventLine(lang, e, config.timezone), { event: `incident_${e.type}`, ...('plan' in e ? { incident: e.plan.index, description: e.plan.description } : {}), ...('up' in e ? { up: e.up } : {}), ...('message' in e ? { error: e.message } : {}) }),
  });
  try {
    if (args.json)
      print('', {
        event: 'simulator_ready',
        snmp_port: args.port,
        agents: sim.agents?.addresses.length ?? 0,
        coverage_url: sim.coverage.url,
        feeds: sim.coverage.urls,
        nft_table: sim.faultTable?.name ?? null,
        nft_unavailable: sim.nftUnavailable ?? null,
        incidents: sim.plans.map((p) => ({ index: p.index, kind: p.incident.kind, at_s: p.startS, description: p.description, affects: p.affects, skipped: p.skipped })),
      });
    else {
      for (const line of describeSimulator(lang, sim, scenario, args.port, coverageDir)) print(line);
      print('');
      print(lang === 'vi' ? '# Cấu hình cho `netcov run` (thêm vào tệp cấu hình):' : '# For `netcov run` (add to its configuration):');
      print(stringify({ snmp: { port: args.port }, coverage: { feeds: feedConfig(sim.coverage.urls, 10) } }).trimEnd());
      print('');
      print(M.ctrlC(lang));
    }
    await stopSignal;
    print(M.stopping(lang), { event: 'simulator_stopping' });
  } finally {
    await sim.stop();
  }
  print(M.stopped(lang), { event: 'simulator_stopped' });
  return EXIT_OK;
}

const num = (v: string | boolean | undefined, name: string, def: number) => {
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
  return n;
};

/** The command as registered in main.ts. */
export const simulateCliCommand = {
  name: 'simulate',
  summary: 'Run the simulated province on loopback: SNMP agents, coverage feeds, scripted incidents.',
  usage: 'netcov simulate [--scenario demo|FILE] [--port 1161] [--coverage-port 8061] [--coverage-dir DIR] [--no-nft] [--json]',
  options: {
    config: { type: 'string' as const, short: 'c', help: 'netcov configuration (inventory, coverage rules, language)' },
    scenario: { type: 'string' as const, help: 'Scenario name (src/sim/scenarios/NAME.yaml) or file' },
    port: { type: 'string' as const, help: 'UDP port of every SNMP agent (default 1161)' },
    'coverage-port': { type: 'string' as const, help: 'TCP port of the coverage feed server on 127.0.0.1 (default 8061; 0: any)' },
    'coverage-dir': { type: 'string' as const, help: 'Directory of the sample feeds (default inventory/coverage)' },
    'no-nft': { type: 'boolean' as const, help: 'No nftables faults even as root (agent and feed faults only)' },
    'no-agents': { type: 'boolean' as const, help: 'No SNMP agents (coverage feeds only)' },
    json: { type: 'boolean' as const, help: 'One JSON object per line instead of text' },
    lang: { type: 'string' as const, help: 'vi (default from config) or en' },
  },
  run(values: Record<string, string | boolean | undefined>, io: Io): Promise<number> {
    const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
    return simulateCommand(
      {
        ...(str(values.config) ? { config: str(values.config) } : {}),
        ...(str(values.scenario) ? { scenario: str(values.scenario) } : {}),
        ...(str(values['coverage-dir']) ? { coverageDir: str(values['coverage-dir']) } : {}),
        ...(str(values.lang) ? { lang: str(values.lang) } : {}),
        port: num(values.port, 'port', 1161),
        coveragePort: num(values['coverage-port'], 'coverage-port', 8061),
        nft: values['no-nft'] !== true,
        agents: values['no-agents'] !== true,
        json: values.json === true,
      },
      io,
    );
  },
};
