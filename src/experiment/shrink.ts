/**
 * Shrinking a failing run (delta debugging, Zeller and Hildebrandt 2002):
 * with the same seed, remove what is not needed for a check to keep
 * failing, until nothing more can go.
 *
 *   1. the fault timeline: ddmin over the list of faults (the empty list is
 *      tried first);
 *   2. the nemesis: removed whole, else ddmin over its fault kinds;
 *   3. the numbers, each by bisection (on a log scale for the rate and the
 *      key count) between a small value and the current one: the fault
 *      phase's duration, the liveness phase, each population's rate (or
 *      clients, closed loop) and key count, and the cluster size (a count
 *      down to N; a list loses the nodes no fault or seed names, one by one).
 *
 * Everything works on the scenario as data (the file's parsed YAML, with
 * overrides applied), so the result is a scenario file again. A candidate
 * "still fails" when it validates, runs, and the same check fails; a
 * candidate that is invalid or crashes counts as not failing. Bisection
 * assumes the failure is monotone in the number, which it need not be:
 * the result is small, not the smallest. Runs are bounded (`maxRuns`).
 */
import { stringify } from 'yaml';
import { checkScenario, type ResolvedScenario } from '../scenario/index.js';
import type { CheckResult } from '../report/summary.js';
import { parseDurationUs } from '../scenario/units.js';
import { runScenario } from './run.js';

type Raw = Record<string, unknown>;

export interface ShrinkOptions {
  /** The scenario as data (YAML parsed; overrides applied). Not modified. */
  readonly raw: Raw;
  readonly seed: string;
  /** The check to keep failing (a check or SLA name as summary.checks has it); default: the first that fails. */
  readonly check?: string;
  /** Bound on simulation runs (default 200). */
  readonly maxRuns?: number;
  /** Progress: one line per accepted step. */
  readonly onStep?: (line: string) => void;
}

export type ShrinkResult =
  | { outcome: 'invalid'; problems: string[] }
  | { outcome: 'passes'; checks: CheckResult[]; check: string | null }
  | { outcome: 'no-such-check'; check: string; available: string[] }
  | {
      outcome: 'shrunk';
      check: string;
      /** The check's detail in the original run and in the minimal one. */
      before: string;
      after: string;
      raw: Raw;
      scenario: ResolvedScenario;
      /** What was removed or reduced, a line each. */
      removed: string[];
      runs: number;
      /** True when maxRuns stopped the search early. */
      exhausted: boolean;
    };

