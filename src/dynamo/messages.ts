/**
 * The messages Dynamo nodes and clients exchange, and their sizes on the
 * wire. Latency classes are the PBS legs (DYNAMO.md §12): W a write to a
 * replica, A its ack, R a read request, S a read response; a network with a
 * PBS preset draws each leg from its own distribution.
 */
import type { VClock } from './vclock.js';
import { clockSizeBytes } from './vclock.js';
import type { Siblings, Value, Version } from './version.js';
import { versionSetSizeBytes } from './version.js';

export const LEG_WRITE = 'W';
export const LEG_ACK = 'A';
export const LEG_READ = 'R';
export const LEG_RESPONSE = 'S';

/** Why an operation failed, as the client sees it. */
export type FailureReason = 'timeout' | 'too-few-replicas' | 'overloaded' | 'too-many-siblings' | 'no-coordinator';

// ---- client ↔ coordinator ------------------------------------------------------------------

export interface ClientGet {
  readonly req: number;
  readonly key: string;
  /** The client endpoint the answer goes to. */
  readonly client: number;
}

export interface ClientGetReply {
  readonly req: number;
  readonly ok: boolean;
  readonly siblings: Siblings;
  readonly context: VClock;
  /** The fastest read responder: where the client's next put of this key should go (§6.4). */
  readonly fastest: number;
  readonly coordinator: number;
  readonly error: FailureReason | null;
}

export interface ClientPut {
  readonly req: number;
  readonly key: string;
  readonly context: VClock;
  readonly value: Value;
  readonly client: number;
  /** Forwards so far: a write is forwarded at most once (views can disagree). */
  readonly hops: number;
}

export interface ClientPutReply {
  readonly req: number;
  readonly ok: boolean;
  /** The clock of the new version (on success). */
  readonly clock: VClock | null;
  readonly coordinator: number;
  readonly error: FailureReason | null;
}

// ---- coordinator ↔ replica -----------------------------------------------------------------

export interface ReplicaGet {
  readonly op: number;
  readonly key: string;
}

export interface ReplicaGetReply {
  readonly op: number;
  readonly key: string;
  /** Null: not found. */
  readonly siblings: Siblings | null;
}

export interface ReplicaPut {
  readonly op: number;
  readonly key: string;
  readonly versions: readonly Version[];
  /** Sloppy quorum: the node this replica is really meant for (-1: none). Stored as a hint. */
  readonly hintFor: number;
  /** Skip the write buffer (§6.1 durable write). */
  readonly durable: boolean;
  /** A read-repair or hint write: nobody waits for its ack. */
  readonly background: boolean;
}

export interface ReplicaPutAck {
  readonly op: number;
  readonly ok: boolean;
  readonly durable: boolean;
}

// ---- hinted handoff ------------------------------------------------------------------------

export interface HintDelivery {
  readonly hint: number;
  readonly key: string;
  readonly versions: Siblings;
}

export interface HintAck {
  readonly hint: number;
  readonly ok: boolean;
}

// ---- membership view for client-driven coordination ----------------------------------------

export interface MembersReply {
  /** The node's current membership view (an immutable value shared by reference in the simulator). */
  readonly view: unknown;
}

export const MSG = {
  get: 'get',
  getReply: 'get-reply',
  put: 'put',
  putReply: 'put-reply',
  rget: 'rget',
  rgetReply: 'rget-reply',
  rput: 'rput',
  rputAck: 'rput-ack',
  hint: 'hint',
  hintAck: 'hint-ack',
  ping: 'ping',
  pong: 'pong',
  membersReq: 'members-req',
  members: 'members',
} as const;

/** Bytes on the wire: a fixed header plus the key, clocks and values carried. */
export function sizeOfVersions(headerBytes: number, key: string, versions: readonly Version[] | null): number {
  return headerBytes + key.length + (versions === null ? 0 : versionSetSizeBytes(versions));
}

export function sizeOfPut(headerBytes: number, key: string, context: VClock, value: Value): number {
  return headerBytes + key.length + clockSizeBytes(context) + value.sizeBytes;
}
