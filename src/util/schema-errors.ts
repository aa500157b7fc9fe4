// Turn typebox/JSON-schema validation errors into one readable line per problem, shared by the
// config loader and the inventory loader (unknown keys, unions of literals, required keys).
import Value from 'typebox/value';
import type { TSchema } from 'typebox';
import { pointerToPath } from './yaml-source.js';

export interface Problem {
  path: (string | number)[];
  message: string;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

export function schemaProblems(schema: TSchema, value: unknown): Problem[] {
  const errors = [...Value.Errors(schema, value)] as SchemaError[];
  const unionAllowed = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') {
      const list = unionAllowed.get(e.instancePath) ?? [];
      list.push(e.params.allowedValue);
      unionAllowed.set(e.instancePath, list);
    }
  }
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let message: string;
    if (e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties')) message = 'unknown key';
    else if (e.keyword === 'pattern' && e.schemaPath.includes('propertyNames')) message = `name must match ${String(e.params.pattern)}`;
    else if (e.keyword === 'additionalProperties') continue; // reported per key by the 'boolean' entry
    else if (e.keyword === 'const') continue; // folded into the anyOf message
    else if (e.keyword === 'propertyNames') continue; // the offending name is reported on its own
    else if (e.keyword === 'anyOf' && unionAllowed.has(e.instancePath))
      message = `must be one of ${unionAllowed.get(e.instancePath)!.map((v) => JSON.stringify(v)).join(', ')}`;
    else if (e.keyword === 'required') {
      const missing = (e.params.requiredProperties as string[] | undefined) ?? [];
      message = missing.length ? `missing required key ${missing.join(', ')}` : e.message;
    } else message = e.message;
    const key = `${e.instancePath} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: pointerToPath(e.instancePath), message });
  }
  return out;
}

type SchemaNode = {
  type?: string;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  default?: unknown;
};

/**
 * Fill defaults everywhere, including inside records (maps keyed by name, e.g. snmp.credentials.*),
 * which typebox's Value.Default leaves alone. Mutates and returns `value`.
 */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  const node = schema as SchemaNode;
  const filled = Value.Default(schema, value);
  if (filled === null || typeof filled !== 'object') return filled;
  if (Array.isArray(filled)) {
    if (node.items) filled.forEach((item, i) => (filled[i] = applyDefaults(node.items as TSchema, item)));
    return filled;
  }
  const obj = filled as Record<string, unknown>;
  for (const [key, child] of Object.entries(node.properties ?? {})) if (key in obj) obj[key] = applyDefaults(child as TSchema, obj[key]);
  const pattern = node.patternProperties && Object.values(node.patternProperties)[0];
  if (pattern) for (const key of Object.keys(obj)) obj[key] = applyDefaults(pattern as TSchema, obj[key]);
  return obj;
}
