import test from 'ava';
import fc from 'fast-check';
import { selectReplicas, type Reachability } from '../../src/dynamo/replicas.js';

function detector(down: readonly number[]): Reachability {
  const set = new Set(down);
  return { isReachable: (node) => !set.has(node), unreachableCount: set.size };
}

test('strict quorum, or nobody unreachable: the top N, no hints', (t) => {
  const list = Int32Array.from([4, 2, 7, 1, 9]);
  t.deepEqual(selectReplicas(list, 3, true, 4, detector([])), { targets: [4, 2, 7], hintFor: null });
  t.deepEqual(selectReplicas(list, 3, false, 4, detector([2, 7])), { targets: [4, 2, 7], hintFor: null });
});

test('sloppy quorum: each unreachable top-N node is replaced by the next reachable fallback, with a hint naming it', (t) => {
  const list = Int32Array.from([4, 2, 7, 1, 9, 3]);
  t.deepEqual(selectReplicas(list, 3, true, 4, detector([2, 1])), { targets: [4, 7, 9], hintFor: [-1, -1, 2] });
  t.deepEqual(selectReplicas(list, 3, true, 4, detector([4, 2, 7, 1, 9])), { targets: [4, 3], hintFor: [-1, 2] }, 'the coordinator is always reachable to itself; one fallback for two missing');
  t.deepEqual(selectReplicas(list, 3, true, 4, detector([2, 7, 1, 9, 3])), { targets: [4], hintFor: [-1] }, 'no fallback left');
});

test('targets are distinct preference-list nodes in list order; hints name skipped top-N nodes, each once (property)', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 20 })), fc.integer({ min: 0, max: 20 }), (nodes, n, down, self) => {
        const list = Int32Array.from(nodes);
        const { targets, hintFor } = selectReplicas(list, n, true, self, detector(down));
        const top = nodes.slice(0, n);
        const reachable = (x: number) => x === self || !down.includes(x);
        const skipped = top.filter((x) => !reachable(x));
        if (new Set(targets).size !== targets.length) throw new Error('duplicate target');
        if (targets.some((x) => !reachable(x))) throw new Error('an unreachable target');
        const positions = targets.map((x) => nodes.indexOf(x));
        if (positions.some((p, i) => i > 0 && p < positions[i - 1]!)) throw new Error('out of list order');
        const hints = (hintFor ?? targets.map(() => -1)).filter((h) => h >= 0);
        if (JSON.stringify(hints) !== JSON.stringify(skipped.slice(0, hints.length))) throw new Error('hints are not the skipped nodes in order');
        const fallbacks = nodes.slice(n).filter(reachable).length;
        if (targets.length !== top.filter(reachable).length + Math.min(skipped.length, fallbacks)) throw new Error('wrong number of targets');
      }),
    ),
  );
});
