/**
 * A random nemesis (Jepsen's term): every interval it considers each fault
 * kind in turn; a kind that is not active and has been stable for at least
 * its minimum stability period starts with its probability. An active fault
 * ends after a duration drawn from its distribution, then the kind must stay
 * stable again before it can recur. All draws come from the nemesis's own
 * stream, so the nemesis does not disturb any other component's sequence.
 *
 * The nemesis knows nothing of what a fault does: each kind brings a `start`
 * function that applies it (with the stream, to pick targets) and returns the
 * function that undoes it.
 */
import type { Distribution } from './distributions.js';
import { InvalidOptionError, requireInteger, requireNonNegative, requireProbability } from './errors.js';
import type { RandomStream } from './random.js';
import type { Scheduler } from './scheduler.js';
import type { Trace } from './trace.js';

export interface NemesisKind {
  name: string;
  /** Probability of starting at each interval tick when eligible. */
  probability: number;
  /** After a fault of this kind ends, none starts again for this long. */
  minStableUs: number;
  /** How long a fault lasts (µs). */
  durationUs: Distribution;
  /** Apply the fault; return a description (for the trace) and the undo. */
  start(rng: RandomStream): { describe: string; undo: () => void } | null;
}

export interface NemesisOptions {
  intervalUs: number;
  kinds: NemesisKind[];
  /** Only act within [startUs, endUs); active faults are undone at endUs. */
  startUs?: number;
  endUs?: number;
}

export interface NemesisEvent {
  kind: string;
  describe: string;
  startUs: number;
  endUs: number;
}

interface KindState {
  kind: NemesisKind;
  active: { undo: () => void; describe: string; startUs: number } | null;
  stableSinceUs: number;
}

export class Nemesis {
  /** Every fault the nemesis started, with when it ended (for reports). */
  readonly history: NemesisEvent[] = [];
  private readonly states: KindState[];
  private readonly intervalUs: number;
  private readonly startUs: number;
  private readonly endUs: number;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: RandomStream,
    private readonly trace: Trace,
    options: NemesisOptions,
  ) {
    this.intervalUs = requireInteger('nemesis.interval', options.intervalUs, 1);
    this.startUs = requireInteger('nemesis.start', options.startUs ?? 0, 0);
    this.endUs = options.endUs === undefined ? Infinity : requireInteger('nemesis.end', options.endUs, this.startUs);
    if (!Array.isArray(options.kinds) || options.kinds.length === 0) throw new InvalidOptionError('nemesis.kinds', options.kinds, 'a non-empty list of fault kinds');
    this.states = options.kinds.map((kind) => {
      requireProbability(`nemesis.${kind.name}.probability`, kind.probability);
      requireNonNegative(`nemesis.${kind.name}.minStable`, kind.minStableUs);
      return { kind, active: null, stableSinceUs: -Infinity };
    });
    scheduler.at(Math.max(this.startUs, scheduler.nowUs), this.tick);
    if (this.endUs !== Infinity) scheduler.at(Math.max(this.endUs, scheduler.nowUs), this.stopAll);
  }

  private readonly tick = (): void => {
    const nowUs = this.scheduler.nowUs;
    if (nowUs >= this.endUs) return;
    for (const st of this.states) {
      if (st.active !== null) continue;
      if (nowUs - st.stableSinceUs < st.kind.minStableUs) continue;
      if (!this.rng.chance(st.kind.probability)) continue;
      const started = st.kind.start(this.rng);
      if (started === null) continue;
      st.active = { undo: started.undo, describe: started.describe, startUs: nowUs };
      this.trace.record('nemesis', nowUs, { kind: st.kind.name, action: 'start', describe: started.describe });
      const durationUs = Math.max(1, Math.round(st.kind.durationUs.sample(this.rng)));
      const endUs = Math.min(nowUs + durationUs, this.endUs);
      this.scheduler.at(endUs, () => this.end(st));
    }
    const next = nowUs + this.intervalUs;
    if (next < this.endUs) this.scheduler.at(next, this.tick);
  };

  private end(st: KindState): void {
    const active = st.active;
    if (active === null) return;
    const nowUs = this.scheduler.nowUs;
    active.undo();
    st.active = null;
    st.stableSinceUs = nowUs;
    this.history.push({ kind: st.kind.name, describe: active.describe, startUs: active.startUs, endUs: nowUs });
    this.trace.record('nemesis', nowUs, { kind: st.kind.name, action: 'end', describe: active.describe });
  }

  private readonly stopAll = (): void => {
    for (const st of this.states) this.end(st);
  };
}
