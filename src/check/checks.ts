/**
 * The checks and SLA a scenario asks for, judged from the summary's figures
 * (which come from the client history and the trace, never from the system
 * under test grading itself). Each yields pass or fail with a detail that
 * says what was measured against what was required.
 */
import type { CheckResult, Summary } from '../report/summary.js';
import type { ResolvedSla, ScenarioCheck } from '../scenario/index.js';

type Measured = Omit<Summary, 'checks'>;

const pct = (x: number) => `${(x * 100).toFixed(4).replace(/\.?0+$/, '')}%`;

export function evaluateChecks(summary: Measured, checks: readonly ScenarioCheck[], sla: ResolvedSla): CheckResult[] {
  const out: CheckResult[] = [];
  for (const name of checks) out.push(check(summary, name));
  const bounds: Array<[keyof ResolvedSla, keyof Summary['ops']['get']['latencyMs'], string]> = [
    ['p50Us', 'p50', 'p50'],
    ['p90Us', 'p90', 'p90'],
    ['p99Us', 'p99', 'p99'],
    ['p999Us', 'p999', 'p99.9'],
    ['p9999Us', 'p9999', 'p99.99'],
    ['maxUs', 'max', 'max'],
  ];
  for (const [slaKey, statKey, label] of bounds) {
    const boundUs = sla[slaKey] as number | null;
    if (boundUs === null) continue;
    const boundMs = boundUs / 1000;
    for (const kind of ['get', 'put'] as const) {
      const ops = summary.ops[kind];
      if (ops.ok === 0) continue;
      const value = ops.latencyMs[statKey];
      out.push({ name: `sla ${kind} ${label}`, pass: value <= boundMs, detail: `${kind} ${label} ${value} ms (bound ${boundMs} ms)` });
    }
  }
  if (sla.availability !== null) {
    const a = summary.availability;
    out.push({
      name: 'sla availability',
      pass: a.overall >= sla.availability,
      detail: `${pct(a.overall)} of ${a.requests} requests succeeded within ${a.slaMs} ms (required ${pct(sla.availability)})`,
    });
  }
  return out;
}

function check(s: Measured, name: ScenarioCheck): CheckResult {
  switch (name) {
    case 'no-lost-writes': {
      const d = s.durability;
      const first = d.lost[0];
      return {
        name,
        pass: d.lostWrites === 0,
        detail: d.lostWrites === 0 ? `all ${d.acknowledgedWrites} acknowledged writes survive` : `${d.lostWrites} of ${d.acknowledgedWrites} acknowledged writes lost; first: key ${first!.key}, write ${first!.writeId} (${first!.cause})`,
      };
    }
    case 'converged': {
      const c = s.convergence;
      if (!c.ran) return { name, pass: false, detail: 'no liveness phase ran (set phases.liveness)' };
      return { name, pass: c.converged, detail: c.converged ? `converged ${((c.convergedAtUs! - s.phases.faultPhaseEndUs) / 1e6).toFixed(1)} s after the fault phase` : `not converged: ${c.pending.slice(0, 3).join('; ')}` };
    }
    case 'no-stale-reads': {
      const st = s.staleness;
      return { name, pass: st.staleReads === 0, detail: `${st.staleReads} stale reads of ${st.readsChecked} checked` };
    }
    case 'read-your-writes': {
      const r = s.staleness.readYourWrites;
      return { name, pass: r.violations === 0, detail: `${r.violations} violations in ${r.checked} session reads after a write` };
    }
    case 'monotonic-reads': {
      const m = s.staleness.monotonicReads;
      return { name, pass: m.violations === 0, detail: `${m.violations} violations in ${m.checked} repeated session reads` };
    }
  }
}
