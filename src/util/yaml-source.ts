// Parse YAML while keeping positions, so every error about a loaded file can name its line.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

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
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxErrors = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    return pos ? `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}` : `${file}: ${e.message}`;
  });
  const positionOf = (path: readonly (string | number)[]): SourcePosition | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = path.length === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const p = lineCounter.linePos(node.range[0]);
        return { line: p.line, col: p.col };
      }
      if (n === 0 && isNode(doc.contents) && doc.contents.range) {
        const p = lineCounter.linePos(doc.contents.range[0]);
        return { line: p.line, col: p.col };
      }
    }
    return undefined;
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
