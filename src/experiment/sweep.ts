/**
 * Sweep files: a base scenario, overrides for every run, ordered axes over
 * any fields, a filter, and repeats on derived seeds. `loadSweep` reads and
 * validates one into a `SweepSpec`; `planSweep` expands the axes into
 * configurations and runs, validates every configuration with the scenario
 * loader (an unknown axis field comes back as the loader's located problem,
 * with the closest field name) and hashes the result. Nothing is simulated
 * until the whole sweep validates.
 *
 * ```yaml
 * kind: sweep
 * name: pbs-tradeoff
 * scenario: pbs                       # a shipped name or a path relative to this file
 * set: { duration: 60s }              # overrides for every run
 * axes:                               # ordered; the first varies slowest
 *   network.preset: [LNKD-SSD, WAN]   # a list of values
 *   cluster.quorum.r: 1..n            # a range; bounds may name earlier axes
 *   faults: { none: [], crash: [{ at: 30s, for: 30s, crash: n3 }] }   # named variants
 * filter: r + w > n                   # over the axes' short names (last path segment)
 * repeats: 3                          # seeds per configuration
 * seed: 1                             # base seed
 * ```
 *
 * Every configuration runs on the same seeds `deriveSeed(base, "repeat/k")`
 * (common random numbers: differences between configurations are not
 * drowned in seed-to-seed noise). Run `c * repeats + k` is configuration c
 * on seed k; a shard `i/n` takes the runs whose index is i-1 modulo n.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { deriveSeed, parseSeed, type Seed } from '../../sim/random.js';
import { didYouMean, type ScenarioProblem } from '../scenario/errors.js';
import { parseScenario } from '../scenario/load.js';
import { parseOverridePath } from '../scenario/overrides.js';
import { VERSION } from '../version.js';
import { compileFilter, evaluateFilter, FilterError, type FilterExpr, type FilterValue } from './filter.js';

/** Bounds (TigerStyle: a limit on everything). */
export const SWEEP_LIMITS = {
  fileBytes: 1024 * 1024,
  axes: 32,
  valuesPerAxis: 10_000,
  configurations: 10_000,
  runs: 100_000,
  repeats: 1_000,
} as const;

/** Files that start with this (at the top level) are sweeps, not scenarios. */
export const SWEEP_KIND = 'sweep';

export interface AxisValue {
  /** How the value is named in reports and filters ("3", "WAN", "crash"). */
  label: string;
  /** The field's value (a named variant's value for a mapping axis). */
  value: unknown;
}

export type AxisValues =
  | { kind: 'list'; values: AxisValue[] }
  /** A range of integers; a bound is a number or the short name of an earlier axis. */
  | { kind: 'range'; from: number | string; to: number | string; text: string };

export interface SweepAxis {
  /** The field path the axis sets (`cluster.quorum.r`). */
  path: string;
  /** Its short name in filters, ranges and reports: the last non-index path segment (`r`). */
  name: string;
  values: AxisValues;
}

/** Where an override came from, to point a problem at the sweep file instead of at `--set`. */
export interface OverrideOrigin {
  file: string;
  line: number;
  column: number;
  path: string;
}

export interface SweepSpec {
  /** The sweep file as named (or a description such as "dynasim compare"). */
  file: string;
  name: string;
  description: string;
  /** The base scenario's file. */
  scenarioFile: string;
  /** Overrides for every run (the file's `set`, then the command line's `--set`). */
  set: string[];
  axes: SweepAxis[];
  filter: string | null;
  repeats: number;
  seed: Seed;
  /** Positions of the file's overrides and filter, for problems. */
  origins: Map<string, OverrideOrigin>;
  filterOrigin: OverrideOrigin | null;
}

export interface SweepConfiguration {
  index: number;
  /** Axis short name → the value's label, in axis order. */
  values: Record<string, string>;
  /** Every override of this configuration's runs, in the order applied. */
  overrides: string[];
}

/** The expanded, validated sweep: what a manifest records and what `dynasim merge` needs. */
export interface SweepPlan {
  name: string;
  description: string;
  /** The base scenario's name (from the scenario file). */
  scenario: string;
  version: string;
  baseSeed: string;
  repeats: number;
  /** The seed of repeat k, the same for every configuration. */
  seeds: string[];
  set: string[];
  filter: string | null;
  axes: Array<{ path: string; name: string; values: string[] }>;
  configurations: SweepConfiguration[];
  totalRuns: number;
  /** SHA-256 over the plan and the base scenario file's text. */
  hash: string;
}

