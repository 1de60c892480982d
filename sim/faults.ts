/**
 * Fault primitives: what a scenario's fault timeline and the nemesis call.
 * Each one acts on the network or a host and is recorded in the trace, so
 * a report can shade fault windows and a replay sees the same faults.
 */
import { InvalidOptionError } from './errors.js';
import type { Host } from './host.js';
import type { LinkDegradation, Network } from './network.js';
import type { Scheduler } from './scheduler.js';
import type { Trace } from './trace.js';

export class Faults {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly network: Network,
    private readonly hosts: readonly Host[],
    private readonly trace: Trace,
  ) {}

  private host(id: number): Host {
    const h = this.hosts[id];
    if (h === undefined) throw new InvalidOptionError('host', id, `a host id in [0, ${this.hosts.length})`);
    return h;
  }

  private note(kind: string, fields: Record<string, number | string | boolean>): void {
    this.trace.record('fault', this.scheduler.nowUs, { fault: kind, ...fields });
  }

  crash(id: number, options: { loseDisk?: boolean } = {}): void {
    this.note('crash', { host: id, loseDisk: options.loseDisk === true });
    this.host(id).crash(options);
  }

  restart(id: number): void {
    this.note('restart', { host: id });
    this.host(id).restart();
  }

  pause(id: number, options: { clockStops?: boolean } = {}): void {
    this.note('pause', { host: id });
    this.host(id).pause(options);
  }

  resume(id: number): void {
    this.note('resume', { host: id });
    this.host(id).resume();
  }

  /** Groups that cannot talk to each other (both directions). */
  partition(groups: readonly (readonly number[])[]): void {
    this.note('partition', { groups: groups.map((g) => g.join(',')).join('|') });
    this.network.partition(groups);
  }

  /** `from` cannot reach `to`; `to` still reaches `from`. */
  partitionOneWay(from: readonly number[], to: readonly number[]): void {
    this.note('partition-one-way', { from: from.join(','), to: to.join(',') });
    this.network.partitionOneWay(from, to);
  }

  heal(): void {
    this.note('heal', {});
    this.network.heal();
  }

  degradeLink(a: number, b: number, degradation: Partial<LinkDegradation>): void {
    this.note('degrade', { a, b, addedLatencyUs: degradation.addedLatencyUs ?? 0, lossProbability: degradation.lossProbability ?? 0 });
    this.network.degradeLink(a, b, degradation);
  }

  restoreLink(a: number, b: number): void {
    this.note('restore-link', { a, b });
    this.network.restoreLink(a, b);
  }

  clog(a: number, b: number, untilUs: number): void {
    this.note('clog', { a, b, untilUs });
    this.network.clog(a, b, untilUs);
  }

  unclog(a: number, b: number): void {
    this.note('unclog', { a, b });
    this.network.unclog(a, b);
  }

  skewClock(id: number, deltaUs: number): void {
    this.note('clock-skew', { host: id, deltaUs });
    this.host(id).skewClock(deltaUs);
  }

  setDrift(id: number, driftPpm: number): void {
    this.note('clock-drift', { host: id, driftPpm });
    this.host(id).setDriftPpm(driftPpm);
  }

  /** A slow disk and CPU (factor > 1), or back to normal (1). */
  slowdown(id: number, factor: number): void {
    this.note('slowdown', { host: id, factor });
    this.host(id).setSlowdown(factor);
  }
}
