// The simulated province: an SNMP agent per inventory point at its loopback address, the carriers'
// coverage feeds on a loopback HTTP server, and a scenario's incidents on a clock. Used by
// `netcov simulate`, the demo and tests. Everything stays on 127.0.0.0/8; stop() undoes every
// fault and deletes the nftables table it made.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import type { Language } from '../i18n.js';
import { isLoopback } from '../inventory/address.js';
import type { Inventory } from '../inventory/model.js';
import { cellsCovering, DEFAULT_OUTAGE_RULES, pickOutageVillage, readCellsFile, readDownCells, readMeasurementPoints, readReportedVillages, type OutageRules, type SimCell } from './cell-outage.js';
import { findFeedFiles, startCoverageServer, type CoverageServer, type FeedFiles } from './coverage-server.js';
import { planIncidents, runIncidents, type Capabilities, type IncidentEvent, type IncidentRunner, type PlannedIncident } from './incidents.js';
import { createFaultTable, deleteStaleFaultTables, nftAvailability, type FaultTable } from './nft.js';
import type { Scenario } from './scenario.js';
import { startSnmpAgents, type SnmpAgents } from './snmp-agents.js';

/** The SAMPLE coverage feeds shipped with netcov (cells, status, measurements, reports; data/coverage-sample/README.md). */
export const DEFAULT_COVERAGE_SAMPLE_DIR = fileURLToPath(new URL('../../data/coverage-sample', import.meta.url));
/** The shipped scenarios. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../src/sim/scenarios', import.meta.url));

export interface SimulatorOptions {
  inventory: Inventory;
  /** UDP port of every agent (unprivileged). */
  snmpPort: number;
  communities: readonly string[];
  /** Start SNMP agents at all (tests of the feeds alone may not want 235 of them). */
  agents: boolean;
  /** Directory of the sample coverage feeds; files found by name (cells*.csv …). */
  coverageDir: string;
  /** Explicit feed files (win over coverageDir). */
  coverageFiles?: FeedFiles;
  /** TCP port of the coverage feed server (0: any free one). */
  coveragePort: number;
  scenario?: Scenario;
  /** 'auto': nftables faults when root and nft are there; 'off': never (agent and feed faults only). */
  nftFaults: 'auto' | 'off';
  /** How cells cover villages (from the netcov config's coverage section). */
  outageRules: OutageRules;
  onEvent: (e: IncidentEvent) => void;
  /** Run the scenario's clock from start (true), or only when startIncidents() is called. */
  incidentsAtStart: boolean;
  /** Language of incident descriptions. */
  lang: Language;
}

export const DEFAULT_SIMULATOR: Omit<SimulatorOptions, 'inventory'> = {
  snmpPort: 1161,
  communities: ['public'],
  agents: true,
  coverageDir: DEFAULT_COVERAGE_SAMPLE_DIR,
  coveragePort: 0,
  nftFaults: 'auto',
  outageRules: DEFAULT_OUTAGE_RULES,
  onEvent: () => undefined,
  incidentsAtStart: true,
  lang: 'vi',
};

/** The outage rules of a netcov config (so the simulator and the daemon agree on coverage). */
export function outageRulesFrom(config: Config): OutageRules {
  const c = config.coverage as unknown as Partial<{
    mcc: string;
    dead_zone: { radios: string[] };
    prediction: { default_range_m: number; max_range_m: number };
    measurement_radius_m: number;
  }>;
  return {
    mcc: c.mcc ?? DEFAULT_OUTAGE_RULES.mcc,
    radios: c.dead_zone?.radios ?? DEFAULT_OUTAGE_RULES.radios,
    defaultRangeM: c.prediction?.default_range_m ?? DEFAULT_OUTAGE_RULES.defaultRangeM,
    maxRangeM: c.prediction?.max_range_m ?? DEFAULT_OUTAGE_RULES.maxRangeM,
    measurementRadiusM: c.measurement_radius_m ?? DEFAULT_OUTAGE_RULES.measurementRadiusM,
  };
}

export interface Simulator {
  readonly agents?: SnmpAgents;
  readonly coverage: CoverageServer;
  readonly feedFiles: FeedFiles;
  readonly plans: readonly PlannedIncident[];
  /** The nftables table in use, if faults run here. */
  readonly faultTable?: FaultTable;
  /** Why nftables faults do not run here (not root, nft missing, disabled), if they do not. */
  readonly nftUnavailable?: string;
  /** The scenario's clock, once started. */
  readonly runner?: IncidentRunner;
  /** Start the scenario's clock (if incidentsAtStart was false); returns its runner. */
  startIncidents(): IncidentRunner | undefined;
  stop(): Promise<void>;
}

