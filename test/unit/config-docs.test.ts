// docs/configuration.md is generated from the schema (npm run docs:config). This test renders it
// afresh and compares, and, independently of the renderer, walks the schema and checks that every
// key path appears in the file. Keys added to the schema without re-running the script fail here.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Type from 'typebox';
import { configKeyPaths, renderConfigDocs } from '../../src/config/docs.js';
import { ConfigSchema, secretProps } from '../../src/config/schema.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DOC = join(REPO_ROOT, 'docs/configuration.md');

/** Every key path, walked here without the renderer's code. */
function schemaPaths(node: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  const props = node.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, child] of Object.entries(props ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...schemaPaths(child, path));
    const pattern = child.patternProperties as Record<string, Record<string, unknown>> | undefined;
    for (const value of Object.values(pattern ?? {})) out.push(...schemaPaths(value, `${path}.<name>`));
    const items = child.items as Record<string, unknown> | undefined;
    if (items) out.push(...schemaPaths(items, `${path}[]`));
  }
  return out;
}

t.test('docs/configuration.md is what npm run docs:config writes now', async (t) => {
  const current = readFileSync(DOC, 'utf8');
  t.ok(current === renderConfigDocs(ConfigSchema), 'docs/configuration.md is out of date with src/config/schema.ts: run `npm run docs:config` and commit the result');
});

t.test('every key of the schema appears in docs/configuration.md', async (t) => {
  const doc = readFileSync(DOC, 'utf8');
  const paths = schemaPaths(ConfigSchema as unknown as Record<string, unknown>, '');
  t.ok(paths.length > 100, `the walk found the keys (${paths.length})`);
  const missing = paths.filter((p) => !doc.includes(`\`${p}\``));
  t.same(missing, [], 'keys missing from docs/configuration.md (run npm run docs:config)');
  t.same([...configKeyPaths(ConfigSchema)].sort(), [...new Set(paths)].sort(), "the renderer's keys are the schema's keys");
});

t.test('rendering: types, bounds, defaults, secrets, required keys, records and lists', async (t) => {
  const schema = Type.Object({
    mode: Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a', description: 'Mode | pipe.' }),
    n: Type.Integer({ minimum: 1, maximum: 9, default: 3, description: 'N.' }),
    s: Type.Optional(Type.String({ minLength: 1, description: 'S.' })),
    ...secretProps('token', 'A token'),
    items: Type.Array(Type.Object({ id: Type.String({ description: 'Id.' }) }), { default: [], description: 'Items.' }),
    byName: Type.Record(Type.String(), Type.Object({ x: Type.Boolean({ default: true, description: 'X.' }) }), { default: {}, description: 'By name.' }),
  });
  const md = renderConfigDocs(schema as never);
  t.match(md, '| `mode` | "a" \\| "b" | `"a"` | Mode \\| pipe. |');
  t.match(md, '| `n` | integer, 1–9 | `3` | N. |');
  t.match(md, '| `s` | string, non-empty | (unset) | S. |');
  t.match(md, '| `token` | secret string |');
  t.match(md, '| `token_file` | string, non-empty |');
  t.match(md, '## `items[]`');
  t.match(md, '| `items[].id` | string | required | Id. |');
  t.match(md, '## `byName.<name>`');
  t.match(md, '| `byName.<name>.x` | boolean | `true` | X. |');
  t.match(md, '- [`byName.<name>`](#bynamename)');
});
