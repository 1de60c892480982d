/**
 * Random mutations of valid scenario files (delete a key, rename a key with
 * a typo, replace a value with a random scalar, insert a field, insert
 * garbage text, add an override) never make the loader throw: it returns a
 * scenario or problems that all carry a position.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { formatProblems } from '../../src/scenario/errors.js';
import { checkScenario, parseScenario, type LoadResult } from '../../src/scenario/load.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const FIXTURES = ['quickstart.yaml', 'full.yaml'].map((f) => readFileSync(new URL(`fixtures/${f}`, import.meta.url), 'utf8'));

function paths(v: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function parentOf(root: Json, path: Path): Json | undefined {
  let cur: Json | undefined = root;
  for (const seg of path.slice(0, -1)) cur = cur === null || typeof cur !== 'object' ? undefined : (cur as Record<string | number, Json>)[seg];
  return cur;
}

const scalar = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('5', '5ms', '-1s', '0s', '0/s', '-3/s', '1e9KiB', '150%', '1Gbit/s', 'n0', 'n99', '*', 'all', 'closed', 'constant', '1h30m', 'WAN', ''),
);

const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: scalar as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.array(scalar as fc.Arbitrary<Json>, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('at', 'for', 'crash', 'n', 'rate', 'median', 'foo', 'dist', 'constant'), scalar as fc.Arbitrary<Json>, { maxKeys: 3 }) },
);

const mutation = fc.record({
  op: fc.constantFrom('delete', 'rename', 'replace', 'insert'),
  at: fc.nat(),
  typoAt: fc.nat(),
  typo: fc.constantFrom('swap', 'drop', 'double', 'case'),
  key: fc.constantFrom('quorum', 'qourum', 'nodes', 'for', 'at', 'crash', 'pause', 'partition', 'rate', 'zzz', 'lognormal', 'populations'),
  value,
});

function typo(key: string, kind: string, at: number): string {
  if (key.length === 0) return 'x';
  const i = at % key.length;
  switch (kind) {
    case 'swap':
      return i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : `${key}x`;
    case 'drop':
      return key.length > 1 ? key.slice(0, i) + key.slice(i + 1) : `${key}${key}`;
    case 'double':
      return key.slice(0, i) + key[i] + key.slice(i);
    default:
      return key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase();
  }
}

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(root: Json, m: Mutation): void {
  const all = paths(root).filter((p) => p.length > 0);
  const path = all[m.at % all.length];
  if (path === undefined) return;
  const parent = parentOf(root, path);
  const last = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object') return;
  if (Array.isArray(parent)) {
    const i = last as number;
    if (m.op === 'delete') parent.splice(i, 1);
    else if (m.op === 'insert') parent.splice(i, 0, m.value);
    else parent[i] = m.value;
    return;
  }
  const obj = parent as Record<string, Json>;
  const key = String(last);
  switch (m.op) {
    case 'delete':
      delete obj[key];
      return;
    case 'rename': {
      const v = obj[key]!;
      delete obj[key];
      obj[typo(key, m.typo, m.typoAt)] = v;
      return;
    }
    case 'replace':
      obj[key] = m.value;
      return;
    case 'insert':
      obj[m.key] = m.value;
  }
}

function check(result: LoadResult, file: string, text: string): void {
  if (result.ok) return;
  const lines = text.split('\n').length + 1;
  if (result.problems.length === 0) throw new Error('not ok, but no problems');
  for (const p of result.problems) {
    if (typeof p.message !== 'string' || p.message.length === 0) throw new Error(`empty message: ${JSON.stringify(p)}`);
    if (typeof p.path !== 'string') throw new Error(`bad path: ${JSON.stringify(p)}`);
    if (p.message.includes('undefined') && !text.includes('undefined')) throw new Error(`message mentions undefined: ${formatProblems([p])}`);
    if (p.file === file) {
      const positionless = p.message.startsWith('empty file');
      if (!positionless && (p.line < 1 || p.column < 1 || p.line > lines)) throw new Error(`no position: ${formatProblems([p])}\n--- text:\n${text}`);
    } else if (!p.file.startsWith('--set ')) {
      throw new Error(`unexpected file: ${formatProblems([p])}`);
    }
  }
}

test('mutated scenario files never make the loader throw; every problem has a position', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(0, 1),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.option(fc.record({ at: fc.nat(), garbage: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(': :', '- ', '{', ']', '\t', '&a ', '*a', '!!binary ', '"', '\n  x', '---\n', '? ')) })),
      fc.option(fc.tuple(fc.nat(), fc.constantFrom('5', '5ms', '[a]', '{n: 1}', '', 'null', '-1', 'x'))),
      (which, mutations, garbage, override) => {
        const root = parse(FIXTURES[which]!) as Json;
        for (const m of mutations) mutate(root, m);
        let text = stringify(root);
        if (garbage !== null) {
          const at = garbage.at % (text.length + 1);
          text = text.slice(0, at) + garbage.garbage + text.slice(at);
        }
        const overrides: string[] = [];
        if (override !== null) {
          const all = paths(root).filter((p) => p.length > 0);
          const p = all[override[0] % Math.max(1, all.length)];
          if (p !== undefined) overrides.push(`${p.join('.')}=${override[1]}`);
        }
        const file = 'fuzz.yaml';
        const first = parseScenario(text, { file, overrides });
        check(first, file, text);
        // Deterministic: the same input gives the same answer.
        const again = parseScenario(text, { file, overrides });
        if (JSON.stringify(first) !== JSON.stringify(again)) throw new Error('two loads of the same text differ');
      },
    ),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
  );
  t.pass();
});

test('the mutation machinery does change files (the property above is not vacuous)', (t) => {
  const root = parse(FIXTURES[0]!) as Json;
  mutate(root, { op: 'rename', at: 3, typoAt: 1, typo: 'swap', key: 'quorum', value: null });
  const r = parseScenario(stringify(root), { file: 'm.yaml' });
  t.false(r.ok);
  if (!r.ok) t.regex(formatProblems(r.problems), /unknown field .*did you mean/);
});

test('arbitrary data given to checkScenario never makes it throw', (t) => {
  const named = fc.record({ name: fc.string({ minLength: 1 }) });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }),
        fc.tuple(named, fc.dictionary(fc.constantFrom('cluster', 'network', 'hosts', 'workload', 'faults', 'nemesis', 'sla', 'checks', 'phases', 'seed', 'duration'), fc.anything())).map(([a, b]) => ({ ...a, ...b })),
      ),
      (v) => {
        const r = checkScenario(v);
        if (!r.ok && r.problems.some((p) => p.message.length === 0)) throw new Error('empty message');
      },
    ),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
  );
  t.pass();
});
