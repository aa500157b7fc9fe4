// Scripted incidents for the simulated province: the YAML scenario format (src/sim/scenarios/*.yaml),
// its loader (every problem reported as FILE: path: message (line N)) and the check of every
// incident against the inventory (point ids that exist, a district point for district_dark …).
// Pure apart from reading the file.
import { readFileSync } from 'node:fs';
import Type, { type Static, type TProperties } from 'typebox';
import type { Inventory } from '../inventory/model.js';
import { applyDefaults, schemaProblems, type Problem } from '../util/schema-errors.js';
import { parseYamlSource } from '../util/yaml-source.js';

const Timing = {
  at_s: Type.Number({ minimum: 0, default: 0, description: 'Seconds after the scenario starts.' }),
  duration_s: Type.Optional(Type.Number({ minimum: 1, description: 'How long the incident lasts; absent: until the scenario ends.' })),
  name: Type.Optional(Type.String({ minLength: 1, description: 'Label in the simulator output.' })),
};

function onPoint<K extends string, E extends TProperties = Record<never, never>>(kind: K, description: string, extra?: E) {
  return Type.Object(
    { kind: Type.Literal(kind), point: Type.String({ minLength: 1, description: 'Point id from the inventory.' }), ...Timing, ...((extra ?? {}) as E) },
    { additionalProperties: false, description },
  );
}

const INCIDENT_BRANCHES = [
  onPoint('point_dark', 'The point stops answering ping and SNMP (nftables drop; root).'),
  onPoint('district_dark', 'The point and every point behind it (its communes) go dark at once (nftables; root).'),
  onPoint('uplink_flap', "The point's uplink (ifIndex 1) goes down and up every period_s/2 (SNMP-visible; no root needed).", {
    period_s: Type.Number({ minimum: 2, default: 20, description: 'A full down+up cycle, seconds.' }),
  }),
  onPoint('packet_loss', 'A share of the echo requests to the point is dropped at random (nftables; root).', {
    percent: Type.Integer({ minimum: 1, maximum: 100, default: 30, description: 'Percentage of echo requests dropped.' }),
  }),
  onPoint('interface_saturated', 'An interface runs at 97 % of its speed (SNMP-visible; no root needed).', {
    if_index: Type.Integer({ minimum: 1, default: 1, description: 'Interface (1 = the uplink).' }),
  }),
  onPoint('snmp_silent', 'The SNMP agent stops answering; ping still works (agent-level; no root needed).'),
  onPoint('reboot', 'The device restarts: uptime and counters from zero (agent-level; no root needed).'),
  Type.Object(
    {
      kind: Type.Literal('cell_outage'),
      ...Timing,
      cells: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Cell keys (mcc-mnc-radio-area-cell) that go down.' })),
      village: Type.Optional(
        Type.String({ minLength: 1, description: 'A village code: every cell that covers it goes down, so it becomes a dead zone. "auto": the simulator picks one.' }),
      ),
    },
    { additionalProperties: false, description: 'Base stations go down in the cell-status feed (no root needed).' },
  ),
] as const;

export const IncidentSchema = Type.Union([...INCIDENT_BRANCHES]);

/** The schema of each incident kind, to report a bad incident against its own kind only. */
const BRANCH_BY_KIND = new Map(INCIDENT_BRANCHES.map((b) => [String((b.properties.kind as { const: unknown }).const), b]));
export const INCIDENT_KINDS: readonly string[] = [...BRANCH_BY_KIND.keys()];

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.String({ default: '' }),
    duration_s: Type.Optional(Type.Number({ minimum: 1, description: 'The scenario ends (every fault cleared) after this long; absent: when stopped.' })),
    incidents: Type.Array(IncidentSchema, { default: [] }),
  },
  { additionalProperties: false },
);

// The file's own keys, with incidents checked one by one against their kind (a union would
// report every kind's complaints about one bad incident).
const ScenarioFileSchema = Type.Object({ ...ScenarioSchema.properties, incidents: Type.Array(Type.Unknown(), { default: [] }) }, { additionalProperties: false });

export type Scenario = Static<typeof ScenarioSchema>;
export type Incident = Static<typeof IncidentSchema>;
export type IncidentKind = Incident['kind'];

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ScenarioError';
  }
}

const formatPath = (path: readonly (string | number)[]) => (path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : '(root)');

/** Problems of an incident against the inventory (pure). */
export function incidentProblems(incident: Incident, inventory: Inventory): string[] {
  if (incident.kind === 'cell_outage') {
    const given = (incident.cells ? 1 : 0) + (incident.village ? 1 : 0);
    if (given !== 1) return ['give exactly one of cells or village'];
    if (incident.village && incident.village !== 'auto' && !inventory.villages.some((v) => v.code === incident.village)) return [`no village with code "${incident.village}"`];
    return [];
  }
  const point = inventory.point(incident.point);
  if (!point) return [`no point "${incident.point}" in the inventory`];
  if (incident.kind === 'district_dark' && inventory.allDependants(point.id).length === 0) return [`point "${point.id}" has no points behind it (district_dark wants a district point)`];
  return [];
}

/** Parse and check a scenario; throws ScenarioError listing every problem. */
export function parseScenario(text: string, file: string, inventory: Inventory): Scenario {
  const source = parseYamlSource(text, file);
  if (source.syntaxErrors.length) throw new ScenarioError(source.syntaxErrors);
  const raw = applyDefaults(ScenarioFileSchema, structuredClone(source.value ?? {})) as { incidents?: unknown };
  const line = (path: (string | number)[]) => {
    const pos = source.positionOf(path);
    return pos ? ` (line ${pos.line})` : '';
  };
  const problems: Problem[] = schemaProblems(ScenarioFileSchema, raw);
  if (Array.isArray(raw.incidents)) {
    raw.incidents.forEach((incident: unknown, i) => {
      const kind = (incident as { kind?: unknown } | null)?.kind;
      const branch = typeof kind === 'string' ? BRANCH_BY_KIND.get(kind) : undefined;
      if (!branch) {
        problems.push({ path: ['incidents', i, 'kind'], message: `must be one of ${INCIDENT_KINDS.join(', ')}` });
        return;
      }
      const filled = applyDefaults(branch, incident);
      (raw.incidents as unknown[])[i] = filled;
      for (const p of schemaProblems(branch, filled)) problems.push({ path: ['incidents', i, ...p.path], message: p.message });
    });
  }
  if (problems.length) throw new ScenarioError(problems.map((p) => `${file}: ${formatPath(p.path)}: ${p.message}${line(p.path)}`));
  const scenario = raw as Scenario;
  const semantic = scenario.incidents.flatMap((incident, i) => incidentProblems(incident, inventory).map((m) => `${file}: incidents[${i}]: ${m}${line(['incidents', i])}`));
  if (semantic.length) throw new ScenarioError(semantic);
  return scenario;
}

export function loadScenario(path: string, inventory: Inventory): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError([`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parseScenario(text, path, inventory);
}
