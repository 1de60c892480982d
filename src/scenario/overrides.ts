/**
 * `--set path=value` overrides, applied to the parsed YAML document before
 * validation, so a bad override is reported like a bad file (its "file" is
 * the override itself: `--set cluster.quorum.r=9: cluster.quorum.r: ...`).
 *
 * The path is dotted; list entries are numbers (`faults.0.at`,
 * `workload.populations.0.arrivals.rate`; `populations[0]` works too). Missing
 * mappings are created; a list index may be at most the list's length (equal:
 * append). The value is parsed as YAML, so `10m` and `100/s` are strings,
 * `3` a number, `[n0, n1]` a list and `{n: 3, r: 1}` a mapping; an empty
 * value (or `null`) removes the field, which then takes its default.
 *
 * A file that writes a single population directly under `workload` accepts
 * `workload.populations.0.<field>` as `workload.<field>`.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { pathText, type ScenarioProblem, type Segment } from './errors.js';

export interface AppliedOverride {
  /** `--set <text>` is the "file" of problems located under `path`. */
  text: string;
  path: Segment[];
}

export interface OverrideResult {
  applied: AppliedOverride[];
  problems: ScenarioProblem[];
}

/** The label that stands for the file in problems caused by an override. */
export const overrideLabel = (text: string): string => `--set ${text}`;

/** Split `a.b[0].c` into ['a', 'b', '0', 'c'] (indices stay strings until a list is met). */
export function parseOverridePath(text: string): string[] | null {
  const normalized = text.trim().replace(/\[(\d+)\]/g, '.$1');
  if (normalized === '') return null;
  const parts = normalized.split('.');
  return parts.every((p) => p.length > 0) ? parts : null;
}

/** Apply overrides in order to `doc`; each problem names its override. */
export function applyOverrides(doc: Document, overrides: readonly string[]): OverrideResult {
  const applied: AppliedOverride[] = [];
  const problems: ScenarioProblem[] = [];
  for (const text of overrides) {
    const problem = (path: string, message: string) => problems.push({ file: overrideLabel(text), line: 0, column: 0, path, message });
    const eq = text.indexOf('=');
    if (eq < 0) {
      problem('', 'expected path=value, such as cluster.quorum.r=1 or duration=10m');
      continue;
    }
    const parts = parseOverridePath(text.slice(0, eq));
    if (parts === null) {
      problem('', `expected a dotted field path before "=", such as cluster.quorum.r, got ${JSON.stringify(text.slice(0, eq))}`);
      continue;
    }
    const valueDoc = parseDocument(text.slice(eq + 1), { logLevel: 'error' });
    if (valueDoc.errors.length > 0) {
      problem(parts.join('.'), `expected a YAML value after "=": ${firstLine(valueDoc.errors[0]!.message)}`);
      continue;
    }
    let value: unknown;
    try {
      value = valueDoc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problem(parts.join('.'), `expected a YAML value after "=": ${(e as Error).message}`);
      continue;
    }
    // An integer above 2^53 (a seed) keeps its digits as text.
    const c = valueDoc.contents;
    if (typeof value === 'number' && !Number.isSafeInteger(value) && isScalar(c) && typeof c.source === 'string' && /^\d+$/.test(c.source)) value = c.source;
    const result = setPath(doc, shorthand(doc, parts), value);
    if (typeof result === 'string') problem(parts.join('.'), result);
    else applied.push({ text, path: result });
  }
  return { applied, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** `workload.populations.0.x` → `workload.x` when the workload is written as a single population. */
function shorthand(doc: Document, parts: string[]): string[] {
  if (parts[0] !== 'workload' || parts[1] !== 'populations' || parts.length < 3) return parts;
  const w = isMap(doc.contents) ? doc.contents.get('workload', true) : undefined;
  if (!isMap(w) || w.has('populations') || w.items.length === 0) return parts;
  return parts[2] === '0' ? ['workload', ...parts.slice(3)] : parts;
}

/** Set `value` at `parts` in the document; returns the effective path, or what went wrong. */
function setPath(doc: Document, parts: string[], value: unknown): Segment[] | string {
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({}) as never;
  let node: unknown = doc.contents;
  const path: Segment[] = [];
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i]!;
    const last = i === parts.length - 1;
    const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
    const fresh = () => doc.createNode(nextIsIndex ? [] : {});
    if (isMap(node)) {
      path.push(seg);
      if (last) {
        node.set(seg, doc.createNode(value));
        return path;
      }
      let child: unknown = node.get(seg, true);
      if (child === undefined || child === null || (isScalar(child) && child.value === null)) {
        child = fresh();
        node.set(seg, child);
      }
      if (isAlias(child)) return `cannot set ${parts.join('.')}: ${pathText(path)} is an alias (*${child.source}); override the anchor instead`;
      node = child;
    } else if (isSeq(node)) {
      if (!/^\d+$/.test(seg)) return `cannot set ${parts.join('.')}: ${pathText(path)} is a list, expected an index instead of ${JSON.stringify(seg)}`;
      const index = Number(seg);
      if (index > node.items.length) return `cannot set ${parts.join('.')}: ${pathText(path)} has ${node.items.length} item(s), expected an index <= ${node.items.length} (${node.items.length} appends)`;
      path.push(index);
      if (last) {
        node.set(index, doc.createNode(value));
        return path;
      }
      let child: unknown = index < node.items.length ? node.get(index, true) : undefined;
      if (child === undefined || child === null || (isScalar(child) && child.value === null)) {
        child = fresh();
        node.set(index, child);
      }
      if (isAlias(child)) return `cannot set ${parts.join('.')}: ${pathText(path)} is an alias (*${child.source}); override the anchor instead`;
      node = child;
    } else {
      const what = isScalar(node) ? `the value ${JSON.stringify(node.value)}` : 'not a mapping';
      return `cannot set ${parts.join('.')}: ${pathText(path) || 'the document'} is ${what}, not a mapping or a list`;
    }
  }
  return path;
}
