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
  /** Parallel to targets: the node a fallback stands in for, or -1. */
  readonly hintFor: number[];
}

export function selectReplicas(options: {
  list: Int32Array;
  n: number;
  sloppy: boolean;
  isReachable: (node: number) => boolean;
}): ReplicaSelection {
  const { list, n, sloppy, isReachable } = options;
  const top = Math.min(n, list.length);
  const targets: number[] = [];
  const hintFor: number[] = [];
  if (!sloppy) {
    for (let i = 0; i < top; i++) {
      targets.push(list[i]!);
      hintFor.push(-1);
    }
    return { targets, hintFor };
  }
  const skipped: number[] = [];
  for (let i = 0; i < top; i++) {
    const node = list[i]!;
    if (isReachable(node)) {
      targets.push(node);
      hintFor.push(-1);
    } else {
      skipped.push(node);
    }
  }
  for (let i = top; i < list.length && skipped.length > 0; i++) {
    const node = list[i]!;
    if (!isReachable(node)) continue;
    targets.push(node);
    hintFor.push(skipped.shift()!);
  }
  return { targets, hintFor };
}
