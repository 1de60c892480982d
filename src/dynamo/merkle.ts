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
 * Storage is sparse: an inner node or a segment exists only while it has
 * keys below it, so a tree over a few keys costs a few small objects, not a
 * million slots. Segments are found through one map per tree (segment index
 * → segment), inner nodes through one map per level, and each node links to
 * its parent, so updating a key the tree holds is one map lookup and a walk up
 * its parent links. Each inner node lists the indices of its non-empty
 * children, so an exchange lists a node's children without scanning `fanout`
 * slots. A segment holds its keys with their item hashes (the version-set
 * hash of the key, version.versionSetHash) in one flat array: how an exchange
 * lists the keys of a differing segment. (Until session 5 every inner node
 * kept a Map of its children: with the default 1024 × 1024 segments and ~100
 * keys per tree, nearly every key had an inner node and a Map of its own,
 * ~500 heap bytes per key, and each update walked two maps from the root.)
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
 * @internal An inner node (levels 0 .. depth - 1): its hash, where it sits,
 * and the indices (at the next level) of its non-empty children, in no order.
 */
interface InnerNode {
  hash: number;
  readonly level: number;
  readonly index: number;
  /** null for the root. */
  readonly parent: InnerNode | null;
  readonly children: number[];
}

/** @internal A non-empty segment (a leaf): its hash and items [key0, itemHash0, key1, itemHash1, ...]. */
interface Segment {
  leaf: number;
  readonly parent: InnerNode;
  readonly items: number[];
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
  readonly rootNode: InnerNode = { hash: 0, level: 0, index: 0, parent: null, children: [] };
  /** @internal inner[l]: the inner nodes of level l (1 <= l < depth) by index; inner[0] is unused. */
  readonly inner: Map<number, InnerNode>[];
  /** @internal The non-empty segments by index. */
  readonly segments = new Map<number, Segment>();
  /** @internal pow[k] = fanout^k for k in [0, depth]. */
  readonly pow: number[];

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
    this.inner = Array.from({ length: depth }, () => new Map<number, InnerNode>());
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

/** Position of `key` in a segment's items (the key's slot; its hash is at +1), or -1. */
function find(items: number[], key: number): number {
  for (let p = 0; p < items.length; p += 2) if (items[p] === key) return p;
  return -1;
}

/**
 * List the new child `child` (an index at level + 1) under inner node (level, index), level < depth,
 * creating the node and its missing ancestors; returns the node. New arrays are built at their size
 * (an empty array's first push reserves 17 slots: ~150 bytes per node of a sparse tree).
 */
function linkChild(tree: MerkleTree, level: number, index: number, child: number): InnerNode {
  if (level === 0) {
    tree.rootNode.children.push(child);
    return tree.rootNode;
  }
  const existing = tree.inner[level]!.get(index);
  if (existing !== undefined) {
    existing.children.push(child);
    return existing;
  }
  const parent = linkChild(tree, level - 1, Math.floor(index / tree.fanout), index);
  const node: InnerNode = { hash: 0, level, index, parent, children: [child] };
  tree.inner[level]!.set(index, node);
  tree.innerNodes++;
  return node;
}

/** Carry a leaf's hash change up its parent links to the root: one XOR delta per level. */
function propagate(tree: MerkleTree, seg: Segment, segment: number, leafOld: number, leafNew: number): void {
  let childIndex = segment;
  let childLevel = tree.depth;
  let childOld = leafOld;
  let childNew = leafNew;
  for (let node: InnerNode | null = seg.parent; node !== null; node = node.parent) {
    const delta = (childMix(childLevel, childIndex, childOld) ^ childMix(childLevel, childIndex, childNew)) >>> 0;
    if (delta === 0) return;
    childOld = node.hash;
    childNew = (node.hash ^ delta) >>> 0;
    node.hash = childNew;
    childIndex = node.index;
    childLevel = node.level;
  }
}

/** Remove `index` from a children list (order does not matter: the last takes its place). */
function dropChild(children: number[], index: number): void {
  const i = children.indexOf(index);
  invariant(i >= 0, 'a node lists each of its non-empty children');
  children[i] = children[children.length - 1]!;
  children.pop();
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
  let seg = tree.segments.get(segment);
  const p = seg === undefined ? -1 : find(seg.items, key);
  const stored = p < 0 ? 0 : seg!.items[p + 1]!;
  if (expectedOld >= 0 && stored !== expectedOld) throw staleOld(key, expectedOld, stored);
  if (stored === newItemHash) return stored;
  let leafNew: number;
  if (seg === undefined) {
    seg = { leaf: 0, parent: linkChild(tree, tree.depth - 1, Math.floor(segment / tree.fanout), segment), items: [key, newItemHash] };
    tree.segments.set(segment, seg);
    tree.segmentsInUse++;
    tree.keyCount++;
    leafNew = itemMix(key, newItemHash);
  } else if (p < 0) {
    seg.items.push(key, newItemHash);
    tree.keyCount++;
    leafNew = seg.leaf ^ itemMix(key, newItemHash);
  } else {
    seg.items[p + 1] = newItemHash;
    leafNew = seg.leaf ^ itemMix(key, newItemHash) ^ itemMix(key, stored);
  }
  const leafOld = seg.leaf;
  leafNew >>>= 0;
  seg.leaf = leafNew;
  propagate(tree, seg, segment, leafOld, leafNew);
  return stored;
}

/** Remove `key`, whose stored item hash must be `oldItemHash`. O(depth). */
export function remove(tree: MerkleTree, key: number, oldItemHash: number): void {
  checkKey(key);
  const segment = segmentOf(tree, key);
  const seg = tree.segments.get(segment);
  const p = seg === undefined ? -1 : find(seg.items, key);
  if (seg === undefined || p < 0) throw new InvalidOptionError(`merkle remove of key ${key}`, oldItemHash, 'a key the tree holds');
  const items = seg.items;
  const stored = items[p + 1]!;
  if (stored !== oldItemHash) throw staleOld(key, oldItemHash, stored);
  const leafOld = seg.leaf;
  const leafNew = (leafOld ^ itemMix(key, stored)) >>> 0;
  const last = items.length - 2;
  items[p] = items[last]!;
  items[p + 1] = items[last + 1]!;
  items.length = last;
  seg.leaf = leafNew;
  tree.keyCount--;
  propagate(tree, seg, segment, leafOld, leafNew);
  if (items.length > 0) return;
  // The segment is empty: unlink it, then every inner node left without children.
  invariant(leafNew === 0, 'an empty segment hashes to 0');
  tree.segments.delete(segment);
  tree.segmentsInUse--;
  dropChild(seg.parent.children, segment);
  for (let node = seg.parent; node.parent !== null && node.children.length === 0; node = node.parent) {
    invariant(node.hash === 0, 'an empty inner node hashes to 0');
    tree.inner[node.level]!.delete(node.index);
    dropChild(node.parent.children, node.index);
    tree.innerNodes--;
  }
}

/** The stored item hash of `key`, 0 when absent. */
export function itemHashOf(tree: MerkleTree, key: number): number {
  checkKey(key);
  const seg = tree.segments.get(segmentOf(tree, key));
  if (seg === undefined) return 0;
  const p = find(seg.items, key);
  return p < 0 ? 0 : seg.items[p + 1]!;
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
  return level === 0 ? tree.rootNode : tree.inner[level]!.get(index);
}

/** The hash of node (level, index); level `depth` addresses segments. 0 for an empty node. */
export function nodeHash(tree: MerkleTree, level: number, index: number): number {
  checkNode(tree, level, index, tree.depth);
  if (level === tree.depth) return tree.segments.get(index)?.leaf ?? 0;
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
  const leaves = level + 1 === tree.depth;
  for (const c of node.children) out.push({ index: c, hash: leaves ? tree.segments.get(c)!.leaf : tree.inner[level + 1]!.get(c)!.hash });
  out.sort((x, y) => x.index - y.index);
  return out;
}

/** The keys of a segment with their item hashes, ascending by key. */
export function segmentItems(tree: MerkleTree, segment: number): SegmentItem[] {
  checkNode(tree, tree.depth, segment, tree.depth);
  const seg = tree.segments.get(segment);
  const out: SegmentItem[] = [];
  if (seg === undefined) return out;
  const items = seg.items;
  for (let p = 0; p < items.length; p += 2) out.push({ key: items[p]!, itemHash: items[p + 1]! });
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
