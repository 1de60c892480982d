/**
 * The classic hold model: P pending events; each executed event schedules
 * one more after an Exp(mean) delay. Runs through the scheduler's real
 * dispatch path (Scheduler.run with a callback per event, digest folded).
 */
import { Scheduler } from '../sim/scheduler.js';
import { RandomRoot } from '../sim/random.js';
import { Trace } from '../sim/trace.js';

export interface HoldResult {
  events: number;
  wallMs: number;
  eventsPerSec: number;
  digest: string;
}

export function runHold(options: { pending: number; events: number; meanUs: number; seed?: string }): HoldResult {
  const trace = new Trace();
  const sched = new Scheduler({ seed: options.seed ?? '1', trace });
  const rng = new RandomRoot(options.seed ?? '1').stream('hold');
  const mean = options.meanUs;
  const hold = (): void => {
    sched.after(Math.round(-mean * Math.log(rng.nextOpen())), hold);
  };
  for (let i = 0; i < options.pending; i++) sched.after(Math.round(-mean * Math.log(rng.nextOpen())), hold);
  const start = performance.now();
  sched.run({ maxEvents: options.events });
  const wallMs = performance.now() - start;
  return { events: sched.executed, wallMs, eventsPerSec: (sched.executed / wallMs) * 1000, digest: trace.digest.hex() };
}
