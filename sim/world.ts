/**
 * A world: one scheduler, one trace, one seed, one network, its hosts and the
 * fault primitives over them. Everything a run needs below the Dynamo layer.
 */
import { Faults } from './faults.js';
import { Host, type HostOptions } from './host.js';
import { Network, type NetworkOptions } from './network.js';
import { RandomRoot, type Seed } from './random.js';
import { Scheduler } from './scheduler.js';
import { Trace, type TraceSink } from './trace.js';

export interface WorldOptions {
  seed: Seed | string | number | bigint;
  network: NetworkOptions;
  maxEvents?: number;
  maxTimeUs?: number;
  traceSink?: TraceSink | null;
}

export class World {
  readonly random: RandomRoot;
  readonly trace: Trace;
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly hosts: Host[] = [];
  readonly faults: Faults;

  constructor(options: WorldOptions) {
    this.random = new RandomRoot(options.seed);
    this.trace = new Trace(options.traceSink ?? null);
    this.scheduler = new Scheduler({
      seed: this.random.seed,
      trace: this.trace,
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
      ...(options.maxTimeUs !== undefined ? { maxTimeUs: options.maxTimeUs } : {}),
    });
    this.network = new Network(this.scheduler, this.random.stream('network'), this.trace, options.network);
    this.faults = new Faults(this.scheduler, this.network, this.hosts, this.trace);
  }

  get seed(): Seed {
    return this.random.seed;
  }

  get nowUs(): number {
    return this.scheduler.nowUs;
  }

  /** Add a host; its id equals its network endpoint id and its index in `hosts`. */
  addHost(options: HostOptions): Host {
    const host = new Host(
      this.scheduler,
      this.network,
      this.trace,
      this.random.stream(`host/${options.name}`),
      this.random.stream(`app/${options.name}`),
      options,
    );
    if (host.id !== this.hosts.length) throw new Error(`host id ${host.id} does not match its index ${this.hosts.length}: add hosts before other endpoints`);
    this.hosts.push(host);
    return host;
  }

  digest(): string {
    return this.trace.digest.hex();
  }
}

