/**
 * Validation, in three passes over the scenario value (a YAML document already
 * turned into plain data):
 *
 * 1. structure: ajv against SCENARIO_SCHEMA (all errors), each error turned
 *    into one human message (unknown fields get the closest valid name);
 * 2. units: every value the schema types as a duration, rate, size,
 *    bandwidth, probability, seed or distribution is parsed by units.ts,
 *    which says precisely what is wrong ("unit-less duration: write 300ms");
 * 3. semantics, on the resolved value: quorum arithmetic, node references,
 *    the fault timeline run symbolically, and the cross-field rules a schema
 *    cannot express.
 *
 * Every problem of a file is reported, not just the first: when passes 1-2
 * find problems, the offending subtrees are pruned (a bad list entry becomes
 * an empty one when that is valid, as for a population, otherwise the whole
 * list goes, as for faults, whose timeline needs every entry) and pass 3 runs
 * on what remains, with defaults in place of the pruned parts; a semantic
 * problem that involves a pruned field is dropped, since its real cause is
 * already reported.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { show } from '../../sim/errors.js';
import { checkDistribution, parseLeaf } from './distspec.js';
import { closest, didYouMean, pathText, type PathProblem, type Segment } from './errors.js';
import { resolveScenario, type ResolvedScenario } from './resolve.js';
import { validate as generatedValidate } from './scenarioValidator.generated.js';
import { DIST_DEFS, NEMESIS_KINDS, SCENARIO_SCHEMA, UNIT_DEFS, type DistDef, type UnitDef } from './schema.js';
import { buildTimeline, unknownNode } from './timeline.js';
import {
  formatDurationUs as formatDuration,
  parseBandwidthBytesPerSec,
  parseDurationUs,
  parseProbability,
  parseRatePerSec,
  parseSeedText,
  parseSizeBytes,
  type Parsed,
} from './units.js';

type Schema = Record<string, unknown>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nesting bound for scenario values (a file deeper than this is refused, not recursed into). */
export const MAX_DEPTH = 64;

// ---------------------------------------------------------------- entry point

export interface Validation {
  problems: PathProblem[];
  /** Present when there are no problems. */
  scenario?: ResolvedScenario;
}

/**
 * Validate a scenario value (plain data: what a YAML or JSON file parses to)
 * and resolve it when valid. Never throws for a user mistake.
 */
export function validateScenario(input: unknown): Validation {
  const shape = normalize(input);
  if (shape.problems.length > 0) return { problems: shape.problems };
  const value = shape.value;
  if (!isObj(value)) {
    return { problems: [{ path: [], message: `expected a mapping of scenario fields (name, duration, cluster, ...), got ${value === undefined ? 'nothing' : show(value)}`, at: 'value' }] };
  }
  const structural = checkStructure(value);
  if (structural.length === 0) {
    const scenario = resolveScenario(value);
    const semantic = checkSemantics(value, scenario);
    return semantic.length === 0 ? { problems: [], scenario } : { problems: semantic };
  }
  return { problems: [...structural, ...semanticsOfPruned(value, structural)] };
}

// ---------------------------------------------------------------- normalization

/**
 * Drop mapping entries whose value is null (an empty field takes its default),
 * refusing values that contain themselves (YAML aliases can build cycles) or
 * nest deeper than MAX_DEPTH.
 */
export function normalize(value: unknown): { value: unknown; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const stack = new Set<unknown>();
  const visit = (v: unknown, path: Segment[]): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (stack.has(v)) {
      problems.push({ path, message: 'expected a finite value, got one that contains itself (a recursive alias)', at: 'value' });
      return null;
    }
    if (path.length > MAX_DEPTH) {
      problems.push({ path, message: `expected at most ${MAX_DEPTH} levels of nesting`, at: 'value' });
      return null;
    }
    stack.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map((x, i) => visit(x, [...path, i]));
    else if (isPlain(v)) {
      const o: Obj = {};
      for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = visit(x, [...path, k]);
      out = o;
    } else {
      problems.push({ path, message: `expected plain data (a mapping, list, string, number or boolean), got ${Object.prototype.toString.call(v)}`, at: 'value' });
      out = null;
    }
    stack.delete(v);
    return out;
  };
  const out = visit(value, []);
  return { value: out, problems };
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------- pass 1: structure (ajv)