export interface SweepRun {
  index: number;
  configuration: number;
  repeat: number;
  seed: string;
}

export type SweepLoad = { ok: true; spec: SweepSpec } | { ok: false; problems: ScenarioProblem[] };
export type SweepPlanResult = { ok: true; plan: SweepPlan } | { ok: false; problems: ScenarioProblem[] };

export interface LoadSweepOptions {
  /** Find the base scenario: a path relative to the sweep file, else a shipped name (the CLI knows where those are). */
  resolveScenario: (name: string) => { file: string } | { error: string };
  /** `--set` overrides from the command line, applied after the file's `set` (axes still win). */
  set?: readonly string[];
  /** `--seed`: the base seed instead of the file's. */
  seed?: string;
  /** `--seeds K`: repeats instead of the file's. */
  repeats?: number;
}

const TOP_LEVEL = ['kind', 'name', 'description', 'scenario', 'set', 'axes', 'filter', 'repeats', 'seed'] as const;
const DEFAULT_REPEATS = 3;

/** Seeds per configuration: an integer from 1 to SWEEP_LIMITS.repeats (a sweep file's `repeats`, `--seeds`). */
function validRepeats(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= SWEEP_LIMITS.repeats;
}

/**
 * `dynasim compare`'s sweep: one axis over cluster.quorum with the given
 * "N,R,W" texts, on `repeats` seeds from `seed`. Problems are one line each,
 * naming the option.
 */
