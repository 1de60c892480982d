/**
 * Merkle trees for anti-entropy (DYNAMO.md §8; paper §4.7; Riak AAE's
 * hashtree).
 *
 * One tree covers one key range a node hosts. Layout: `depth` levels of
 * `fanout` children under a root. Level 0 is the root, level l holds
 * fanout^l nodes, and level `depth` holds the fanout^depth segments (leaves);
 * node (l, i) has children (l + 1, i * fanout + c) for c in [0, fanout). With
 * the defaults (fanout 1024, depth 2) there are 1024 × 1024 segments: Riak's
 * layout. A key goes to segment fmix(key) mod fanout^depth; `key` is any
 * non-negative integer below 2^53 naming the key (a key id or a hash of the
 * key) and is mixed first, so consecutive ids and ring positions that share
 * their high bits both spread over the segments.
 *
 * Storage is sparse and shaped like the tree: an inner node exists only
 * while it has keys below it and keeps a map of its non-empty children, so a
 * tree over a few keys costs a few small maps, not a million slots, and an
 * exchange lists a node's children without scanning `fanout` slots. A segment
 * is a flat array holding its keys with their item hashes (the version-set
 * hash of the key, version.versionSetHash): how an exchange lists the keys of
 * a differing segment.
 *
 * Hashes are 32-bit and combine by XOR, so every update is O(depth) and
 * rehashes no siblings, and a tree's hashes depend only on its contents, not
 * on the order of updates:
 *   leaf(s)       = XOR over keys k in s of  fmix(k, itemHash(k))
 *   inner(l, i)   = XOR over children c with hash h != 0 of  fmix(l + 1, c, h)
 * Parents are updated eagerly on each update (an XOR delta per level), so
 * reading the root is O(1) and nothing is recomputed lazily. The price of
 * 32-bit set hashes: a difference hides behind a collision with probability
 * about 2^-32 per differing node on the path (a child whose hash happens to
 * be 0 leaves its parent's hash unchanged, with the same probability).
 * Anti-entropy is a background safety net, and the next update to the key
 * exposes the difference again.
 */
import { InvalidOptionError, invariant } from '../../sim/errors.js';
import { fmix32, mixInt, mixWord } from './hash32.js';

export interface MerkleOptions {
  /** Children per inner node (default 1024, Riak). */
  readonly fanout?: number;
  /** Levels below the root; fanout^depth segments (default 2, Riak). */
  readonly depth?: number;
}

export const DEFAULT_MERKLE_FANOUT = 1024;
export const DEFAULT_MERKLE_DEPTH = 2;

/**
 * The sizes an exchange is charged by. A request names one tree node; a reply
 * carries a root hash, a child list or a segment's key list (see diff).
 */
export interface ExchangeCostModel {
  /** Per message: addressing, range and request ids. */
  readonly headerBytes: number;
  readonly hashBytes: number;
  /** A child's index in a sparse child list, or a node's address in a request. */
  readonly indexBytes: number;
  /** A key as it travels in a segment's key list. */
  readonly keyBytes: number;
}

/** The 32-bit hashes and indices computed here, 8-byte key ids, a 16-byte header. */
export const DEFAULT_EXCHANGE_COST: ExchangeCostModel = Object.freeze({
  headerBytes: 16,
  hashBytes: 4,
  indexBytes: 4,
  keyBytes: 8,
});

export interface ExchangeCost {
  /** Requests and replies, each counted (a request and its reply are 2). */
  messages: number;
  /** Hash comparisons made by the initiator (children and keys present on either side). */
  hashesCompared: number;
  /** Bytes of all requests and replies. */
  bytes: number;
}

export interface MerkleDiff {
  /** Keys whose item hashes differ, present on one side only included; ascending. */
  readonly keys: number[];
  /** Segments whose leaf hashes differ; ascending. */
  readonly segments: number[];
  readonly cost: ExchangeCost;
}

export interface ChildHash {
  readonly index: number;
  readonly hash: number;
}

export interface SegmentItem {
  readonly key: number;
  readonly itemHash: number;
}

