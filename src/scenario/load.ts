/**
 * From a scenario file (YAML; JSON is YAML too) to a resolved scenario or the
 * list of everything wrong with it, each problem located at file:line:column.
 *
 *   loadScenario(path, { overrides })   reads the file (the only I/O here)
 *   parseScenario(text, { file, overrides })
 *   checkScenario(value, { file })      for scenarios built as data in code
 *
 * Never throws for a user mistake: a missing file, a directory, an empty
 * file, YAML syntax, unknown fields, bad units, impossible quorums and
 * contradictory faults all come back as problems.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { pathText, type PathProblem, type ScenarioProblem, type Segment } from './errors.js';
import { applyOverrides, overrideLabel, type AppliedOverride } from './overrides.js';
import type { ResolvedScenario } from './resolve.js';
import { validateScenario } from './validate.js';

/** `data` is the scenario as plain data (the file's YAML with the overrides applied) that validated into `scenario`. */
export type LoadResult = { ok: true; scenario: ResolvedScenario; data: unknown } | { ok: false; problems: ScenarioProblem[] };

export interface LoadOptions {
  /** `--set path=value` texts, applied in order before validation. */
  overrides?: readonly string[];
}

/** Larger files are refused (a scenario is a page of YAML; this bounds memory and time). */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;
/** Bound on alias expansion (YAML "billion laughs"). */
const MAX_ALIAS_COUNT = 1000;