/** The schema compiled ahead of time (validatorCode.ts); same options, same errors as compiling it here. */
function schemaValidator(): ValidateFunction {
  return generatedValidate as unknown as ValidateFunction;
}

const DEFS = SCENARIO_SCHEMA.$defs as Record<string, Schema>;
const UNIT_DEF_SET = new Set<string>(UNIT_DEFS);

function deref(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 8 && typeof s.$ref === 'string'; i++) {
    const target = DEFS[s.$ref.slice('#/$defs/'.length)];
    if (target === undefined) break;
    s = target;
  }
  return s;
}

/** Structural and unit problems of a value (passes 1 and 2). */
export function checkStructure(value: unknown): PathProblem[] {
  const units: PathProblem[] = [];
  walkUnits(SCENARIO_SCHEMA, value, [], units, 0);
  const validate = schemaValidator();
  validate(value);
  const errors = (validate.errors ?? []) as ErrorObject[];
  const structural: PathProblem[] = [];
  const suppressed: { path: Segment[]; error: ErrorObject }[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    // Branches of a oneOf/anyOf only discriminate forms: the oneOf error itself says what was expected.
    if (/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue;
    const path = segmentsOf(value, e.instancePath);
    const def = /^#\/\$defs\/([A-Za-z]+)\//.exec(e.schemaPath)?.[1];
    if (def !== undefined && UNIT_DEF_SET.has(def)) {
      suppressed.push({ path, error: e });
      continue;
    }
    const p = messageOf(e, path);
    if (p !== null) structural.push(FORM_KEYWORDS.has(e.keyword) ? ({ ...p, form: true } as FormProblem) : p);
  }
  dropRedundantFormProblems(structural, errors, value);
  // Unit problems are more precise than ajv's at the same place (a scalar where a distribution goes).
  const unitPaths = units.map((u) => pathText(u.path));
  const under = (p: readonly Segment[]) => {
    const t = pathText(p);
    return unitPaths.some((u) => t === u || t.startsWith(`${u}.`));
  };
  const out = structural.filter((p) => !under(p.path));
  // Safety net: a unit-definition error the unit walker did not explain.
  for (const s of suppressed) {
    if (!under(s.path)) out.push({ path: s.path, message: `expected ${describe(s.error.parentSchema as Schema)}, got ${show(s.error.data)}`, at: 'value' });
  }
  return dedupe([...out, ...units]);
}

const FORM_KEYWORDS = new Set(['oneOf', 'anyOf', 'maxProperties', 'minProperties']);

/**
 * One message per mapping about its form: a oneOf and a maxProperties on the
 * same mapping say the same thing, and "no kind given" is only a consequence
 * when an unknown field there is a typo of one of the kinds ("crsh").
 */
function dropRedundantFormProblems(problems: PathProblem[], errors: ErrorObject[], root: unknown): void {
  const formAt = new Set<string>();
  const typoIn = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties' || /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue;
    const parent = (e.parentSchema ?? {}) as Schema;
    const forms = [parent.oneOf, parent.anyOf].flatMap((b) => (Array.isArray(b) ? (b as Schema[]).flatMap((x) => (Array.isArray(x.required) ? (x.required as string[]) : [])) : []));
    if (closest(String((e.params as Obj).additionalProperty), forms) !== undefined) typoIn.add(pathText(segmentsOf(root, e.instancePath)));
  }
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i]!;
    if (!(p as FormProblem).form) continue;
    const key = pathText(p.path);
    if (formAt.has(key) || typoIn.has(key)) {
      problems.splice(i, 1);
      i--;
    } else formAt.add(key);
  }
  for (const p of problems) delete (p as FormProblem).form;
}

type FormProblem = PathProblem & { form?: boolean };