const TWO_32 = 4294967296;
const SEGMENT_SEED = 0x2545f491;
const ITEM_SEED = 0x5bd1e995;
const CHILD_SEED = 0x27d4eb2f;

/**
 * @internal An inner node (levels 0 .. depth - 1). Its children, by index at
 * the next level, are inner nodes, or segments when it sits at depth - 1. A
 * segment is [leafHash, key0, itemHash0, key1, itemHash1, ...]: one flat
 * number array (no Map or Set per segment) keeps a sparse tree small.
 */
interface InnerNode {
  hash: number;
  readonly children: Map<number, InnerNode | number[]>;
}

function newInner(): InnerNode {
  return { hash: 0, children: new Map() };
}

export class MerkleTree {
  readonly fanout: number;
  readonly depth: number;
  readonly segmentCount: number;
  /** Keys held. */
  keyCount = 0;
  /** Non-empty segments. */
  segmentsInUse = 0;
  /** Inner nodes allocated below the root. */
  innerNodes = 0;
  /** @internal */
  readonly rootNode: InnerNode = newInner();
  /** @internal pow[k] = fanout^k for k in [0, depth]. */
  readonly pow: number[];
  /** @internal Scratch for update and remove: the inner nodes on a segment's path (no allocation per update). */
  readonly path: InnerNode[];

  constructor(options: MerkleOptions = {}) {
    const fanout = options.fanout ?? DEFAULT_MERKLE_FANOUT;
    const depth = options.depth ?? DEFAULT_MERKLE_DEPTH;
    if (!Number.isSafeInteger(fanout) || fanout < 2) throw new InvalidOptionError('merkle fanout', fanout, 'an integer >= 2');
    if (!Number.isSafeInteger(depth) || depth < 1) throw new InvalidOptionError('merkle depth', depth, 'an integer >= 1');
    const segmentCount = fanout ** depth;
    if (segmentCount > TWO_32) {
      throw new InvalidOptionError('merkle fanout^depth', segmentCount, 'at most 2^32 segments');
    }
    this.fanout = fanout;
    this.depth = depth;
    this.segmentCount = segmentCount;
    this.pow = [];
    for (let k = 0; k <= depth; k++) this.pow.push(fanout ** k);
    this.path = new Array<InnerNode>(depth).fill(this.rootNode);
  }
}

/** A new, empty tree (root hash 0). */
export function createTree(options: MerkleOptions = {}): MerkleTree {
  return new MerkleTree(options);
}

/** A tree holding the given (key, item hash) pairs: what a rebuild produces. */
export function buildTree(options: MerkleOptions, items: Iterable<SegmentItem>): MerkleTree {
  const tree = new MerkleTree(options);
  for (const { key, itemHash } of items) update(tree, key, 0, itemHash);
  return tree;
}

function checkKey(key: number): void {
  if (!Number.isSafeInteger(key) || key < 0) throw new InvalidOptionError('merkle key', key, 'a non-negative integer below 2^53');
}

/** The segment (leaf index) of a key. */
export function segmentOf(tree: MerkleTree, key: number): number {
  return fmix32(mixInt(SEGMENT_SEED, key)) % tree.segmentCount;
}

function itemMix(key: number, itemHash: number): number {
  return fmix32(mixWord(mixInt(ITEM_SEED, key), itemHash));
}

function childMix(level: number, index: number, hash: number): number {
  return hash === 0 ? 0 : fmix32(mixWord(mixWord(CHILD_SEED ^ level, index), hash));
}

/** Position of `key` in a segment array (the key's slot; its hash is at +1), or -1. */
function find(seg: number[], key: number): number {
  for (let p = 1; p < seg.length; p += 2) if (seg[p] === key) return p;
  return -1;
}

/**
 * Fill tree.path with the inner nodes above `segment` as far as they exist;
 * returns how many levels exist (depth when the whole path does).
 */
function walk(tree: MerkleTree, segment: number): number {
  const depth = tree.depth;
  let node = tree.rootNode;
  tree.path[0] = node;
  for (let level = 1; level < depth; level++) {
    const child = node.children.get(Math.floor(segment / tree.pow[depth - level]!)) as InnerNode | undefined;
    if (child === undefined) return level;
    node = child;
    tree.path[level] = node;
  }
  return depth;
}