const clone = <T>(x: T): T => structuredClone(x);
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A fault or nemesis entry as one line of YAML flow text. */
export function describeEntry(x: unknown): string {
  return stringify(x, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

class Budget extends Error {}

export function shrinkScenario(options: ShrinkOptions): ShrinkResult {
  const maxRuns = options.maxRuns ?? 200;
  const step = options.onStep ?? (() => {});
  const first = checkScenario(options.raw);
  if (!first.ok) return { outcome: 'invalid', problems: first.problems.map((p) => `${p.path}: ${p.message}`) };
  let runs = 0;
  const baseline = runScenario(first.scenario, { seed: options.seed, captureOperation: false }).summary;
  runs++;
  const failing = baseline.checks.filter((c) => !c.pass);
  let check: string;
  if (options.check !== undefined) {
    const found = baseline.checks.find((c) => c.name === options.check);
    if (found === undefined) return { outcome: 'no-such-check', check: options.check, available: baseline.checks.map((c) => c.name) };
    if (found.pass) return { outcome: 'passes', checks: baseline.checks, check: options.check };
    check = options.check;
  } else {
    if (failing.length === 0) return { outcome: 'passes', checks: baseline.checks, check: null };
    check = failing[0]!.name;
  }
  const before = baseline.checks.find((c) => c.name === check)!.detail;
  step(`run 1: ${check} fails (${before}); shrinking with seed ${options.seed}`);

  const cache = new Map<string, boolean>();
  let lastDetail = before;
  const fails = (candidate: Raw): boolean => {
    const text = JSON.stringify(candidate);
    const known = cache.get(text);
    if (known !== undefined) return known;
    if (runs >= maxRuns) throw new Budget();
    let result = false;
    const checked = checkScenario(candidate);
    if (checked.ok) {
      runs++;
      try {
        const c = runScenario(checked.scenario, { seed: options.seed, captureOperation: false }).summary.checks.find((x) => x.name === check);
        result = c !== undefined && !c.pass;
        if (result) lastDetail = c!.detail;
      } catch {
        result = false; // a candidate that cannot run does not reproduce this failure
      }
    }
    cache.set(text, result);
    return result;
  };

  let current = clone(options.raw);
  const removed: string[] = [];
  let exhausted = false;
  const accept = (next: Raw, what: string) => {
    current = next;
    removed.push(what);
    step(`run ${runs}: still fails: ${what}`);
  };

  try {
    // 1. The fault timeline.
    const faults = Array.isArray(current.faults) ? (current.faults as unknown[]) : [];
    if (faults.length > 0) {
      const withFaults = (list: unknown[]): Raw => {
        const next = clone(current);
        if (list.length === 0) delete next.faults;
        else next.faults = clone(list);
        return next;
      };
      const kept = ddmin(faults, (subset) => fails(withFaults(subset)));
      if (kept.length < faults.length) {
        const gone = faults.filter((f) => !kept.includes(f));
        accept(withFaults(kept), `removed ${gone.length} of ${faults.length} faults: ${gone.map(describeEntry).join('; ')}`);
      }
    }
    // 1b. How long each remaining fault lasts (its `for`), in whole seconds.
    {
      const list = Array.isArray(current.faults) ? (current.faults as unknown[]) : [];
      list.forEach((entry, i) => {
        const us = isObj(entry) ? durationUs(entry.for) : null;
        if (us === null || us <= SEC) return;
        const withFor = (sec: number): Raw => {
          const next = clone(current);
          ((next.faults as unknown[])[i] as Raw).for = `${sec}s`;
          return next;
        };
        const d = shrinkNumber(Math.ceil(us / SEC), 1, false, (v) => fails(withFor(v)));
        if (d !== null) accept(withFor(d), `fault ${describeEntry(entry)}: for ${fmtUs(us)} -> ${d}s`);
      });
    }
    // 2. The nemesis.
    if (isObj(current.nemesis)) {
      const without = clone(current);
      delete without.nemesis;
      if (fails(without)) accept(without, 'removed the nemesis');
      else {
        const kinds = Array.isArray(current.nemesis.faults) ? (current.nemesis.faults as unknown[]) : [];
        const withKinds = (list: unknown[]): Raw => {
          const next = clone(current);
          (next.nemesis as Raw).faults = clone(list);
          return next;
        };
        const kept = kinds.length > 1 ? ddmin(kinds, (subset) => subset.length > 0 && fails(withKinds(subset))) : kinds;
        if (kept.length < kinds.length) {
          const gone = kinds.filter((k) => !kept.includes(k));
          accept(withKinds(kept), `removed ${gone.length} of ${kinds.length} nemesis fault kinds: ${gone.map(describeEntry).join('; ')}`);
        }
      }
    }
    // 2b. Flash crowds the failure does not need (structure before numbers, like the faults).
    {
      const r = checkScenario(current);
      const count = r.ok ? r.scenario.workload.populations.length : 0;
      for (let i = 0; i < count; i++) {
        const crowds = crowdsOf(current, i);
        if (crowds.length === 0) continue;
        const label = count > 1 ? ` of population ${r.ok ? r.scenario.workload.populations[i]!.name : i}` : '';
        const withCrowds = (list: unknown[]): Raw => withPopulation(current, i, ['arrivals', 'flashCrowds'], clone(list));
        const kept = ddmin(crowds, (subset) => fails(withCrowds(subset)));
        if (kept.length < crowds.length) {
          const gone = crowds.filter((c) => !kept.includes(c));
          accept(withCrowds(kept), `removed ${gone.length} of ${crowds.length} flash crowds${label}: ${gone.map(describeEntry).join('; ')}`);
        }
      }
    }
    // 3. The numbers.
    const resolved = () => {
      const r = checkScenario(current);
      if (!r.ok) throw new Error('bug: an accepted shrink step left an invalid scenario');
      return r.scenario;
    };
    {
      const s = resolved();
      const d = shrinkNumber(Math.ceil(s.durationUs / SEC), 1, false, (v) => fails(withDuration(current, v * SEC, s.warmupUs)));
      if (d !== null) accept(withDuration(current, d * SEC, s.warmupUs), `duration ${fmtUs(s.durationUs)} -> ${fmtUs(d * SEC)}`);
    }
    {
      const s = resolved();
      if (s.livenessUs > 0) {
        const l = shrinkNumber(Math.ceil(s.livenessUs / SEC), 0, false, (v) => fails(withPhase(current, 'liveness', v * SEC)));
        if (l !== null) accept(withPhase(current, 'liveness', l * SEC), `liveness phase ${fmtUs(s.livenessUs)} -> ${fmtUs(l * SEC)}`);
      }
    }
    const populations = resolved().workload.populations;
    populations.forEach((p, i) => {
      const label = populations.length > 1 ? ` of population ${p.name}` : '';
      if (p.arrivals.type === 'open') {
        const rate = Math.ceil(p.arrivals.ratePerSec);
        const r = shrinkNumber(rate, 1, true, (v) => fails(withPopulation(current, i, ['arrivals', 'rate'], `${v}/s`)));
        if (r !== null) accept(withPopulation(current, i, ['arrivals', 'rate'], `${r}/s`), `rate${label} ${rate}/s -> ${r}/s`);
      } else {
        const clients = p.arrivals.clients;
        const c = shrinkNumber(clients, 1, true, (v) => fails(withPopulation(current, i, ['arrivals', 'clients'], v)));
        if (c !== null) accept(withPopulation(current, i, ['arrivals', 'clients'], c), `clients${label} ${clients} -> ${c}`);
      }
      // The remaining flash crowds: smaller factors, shorter.
      crowdsOf(current, i).forEach((crowd, c) => {
        if (!isObj(crowd)) return;
        const withField = (field: string, value: unknown): Raw => {
          const list = clone(crowdsOf(current, i)) as Raw[];
          list[c]![field] = value;
          return withPopulation(current, i, ['arrivals', 'flashCrowds'], list);
        };
        if (typeof crowd.factor === 'number' && crowd.factor > 2) {
          const f = shrinkNumber(Math.ceil(crowd.factor), 2, true, (v) => fails(withField('factor', v)));
          if (f !== null) accept(withField('factor', f), `flash crowd ${c + 1}${label}: factor ${crowd.factor} -> ${f}`);
        }
        const us = durationUs(crowd.for);
        if (us !== null && us > SEC) {
          const d = shrinkNumber(Math.ceil(us / SEC), 1, false, (v) => fails(withField('for', `${v}s`)));
          if (d !== null) accept(withField('for', `${d}s`), `flash crowd ${c + 1}${label}: for ${fmtUs(us)} -> ${d}s`);
        }
      });
      const keys = p.keys.count;
      const k = shrinkNumber(keys, 1, true, (v) => fails(withPopulation(current, i, ['keys', 'count'], v)));
      if (k !== null) accept(withPopulation(current, i, ['keys', 'count'], k), `key count${label} ${keys} -> ${k}`);
    });
    {
      const s = resolved();
      const cluster = isObj(current.cluster) ? current.cluster : {};
      const count = s.cluster.nodes.length;
      if (!Array.isArray(cluster.nodes)) {
        const n = shrinkNumber(count, s.cluster.quorum.n, false, (v) => fails(withNodes(current, v)));
        if (n !== null) accept(withNodes(current, n), `cluster size ${count} -> ${n} nodes`);
      } else {
        const named = JSON.stringify([current.faults ?? [], current.nemesis ?? null, cluster.gossip ?? null]);
        const list = cluster.nodes as unknown[];
        for (let i = list.length - 1; i >= 0; i--) {
          const nodes = (current.cluster as Raw).nodes as unknown[];
          const node = nodes[i];
          const name = isObj(node) && typeof node.name === 'string' ? node.name : null;
          if (name === null || named.includes(JSON.stringify(name))) continue;
          const next = clone(current);
          ((next.cluster as Raw).nodes as unknown[]).splice(i, 1);
          if (fails(next)) accept(next, `removed node ${name}`);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Budget)) throw e;
    exhausted = true;
    step(`stopped after ${runs} runs (the --max-runs bound): the result is smaller, not minimal`);
  }
  const final = checkScenario(current);
  if (!final.ok) throw new Error('bug: the shrunk scenario does not validate');
  return { outcome: 'shrunk', check, before, after: removed.length > 0 ? lastDetail : before, raw: current, scenario: final.scenario, removed, runs, exhausted };
}

const SEC = 1_000_000;

/** The raw flash-crowd list of population i (empty when it has none). */
function crowdsOf(raw: Raw, i: number): unknown[] {
  const workload = isObj(raw.workload) ? raw.workload : {};
  const pop = Array.isArray(workload.populations) ? workload.populations[i] : workload;
  const arrivals = isObj(pop) && isObj(pop.arrivals) ? pop.arrivals : {};
  return Array.isArray(arrivals.flashCrowds) ? (arrivals.flashCrowds as unknown[]) : [];
}

/** A raw `for`/`at` duration in µs, or null when it is not one. */
function durationUs(value: unknown): number | null {
  const r = parseDurationUs(value);
  return r.ok ? r.value : null;
}

const fmtUs = (us: number) => {
  const s = us / 1_000_000;
  return Number.isInteger(s) ? `${s}s` : `${us / 1000}ms`;
};

function withDuration(raw: Raw, durationUs: number, warmupUs: number): Raw {
  const next = clone(raw);
  next.duration = fmtUs(durationUs);
  // The warm-up must end before the fault phase does.
  if (warmupUs >= durationUs) {
    const phases = isObj(next.phases) ? next.phases : {};
    phases.warmup = fmtUs(Math.floor(durationUs / 2 / 1000) * 1000);
    next.phases = phases;
  }
  return next;
}

function withPhase(raw: Raw, phase: string, us: number): Raw {
  const next = clone(raw);
  const phases = isObj(next.phases) ? next.phases : {};
  phases[phase] = fmtUs(us);
  next.phases = phases;
  return next;
}

/** Set a field of population i, whether the file writes `workload.populations` or one population under `workload`. */
function withPopulation(raw: Raw, i: number, path: string[], value: unknown): Raw {
  const next = clone(raw);
  const workload = isObj(next.workload) ? next.workload : (next.workload = {});
  let target: Raw;
  if (Array.isArray(workload.populations)) {
    const p = workload.populations[i];
    if (!isObj(p)) return next;
    target = p;
  } else target = workload;
  for (const key of path.slice(0, -1)) {
    if (!isObj(target[key])) target[key] = {};
    target = target[key] as Raw;
  }
  target[path[path.length - 1]!] = value;
  return next;
}

function withNodes(raw: Raw, count: number): Raw {
  const next = clone(raw);
  const cluster = isObj(next.cluster) ? next.cluster : (next.cluster = {});
  cluster.nodes = count;
  return next;
}

/**
 * The smallest value in [lo, current) for which `fails` holds, by bisection
 * (geometric when `log`), or null when none smaller than `current` was found.
 * Stops when the bracket is within 10% (or 1).
 */
export function shrinkNumber(current: number, lo: number, log: boolean, fails: (v: number) => boolean): number | null {
  if (!(current > lo)) return null;
  if (fails(lo)) return lo;
  let good = current; // fails
  let bad = lo; // does not fail
  while (good - bad > Math.max(1, Math.floor(good * 0.1))) {
    const mid = log ? Math.max(bad + 1, Math.min(good - 1, Math.round(Math.sqrt(Math.max(1, bad) * good)))) : Math.floor((bad + good) / 2);
    if (fails(mid)) good = mid;
    else bad = mid;
  }
  return good < current ? good : null;
}

/**
 * ddmin: a 1-minimal subset of `items` for which `test` holds (it holds for
 * `items`). The empty set is tried first.
 */
export function ddmin<T>(items: readonly T[], test: (subset: T[]) => boolean): T[] {
  if (test([])) return [];
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    let reduced = false;
    for (const chunk of chunks) {
      if (chunk.length < current.length && test(chunk)) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (const chunk of chunks) {
        const complement = current.filter((x) => !chunk.includes(x));
        if (complement.length > 0 && complement.length < current.length && test(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    if (end > start) out.push(items.slice(start, end));
    start = end;
  }
  return out;
}