function segmentsOf(root: unknown, pointer: string): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) {
      out.push(Number(key));
      cur = cur[Number(key)];
    } else {
      out.push(key);
      cur = isObj(cur) ? cur[key] : undefined;
    }
  }
  return out;
}

function dedupe(problems: PathProblem[]): PathProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${pathText(p.path)}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The short expectation for a schema: its title, or a phrase built from its type and bounds. */
export function describe(schema: Schema | undefined): string {
  if (schema === undefined) return 'a valid value';
  const s = deref(schema);
  if (typeof s.title === 'string') return s.title;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  const parts = types.map((t) => describeType(t, s));
  return parts.length > 0 ? parts.join(' or ') : 'a valid value';
}

function describeType(type: string, s: Schema): string {
  switch (type) {
    case 'integer':
    case 'number': {
      const what = type === 'integer' ? 'an integer' : 'a number';
      const lo = typeof s.minimum === 'number' ? s.minimum : undefined;
      const hi = typeof s.maximum === 'number' ? s.maximum : undefined;
      const xlo = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined;
      if (lo !== undefined && hi !== undefined) return `${what} in [${lo}, ${hi}]`;
      if (xlo !== undefined && hi !== undefined) return `${what} in (${xlo}, ${hi}]`;
      if (lo !== undefined) return `${what} >= ${lo}`;
      if (xlo !== undefined) return `${what} > ${xlo}`;
      if (hi !== undefined) return `${what} <= ${hi}`;
      return what;
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      return typeof s.minLength === 'number' && s.minLength > 0 ? 'a non-empty string' : 'a string';
    case 'array': {
      const list = typeof s.minItems === 'number' && s.minItems > 0 ? 'a non-empty list' : 'a list';
      return isObj(s.items) ? `${list}, each ${describe(s.items as Schema)}` : list;
    }
    case 'object':
      return isObj(s.properties) ? `a mapping with the fields ${Object.keys(s.properties).join(', ')}` : 'a mapping';
    default:
      return type;
  }
}

/** Which named fields a mapping holds, for "got ..." in form errors. */
function presentKeys(data: unknown, keys: readonly string[]): string[] {
  return isObj(data) ? keys.filter((k) => data[k] !== undefined) : [];
}

function quoteList(xs: readonly string[]): string {
  const q = xs.map((x) => JSON.stringify(x));
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** Every property name the schema knows, with where it lives, for "did you mean cluster.quorum?". */
let fieldIndex: Map<string, string[]> | undefined;
function knownFields(): Map<string, string[]> {
  if (fieldIndex !== undefined) return fieldIndex;
  const index = new Map<string, string[]>();
  const visit = (schema: Schema, prefix: string, depth: number, seen: Set<string>) => {
    if (depth > 6) return;
    let s = schema;
    if (typeof s.$ref === 'string') {
      if (seen.has(s.$ref) || s.$ref.endsWith('Dist')) return;
      seen = new Set([...seen, s.$ref]);
      s = deref(s);
    }
    if (isObj(s.properties)) {
      for (const [k, sub] of Object.entries(s.properties as Record<string, Schema>)) {
        const full = prefix === '' ? k : `${prefix}.${k}`;
        index.set(k, [...(index.get(k) ?? []), full]);
        visit(sub, full, depth + 1, seen);
      }
    }
    if (isObj(s.items)) visit(s.items as Schema, `${prefix}.<i>`, depth + 1, seen);
  };
  visit(SCENARIO_SCHEMA, '', 0, new Set());
  fieldIndex = index;
  return index;
}

function messageOf(e: ErrorObject, path: Segment[]): PathProblem | null {
  const parent = (e.parentSchema ?? {}) as Schema;
  const params = e.params as Record<string, unknown>;
  const got = show(e.data);
  const where = path.length === 0 ? 'at the top level' : `in ${pathText(path)}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const fields = Object.keys((parent.properties ?? {}) as Obj);
      let hint = didYouMean(key, fields);
      if (hint === '') {
        const elsewhere = (knownFields().get(key) ?? []).filter((f) => !f.includes('<i>') || path.length > 0);
        if (elsewhere.length === 1) hint = `: did you mean ${JSON.stringify(elsewhere[0])}?`;
        else if (fields.length <= 16) hint = ` (expected one of: ${fields.join(', ')})`;
      }
      return { path: [...path, key], message: `unknown field ${JSON.stringify(key)} ${where}${hint}`, at: 'key' };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const prop = isObj(parent.properties) ? ((parent.properties as Obj)[missing] as Schema | undefined) : undefined;
      const expected = prop !== undefined && !('not' in prop) ? ` (expected ${describe(prop)})` : '';
      return { path: [...path, missing], message: `missing required field ${JSON.stringify(missing)}${expected}`, at: 'container' };
    }
    case 'dependentRequired': {
      const property = String(params.property);
      const missing = String(params.missingProperty);
      return { path: [...path, property], message: `unexpected field ${JSON.stringify(property)} without ${JSON.stringify(missing)}: it applies only beside ${missing}`, at: 'key' };
    }
    case 'not': {
      const key = path[path.length - 1];
      return { path, message: `unexpected field ${JSON.stringify(String(key))}${typeof parent.title === 'string' ? `: ${parent.title}` : ''}`, at: 'key' };
    }
    case 'false schema':
      return { path, message: 'unexpected value here', at: 'value' };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : '';
      return { path, message: `expected one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}, got ${got}${hint}`, at: 'value' };
    }
    case 'const':
      return { path, message: `expected ${JSON.stringify(params.allowedValue)}, got ${got}`, at: 'value' };
    case 'oneOf':
    case 'anyOf': {
      const branches = ((e.schema as Schema[]) ?? []).filter(isObj);
      const keys = branches.flatMap((b) => (Array.isArray(b.required) ? (b.required as string[]) : []));
      const formKeys = [...new Set(keys)];
      const present = presentKeys(e.data, formKeys);
      const passing = params.passingSchemas;
      let detail: string;
      if (Array.isArray(passing)) detail = `got ${quoteList(present)} together`;
      else if (isObj(e.data) && formKeys.length > 0) {
        const own = Object.keys(e.data);
        detail = own.length === 0 ? 'got an empty mapping' : present.length > 0 ? `got only ${quoteList(present)}` : `got ${quoteList(own)}`;
      } else detail = `got ${got}`;
      return { path, message: `expected ${describe(parent)}, ${detail}`, at: 'value' };
    }
    case 'maxProperties':
    case 'minProperties': {
      const own = isObj(e.data) ? Object.keys(e.data) : [];
      return { path, message: `expected ${describe(parent)}, got ${own.length === 0 ? 'an empty mapping' : `the fields ${quoteList(own)}`}`, at: 'value' };
    }
    case 'uniqueItems':
      return { path: [...path, Number(params.i)], message: `expected unique items, got ${show((e.data as unknown[])[Number(params.i)])} twice (items ${params.j} and ${params.i})`, at: 'value' };
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'items':
    case 'minLength':
    case 'pattern':
      return { path, message: `expected ${describe(parent)}, got ${got}${Array.isArray(e.data) && e.keyword !== 'type' ? ` (${e.data.length} item${e.data.length === 1 ? '' : 's'})` : ''}`, at: 'value' };
    default:
      return { path, message: `expected a valid value (${e.message ?? e.keyword}), got ${got}`, at: 'value' };
  }
}

// ---------------------------------------------------------------- pass 2: units

function parseUnit(def: UnitDef, value: unknown): Parsed<unknown> {
  switch (def) {
    case 'duration':
      return parseDurationUs(value);
    case 'positiveDuration':
      return parseDurationUs(value, { positive: true });
    case 'signedDuration':
      return parseDurationUs(value, { signed: true });
    case 'rate':
      return parseRatePerSec(value);
    case 'rateOrZero':
      return parseRatePerSec(value, { allowZero: true });
    case 'size':
      return parseSizeBytes(value);
    case 'bandwidth':
      return parseBandwidthBytesPerSec(value);
    case 'probability':
      return parseProbability(value);
    case 'seed':
      return parseSeedText(value);
  }
}

/**
 * Follow the schema through the value and parse every unit-typed leaf. By the
 * schema's conventions, units live only under properties, items,
 * prefixItems, additionalProperties and $refs, never inside combinators.
 */
function walkUnits(schema: Schema, value: unknown, path: Segment[], out: PathProblem[], depth: number): void {
  if (depth > MAX_DEPTH * 2) return;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice('#/$defs/'.length);
    if (UNIT_DEF_SET.has(name)) {
      const r = parseUnit(name as UnitDef, value);
      if (!r.ok) out.push({ path, message: r.message, at: 'value' });
      return;
    }
    if (name in DIST_DEFS) {
      const leaf = DIST_DEFS[name as DistDef];
      if (typeof value !== 'object' || value === null) {
        const r = parseLeaf(value, leaf);
        if (!r.ok) out.push({ path, message: r.message.replace(/^expected /, `expected a ${leaf === 'duration' ? 'latency' : 'size'} distribution or `), at: 'value' });
        return;
      }
      const before = out.length;
      walkUnits(DEFS[name]!, value, path, out, depth + 1);
      if (out.length === before) out.push(...checkDistribution(value, leaf, path));
      return;
    }
    const target = DEFS[name];
    if (target !== undefined) walkUnits(target, value, path, out, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as Schema[]) : [];
    value.forEach((item, i) => {
      const s = i < prefix.length ? prefix[i] : isObj(schema.items) ? (schema.items as Schema) : undefined;
      if (s !== undefined) walkUnits(s, item, [...path, i], out, depth + 1);
    });
    return;
  }
  if (isObj(value)) {
    const props = isObj(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    for (const [k, v] of Object.entries(value)) {
      const s = Object.hasOwn(props, k) ? props[k] : isObj(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
      if (s !== undefined) walkUnits(s, v, [...path, k], out, depth + 1);
    }
  }
}

// ---------------------------------------------------------------- pruning

/**
 * Remove the subtrees that have structural problems (a whole list when one of
 * its entries is bad), until what remains validates; null when impossible.
 */
function prune(value: Obj, first: PathProblem[]): { value: Obj; pruned: Segment[][] } | null {
  let current = structuredClone(value);
  const pruned: Segment[][] = [];
  const placeholders = new Set<string>();
  let problems = first;
  for (let round = 0; round < 16 && problems.length > 0; round++) {
    for (const p of problems) {
      let target = [...p.path];
      if (p.message.startsWith('missing required field') || p.at === 'container') target = target.slice(0, -1);
      const arrayAt = firstArrayIndex(current, target);
      if (arrayAt >= 0) {
        // First try an empty entry in place of the bad one (indices of the others stay right);
        // an entry that cannot be empty (a fault needs `at`) takes the whole list with it.
        const entry = target.slice(0, arrayAt + 1);
        const key = pathText(entry);
        if (!placeholders.has(key)) {
          placeholders.add(key);
          setAt(current, entry, {});
          pruned.push(entry);
          continue;
        }
        target = target.slice(0, arrayAt);
      }
      if (target.length === 0) {
        // Only `name` is required at the top; give it a placeholder and carry on.
        if (p.path.length === 1 && p.path[0] === 'name') {
          current.name = '(missing)';
          continue;
        }
        return null;
      }
      removeAt(current, target);
      pruned.push(target);
    }
    problems = checkStructure(current);
  }
  return problems.length === 0 ? { value: current, pruned } : null;
}

function firstArrayIndex(root: unknown, path: readonly Segment[]): number {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(cur)) return i;
    cur = isObj(cur) ? cur[String(path[i])] : undefined;
  }
  return -1;
}

function setAt(root: Obj, path: readonly Segment[], value: unknown): void {
  let cur: unknown = root;
  for (let i = 0; i < path.length - 1; i++) cur = Array.isArray(cur) ? cur[Number(path[i])] : isObj(cur) ? cur[String(path[i])] : undefined;
  const last = path[path.length - 1]!;
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else if (isObj(cur)) cur[String(last)] = value;
}

function removeAt(root: Obj, path: readonly Segment[]): void {
  let cur: unknown = root;
  for (let i = 0; i < path.length - 1; i++) cur = isObj(cur) ? cur[String(path[i])] : undefined;
  if (isObj(cur)) delete cur[String(path[path.length - 1])];
}

function related(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

function semanticsOfPruned(value: Obj, structural: PathProblem[]): PathProblem[] {
  const p = prune(value, structural);
  if (p === null) return [];
  const scenario = resolveScenario(p.value);
  return checkSemantics(p.value, scenario).filter((problem) => {
    const touched = [problem.path, ...(problem.involves ?? [])];
    return !p.pruned.some((gone) => touched.some((t) => related(gone, t)));
  });
}

// ---------------------------------------------------------------- pass 3: semantics

/**
 * Cross-field rules on a structurally valid value and its resolution. Paths
 * point at the field to fix; `involves` names the other fields the rule reads.
 */
export function checkSemantics(raw: Obj, s: ResolvedScenario): PathProblem[] {
  const out: PathProblem[] = [];
  const add = (path: Segment[], message: string, involves: Segment[][] = []) => out.push({ path, message, at: 'value', involves });
  const c = isObj(raw.cluster) ? raw.cluster : {};
  const cl = s.cluster;
  const names = cl.nodes.map((n) => n.name);
  const nameSet = new Set(names);
  const NODES: Segment[] = ['cluster', 'nodes'];
  const checkNode = (name: unknown, path: Segment[]) => {
    if (typeof name === 'string' && !nameSet.has(name)) add(path, unknownNode(name, names), [NODES]);
  };

  // Phases.
  if (s.warmupUs >= s.durationUs) add(['phases', 'warmup'], `expected a warmup shorter than duration (${formatDuration(s.durationUs)}), got ${formatDuration(s.warmupUs)}`, [['duration']]);

  // Nodes and datacenters.
  if (Array.isArray(c.nodes)) {
    const first = new Map<string, number>();
    cl.nodes.forEach((n, i) => {
      const prev = first.get(n.name);
      if (prev !== undefined) add(['cluster', 'nodes', i, 'name'], `expected a unique node name, got ${JSON.stringify(n.name)} again (also cluster.nodes.${prev})`);
      else first.set(n.name, i);
      if (Array.isArray(c.datacenters) && !cl.datacenters.includes(n.dc)) {
        add(['cluster', 'nodes', i, 'dc'], `expected one of the datacenters ${cl.datacenters.join(', ')}, got ${JSON.stringify(n.dc)}${didYouMean(n.dc, cl.datacenters)}`, [['cluster', 'datacenters']]);
      }
    });
    if (c.racksPerDc !== undefined) add(['cluster', 'racksPerDc'], 'unexpected field "racksPerDc": it applies when nodes is a count (with a list, give each node its rack)', [NODES]);
  }
  const initial = cl.nodes.filter((n) => n.initial).length;
  if (initial === 0) add(NODES, 'expected at least one node with initial: true (a cluster must start with a member)');

  // Quorum arithmetic.
  const q = cl.quorum;
  const Q: Segment[] = ['cluster', 'quorum'];
  if (q.n > initial && initial > 0) add([...Q, 'n'], `expected an integer <= the number of initial nodes (${initial}), got ${q.n}`, [NODES]);
  if (q.r > q.n) add([...Q, 'r'], `expected an integer <= n (${q.n}), got ${q.r}`, [[...Q, 'n']]);
  if (q.w > q.n) add([...Q, 'w'], `expected an integer <= n (${q.n}), got ${q.w}`, [[...Q, 'n']]);
  if (cl.storage.durableWrites > q.n) add(['cluster', 'storage', 'durableWrites'], `expected an integer <= n (${q.n}), got ${cl.storage.durableWrites}`, [[...Q, 'n']]);
  if (cl.partitioning.strategy === 3 && cl.partitioning.partitions < cl.nodes.length) {
    add(['cluster', 'partitioning', 'partitions'], `expected at least one partition per node under strategy 3 (${cl.nodes.length} nodes), got ${cl.partitioning.partitions}`, [NODES, ['cluster', 'partitioning', 'strategy']]);
  }
  if (cl.dcAwarePlacement && cl.datacenters.length < 2) add(['cluster', 'dcAwarePlacement'], `expected two datacenters or more for dcAwarePlacement, got ${cl.datacenters.length}`, [['cluster', 'datacenters'], NODES]);

  // Node references outside the timeline.
  const g = isObj(c.gossip) ? c.gossip : {};
  if (Array.isArray(g.seeds)) g.seeds.forEach((n, i) => checkNode(n, ['cluster', 'gossip', 'seeds', i]));
  const hosts = isObj(raw.hosts) ? raw.hosts : {};
  if (isObj(hosts.overrides)) {
    for (const name of Object.keys(hosts.overrides)) {
      if (!nameSet.has(name)) out.push({ path: ['hosts', 'overrides', name], message: unknownNode(name, names), at: 'key', involves: [NODES] });
    }
  }

  // Workload.
  checkWorkload(raw, s, add);

  // Timeline.
  out.push(
    ...buildTimeline({
      faults: Array.isArray(raw.faults) ? raw.faults : [],
      nodes: cl.nodes.map((n) => ({ name: n.name, dc: n.dc, initial: n.initial, driftPpm: n.host.clock.driftPpm })),
      durationUs: s.durationUs,
    }).problems.map((p) => ({ ...p, at: 'value' as const })),
  );

  // Nemesis.
  if (s.nemesis !== null && isObj(raw.nemesis)) {
    const n = raw.nemesis;
    const N: Segment[] = ['nemesis'];
    if (s.nemesis.startUs >= s.nemesis.endUs) add([...N, n.end === undefined ? 'start' : 'end'], `expected nemesis.start (${formatDuration(s.nemesis.startUs)}) before nemesis.end (${formatDuration(s.nemesis.endUs)})`, [['duration'], [...N, 'start'], [...N, 'end']]);
    if (s.nemesis.endUs > s.durationUs) add([...N, 'end'], `expected a time within the fault phase (duration ${formatDuration(s.durationUs)}), got ${formatDuration(s.nemesis.endUs)}`, [['duration']]);
    const faults = Array.isArray(n.faults) ? n.faults : [];
    const seen = new Map<string, number>();
    const params: Record<string, readonly string[]> = {
      crash: ['loseDisk'],
      pause: [],
      partition: ['mode'],
      clockSkew: ['maxSkew'],
      slowDisk: ['factor'],
      degrade: ['latency', 'loss'],
    };
    const allParams = [...new Set(Object.values(params).flat())];
    faults.forEach((f, i) => {
      if (!isObj(f) || typeof f.kind !== 'string') return;
      const prev = seen.get(f.kind);
      if (prev !== undefined) add([...N, 'faults', i, 'kind'], `expected each kind at most once, got ${f.kind} again (also nemesis.faults.${prev})`);
      else seen.set(f.kind, i);
      const own = params[f.kind] ?? [];
      for (const p of allParams) {
        if (f[p] !== undefined && !own.includes(p)) {
          const owner = NEMESIS_KINDS.filter((k) => params[k]!.includes(p));
          out.push({ path: [...N, 'faults', i, p], message: `unexpected field ${JSON.stringify(p)} for kind ${f.kind}: it applies to ${owner.join(', ')}`, at: 'key' });
        }
      }
      if (Array.isArray(f.targets)) f.targets.forEach((t, j) => checkNode(t, [...N, 'faults', i, 'targets', j]));
      if (f.kind === 'partition' && f.mode === 'splitDc' && new Set(cl.nodes.map((x) => x.dc)).size < 2) {
        add([...N, 'faults', i, 'mode'], 'expected nodes in two datacenters or more for mode splitDc', [NODES]);
      }
    });
  }

  // SLA and checks.
  const sla = s.sla;
  const order: [keyof typeof sla, string][] = [
    ['p50Us', 'p50'],
    ['p90Us', 'p90'],
    ['p99Us', 'p99'],
    ['p999Us', 'p999'],
    ['p9999Us', 'p9999'],
    ['maxUs', 'max'],
  ];
  let lower: { key: string; us: number } | null = null;
  for (const [k, field] of order) {
    const v = sla[k];
    if (typeof v !== 'number') continue;
    if (lower !== null && v < lower.us) add(['sla', field], `expected a bound >= sla.${lower.key} (${formatDuration(lower.us)}), got ${formatDuration(v)}`, [['sla', lower.key]]);
    lower = { key: field, us: v };
  }
  if (Array.isArray(raw.checks) && raw.checks.includes('converged') && s.livenessUs === 0) {
    add(['checks', raw.checks.indexOf('converged')], 'expected a liveness phase for the "converged" check (phases.liveness is 0s)', [['phases', 'liveness']]);
  }
  return out;
}

function checkWorkload(raw: Obj, s: ResolvedScenario, add: (path: Segment[], message: string, involves?: Segment[][]) => void): void {
  if (!isObj(raw.workload)) return;
  const w = raw.workload;
  const list = Array.isArray(w.populations);
  const raws = list ? (w.populations as unknown[]) : [w];
  const names = new Map<string, number>();
  s.workload.populations.forEach((p, i) => {
    const rp = isObj(raws[i]) ? (raws[i] as Obj) : {};
    const base: Segment[] = list ? ['workload', 'populations', i] : ['workload'];
    const prev = names.get(p.name);
    if (prev !== undefined) add([...base, 'name'], `expected a unique population name, got ${JSON.stringify(p.name)} again (also workload.populations.${prev})`, [['workload', 'populations', prev]]);
    else names.set(p.name, i);
    if (rp.mix !== undefined) {
      const sum = p.mix.get + p.mix.put + p.mix.rmw;
      if (Math.abs(sum - 1) > 1e-9) add([...base, 'mix'], `expected get + put + rmw = 1, got ${Number(sum.toPrecision(12))}`);
    }
    if (typeof rp.dc === 'string' && !s.cluster.datacenters.includes(rp.dc)) {
      add([...base, 'dc'], `expected one of the datacenters ${s.cluster.datacenters.join(', ')}, got ${JSON.stringify(rp.dc)}${didYouMean(rp.dc, s.cluster.datacenters)}`, [['cluster']]);
    }
    const count = p.keys.count;
    if (p.busyRobots.keys > count) add([...base, 'busyRobots', 'keys'], `expected at most keys.count (${count}) keys, got ${p.busyRobots.keys}`, [[...base, 'keys']]);
    if (p.keys.popularity.kind === 'hotspot' && p.keys.popularity.fraction === 0) add([...base, 'keys', 'popularity', 'hotspot', 'fraction'], 'expected a fraction > 0, got 0');
    const a = p.arrivals;
    if (a.type === 'open') {
      a.flashCrowds.forEach((f, j) => {
        const at: Segment[] = [...base, 'arrivals', 'flashCrowds', j];
        if (f.atUs >= s.durationUs) add([...at, 'at'], `expected a time before the end of the fault phase (duration ${formatDuration(s.durationUs)}), got ${formatDuration(f.atUs)}`, [['duration']]);
        if (f.hotKeys > count) add([...at, 'hotKeys'], `expected at most keys.count (${count}), got ${f.hotKeys}`, [[...base, 'keys']]);
      });
      if (a.curve.kind === 'piecewise') {
        let last = -1;
        a.curve.points.forEach((pt, j) => {
          const at: Segment[] = [...base, 'arrivals', 'curve', 'piecewise', j, 0];
          if (pt.atUs <= last) add(at, `expected times in increasing order, got ${formatDuration(pt.atUs)} after ${formatDuration(last)}`);
          else if (pt.atUs >= s.durationUs) add(at, `expected a time before the end of the fault phase (duration ${formatDuration(s.durationUs)}), got ${formatDuration(pt.atUs)}`, [['duration']]);
          last = Math.max(last, pt.atUs);
        });
      }
    }
  });
}