/** Complete tree.path below the `existing` levels walk found, allocating the missing inner nodes. */
function grow(tree: MerkleTree, segment: number, existing: number): void {
  const depth = tree.depth;
  for (let level = existing; level < depth; level++) {
    const node = newInner();
    tree.path[level - 1]!.children.set(Math.floor(segment / tree.pow[depth - level]!), node);
    tree.path[level] = node;
    tree.innerNodes++;
  }
}

/** Carry a leaf's hash change up the path to the root: one XOR delta per level. */
function propagate(tree: MerkleTree, segment: number, leafOld: number, leafNew: number): void {
  const depth = tree.depth;
  let childOld = leafOld;
  let childNew = leafNew;
  for (let level = depth - 1; level >= 0; level--) {
    const childIndex = Math.floor(segment / tree.pow[depth - level - 1]!);
    const delta = (childMix(level + 1, childIndex, childOld) ^ childMix(level + 1, childIndex, childNew)) >>> 0;
    if (delta === 0) return;
    const node = tree.path[level]!;
    childOld = node.hash;
    childNew = (node.hash ^ delta) >>> 0;
    node.hash = childNew;
  }
}

function checkItemHash(name: string, h: number): void {
  if (!Number.isInteger(h) || h < 0 || h >= TWO_32) throw new InvalidOptionError(name, h, 'an unsigned 32-bit integer');
}

function staleOld(key: number, oldItemHash: number, stored: number): InvalidOptionError {
  return new InvalidOptionError(`merkle oldItemHash of key ${key}`, oldItemHash, `the stored item hash ${stored}`);
}

/**
 * Record that `key`'s item hash changed from `oldItemHash` (0: the key was
 * absent) to `newItemHash` (non-zero; use remove for a key that goes away).
 * The old hash is checked against the stored one, so a caller that lost track
 * of a key fails here instead of corrupting the tree. O(depth).
 */
export function update(tree: MerkleTree, key: number, oldItemHash: number, newItemHash: number): void {
  // Checked here: a negative old hash would otherwise pass for setItemHash's upsert sentinel.
  checkItemHash('merkle oldItemHash', oldItemHash);
  setItemHash(tree, key, newItemHash, oldItemHash);
}

/**
 * Set `key`'s item hash to `newItemHash` (non-zero) whatever it was, and
 * return the old one (0: the key was absent). One walk down the tree, where
 * itemHashOf then update take two: a replica's tree is updated on every
 * write. O(depth).
 */
export function upsert(tree: MerkleTree, key: number, newItemHash: number): number {
  return setItemHash(tree, key, newItemHash, -1);
}

/** update (expectedOld >= 0: the stored hash must be that) or upsert (expectedOld -1). Returns the old hash. */
function setItemHash(tree: MerkleTree, key: number, newItemHash: number, expectedOld: number): number {
  checkKey(key);
  checkItemHash('merkle newItemHash', newItemHash);
  if (newItemHash === 0) throw new InvalidOptionError('merkle newItemHash', newItemHash, 'non-zero (0 means absent: use remove)');
  const segment = segmentOf(tree, key);
  const existing = walk(tree, segment);
  let seg = existing === tree.depth ? (tree.path[tree.depth - 1]!.children.get(segment) as number[] | undefined) : undefined;
  const p = seg === undefined ? -1 : find(seg, key);
  const stored = p < 0 ? 0 : seg![p + 1]!;
  if (expectedOld >= 0 && stored !== expectedOld) throw staleOld(key, expectedOld, stored);
  if (stored === newItemHash) return stored;
  if (existing < tree.depth) grow(tree, segment, existing);
  if (seg === undefined) {
    seg = [0];
    tree.path[tree.depth - 1]!.children.set(segment, seg);
    tree.segmentsInUse++;
  }
  const leafOld = seg[0]!;
  let leafNew = leafOld ^ itemMix(key, newItemHash);
  if (p < 0) {
    seg.push(key, newItemHash);
    tree.keyCount++;
  } else {
    leafNew ^= itemMix(key, stored);
    seg[p + 1] = newItemHash;
  }
  leafNew >>>= 0;
  seg[0] = leafNew;
  propagate(tree, segment, leafOld, leafNew);
  return stored;
}

