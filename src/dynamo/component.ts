/**
 * How the node's background machinery plugs in. The node (node.ts) is the
 * composition root: it owns the request path, the local store, the hints
 * and the failure detector, and routes every other message type to the
 * component that declared it. Membership and gossip, range transfers and
 * anti-entropy are components, so each lives in its own file and can be
 * switched off by not installing it.
 */
import type { HostContext } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import type { AdmissionController } from './admission.js';
import type { DynamoConfig } from './config.js';
import type { FailureDetector } from './failureDetector.js';
import type { HintStore } from './hints.js';
import type { LocalStore } from './storage.js';
import type { Siblings, Version } from './version.js';
import type { KeyHasher, MembershipView } from './view.js';

/** What a component may use. */
export interface NodeServices {
  readonly ctx: HostContext;
  readonly config: DynamoConfig;
  readonly hasher: KeyHasher;
  readonly store: LocalStore;
  readonly hints: HintStore;
  readonly fd: FailureDetector;
  readonly admission: AdmissionController;
  /** The node's current membership view. */
  view(): MembershipView;
  /** Adopt a new view (components are told through onViewChange). */
  setView(view: MembershipView): void;
  /**
   * Merge versions into the local store as a replica write (the sibling
   * bound applies); `done(ok)` when stored.
   */
  writeLocal(key: string, versions: readonly Version[], done: (ok: boolean) => void): void;
  /** Another component of this node, by name (null when not installed). */
  component<T extends NodeComponent>(name: string): T | null;
}

export interface NodeComponent {
  readonly name: string;
  /** Message types routed to this component. */
  readonly messageTypes: readonly string[];
  onMessage(msg: Message): void;
  /** The node adopted a new membership view. */
  onViewChange?(before: MembershipView, after: MembershipView): void;
  /**
   * A key's local state changed (write, read repair, hint, transfer, anti-entropy). `position` is the
   * key's ring position and `partition` its partition under the node's current view (computed once
   * for every component: this runs on every write of every replica). `added`: the key had no
   * versions in the store before this change.
   */
  onKeyChanged?(key: string, siblings: Siblings, position: number, partition: number, added: boolean): void;
  /** For the liveness report: what this component still has to do, in words. */
  pending?(): string[];
  /** The host is crashing (post-mortem: record only). */
  onCrash?(): void;
}

export type ComponentFactory = (services: NodeServices) => NodeComponent;