export function compareSpec(options: {
  scenarioFile: string;
  scenarioName: string;
  /** The scenario's own seed, used when `seed` is not given. */
  scenarioSeed: string | null;
  set: readonly string[];
  nrw: readonly string[];
  seed?: string;
  repeats?: number;
}): { ok: true; spec: SweepSpec } | { ok: false; problem: string } {
  if (options.nrw.length === 0) return { ok: false, problem: 'compare needs at least one --nrw N,R,W (such as --nrw 3,2,2 --nrw 3,1,1)' };
  const values: Array<{ label: string; value: { n: number; r: number; w: number } }> = [];
  for (const text of options.nrw) {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
    if (m === null) return { ok: false, problem: `--nrw ${JSON.stringify(text)}: expected N,R,W as three positive integers, such as 3,2,2` };
    const [n, r, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const label = `${n},${r},${w}`;
    if (values.some((v) => v.label === label)) return { ok: false, problem: `--nrw ${label} is given twice` };
    values.push({ label, value: { n, r, w } });
  }
  let seed: Seed;
  try {
    seed = parseSeed(options.seed ?? options.scenarioSeed ?? '1', '--seed');
  } catch (e) {
    return { ok: false, problem: (e as Error).message };
  }
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  if (!validRepeats(repeats)) {
    return { ok: false, problem: `--seeds ${options.repeats}: expected an integer from 1 to ${SWEEP_LIMITS.repeats}` };
  }
  return {
    ok: true,
    spec: {
      file: '--nrw',
      name: `${options.scenarioName}-compare`,
      description: `${options.scenarioName} with (N, R, W) = ${values.map((v) => `(${v.label})`).join(', ')}`,
      scenarioFile: options.scenarioFile,
      set: [...options.set],
      axes: [{ path: 'cluster.quorum', name: 'nrw', values: { kind: 'list', values } }],
      filter: null,
      repeats,
      seed,
      origins: new Map([['axis:nrw', { file: '--nrw', line: 0, column: 0, path: '' }]]),
      filterOrigin: null,
    },
  };
}

/** Whether YAML text is a sweep file (`kind: sweep` at the top level). */
export function isSweepText(text: string): boolean {
  try {
    const doc = parseDocument(text, { logLevel: 'silent' });
    const kind: unknown = isMap(doc.contents) ? doc.contents.get('kind') : undefined;
    return kind === SWEEP_KIND;
  } catch {
    return false;
  }
}

export function loadSweep(file: string, options: LoadSweepOptions): SweepLoad {
  const fileProblem = (message: string): SweepLoad => ({ ok: false, problems: [{ file, line: 0, column: 0, path: '', message }] });
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return fileProblem('expected a sweep file, got a directory');
    if (st.size > SWEEP_LIMITS.fileBytes) return fileProblem(`expected a sweep file of at most ${SWEEP_LIMITS.fileBytes} bytes, got ${st.size}`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fileProblem(code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (e as Error).message})`);
  }
  return parseSweep(text, file, options);
}

export function parseSweep(text: string, file: string, options: LoadSweepOptions): SweepLoad {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const problems: ScenarioProblem[] = [];
  const at = (node: unknown, fieldPath: string, message: string, offset = 0) => problems.push({ file, ...position(lines, node, offset), path: fieldPath, message });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, path: '', message: `YAML syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    };
  }
  const root = doc.contents;
  if (!isMap(root)) return { ok: false, problems: [{ file, line: 1, column: 1, path: '', message: 'expected a sweep: a mapping with kind: sweep, name, scenario and axes' }] };
  const fields = new Map<string, Pair>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!(TOP_LEVEL as readonly string[]).includes(key)) {
      at(pair.key, key, `unknown field ${JSON.stringify(key)} in a sweep${didYouMean(key, TOP_LEVEL)} (fields: ${TOP_LEVEL.join(', ')})`);
      continue;
    }
    fields.set(key, pair);
  }
  const value = (key: string): unknown => {
    const v = fields.get(key)?.value;
    return isScalar(v) ? v.value : v;
  };
  const node = (key: string): unknown => fields.get(key)?.value ?? fields.get(key)?.key ?? root;

  // kind, name, description, scenario
  if (value('kind') !== SWEEP_KIND) at(node('kind'), 'kind', `expected "kind: ${SWEEP_KIND}" (it tells a sweep from a scenario)${fields.has('kind') ? `, got ${JSON.stringify(value('kind'))}` : ''}`);
  const name = value('name');
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name)) {
    at(node('name'), 'name', `expected a name of letters, digits, "_", "." and "-" (it names the report folder)${name === undefined ? '' : `, got ${JSON.stringify(name)}`}`);
  }
  const description = value('description') ?? '';
  if (typeof description !== 'string') at(node('description'), 'description', 'expected a line of text');
  const scenarioArg = value('scenario');
  let scenarioFile = '';
  if (typeof scenarioArg !== 'string' || scenarioArg.trim() === '') {
    at(node('scenario'), 'scenario', 'expected the base scenario: a shipped scenario name or a path relative to the sweep file');
  } else {
    const relative = path.resolve(path.dirname(file), scenarioArg);
    const exists = isFile(relative);
    const looksLikePath = /[/\\]|\.(ya?ml|json)$/.test(scenarioArg);
    if (exists) scenarioFile = relative;
    else if (looksLikePath) at(node('scenario'), 'scenario', `no such file: ${relative} (a path is relative to the sweep file)`);
    else {
      const found = options.resolveScenario(scenarioArg);
      if ('error' in found) at(node('scenario'), 'scenario', found.error);
      else if (!isFile(found.file)) at(node('scenario'), 'scenario', `no such file: ${found.file}`);
      else scenarioFile = found.file;
    }
  }

  // set
  const origins = new Map<string, OverrideOrigin>();
  const set: string[] = [];
  const setNode = fields.get('set')?.value;
  if (setNode !== undefined && setNode !== null && !(isScalar(setNode) && setNode.value === null)) {
    if (!isMap(setNode)) at(setNode, 'set', 'expected a mapping of field paths to values, such as { duration: 60s, cluster.quorum.n: 3 }');
    else {
      for (const pair of setNode.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (parseOverridePath(key) === null) {
          at(pair.key, `set.${key}`, 'expected a dotted field path such as cluster.quorum.n');
          continue;
        }
        const text = `${key}=${overrideValueText(toJs(doc, pair.value))}`;
        set.push(text);
        origins.set(text, { file, ...position(lines, pair.value ?? pair.key, 0), path: `set.${key}` });
      }
    }
  }
  set.push(...(options.set ?? []));

  // axes
  const axes: SweepAxis[] = [];
  const axesNode = fields.get('axes')?.value;
  if (!isMap(axesNode)) {
    at(axesNode ?? root, 'axes', 'expected the axes: a mapping of field paths to a list of values, a range such as 1..n, or a mapping of named variants');
  } else if (axesNode.items.length === 0) {
    at(axesNode, 'axes', 'expected at least one axis, got none');
  } else if (axesNode.items.length > SWEEP_LIMITS.axes) {
    at(axesNode, 'axes', `expected at most ${SWEEP_LIMITS.axes} axes, got ${axesNode.items.length}`);
  } else {
    for (const pair of axesNode.items) {
      const axisPath = isScalar(pair.key) ? String(pair.key.value) : '';
      const fieldPath = `axes.${axisPath}`;
      const parts = parseOverridePath(axisPath);
      if (parts === null) {
        at(pair.key, fieldPath, 'expected a dotted field path such as cluster.quorum.r');
        continue;
      }
      const axisName = [...parts].reverse().find((p) => !/^\d+$/.test(p)) ?? parts[parts.length - 1]!;
      const clash = axes.find((a) => a.name === axisName);
      if (clash !== undefined) {
        at(pair.key, fieldPath, `two axes have the short name ${JSON.stringify(axisName)} (${clash.path} and ${axisPath}); filters and ranges could not tell them apart`);
        continue;
      }
      const v = pair.value;
      let values: AxisValues | null = null;
      if (isSeq(v)) {
        if (v.items.length === 0) at(v, fieldPath, 'expected at least one value, got an empty list');
        else if (v.items.length > SWEEP_LIMITS.valuesPerAxis) at(v, fieldPath, `expected at most ${SWEEP_LIMITS.valuesPerAxis} values, got ${v.items.length}`);
        else {
          const list = v.items.map((item) => {
            const value = toJs(doc, item);
            return { label: labelOf(value), value };
          });
          const dup = list.find((x, i) => list.findIndex((y) => y.label === x.label) !== i);
          if (dup !== undefined) at(v, fieldPath, `the value ${JSON.stringify(dup.label)} appears twice`);
          else values = { kind: 'list', values: list };
        }
      } else if (isMap(v)) {
        if (v.items.length === 0) at(v, fieldPath, 'expected at least one named variant, got an empty mapping');
        else if (v.items.length > SWEEP_LIMITS.valuesPerAxis) at(v, fieldPath, `expected at most ${SWEEP_LIMITS.valuesPerAxis} variants, got ${v.items.length}`);
        else values = { kind: 'list', values: v.items.map((p) => ({ label: isScalar(p.key) ? String(p.key.value) : String(p.key), value: toJs(doc, p.value) })) };
      } else if (isScalar(v) && typeof v.value === 'string' && v.value.includes('..')) {
        const m = /^\s*([A-Za-z_]\w*|-?\d+)\s*\.\.\s*([A-Za-z_]\w*|-?\d+)\s*$/.exec(v.value);
        if (m === null) at(v, fieldPath, `expected a range of integers such as 1..5 or 1..n, got ${JSON.stringify(v.value)}`);
        else {
          const bound = (b: string): number | string | null => {
            if (/^-?\d+$/.test(b)) return Number(b);
            if (axes.some((a) => a.name === b)) return b;
            const earlier = axes.map((a) => a.name);
            at(v, fieldPath, `the range ${v.value} names ${JSON.stringify(b)}, which is not an earlier axis${didYouMean(b, earlier)}${earlier.length > 0 ? ` (earlier axes: ${earlier.join(', ')})` : ' (there are no earlier axes)'}`);
            return null;
          };
          const from = bound(m[1]!);
          const to = bound(m[2]!);
          if (from !== null && to !== null) {
            if (typeof from === 'number' && typeof to === 'number' && to - from + 1 > SWEEP_LIMITS.valuesPerAxis) at(v, fieldPath, `expected a range of at most ${SWEEP_LIMITS.valuesPerAxis} values, got ${to - from + 1}`);
            else if (typeof from === 'number' && typeof to === 'number' && to < from) at(v, fieldPath, `the range ${v.value} is empty`);
            else values = { kind: 'range', from, to, text: v.value.trim() };
          }
        }
      } else {
        at(v ?? pair.key, fieldPath, 'expected a list of values ([1, 2, 3]), a range (1..n) or a mapping of named variants ({ none: [], crash: [...] })');
      }
      if (values !== null) axes.push({ path: parts.join('.'), name: axisName, values });
      origins.set(`axis:${axisName}`, { file, ...position(lines, v ?? pair.key, 0), path: fieldPath });
    }
  }

  // filter
  let filter: string | null = null;
  let filterOrigin: OverrideOrigin | null = null;
  const filterNode = fields.get('filter')?.value;
  if (filterNode !== undefined && !(isScalar(filterNode) && filterNode.value === null)) {
    if (!isScalar(filterNode) || typeof filterNode.value !== 'string') at(filterNode, 'filter', 'expected an expression over the axes\' short names, such as "r + w > n"');
    else {
      filter = filterNode.value;
      filterOrigin = { file, ...position(lines, filterNode, 0), path: 'filter' };
      if (problems.length === 0) {
        try {
          compileFilter(filter, axes.map((a) => a.name));
        } catch (e) {
          if (!(e instanceof FilterError)) throw e;
          at(filterNode, 'filter', `${e.message} (in "${filter}", column ${e.column})`, quoteShift(filterNode) + e.column - 1);
        }
      }
    }
  }

  // repeats, seed
  let repeats = DEFAULT_REPEATS;
  const repeatsValue = options.repeats ?? value('repeats');
  if (repeatsValue !== undefined && repeatsValue !== null) {
    if (!validRepeats(repeatsValue)) {
      const message = `expected an integer from 1 to ${SWEEP_LIMITS.repeats} (seeds per configuration), got ${JSON.stringify(repeatsValue)}`;
      if (options.repeats !== undefined) problems.push({ file: '--seeds', line: 0, column: 0, path: '', message });
      else at(node('repeats'), 'repeats', message);
    } else repeats = repeatsValue;
  }
  let seed = '1' as Seed;
  const seedNode = fields.get('seed')?.value;
  const seedText = options.seed ?? (isScalar(seedNode) ? (typeof seedNode.source === 'string' && /^\d+$/.test(seedNode.source) ? seedNode.source : seedNode.value) : undefined);
  if (seedText !== undefined && seedText !== null) {
    try {
      seed = parseSeed(seedText, options.seed !== undefined ? '--seed' : 'seed');
    } catch (e) {
      if (options.seed !== undefined) problems.push({ file: '--seed', line: 0, column: 0, path: '', message: (e as Error).message });
      else at(seedNode, 'seed', 'expected a decimal integer below 2^64 or 40 hex digits');
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    spec: { file, name: name as string, description: description as string, scenarioFile, set, axes, filter, repeats, seed, origins, filterOrigin },
  };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A value's label: scalars as written, anything else as compact JSON. */
function labelOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

function toJs(doc: Document, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  return (node as Node).toJS(doc, { maxAliasCount: 100 });
}

function position(lines: LineCounter, node: unknown, offset: number): { line: number; column: number } {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (range === undefined) return { line: 0, column: 0 };
  const p = lines.linePos(range[0] + offset);
  return { line: p.line, column: p.col };
}

function quoteShift(node: unknown): number {
  const type = (node as { type?: string }).type;
  return type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? 1 : 0;
}

/** The override text that sets an axis to a value. */
function axisOverride(axis: SweepAxis, value: unknown): string {
  return `${axis.path}=${overrideValueText(value)}`;
}

/**
 * A value as override text: a plain string as is when YAML reads it back as
 * the same string (`3s`, `WAN`), anything else as JSON (which is YAML).
 */
export function overrideValueText(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z0-9_][\w./:%-]*$/.test(value)) {
    try {
      if (parse(value) === value) return value;
    } catch {
      // fall through to JSON
    }
  }
  return JSON.stringify(value) ?? 'null';
}