/** Remove `key`, whose stored item hash must be `oldItemHash`. O(depth). */
export function remove(tree: MerkleTree, key: number, oldItemHash: number): void {
  checkKey(key);
  const depth = tree.depth;
  const segment = segmentOf(tree, key);
  const seg = walk(tree, segment) === depth ? (tree.path[depth - 1]!.children.get(segment) as number[] | undefined) : undefined;
  const p = seg === undefined ? -1 : find(seg, key);
  if (seg === undefined || p < 0) throw new InvalidOptionError(`merkle remove of key ${key}`, oldItemHash, 'a key the tree holds');
  const stored = seg[p + 1]!;
  if (stored !== oldItemHash) throw staleOld(key, oldItemHash, stored);
  const leafOld = seg[0]!;
  const leafNew = (leafOld ^ itemMix(key, stored)) >>> 0;
  const last = seg.length - 2;
  seg[p] = seg[last]!;
  seg[p + 1] = seg[last + 1]!;
  seg.length = last;
  seg[0] = leafNew;
  tree.keyCount--;
  propagate(tree, segment, leafOld, leafNew);
  if (seg.length > 1) return;
  // The segment is empty: unlink it, then every inner node left without children.
  invariant(leafNew === 0, 'an empty segment hashes to 0');
  tree.path[depth - 1]!.children.delete(segment);
  tree.segmentsInUse--;
  for (let level = depth - 1; level > 0; level--) {
    const node = tree.path[level]!;
    if (node.children.size > 0) break;
    invariant(node.hash === 0, 'an empty inner node hashes to 0');
    tree.path[level - 1]!.children.delete(Math.floor(segment / tree.pow[depth - level]!));
    tree.innerNodes--;
  }
}

/** The segment array holding `segment`, if any. */
function segmentArray(tree: MerkleTree, segment: number): number[] | undefined {
  if (walk(tree, segment) < tree.depth) return undefined;
  return tree.path[tree.depth - 1]!.children.get(segment) as number[] | undefined;
}

/** The stored item hash of `key`, 0 when absent. */
export function itemHashOf(tree: MerkleTree, key: number): number {
  checkKey(key);
  const seg = segmentArray(tree, segmentOf(tree, key));
  if (seg === undefined) return 0;
  const p = find(seg, key);
  return p < 0 ? 0 : seg[p + 1]!;
}

/** The root hash: 0 when the tree is empty (and, with probability 2^-32, by collision). */
export function root(tree: MerkleTree): number {
  return tree.rootNode.hash;
}

function checkNode(tree: MerkleTree, level: number, index: number, maxLevel: number): void {
  if (!Number.isSafeInteger(level) || level < 0 || level > maxLevel) {
    throw new InvalidOptionError('merkle level', level, `an integer in [0, ${maxLevel}]`);
  }
  const width = tree.pow[level]!;
  if (!Number.isSafeInteger(index) || index < 0 || index >= width) {
    throw new InvalidOptionError(`merkle index at level ${level}`, index, `an integer in [0, ${width - 1}]`);
  }
}

/** The inner node (level, index), level < depth, if it exists. */
function innerAt(tree: MerkleTree, level: number, index: number): InnerNode | undefined {
  let node: InnerNode | undefined = tree.rootNode;
  for (let l = 1; l <= level && node !== undefined; l++) {
    node = node.children.get(Math.floor(index / tree.pow[level - l]!)) as InnerNode | undefined;
  }
  return node;
}

function hashOfChild(child: InnerNode | number[]): number {
  return Array.isArray(child) ? child[0]! : child.hash;
}

/** The hash of node (level, index); level `depth` addresses segments. 0 for an empty node. */
export function nodeHash(tree: MerkleTree, level: number, index: number): number {
  checkNode(tree, level, index, tree.depth);
  if (level === tree.depth) return segmentArray(tree, index)?.[0] ?? 0;
  return innerAt(tree, level, index)?.hash ?? 0;
}

