/**
 * Latency percentiles with HdrHistogram (hdr-histogram-js): constant memory
 * in the number of operations. One histogram per operation type for the
 * whole run, and one per type for the current window, whose percentiles are
 * kept when the window closes and which is then reset.
 *
 * Values are recorded in integer microseconds with 3 significant digits
 * (±0.1%), up to one hour; reports give milliseconds.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats, LatencyWindow } from '../report/summary.js';

const HIGHEST_US = 3_600_000_000;

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false });
}

const ms = (us: number): number => Math.round(us) / 1000;

export function latencyStats(h: hdr.Histogram): LatencyStats {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    p9999: ms(h.getValueAtPercentile(99.99)),
    max: ms(h.maxValue),
    mean: Math.round(h.mean) / 1000,
  };
}

type Kind = 'get' | 'put';

interface WindowCounts {
  count: number;
  ok: number;
}

export class LatencyRecorder {
  private readonly overall = { get: histogram(), put: histogram() };
  private readonly window = { get: histogram(), put: histogram() };
  private readonly counts: Record<Kind, WindowCounts> = { get: { count: 0, ok: 0 }, put: { count: 0, ok: 0 } };
  readonly windows: LatencyWindow[] = [];
  private windowStartUs: number;

  constructor(
    private readonly windowUs: number,
    startUs: number,
  ) {
    this.windowStartUs = startUs;
  }

  /** An operation that started at or after the warm-up ended at `endUs`. */
  record(kind: Kind, startUs: number, endUs: number, ok: boolean): void {
    this.roll(endUs);
    const c = this.counts[kind];
    c.count++;
    if (!ok) return;
    c.ok++;
    const latencyUs = Math.min(HIGHEST_US, Math.max(1, endUs - startUs));
    this.overall[kind].recordValue(latencyUs);
    this.window[kind].recordValue(latencyUs);
  }

  /** Close every window that ends at or before `nowUs`. */
  roll(nowUs: number): void {
    while (nowUs >= this.windowStartUs + this.windowUs) this.closeWindow();
  }

  private closeWindow(): void {
    const startUs = this.windowStartUs;
    const endUs = startUs + this.windowUs;
    const part = (kind: Kind) => {
      const h = this.window[kind];
      const c = this.counts[kind];
      const out = {
        count: c.count,
        ok: c.ok,
        p50: h.totalCount ? ms(h.getValueAtPercentile(50)) : 0,
        p99: h.totalCount ? ms(h.getValueAtPercentile(99)) : 0,
        p999: h.totalCount ? ms(h.getValueAtPercentile(99.9)) : 0,
      };
      h.reset();
      c.count = 0;
      c.ok = 0;
      return out;
    };
    this.windows.push({ startUs, endUs, get: part('get'), put: part('put') });
    this.windowStartUs = endUs;
  }

  stats(kind: Kind): LatencyStats {
    return latencyStats(this.overall[kind]);
  }

  /** Close the windows up to `endUs` (a partial last window is kept if it saw operations). */
  finish(endUs: number): void {
    this.roll(endUs);
    if (this.counts.get.count + this.counts.put.count > 0) this.closeWindow();
  }
}