// ---- expansion -------------------------------------------------------------------------------

interface Combination {
  picks: AxisValue[];
}

/** The filter's view of a picked value: numbers, strings and booleans as they are, anything else by its label. */
function filterValue(v: AxisValue): FilterValue {
  return typeof v.value === 'number' || typeof v.value === 'string' || typeof v.value === 'boolean' ? v.value : v.label;
}

/** Expand the axes (first axis outermost) and apply the filter; problems say why nothing is left. */
export function expandAxes(spec: Pick<SweepSpec, 'axes' | 'filter' | 'file' | 'filterOrigin' | 'origins'>): { ok: true; combinations: Combination[] } | { ok: false; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const originOf = (axis: SweepAxis): OverrideOrigin => spec.origins.get(`axis:${axis.name}`) ?? { file: spec.file, line: 0, column: 0, path: `axes.${axis.path}` };
  const out: Combination[] = [];
  let total = 0;
  const walk = (i: number, picks: AxisValue[]): boolean => {
    if (problems.length > 0) return false;
    if (i === spec.axes.length) {
      total++;
      out.push({ picks: [...picks] });
      if (out.length > SWEEP_LIMITS.configurations) {
        problems.push({ file: spec.file, line: 0, column: 0, path: 'axes', message: `expected at most ${SWEEP_LIMITS.configurations} combinations; narrow the axes` });
        return false;
      }
      return true;
    }
    const axis = spec.axes[i]!;
    let values: AxisValue[];
    if (axis.values.kind === 'list') values = axis.values.values;
    else {
      const bound = (b: number | string): number | null => {
        if (typeof b === 'number') return b;
        const j = spec.axes.findIndex((a) => a.name === b);
        const v = picks[j]!.value;
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          const o = originOf(axis);
          problems.push({ ...o, message: `the range ${axis.values.kind === 'range' ? axis.values.text : ''} needs ${b} to be an integer, got ${JSON.stringify(v)}` });
          return null;
        }
        return v;
      };
      const from = bound(axis.values.from);
      const to = bound(axis.values.to);
      if (from === null || to === null) return false;
      if (to - from + 1 > SWEEP_LIMITS.valuesPerAxis) {
        problems.push({ ...originOf(axis), message: `expected a range of at most ${SWEEP_LIMITS.valuesPerAxis} values, got ${from}..${to}` });
        return false;
      }
      values = [];
      for (let x = from; x <= to; x++) values.push({ label: String(x), value: x });
    }
    for (const v of values) {
      picks.push(v);
      const go = walk(i + 1, picks);
      picks.pop();
      if (!go) return false;
    }
    return true;
  };
  walk(0, []);
  if (problems.length > 0) return { ok: false, problems };
  if (out.length === 0) {
    const ranges = spec.axes.filter((a) => a.values.kind === 'range');
    return { ok: false, problems: [{ file: spec.file, line: 0, column: 0, path: 'axes', message: `the axes produce no combination${ranges.length > 0 ? ` (every range is empty: ${ranges.map((a) => `${a.name}: ${a.values.kind === 'range' ? a.values.text : ''}`).join(', ')})` : ''}` }] };
  }
  if (spec.filter === null) return { ok: true, combinations: out };
  const names = spec.axes.map((a) => a.name);
  const fo = spec.filterOrigin ?? { file: spec.file, line: 0, column: 0, path: 'filter' };
  let expr: FilterExpr;
  try {
    expr = compileFilter(spec.filter, names);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { ok: false, problems: [{ ...fo, message: `${e.message} (in "${spec.filter}", column ${e.column})` }] };
  }
  const kept: Combination[] = [];
  for (const c of out) {
    const env: Record<string, FilterValue> = {};
    c.picks.forEach((v, i) => (env[names[i]!] = filterValue(v)));
    let result: FilterValue;
    try {
      result = evaluateFilter(expr, env);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      return { ok: false, problems: [{ ...fo, message: `${e.message} (in "${spec.filter}", column ${e.column}, with ${describeCombination(names, c)})` }] };
    }
    if (typeof result !== 'boolean') return { ok: false, problems: [{ ...fo, message: `expected a condition (true or false), got ${JSON.stringify(result)} with ${describeCombination(names, c)}` }] };
    if (result) kept.push(c);
  }
  if (kept.length === 0) {
    return { ok: false, problems: [{ ...fo, message: `the filter "${spec.filter}" rejects every one of the ${total} combinations of the axes; nothing would run` }] };
  }
  return { ok: true, combinations: kept };
}

