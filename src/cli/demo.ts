// `netcov demo` (npm run demo): the simulated province and a real daemon, see src/sim/demo.ts.
import { defaultConfig } from '../config/load.js';
import { loadInventory } from '../inventory/load.js';
import { runDemo } from '../sim/demo.js';
import { loadScenario, ScenarioError } from '../sim/scenario.js';
import { EXIT_OK, EXIT_PROBLEM, languageOf, UsageError, type Io } from './common.js';
import { scenarioPath, stopSignals } from './simulate.js';

const positive = (v: string | boolean | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds`);
  return n;
};

export const demoCliCommand = {
  name: 'demo',
  summary: 'The demo: simulated province + netcov run + a scenario with an outage, a root cause and a new dead zone.',
  usage: 'netcov demo [--with-influxd] [--headless --duration-s N] [--scenario demo|FILE] [--dir .demo] [--lang vi|en]',
  options: {
    'with-influxd': { type: 'boolean' as const, help: "Start Debian's influxd in the demo directory when no InfluxDB answers" },
    headless: { type: 'boolean' as const, help: 'JSON lines; stop once the outage page, root-cause page and dead zone are seen (exit 0) or at --duration-s (exit 1)' },
    'duration-s': { type: 'string' as const, help: 'Stop after this many seconds (default: headless 150, else at Ctrl-C)' },
    scenario: { type: 'string' as const, help: 'Scenario name or file (default demo)' },
    dir: { type: 'string' as const, help: 'Demo directory: config, state, logs (default ./.demo; its state is reset)' },
    'influx-url': { type: 'string' as const, help: 'InfluxDB to use if it answers (default http://127.0.0.1:8086)' },
    'round-s': { type: 'string' as const, help: 'Seconds between ICMP rounds (default 5)' },
    'no-nft': { type: 'boolean' as const, help: 'No nftables faults even as root' },
    'coverage-dir': { type: 'string' as const, help: 'Sample coverage feeds (default inventory/coverage)' },
    lang: { type: 'string' as const, help: 'vi (default) or en' },
  },
  async run(values: Record<string, string | boolean | undefined>, io: Io): Promise<number> {
    const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
    const base = defaultConfig();
    const lang = languageOf(base, str(values.lang));
    const headless = values.headless === true;
    const durationS = positive(values['duration-s'], 'duration-s') ?? (headless ? 150 : undefined);
    const { inventory } = loadInventory();
    let scenario;
    try {
      scenario = loadScenario(scenarioPath(str(values.scenario) ?? 'demo'), inventory);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) io.err(p);
      return EXIT_PROBLEM;
    }
    let ok: boolean;
    try {
      ({ ok } = await runDemo(
      {
        inventory,
        base,
        scenario,
        dir: str(values.dir) ?? '.demo',
        influxUrl: str(values['influx-url']) ?? base.sink.url,
        withInfluxd: values['with-influxd'] === true,
        headless,
        ...(durationS !== undefined ? { durationS } : {}),
        roundS: positive(values['round-s'], 'round-s') ?? 5,
        nftFaults: values['no-nft'] === true ? 'off' : 'auto',
        ...(str(values['coverage-dir']) ? { coverageDir: str(values['coverage-dir']) } : {}),
        lang,
        out: (line) => io.out(line),
      },
      stopSignals(),
      ));
    } catch (err) {
      io.err(`netcov demo: ${(err as Error).message}`);
      return EXIT_PROBLEM;
    }
    return headless && !ok ? EXIT_PROBLEM : EXIT_OK;
  },
};
