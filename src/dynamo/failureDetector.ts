/**
 * Local, traffic-driven failure detection (paper §4.8.3): A considers B
 * unreachable when B fails to answer A's messages within a timeout, routes
 * around B, and retries B periodically; any message from B makes B reachable
 * again for A. There is no global view: another node may still reach B.
 */
export interface DetectorEvents {
  /** Called when a peer changes state in this node's eyes. */
  onChange?(peer: number, reachable: boolean): void;
}

export class FailureDetector {
  /** Peers this node believes unreachable, with the time (local clock) it decided so. */
  private readonly down = new Map<number, number>();

  constructor(private readonly events: DetectorEvents = {}) {}

  isReachable(peer: number): boolean {
    return this.down.size === 0 || !this.down.has(peer);
  }

  /** The peer did not answer a message within the timeout. */
  noAnswer(peer: number, nowUs: number): void {
    if (this.down.has(peer)) return;
    this.down.set(peer, nowUs);
    this.events.onChange?.(peer, false);
  }

  /** A message arrived from the peer: it is alive. */
  heard(peer: number): void {
    if (this.down.size === 0 || !this.down.delete(peer)) return;
    this.events.onChange?.(peer, true);
  }

  /** Peers to retry, in the order they were marked. */
  unreachable(): number[] {
    return [...this.down.keys()];
  }

  get unreachableCount(): number {
    return this.down.size;
  }
}