function describeCombination(names: readonly string[], c: Combination): string {
  return names.map((n, i) => `${n}=${c.picks[i]!.label}`).join(', ');
}

/** Canonical JSON: keys sorted at every level (for hashing). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Expand and validate a sweep: every configuration is loaded with its
 * overrides by the scenario loader, and its problems are pointed back at
 * the axis or `set` entry that caused them.
 */
export function planSweep(spec: SweepSpec): SweepPlanResult {
  const expanded = expandAxes(spec);
  if (!expanded.ok) return expanded;
  const combos = expanded.combinations;
  if (combos.length * spec.repeats > SWEEP_LIMITS.runs) {
    return { ok: false, problems: [{ file: spec.file, line: 0, column: 0, path: 'repeats', message: `expected at most ${SWEEP_LIMITS.runs} runs, got ${combos.length} configurations × ${spec.repeats} repeats` }] };
  }
  let scenarioText: string;
  try {
    scenarioText = readFileSync(spec.scenarioFile, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ file: spec.scenarioFile, line: 0, column: 0, path: '', message: `cannot read the base scenario (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }] };
  }
  const configurations: SweepConfiguration[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Set<string>();
  let scenarioName = '';
  const axisOrigin = new Map<string, OverrideOrigin>();
  for (const [index, c] of combos.entries()) {
    const axisOverrides = c.picks.map((v, i) => {
      const axis = spec.axes[i]!;
      const text = axisOverride(axis, v.value);
      const o = spec.origins.get(`axis:${axis.name}`);
      if (o !== undefined) axisOrigin.set(text, o);
      return text;
    });
    const overrides = [...spec.set, ...axisOverrides];
    const values: Record<string, string> = {};
    c.picks.forEach((v, i) => (values[spec.axes[i]!.name] = v.label));
    configurations.push({ index, values, overrides });
    const loaded = parseScenario(scenarioText, { file: spec.scenarioFile, overrides });
    if (loaded.ok) {
      if (scenarioName === '') scenarioName = loaded.scenario.name;
      continue;
    }
    for (const p of loaded.problems) {
      const text = p.file.startsWith('--set ') ? p.file.slice('--set '.length) : null;
      const origin = text === null ? undefined : (axisOrigin.get(text) ?? spec.origins.get(text));
      const located: ScenarioProblem =
        origin !== undefined
          ? { file: origin.file, line: origin.line, column: origin.column, path: origin.path, message: `${p.path === '' ? '' : `${p.path}: `}${p.message}` }
          : p;
      const key = `${located.file}:${located.line}:${located.column}:${located.path}:${located.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const where = spec.axes.length > 0 ? ` (configuration ${describeCombination(spec.axes.map((a) => a.name), c)})` : '';
      problems.push({ ...located, message: located.message + where });
    }
    if (problems.length >= 50) break;
  }
  if (problems.length > 0) return { ok: false, problems };
  const seeds = Array.from({ length: spec.repeats }, (_, k) => deriveSeed(spec.seed, `repeat/${k}`));
  const labels = spec.axes.map((a, i) => {
    const out: string[] = [];
    for (const c of combos) {
      const l = c.picks[i]!.label;
      if (!out.includes(l)) out.push(l);
    }
    // A range's values (and any all-numeric axis) read best in numeric order.
    if (out.every((l) => /^-?\d+(\.\d+)?$/.test(l))) out.sort((x, y) => Number(x) - Number(y));
    return { path: a.path, name: a.name, values: out };
  });
  const unhashed: Omit<SweepPlan, 'hash'> = {
    name: spec.name,
    description: spec.description,
    scenario: scenarioName,
    version: VERSION,
    baseSeed: spec.seed,
    repeats: spec.repeats,
    seeds,
    set: spec.set,
    filter: spec.filter,
    axes: labels,
    configurations,
    totalRuns: configurations.length * spec.repeats,
  };
  const hash = createHash('sha256').update(canonicalJson({ plan: unhashed, scenarioText })).digest('hex');
  return { ok: true, plan: { ...unhashed, hash } };
}

/** Run `index` of a plan: configuration index ÷ repeats, on seed index mod repeats. */
export function runOf(plan: Pick<SweepPlan, 'repeats' | 'seeds' | 'totalRuns'>, index: number): SweepRun {
  if (!Number.isInteger(index) || index < 0 || index >= plan.totalRuns) throw new RangeError(`run index ${index} is outside 0..${plan.totalRuns - 1}`);
  const repeat = index % plan.repeats;
  return { index, configuration: Math.floor(index / plan.repeats), repeat, seed: plan.seeds[repeat]! };
}

// ---- shards ----------------------------------------------------------------------------------

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `i/n` with 1 <= i <= n; the message says what was wrong. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; message: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const expected = 'expected i/n with 1 <= i <= n, such as 1/4 (the first of four shards)';
  if (m === null) return { ok: false, message: `--shard ${JSON.stringify(text)}: ${expected}` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > SWEEP_LIMITS.runs) return { ok: false, message: `--shard ${text}: ${expected}; n must be from 1 to ${SWEEP_LIMITS.runs}` };
  if (index < 1) return { ok: false, message: `--shard ${text}: ${expected}; shards are numbered from 1 (SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX may start at 0: add 1)` };
  if (index > count) return { ok: false, message: `--shard ${text}: ${expected}; there is no shard ${index} of ${count}` };
  return { ok: true, shard: { index, count } };
}

/** The run indices a shard owns: index ≡ i - 1 (mod n). */
export function shardRuns(totalRuns: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < totalRuns; i += shard.count) out.push(i);
  return out;
}