export function loadScenario(path: string, options: LoadOptions = {}): LoadResult {
  const fileProblem = (message: string): LoadResult => ({ ok: false, problems: [{ file: path, line: 0, column: 0, path: '', message }] });
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fileProblem('expected a scenario file, got a directory');
    if (!st.isFile()) return fileProblem('expected a regular scenario file');
    if (st.size > MAX_SCENARIO_BYTES) return fileProblem(`expected a scenario file of at most ${MAX_SCENARIO_BYTES} bytes, got ${st.size}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fileProblem('no such file');
    if (code === 'EACCES' || code === 'EPERM') return fileProblem('permission denied');
    if (code === 'EISDIR') return fileProblem('expected a scenario file, got a directory');
    return fileProblem(`cannot read the file (${code ?? (e as Error).message})`);
  }
  return parseScenario(text, { ...options, file: path });
}

export function parseScenario(text: string, options: LoadOptions & { file?: string } = {}): LoadResult {
  const file = options.file ?? '<scenario>';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, path: '', message: `YAML syntax error: ${yamlMessage(e.message)}` };
      }),
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    return { ok: false, problems: [{ file, line: 0, column: 0, path: '', message: 'empty file: expected a scenario mapping with at least a name' }] };
  }
  const overrides = applyOverrides(doc, options.overrides ?? []);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { ok: false, problems: [...overrides.problems, { file, line: 1, column: 1, path: '', message: `cannot read the YAML document: ${(e as Error).message}` }] };
  }
  value = exactSeed(doc, value);
  const result = validateScenario(value);
  if (result.problems.length === 0 && overrides.problems.length === 0 && result.scenario !== undefined) return { ok: true, scenario: result.scenario, data: value };
  const locator = new Locator(doc, lineCounter, file, overrides.applied);
  const located = result.problems.map((p) => locator.locate(p));
  return { ok: false, problems: sortProblems([...located, ...overrides.problems], file, options.overrides ?? []) };
}

/** Validate scenario data built in code (no file, so no positions). */
export function checkScenario(value: unknown, options: { file?: string } = {}): LoadResult {
  const file = options.file ?? '<scenario>';
  const result = validateScenario(value);
  if (result.problems.length === 0 && result.scenario !== undefined) return { ok: true, scenario: result.scenario, data: value };
  return { ok: false, problems: result.problems.map((p) => ({ file, line: 0, column: 0, path: pathText(p.path), message: p.message })) };
}

function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** A seed above 2^53 loses digits as a JS number: take its source text instead. */
function exactSeed(doc: Document, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const seed = (value as Record<string, unknown>).seed;
  if (typeof seed !== 'number' || Number.isSafeInteger(seed)) return value;
  const node = isMap(doc.contents) ? doc.contents.get('seed', true) : undefined;
  if (isScalar(node) && typeof node.source === 'string' && /^\d+$/.test(node.source)) return { ...value, seed: node.source };
  return value;
}

/** File problems by position, then each override's problems in the order the overrides were given. */
function sortProblems(problems: ScenarioProblem[], file: string, overrides: readonly string[]): ScenarioProblem[] {
  const labels = overrides.map(overrideLabel);
  const rank = (p: ScenarioProblem) => (p.file === file ? -1 : labels.indexOf(p.file));
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || (a.p.file === file ? a.p.line - b.p.line || a.p.column - b.p.column : 0) || a.i - b.i)
    .map((x) => x.p);
}

type Range = [number, number, number] | undefined;

/** Maps a field path to a line and column in the document (or to the override that set it). */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
    private readonly overrides: readonly AppliedOverride[],
  ) {}

  locate(p: PathProblem): ScenarioProblem {
    const path = pathText(p.path);
    const fromOverride = this.overrideFor(p.path, false);
    if (fromOverride !== undefined) return { file: overrideLabel(fromOverride.text), line: 0, column: 0, path, message: p.message };
    const offset = this.offsetOf(p.path, p.at ?? 'value');
    if (offset === null) {
      const near = this.overrideFor(p.path, true);
      if (near !== undefined) return { file: overrideLabel(near.text), line: 0, column: 0, path, message: p.message };
      return { file: this.file, line: 1, column: 1, path, message: p.message };
    }
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col, path, message: p.message };
  }

  /** The last override whose path contains `path` (or, loosely, is contained in it). */
  private overrideFor(path: readonly Segment[], loose: boolean): AppliedOverride | undefined {
    for (let i = this.overrides.length - 1; i >= 0; i--) {
      const o = this.overrides[i]!;
      if (isPrefix(o.path, path) || (loose && isPrefix(path, o.path))) return o;
    }
    return undefined;
  }

  /**
   * Offset to point at: the key of an unknown field, the value of a wrong one
   * (the key when the value is a block collection), the enclosing key for a
   * missing field; the nearest existing ancestor otherwise. null when the
   * node has no position (it came from an override).
   */
  private offsetOf(path: readonly Segment[], at: 'key' | 'value' | 'container'): number | null {
    let node: unknown = this.doc.contents;
    let keyRange: Range;
    let best: number | null = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isAlias(node)) node = node.resolve(this.doc);
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((it) => keyText(it.key) === String(seg));
        if (pair === undefined) return at === 'container' ? (keyRange?.[0] ?? best) : best;
        const kr = isScalar(pair.key) ? (pair.key.range as Range) : undefined;
        if (kr === undefined) return null;
        if (last && at === 'key') return kr[0];
        keyRange = kr;
        node = pair.value;
        best = valueStart(node, keyRange);
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        keyRange = undefined;
        const start = rangeStart(node);
        if (start === null) return null;
        best = start;
      } else {
        return best;
      }
    }
    if (at === 'container') return keyRange?.[0] ?? best;
    return best;
  }
}

function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (String(prefix[i]) !== String(path[i])) return false;
  return true;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function rangeStart(node: unknown): number | null {
  const r = (node as { range?: Range } | null)?.range;
  return r === undefined ? null : r[0];
}

/** Where a wrong value is shown: the scalar itself, or the key of a block collection or empty value. */
function valueStart(node: unknown, keyRange: Range): number | null {
  if (isCollection(node) && (node as { flow?: boolean }).flow !== true) return keyRange?.[0] ?? rangeStart(node);
  const start = rangeStart(node);
  if (start === null && node !== null && node !== undefined) return null;
  return start ?? keyRange?.[0] ?? null;
}
