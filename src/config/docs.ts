// Renders docs/configuration.md from the config schema (pure): every key with its type, default
// and description, one section per object. `npm run docs:config` writes the file; a test checks
// that the file equals a fresh rendering and that every key of the schema appears in it.
import { SECRET_KEYS } from './schema.js';

/** The subset of JSON Schema that typebox produces for netcov's config. */
interface Node {
  type?: string;
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  propertyNames?: { pattern?: string };
  items?: Node;
  anyOf?: Node[];
  const?: unknown;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}

export interface KeyDoc {
  /** Dotted path; `<name>` stands for a record key, `[]` for an array item. */
  path: string;
  type: string;
  default: string;
  description: string;
  secret: boolean;
}

export interface SectionDoc {
  path: string;
  /** 0 for the top level, 1 for its objects, and so on. */
  depth: number;
  description: string;
  keys: KeyDoc[];
}

const isObject = (n: Node) => n.type === 'object' && (n.properties !== undefined || n.patternProperties !== undefined);
const recordValue = (n: Node) => (n.patternProperties ? Object.values(n.patternProperties)[0] : undefined);

function typeOf(n: Node): string {
  if (n.anyOf) {
    if (n.anyOf.every((a) => a.const !== undefined)) return n.anyOf.map((a) => JSON.stringify(a.const)).join(' | ');
    return n.anyOf.map(typeOf).join(' or ');
  }
  if (n.type === 'array') return `list of ${n.items ? (isObject(n.items) ? 'objects' : typeOf(n.items)) : 'values'}`;
  if (n.patternProperties) {
    const v = recordValue(n);
    return `map of name → ${v && isObject(v) ? 'object' : v ? typeOf(v) : 'value'}`;
  }
  const bounds: string[] = [];
  if (n.minimum !== undefined && n.maximum !== undefined) bounds.push(`${n.minimum}–${n.maximum}`);
  else if (n.minimum !== undefined) bounds.push(`≥ ${n.minimum}`);
  else if (n.maximum !== undefined) bounds.push(`≤ ${n.maximum}`);
  if (n.minLength !== undefined && n.minLength > 0) bounds.push('non-empty');
  if (n.pattern !== undefined) bounds.push(`matching \`${n.pattern}\``);
  return [n.type ?? 'value', ...bounds].join(', ');
}

function defaultOf(n: Node, required: boolean): string {
  if (n.default === undefined) return required ? 'required' : '(unset)';
  if (n.default === '') return '`""`';
  const text = JSON.stringify(n.default);
  return text.length <= 90 ? `\`${text}\`` : '(see the example configuration)';
}

function secretBase(key: string): string | undefined {
  const base = key.replace(/_(env|file)$/, '');
  return SECRET_KEYS.has(base) ? base : undefined;
}

/** Every object of the schema as a section with its own keys (depth first, in schema order). */
export function configSections(schema: object, rootDescription = 'Top-level keys.'): SectionDoc[] {
  const sections: SectionDoc[] = [];
  const visit = (node: Node, path: string, description: string, depth: number) => {
    const section: SectionDoc = { path, depth, description, keys: [] };
    sections.push(section);
    const later: [Node, string, string][] = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      const required = (node.required ?? []).includes(key);
      const doc: KeyDoc = {
        path: childPath,
        type: typeOf(child),
        default: defaultOf(child, required),
        description: child.description ?? '',
        secret: secretBase(key) !== undefined,
      };
      if (doc.secret && !/_(env|file)$/.test(key)) doc.type = 'secret string';
      section.keys.push(doc);
      if (isObject(child) && child.properties) later.push([child, childPath, child.description ?? '']);
      const value = recordValue(child);
      if (value && isObject(value)) later.push([value, `${childPath}.<name>`, [child.description, value.description].filter(Boolean).join(' ')]);
      if (child.type === 'array' && child.items && isObject(child.items)) later.push([child.items, `${childPath}[]`, [child.description, child.items.description].filter(Boolean).join(' ')]);
    }
    for (const [n, p, d] of later) visit(n, p, d, depth + 1);
  };
  visit(schema as Node, '', rootDescription, 0);
  return sections;
}

/** Every key path of the schema (what the docs must mention). */
export function configKeyPaths(schema: object): string[] {
  return configSections(schema).flatMap((s) => s.keys.map((k) => k.path));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** GitHub's heading anchor for a heading text. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const PREAMBLE = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`. Do not edit by hand: change the
     descriptions in the schema and run the script again (a test checks this file is up to date). -->

netcov reads one YAML file: \`netcov run --config FILE\` (default \`/etc/netcov/netcov.yaml\`; when
that default file is absent every default applies). Every key below is optional unless marked
*required*; unknown keys are errors, and every problem is reported at once as
\`FILE: path.to.key: message (line N)\`. Check a file, and see the effective values, with

\`\`\`sh
netcov config check --config /etc/netcov/netcov.yaml --print
\`\`\`

Start from [netcov.example.yaml](netcov.example.yaml). Under systemd, \`systemctl reload netcovd\`
re-reads the file and the inventory; a broken file is refused and the running configuration kept
(see [operations.md](operations.md)). Keys that need a restart to change (listening addresses, the
state and spool directories) are named in the log line of the reload.

**Secrets** (SNMP communities, v3 keys, passwords, tokens) come in three forms, at most one per
secret: inline (\`password: …\`, fine for tests only), from an environment variable
(\`password_env: NAME\`) or from a file (\`password_file: PATH\`; trailing newline trimmed). With the
shipped systemd unit, put each secret in \`/etc/netcov/credentials/<file>\` (root, mode 0600) and
refer to it as \`/run/credentials/netcovd.service/netcov_<file>\`. Secrets are never logged,
printed or returned by the API.

**Notation**: \`<name>\` is a key you choose (a credential, profile or receiver name); \`[]\` is an
item of a list. Durations and sizes carry their unit in the key name (\`interval_s\`,
\`timeout_ms\`, \`max_bytes\`). Times are stored in UTC and shown in \`timezone\`.
`;

export function renderConfigDocs(schema: object): string {
  const sections = configSections(schema);
  const title = (s: SectionDoc) => (s.path === '' ? 'Top level' : `\`${s.path}\``);
  const out: string[] = [PREAMBLE, '## Contents', ''];
  for (const s of sections) {
    out.push(`${'  '.repeat(Math.max(0, s.depth - 1))}- [${title(s)}](#${anchor(title(s))})`);
  }
  out.push('');
  for (const s of sections) {
    out.push(`## ${title(s)}`, '');
    if (s.description) out.push(s.description, '');
    out.push('| Key | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const k of s.keys) out.push(`| \`${k.path}\` | ${cell(k.type)} | ${cell(k.default)} | ${cell(k.description)} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
