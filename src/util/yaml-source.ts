// Parse YAML while keeping positions, so every error about a loaded file can name its line.
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

export interface SourcePosition {
  line: number;
  col: number;
}

export interface YamlSource {
  file: string;
  doc: Document;
  /** Parsed plain JS value (undefined for an empty file). */
  value: unknown;
  /** Syntax errors, already formatted as `FILE:LINE:COL: message`. */
  syntaxErrors: string[];
  /** Line and column of the node at `path`, or of its nearest existing ancestor. */
  positionOf(path: readonly (string | number)[]): SourcePosition | undefined;
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntaxErrors = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    return pos ? `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}` : `${file}: ${e.message}`;
  });
  const at = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  // A mapping entry is reported where its key is written (a nested map's value starts a line lower).
  const keyPosition = (path: readonly (string | number)[]): SourcePosition | undefined => {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(path[path.length - 1]));
    return pair && isNode(pair.key) && pair.key.range ? at(pair.key.range[0]) : undefined;
  };
  const positionOf = (path: readonly (string | number)[]): SourcePosition | undefined => {
    for (let n = path.length; n > 0; n--) {
      const sub = path.slice(0, n);
      const key = keyPosition(sub);
      if (key) return key;
      const node = doc.getIn(sub, true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return isNode(doc.contents) && doc.contents.range ? at(doc.contents.range[0]) : undefined;
  };
  return { file, doc, value: syntaxErrors.length ? undefined : doc.toJS({ maxAliasCount: 100 }), syntaxErrors, positionOf };
}

/** `/a/b/0/c` (JSON pointer, as schema validators report) → ['a', 'b', 0, 'c']. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ['a', 'b', 0, 'c'] → `a.b[0].c`, the form errors use. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(root)';
}