export async function startSimulator(options: Partial<SimulatorOptions> & Pick<SimulatorOptions, 'inventory'>): Promise<Simulator> {
  const o: SimulatorOptions = { ...DEFAULT_SIMULATOR, ...options };
  const notLoopback = o.inventory.points.filter((p) => !isLoopback(p.address));
  if (notLoopback.length)
    throw new Error(`the simulator only works on loopback addresses; ${notLoopback.length} points are elsewhere (e.g. ${notLoopback[0]?.id} at ${notLoopback[0]?.address}): use the shipped inventory without a site file`);

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    // Feeds first: cheap, and the outage plan needs the cells.
    const feedFiles = o.coverageFiles ?? findFeedFiles(o.coverageDir);
    const coverage = await startCoverageServer({ port: o.coveragePort, files: feedFiles });
    cleanups.push(() => coverage.stop());

    let agents: SnmpAgents | undefined;
    if (o.agents) {
      agents = await startSnmpAgents({ agents: o.inventory.points.map((p) => ({ address: p.address, name: p.id })), port: o.snmpPort, communities: o.communities });
      cleanups.push(() => agents!.stop());
    }

    let nftUnavailable: string | undefined;
    let faultTable: FaultTable | undefined;
    const needsNft = o.scenario?.incidents.some((i) => ['point_dark', 'district_dark', 'packet_loss'].includes(i.kind)) ?? false;
    if (o.nftFaults === 'off') nftUnavailable = 'nftables faults are turned off (--no-nft)';
    else {
      const availability = nftAvailability();
      if (!availability.ok) nftUnavailable = availability.reason;
      else if (needsNft) {
        await deleteStaleFaultTables();
        faultTable = await createFaultTable({ tag: 'sim' });
        cleanups.push(() => faultTable!.delete());
      }
    }

    let cells: SimCell[] | undefined;
    const caps: Capabilities = {
      ...(nftUnavailable ? { nftUnavailable } : {}),
      ...(agents ? {} : { agentsUnavailable: 'SNMP agents are not running' }),
      resolveCells(incident) {
        if (incident.cells) return { keys: incident.cells };
        if (!feedFiles.cells) return { unavailable: `no sample cells file in ${o.coverageDir}` };
        cells ??= readCellsFile(feedFiles.cells, o.outageRules);
        if (incident.village && incident.village !== 'auto') {
          const village = o.inventory.villages.find((v) => v.code === incident.village);
          if (!village) return { unavailable: `no village ${incident.village}` };
          const covering = cellsCovering(village, cells, o.outageRules);
          if (covering.length === 0) return { unavailable: `village ${village.code} (${village.name}) is covered by no cell: it is a dead zone already` };
          return { keys: covering.map((c) => c.key), village: { code: village.code, name: village.name, population: village.population } };
        }
        const pick = pickOutageVillage(o.inventory.villages, cells, o.outageRules, {
          ...(feedFiles.status ? { downCells: readDownCells(feedFiles.status, o.outageRules) } : {}),
          measurementPoints: feedFiles.measurements ? readMeasurementPoints(feedFiles.measurements) : [],
          reportedVillages: feedFiles.reports ? readReportedVillages(feedFiles.reports) : new Set(),
          maxCells: 4,
        });
        if (!pick) return { unavailable: 'no village is covered by 4 cells or fewer on prediction alone' };
        return { keys: pick.cells.map((c) => c.key), village: { code: pick.village.code, name: pick.village.name, population: pick.village.population } };
      },
    };
    const plans = o.scenario ? planIncidents(o.scenario, o.inventory, caps, o.lang) : [];
    let runner: IncidentRunner | undefined;
    const startIncidents = () => {
      if (runner || !o.scenario) return runner;
      const r = runIncidents(plans, { ...(faultTable ? { nft: faultTable } : {}), ...(agents ? { agents } : {}), coverage, snmpPort: o.snmpPort }, o.onEvent, o.scenario.duration_s);
      cleanups.push(() => r.stop());
      runner = r;
      return r;
    };
    if (o.incidentsAtStart) startIncidents();

    return {
      ...(agents ? { agents } : {}),
      coverage,
      feedFiles,
      plans,
      ...(faultTable ? { faultTable } : {}),
      ...(nftUnavailable ? { nftUnavailable } : {}),
      get runner() {
        return runner;
      },
      startIncidents,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
