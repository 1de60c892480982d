/**
 * Semantic reconciliation: what a client does with the siblings a get
 * returned before its next put (DYNAMO.md §4, §6; paper §4.4, §6).
 *
 * - 'merge' (the shopping cart): the new value starts from the union of all
 *   siblings' items. An add is never lost; an item deleted on one branch but
 *   still present on a concurrent one comes back (a resurfaced delete).
 * - 'last-write-wins' (the session store): the sibling with the greatest
 *   writtenAtUs wins, on the writing coordinators' possibly skewed clocks; on
 *   equal timestamps the higher value id wins. The others are discarded.
 * - 'none': the client combines nothing. It takes the first sibling in
 *   canonical order as its base and writes with the merged context, so the
 *   put supersedes every sibling and only the base's items survive: the
 *   baseline that shows what reconciliation buys.
 *
 * In every policy the put carries the merged clock of all siblings as its
 * context, so it descends all of them (§4.4, Figure 3's D5).
 */
import { InvalidOptionError } from '../../sim/errors.js';
import { empty, merge, type VClock } from './vclock.js';
import type { Version } from './version.js';

export type ReconcilePolicy = 'merge' | 'last-write-wins' | 'none';

export const RECONCILE_POLICIES: readonly ReconcilePolicy[] = ['merge', 'last-write-wins', 'none'];

export interface ClientReconciliation {
  readonly policy: ReconcilePolicy;
  /** The context of the next put: the merge of every sibling's clock (empty when there were none). */
  readonly context: VClock;
  /**
   * The item set the next put starts from, before the client's own change:
   * the union ('merge') or the base sibling's items. Null when no sibling
   * carried items (no cart workload, nothing found) or the result is a delete.
   */
  readonly items: readonly number[] | null;
  /** The sibling whose value won ('last-write-wins') or served as the base ('none'); null for 'merge' and when nothing was found. */
  readonly basedOn: Version | null;
  /** Whether the reconciled state is a delete: the chosen sibling, or every sibling under 'merge', is a tombstone. */
  readonly deleted: boolean;
  readonly siblingCount: number;
}

/** Union of ascending duplicate-free arrays, ascending and duplicate-free. */
function unionSorted(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function itemsOf(v: Version): readonly number[] | null {
  return v.value.tombstone === true ? null : v.value.items;
}

/** Greater writtenAtUs wins; ties go to the higher value id. */
function newer(a: Version, b: Version): boolean {
  if (a.value.writtenAtUs !== b.value.writtenAtUs) return a.value.writtenAtUs > b.value.writtenAtUs;
  return a.value.id > b.value.id;
}

/**
 * What the client's next put carries after reading `siblings` (a reconciled,
 * canonically ordered set, as GetQuorum.result() returns).
 */
export function reconcileForClient(policy: ReconcilePolicy, siblings: readonly Version[]): ClientReconciliation {
  const n = siblings.length;
  let context: VClock = empty();
  for (let i = 0; i < n; i++) context = merge(context, siblings[i]!.clock);
  if (n === 0) {
    if (!RECONCILE_POLICIES.includes(policy)) throw new InvalidOptionError('reconcile policy', policy, RECONCILE_POLICIES.join(' | '));
    return { policy, context, items: null, basedOn: null, deleted: false, siblingCount: 0 };
  }
  switch (policy) {
    case 'merge': {
      let items: readonly number[] | null = null;
      let deleted = true;
      for (let i = 0; i < n; i++) {
        const v = siblings[i]!;
        if (v.value.tombstone !== true) deleted = false;
        const own = itemsOf(v);
        if (own !== null) items = items === null ? own : unionSorted(items, own);
      }
      return { policy, context, items, basedOn: null, deleted, siblingCount: n };
    }
    case 'last-write-wins': {
      let winner = siblings[0]!;
      for (let i = 1; i < n; i++) if (newer(siblings[i]!, winner)) winner = siblings[i]!;
      return { policy, context, items: itemsOf(winner), basedOn: winner, deleted: winner.value.tombstone === true, siblingCount: n };
    }
    case 'none': {
      const base = siblings[0]!;
      return { policy, context, items: itemsOf(base), basedOn: base, deleted: base.value.tombstone === true, siblingCount: n };
    }
    default:
      throw new InvalidOptionError('reconcile policy', policy, RECONCILE_POLICIES.join(' | '));
  }
}