/**
 * The non-empty children of inner node (level, index), level < depth,
 * ascending by index: what one exchange reply carries.
 */
export function childHashes(tree: MerkleTree, level: number, index: number): ChildHash[] {
  checkNode(tree, level, index, tree.depth - 1);
  const out: ChildHash[] = [];
  const node = innerAt(tree, level, index);
  if (node === undefined) return out;
  for (const [c, child] of node.children) out.push({ index: c, hash: hashOfChild(child) });
  out.sort((x, y) => x.index - y.index);
  return out;
}

/** The keys of a segment with their item hashes, ascending by key. */
export function segmentItems(tree: MerkleTree, segment: number): SegmentItem[] {
  checkNode(tree, tree.depth, segment, tree.depth);
  const seg = segmentArray(tree, segment);
  const out: SegmentItem[] = [];
  if (seg === undefined) return out;
  for (let p = 1; p < seg.length; p += 2) out.push({ key: seg[p]!, itemHash: seg[p + 1]! });
  out.sort((x, y) => x.key - y.key);
  return out;
}

/** The keys of a segment, ascending. */
export function segmentKeys(tree: MerkleTree, segment: number): number[] {
  return segmentItems(tree, segment).map((item) => item.key);
}

/** Bytes of a reply carrying `count` child hashes: a sparse (index, hash) list or the dense array, whichever is smaller. */
export function childListBytes(count: number, fanout: number, cost: ExchangeCostModel = DEFAULT_EXCHANGE_COST): number {
  const sparse = count * (cost.indexBytes + cost.hashBytes);
  const dense = fanout * cost.hashBytes;
  return cost.headerBytes + (sparse < dense ? sparse : dense);
}

/**
 * The exchange between an initiator holding `a` and a peer holding `b`, done
 * at once: compare roots, then descend only where hashes differ. Protocol
 * charged by `costModel` (one request and one reply per step; a request is a
 * header plus a node address):
 *   1. the root: the reply carries b's root hash;
 *   2. per differing inner node: the reply lists b's non-empty children
 *      (sparse (index, hash) pairs, or the dense array when smaller);
 *   3. per differing segment: the reply lists b's (key, item hash) pairs.
 * The initiator compares each child or key present on either side. The
 * exchange of the differing keys' versions themselves is the caller's.
 * Bytes grow with the depth and the number of differing keys, and only mildly
 * with the total key count (child lists fill up to fanout entries).
 */
export function diff(a: MerkleTree, b: MerkleTree, costModel: ExchangeCostModel = DEFAULT_EXCHANGE_COST): MerkleDiff {
  if (a.fanout !== b.fanout || a.depth !== b.depth) {
    throw new InvalidOptionError('merkle diff trees', `${b.fanout}^${b.depth}`, `the same layout as the first tree (${a.fanout}^${a.depth})`);
  }
  const cost: ExchangeCost = { messages: 0, hashesCompared: 0, bytes: 0 };
  const keys: number[] = [];
  const segments: number[] = [];
  const requestBytes = costModel.headerBytes + costModel.indexBytes;

  const diffSegment = (segment: number): void => {
    const ia = segmentItems(a, segment);
    const ib = segmentItems(b, segment);
    cost.messages += 2;
    cost.bytes += requestBytes + costModel.headerBytes + ib.length * (costModel.keyBytes + costModel.hashBytes);
    segments.push(segment);
    cost.hashesCompared += differingItems(ia, ib, (key) => keys.push(key));
  };

  const visit = (level: number, index: number): void => {
    const ca = childHashes(a, level, index);
    const cb = childHashes(b, level, index);
    cost.messages += 2;
    cost.bytes += requestBytes + childListBytes(cb.length, a.fanout, costModel);
    const childLevel = level + 1;
    cost.hashesCompared += differingChildren(ca, cb, (differing) => {
      if (childLevel === a.depth) diffSegment(differing);
      else visit(childLevel, differing);
    });
  };

  cost.messages += 2;
  cost.bytes += requestBytes + costModel.headerBytes + costModel.hashBytes;
  cost.hashesCompared++;
  if (a.rootNode.hash !== b.rootNode.hash) visit(0, 0);
  keys.sort((x, y) => x - y);
  return { keys, segments, cost };
}

