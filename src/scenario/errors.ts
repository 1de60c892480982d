/**
 * Problems with a scenario are values, not exceptions: a bad file yields the
 * list of everything wrong with it, each naming where (file:line:column), the
 * field path, what was expected and, for a misspelled name, the closest valid
 * one. The CLI prints them one per line and exits with code 2.
 */
import { DynasimError } from '../../sim/errors.js';

/** One thing wrong with a scenario, located in its file (or in a `--set` override). */
export interface ScenarioProblem {
  /** The scenario file as the caller named it, or `--set path=value` for an override. */
  file: string;
  /** 1-based line; 0 when the problem has no position (a missing file, an override). */
  line: number;
  /** 1-based column; 0 when the problem has no position. */
  column: number;
  /** Dotted field path (`cluster.quorum.r`, `faults.2.crash`); empty for the whole file. */
  path: string;
  /** What is wrong: what was expected, what was found, and a suggestion when there is one. */
  message: string;
}

/** A path segment: a mapping key or a list index. */
export type Segment = string | number;

/**
 * A problem before it is located in a file. `at` says which part of the YAML
 * to point at: the key (an unknown field), the value (a wrong value) or the
 * enclosing mapping (a missing field). `involves` lists other fields the
 * problem depends on (for R > N, `cluster.quorum.n`), so that a problem
 * caused by a field that was itself invalid is not reported twice.
 */
export interface PathProblem {
  path: readonly Segment[];
  message: string;
  at?: 'key' | 'value' | 'container';
  involves?: readonly (readonly Segment[])[];
}

/** Thrown only by callers who prefer exceptions (`resolveOrThrow`); carries every problem. */
export class ScenarioError extends DynasimError {
  readonly problems: readonly ScenarioProblem[];
  constructor(problems: readonly ScenarioProblem[]) {
    super(`invalid scenario:\n${formatProblems(problems)}`);
    this.problems = problems;
  }
}

export function pathText(path: readonly Segment[]): string {
  return path.map(String).join('.');
}

/** `scenarios/x.yaml:12:5: cluster.quorum.r: expected an integer <= n (3), got 4` */
export function formatProblem(p: ScenarioProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/** One problem per line, in the order given (loadScenario sorts them by position). */
export function formatProblems(problems: readonly ScenarioProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein restricted to one
 * edit per substring): insertions, deletions, substitutions and transpositions
 * of adjacent characters each cost 1, so "qourum" is 1 away from "quorum".
 */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: i-2, i-1, i.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/**
 * The candidate closest to `word`, if close enough to be a plausible typo:
 * a case-insensitive match, or at most 1 edit for words up to 4 characters,
 * 2 up to 8 and 3 beyond. Ties go to the earlier candidate (the schema's order).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.min(limit, Math.max(1, best.length - 1)) ? best : undefined;
}

/** `: did you mean "quorum"?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `: did you mean ${JSON.stringify(c)}?`;
}
