/**
 * Short versions of the shipped scenarios, for the determinism and golden
 * digest tests: `--set` overrides that shorten the fault phase and the
 * liveness phase and scale every fault time (at, for, rolling-restart
 * downtime and gap, flash crowds, nemesis start and end) by the same factor,
 * so each fault still happens, in the same order, inside the short run.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { shippedScenarios } from '../../src/cli/paths.js';
import { loadScenario, parseDurationUs } from '../../src/scenario/index.js';

export interface ShortRun {
  readonly name: string;
  readonly file: string;
  readonly overrides: string[];
}

export interface ShortOptions {
  readonly durationUs: number;
  readonly livenessUs: number;
  readonly warmupUs: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ms = (us: number) => `${Math.max(1, Math.round(us / 1000))}ms`;

export function shortOverrides(file: string, o: ShortOptions): string[] {
  const full = loadScenario(file);
  if (!full.ok) throw new Error(`${file} does not load`);
  const f = o.durationUs / full.scenario.durationUs;
  const raw = parse(readFileSync(file, 'utf8')) as Obj;
  const out = [`duration=${ms(o.durationUs)}`, `phases.warmup=${ms(o.warmupUs)}`, `phases.liveness=${ms(o.livenessUs)}`];
  const scale = (path: string, v: unknown) => {
    const p = parseDurationUs(v);
    if (p.ok) out.push(`${path}=${ms(p.value * f)}`);
  };
  const faults = Array.isArray(raw.faults) ? raw.faults : [];
  faults.forEach((fault, i) => {
    if (!isObj(fault)) return;
    for (const k of ['at', 'for']) if (fault[k] !== undefined) scale(`faults.${i}.${k}`, fault[k]);
    const rr = fault.rollingRestart;
    if (isObj(rr)) for (const k of ['downtime', 'gap']) if (rr[k] !== undefined) scale(`faults.${i}.rollingRestart.${k}`, rr[k]);
  });
  const w = isObj(raw.workload) ? raw.workload : {};
  const populations: Array<[string, unknown]> = Array.isArray(w.populations) ? w.populations.map((p, i) => [`workload.populations.${i}`, p]) : [['workload', w]];
  for (const [base, p] of populations) {
    const crowds = isObj(p) && isObj(p.arrivals) && Array.isArray(p.arrivals.flashCrowds) ? p.arrivals.flashCrowds : [];
    crowds.forEach((c, j) => {
      if (isObj(c)) for (const k of ['at', 'for']) if (c[k] !== undefined) scale(`${base}.arrivals.flashCrowds.${j}.${k}`, c[k]);
    });
  }
  if (isObj(raw.nemesis)) for (const k of ['start', 'end']) if (raw.nemesis[k] !== undefined) scale(`nemesis.${k}`, raw.nemesis[k]);
  return out;
}

/** Every shipped scenario (not the sweeps), shortened. */
export function shortShipped(o: ShortOptions): ShortRun[] {
  return shippedScenarios()
    .filter((s) => s.kind === 'scenario')
    .map((s) => ({ name: s.name, file: s.file, overrides: shortOverrides(s.file, o) }));
}