/**
 * Walk two lists sorted by id together and call `onDiffer` with every id
 * whose hash differs or that only one side has, saying which sides hold it,
 * in id order. Returns the number of comparisons made.
 */
function walkDiffering<T>(
  mine: readonly T[],
  theirs: readonly T[],
  idOf: (x: T) => number,
  hashOf: (x: T) => number,
  onDiffer: (id: number, inMine: boolean, inTheirs: boolean) => void,
): number {
  let i = 0;
  let j = 0;
  let compared = 0;
  while (i < mine.length || j < theirs.length) {
    compared++;
    const x = mine[i];
    const y = theirs[j];
    if (y === undefined || (x !== undefined && idOf(x) < idOf(y))) {
      onDiffer(idOf(x!), true, false);
      i++;
    } else if (x === undefined || idOf(y) < idOf(x)) {
      onDiffer(idOf(y), false, true);
      j++;
    } else {
      if (hashOf(x) !== hashOf(y)) onDiffer(idOf(x), true, true);
      i++;
      j++;
    }
  }
  return compared;
}

/** Two segments' items (ascending by key): every key only one side has or whose item hash differs. */
export function differingItems(mine: readonly SegmentItem[], theirs: readonly SegmentItem[], onDiffer: (key: number, inMine: boolean, inTheirs: boolean) => void): number {
  return walkDiffering(mine, theirs, itemKey, itemHashOfEntry, onDiffer);
}

/** Two child lists (by index, empty children absent): every index only one side has or whose hash differs. */
export function differingChildren(mine: readonly ChildHash[], theirs: readonly ChildHash[], onDiffer: (index: number) => void): number {
  return walkDiffering(mine, theirs, childIndex, childHash, onDiffer);
}

const itemKey = (x: SegmentItem): number => x.key;
const itemHashOfEntry = (x: SegmentItem): number => x.itemHash;
const childIndex = (x: ChildHash): number => x.index;
const childHash = (x: ChildHash): number => x.hash;

export interface RebuildCost {
  /** Keys whose (key, item hash) pairs are hashed into segments. */
  readonly keysHashed: number;
  /** Tree nodes (segments and inner nodes) hashed, an upper bound: min(keys, width) per level. */
  readonly nodesHashed: number;
  readonly bytesHashed: number;
}

/**
 * The work of rebuilding a tree over `keyCount` keys (DYNAMO.md §8: under
 * partitioning strategy 1 every join or leave changes ranges and forces
 * rebuilds). Per key, `bytesPerKey` bytes are hashed (default: a key and its
 * item hash; pass the object size when the rebuild rehashes stored objects,
 * whose disk reads the caller charges separately); per non-empty node, its
 * address and hash are folded into its parent.
 */
export function rebuildCost(
  keyCount: number,
  options: MerkleOptions & { readonly bytesPerKey?: number } = {},
  costModel: ExchangeCostModel = DEFAULT_EXCHANGE_COST,
): RebuildCost {
  if (!Number.isSafeInteger(keyCount) || keyCount < 0) throw new InvalidOptionError('merkle rebuild keyCount', keyCount, 'an integer >= 0');
  const layout = new MerkleTree({ fanout: options.fanout ?? DEFAULT_MERKLE_FANOUT, depth: options.depth ?? DEFAULT_MERKLE_DEPTH });
  const bytesPerKey = options.bytesPerKey ?? costModel.keyBytes + costModel.hashBytes;
  let nodesHashed = 0;
  let width = 1;
  for (let level = 0; level <= layout.depth; level++) {
    nodesHashed += Math.min(keyCount, width);
    width *= layout.fanout;
  }
  if (keyCount === 0) nodesHashed = 0;
  const bytesHashed = keyCount * bytesPerKey + (nodesHashed > 0 ? nodesHashed - 1 : 0) * (costModel.indexBytes + costModel.hashBytes);
  return { keysHashed: keyCount, nodesHashed, bytesHashed };
}
