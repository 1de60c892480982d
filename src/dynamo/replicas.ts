/**
 * Which nodes a request goes to (paper §4.5, §4.6): the first N nodes of the
 * preference list that the coordinator believes reachable. Under a sloppy
 * quorum, every top-N node skipped because it seems unreachable is replaced
 * by the next reachable fallback further down the list, which receives the
 * replica with a hint naming the node it was meant for. Under a strict
 * quorum the request goes to the top N whatever the coordinator believes.
 */
export interface ReplicaSelection {
  /** Nodes to ask, in preference-list order. */
  readonly targets: number[];
  /** Parallel to targets: the node a fallback stands in for, or -1; null when no target is a fallback. */
  readonly hintFor: number[] | null;
}

/** What the selection asks of the coordinator's failure detector. */
export interface Reachability {
  isReachable(node: number): boolean;
  /** Peers currently believed unreachable (0: the common case, every node reachable). */
  readonly unreachableCount: number;
}

/**
 * The targets of a request coordinated by `self` (always reachable to
 * itself) with failure detector `fd`. Called once per request: the common
 * case (nobody unreachable, or a strict quorum) allocates only the targets.
 */
export function selectReplicas(list: Int32Array, n: number, sloppy: boolean, self: number, fd: Reachability): ReplicaSelection {
  const top = Math.min(n, list.length);
  if (!sloppy || fd.unreachableCount === 0) {
    const targets = new Array<number>(top);
    for (let i = 0; i < top; i++) targets[i] = list[i]!;
    return { targets, hintFor: null };
  }
  const targets: number[] = [];
  const reachable = (node: number): boolean => node === self || fd.isReachable(node);
  const hintFor: number[] = [];
  const skipped: number[] = [];
  for (let i = 0; i < top; i++) {
    const node = list[i]!;
    if (reachable(node)) {
      targets.push(node);
      hintFor.push(-1);
    } else {
      skipped.push(node);
    }
  }
  for (let i = top; i < list.length && skipped.length > 0; i++) {
    const node = list[i]!;
    if (!reachable(node)) continue;
    targets.push(node);
    hintFor.push(skipped.shift()!);
  }
  return { targets, hintFor };
}
