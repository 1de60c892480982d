/**
 * Availability: the share of requests that succeeded within the SLA latency
 * (default 300 ms), counted by the second in which each request started,
 * then aggregated into windows, fault windows and times to recover.
 *
 * Time to recover from a fault: from its start to the first second t from
 * which the success rate over the next window [t, t + window) is back to the
 * rate of the window before the fault, within 0.1 percentage point (exact
 * equality would make noise look like an outage). A forward-looking window
 * does not inflate the recovery by its own length, as a trailing one would.
 * Resolution: 1 s.
 */
import type { AvailabilityWindow, FaultAvailability, FaultWindow } from '../report/summary.js';

const SECOND_US = 1_000_000;
const RECOVERY_TOLERANCE = 0.001;

export class AvailabilityRecorder {
  private requests: number[] = [];
  private succeeded: number[] = [];

  constructor(
    readonly slaUs: number,
    private readonly originUs: number,
  ) {}

  /** A request that started at `startUs` (after the warm-up) ended `ok` after `latencyUs`. */
  record(startUs: number, ok: boolean, latencyUs: number): void {
    const s = Math.floor((startUs - this.originUs) / SECOND_US);
    if (s < 0) return;
    while (this.requests.length <= s) {
      this.requests.push(0);
      this.succeeded.push(0);
    }
    this.requests[s]!++;
    if (ok && latencyUs <= this.slaUs) this.succeeded[s]!++;
  }

  private sum(fromUs: number, toUs: number): { requests: number; succeeded: number } {
    const a = Math.max(0, Math.floor((fromUs - this.originUs) / SECOND_US));
    const b = Math.min(this.requests.length, Math.ceil((toUs - this.originUs) / SECOND_US));
    let requests = 0;
    let succeeded = 0;
    for (let s = a; s < b; s++) {
      requests += this.requests[s]!;
      succeeded += this.succeeded[s]!;
    }
    return { requests, succeeded };
  }

  overall(): { requests: number; succeeded: number; availability: number } {
    const t = this.sum(this.originUs, this.originUs + this.requests.length * SECOND_US);
    return { ...t, availability: rate(t) };
  }

  windows(windowUs: number, endUs: number): AvailabilityWindow[] {
    const out: AvailabilityWindow[] = [];
    for (let start = this.originUs; start < endUs; start += windowUs) {
      const end = Math.min(endUs, start + windowUs);
      const t = this.sum(start, end);
      out.push({ startUs: start, endUs: end, requests: t.requests, succeeded: t.succeeded, availability: round6(rate(t)) });
    }
    return out;
  }

  faults(faults: readonly FaultWindow[], windowUs: number, endUs: number): FaultAvailability[] {
    return faults.map((f) => {
      const during = this.sum(f.startUs, Math.max(f.endUs, f.startUs + SECOND_US));
      const beforeCounts = this.sum(Math.max(this.originUs, f.startUs - windowUs), f.startUs);
      const before = rate(beforeCounts);
      let recoveryUs: number | null = null;
      for (let t = f.startUs; t < endUs; t += SECOND_US) {
        const w = this.sum(t, Math.min(endUs, t + windowUs));
        if (w.requests > 0 && rate(w) >= before - RECOVERY_TOLERANCE) {
          recoveryUs = t - f.startUs;
          break;
        }
      }
      return {
        fault: f.describe,
        kind: f.kind,
        startUs: f.startUs,
        endUs: f.endUs,
        requests: during.requests,
        availability: round6(rate(during)),
        before: round6(before),
        recoveryUs,
      };
    });
  }
}

function rate(t: { requests: number; succeeded: number }): number {
  return t.requests === 0 ? 1 : t.succeeded / t.requests;
}

/** Six decimal places (shares and probabilities). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
