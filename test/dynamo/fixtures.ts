/** Rings and generators shared by the partitioning tests. */
import fc from 'fast-check';
import { RandomStream, parseSeed } from '../../sim/random.js';
import { createRing, type NodeSpec, type Ring, type Strategy } from '../../src/dynamo/ring.js';

export function rng(seed: number | string, name = 'ring'): RandomStream {
  return new RandomStream(parseSeed(seed), name);
}

/** S nodes with ids 0..S−1 (weight 1, datacenter 0 unless given). */
export function nodes(count: number, make: (id: number) => Omit<NodeSpec, 'id'> = () => ({})): NodeSpec[] {
  return Array.from({ length: count }, (_, id) => ({ id, ...make(id) }));
}

export interface RingShape {
  readonly strategy: Strategy;
  readonly nodeCount: number;
  readonly tokensPerNode: number;
  readonly partitions: number;
  readonly seed: number;
}

export function ringOf(shape: RingShape): Ring {
  return createRing({
    strategy: shape.strategy,
    nodes: nodes(shape.nodeCount),
    tokensPerNode: shape.tokensPerNode,
    partitions: Math.max(shape.partitions, shape.nodeCount),
    rng: rng(shape.seed),
  });
}

/** Small rings of every strategy: 1..12 nodes, 1..16 tokens, 1..300 partitions (Q >= S under 3). */
export const ringShape: fc.Arbitrary<RingShape> = fc.record({
  strategy: fc.constantFrom<Strategy>(1, 2, 3),
  nodeCount: fc.integer({ min: 1, max: 12 }),
  tokensPerNode: fc.integer({ min: 1, max: 16 }),
  partitions: fc.integer({ min: 1, max: 300 }),
  seed: fc.nat(),
});
