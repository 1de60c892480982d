/**
 * The load balancer of server-driven coordination (§6.4): it hands each
 * client request to a random node it believes healthy, and the node answers
 * the client directly. Health is its own: it pings every node each interval
 * and avoids the ones that missed the last round.
 */
import type { Actor, HostContext } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import { MSG } from './messages.js';

export interface LoadBalancerOptions {
  /** Node endpoints behind the balancer. */
  readonly nodes: readonly number[];
  readonly healthCheckIntervalUs: number;
  readonly headerBytes: number;
}

export class LoadBalancer implements Actor {
  private readonly healthy = new Set<number>();
  private readonly answered = new Set<number>();
  private nodes: readonly number[];
  /** The nodes to pick from (the healthy ones, else all), rebuilt only when health or the pool changes. */
  private choices: readonly number[] | null = null;
  forwarded = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly options: LoadBalancerOptions,
  ) {
    this.nodes = options.nodes;
    for (const n of this.nodes) this.healthy.add(n);
    ctx.setTimer(options.healthCheckIntervalUs, 'health-check', this.check);
  }

  /** Membership changes (joins, removals) update the pool. */
  setNodes(nodes: readonly number[]): void {
    this.nodes = nodes;
    for (const n of nodes) if (!this.answered.has(n)) this.healthy.add(n);
    this.choices = null;
  }

  onMessage(msg: Message): void {
    if (msg.type === MSG.pong) {
      this.answered.add(msg.src);
      if (!this.healthy.has(msg.src)) {
        this.healthy.add(msg.src);
        this.choices = null;
      }
      return;
    }
    if (msg.type !== MSG.get && msg.type !== MSG.put) return;
    let choices = this.choices;
    if (choices === null) {
      const pool = this.nodes.filter((n) => this.healthy.has(n));
      choices = this.choices = pool.length > 0 ? pool : this.nodes;
    }
    const node = this.ctx.rng.pick(choices);
    this.forwarded++;
    this.ctx.send(node, msg.type, msg.payload, msg.sizeBytes, msg.latencyClass);
  }

  private readonly check = (): void => {
    // Nodes that did not answer the previous round are out until they do.
    for (const n of this.nodes) if (!this.answered.has(n) && this.healthy.delete(n)) this.choices = null;
    this.answered.clear();
    for (const n of this.nodes) this.ctx.send(n, MSG.ping, null, this.options.headerBytes);
    this.ctx.setTimer(this.options.healthCheckIntervalUs, 'health-check', this.check);
  };
}
