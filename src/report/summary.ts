/**
 * The summary of one run: what `summary.json` holds (schema version 1).
 * Every figure comes from the client history and the trace, observed from
 * outside the system under test. Times are simulated microseconds unless a
 * name says otherwise; latencies in reports are milliseconds (`...Ms`).
 *
 * Determinism: the same run writes the same bytes, except the `wall`
 * section (wall-clock time and speed), which the determinism checks ignore.
 * Field order is fixed by construction; numbers are rounded where noted.
 */

export const SUMMARY_SCHEMA_VERSION = 1;

export interface LatencyStats {
  /** Percentiles and extremes in milliseconds (3 decimals). */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
  mean: number;
}

export interface OpStats {
  count: number;
  ok: number;
  failed: number;
  /** Failures by reason ("timeout", "too-few-replicas", ...). */
  failures: Record<string, number>;
  /** Latency of successful operations, warm-up excluded. */
  latencyMs: LatencyStats;
}

export interface LatencyWindow {
  startUs: number;
  endUs: number;
  get: { count: number; ok: number; p50: number; p99: number; p999: number };
  put: { count: number; ok: number; p50: number; p99: number; p999: number };
}

export interface AvailabilityWindow {
  startUs: number;
  endUs: number;
  requests: number;
  /** Requests that succeeded within the SLA latency. */
  succeeded: number;
  /** succeeded / requests (1 when there were none). */
  availability: number;
}

export interface FaultAvailability {
  /** The fault as the timeline names it ("crash n3", "partition n0,n1 | n2,n3,n4"). */
  fault: string;
  kind: string;
  startUs: number;
  endUs: number;
  requests: number;
  availability: number;
  /** Availability in the window before the fault started. */
  before: number;
  /** From the fault's start until the windowed success rate is back to `before` (null: never within the run). */
  recoveryUs: number | null;
}

export interface Availability {
  /** The SLA latency a request must succeed within to count (ms). */
  slaMs: number;
  overall: number;
  requests: number;
  succeeded: number;
  windows: AvailabilityWindow[];
  faults: FaultAvailability[];
}

export interface TVisibilityPoint {
  /** Time since the write was acknowledged when the read started (ms, lower edge of the bin). */
  deltaMs: number;
  /** Reads in this bin. */
  reads: number;
  /** Probability the read returned the write or a newer version. */
  probability: number;
}

export interface Staleness {
  /** Gets that returned neither the latest write acknowledged before they began nor anything newer or concurrent. */
  staleReads: number;
  /** Successful gets of keys with at least one acknowledged write before they began. */
  readsChecked: number;
  staleShare: number;
  /** P(read returns one of the last k acknowledged versions), k = 1.. */
  kStaleness: Array<{ k: number; probability: number }>;
  tVisibility: TVisibilityPoint[];
  /** Smallest Δ (ms) from which the t-visibility stays >= 99.9% (null: never reached). */
  delta999Ms: number | null;
  readYourWrites: { checked: number; violations: number };
  monotonicReads: { checked: number; violations: number };
}

export interface VersionsHistogram {
  /** How many successful gets returned 1, 2, 3... versions. */
  histogram: Array<{ versions: number; gets: number; share: number }>;
}

export interface LostWrite {
  key: string;
  writeId: number;
  ackUs: number;
  /** "write buffer lost in a crash of n3", "hint lost with n5", "vector-clock truncation", or "unknown". */
  cause: string;
}

export interface Durability {
  acknowledgedWrites: number;
  lostWrites: number;
  /** The first lost writes (bounded list), by acknowledgement time. */
  lost: LostWrite[];
  /** When it was checked (simulated µs: after the liveness phase, or at the end of the run). */
  checkedAtUs: number;
}

export interface Convergence {
  /** Whether a liveness phase ran. */
  ran: boolean;
  converged: boolean;
  convergedAtUs: number | null;
  pending: string[];
}

export interface NodeSummary {
  name: string;
  dc: string;
  up: boolean;
  /** Requests coordinated (gets + puts) and replica operations served. */
  coordinated: number;
  replicaOps: number;
  keys: number;
  bytes: number;
  hintsHeld: number;
  messagesHandled: number;
}

export interface SystemStats {
  messages: number;
  bytes: number;
  messagesPerOp: number;
  bytesPerOp: number;
  /** Hints held across the cluster, sampled each window. */
  hintBacklog: Array<{ timeUs: number; hints: number }>;
  /** Fraction of nodes more than 15% from the mean load, per window. */
  outOfBalance: Array<{ startUs: number; endUs: number; fraction: number }>;
  readRepairs: number;
  hintedWrites: number;
  hintsDelivered: number;
  antiEntropy: { exchanges: number; keysRepaired: number; bytes: number } | null;
}

export interface CheckResult {
  name: string;
  pass: boolean;
  detail: string;
}

export interface FaultWindow {
  kind: string;
  describe: string;
  startUs: number;
  endUs: number;
}

export interface RingSummary {
  strategy: number;
  partitions: number;
  /** Token positions as fractions of the ring [0, 1) with their owner's name (at most 4096). */
  tokens: Array<{ position: number; node: string }>;
}

/**
 * One event of the chosen operation's message sequence (`Summary.operation`).
 * Messages: 'send', 'deliver', 'drop' (with `reason`), named by `msg` (the
 * network's message id) with `from`, `to` and `type`. 'timer': a timer the
 * operation set fired on `host` (`label`; a label ending in "-timeout" is a
 * timeout). 'fault' and 'host': a fault or host state change during the
 * operation (`host` when it names one, else ''; `label` says what).
 */
export interface OperationEvent {
  kind: 'send' | 'deliver' | 'drop' | 'timer' | 'fault' | 'host';
  timeUs: number;
  msg?: number;
  from?: string;
  to?: string;
  type?: string;
  reason?: string;
  host?: string;
  label?: string;
}

/**
 * The message sequence of one client operation, for the report's space-time
 * diagram: the slowest failed operation of the run, or the slowest one when
 * none failed (ties: the first to start). Its events are everything traced
 * under the operation's id (sim/trace.ts causes), including work that goes on
 * after the client has its answer (late replies, read repair, coordinator
 * timeouts), plus the faults and host changes in its time span (from one
 * second before it started).
 *
 * Optional (added within schema version 1): summaries written before it, and
 * runs with no completed operation, have no `operation` field.
 */
export interface OperationTrace {
  chosen: 'slowest failed' | 'slowest';
  /** The operation id: `op` of its 'op-start' in a trace file (`dynasim inspect --op`). */
  op: number;
  type: 'get' | 'put';
  key: string;
  population: string;
  startUs: number;
  endUs: number;
  ok: boolean;
  error: string | null;
  /** Lanes of the diagram: the hosts that send or receive messages or fire timers in `events`, in order of first appearance. */
  hosts: string[];
  /** In trace order (at most 400). */
  events: OperationEvent[];
  /** Events beyond the bound, left out. */
  omitted: number;
}

export interface Summary {
  schemaVersion: number;
  scenario: string;
  seed: string;
  version: string;
  digest: string;
  events: number;
  simulatedUs: number;
  /** Wall-clock figures: the only part that differs between identical runs. */
  wall: { wallMs: number; eventsPerSec: number };
  config: { nodes: number; n: number; r: number; w: number; sloppyQuorum: boolean; coordination: string; strategy: number; network: string };
  phases: { warmupUs: number; faultPhaseEndUs: number; endUs: number; windowUs: number };
  ops: { get: OpStats; put: OpStats };
  latencyWindows: LatencyWindow[];
  availability: Availability;
  staleness: Staleness;
  versions: VersionsHistogram;
  durability: Durability;
  convergence: Convergence;
  nodes: NodeSummary[];
  system: SystemStats;
  faults: FaultWindow[];
  ring: RingSummary;
  /** The chosen operation's message sequence (optional; see OperationTrace). */
  operation?: OperationTrace;
  checks: CheckResult[];
}

/** The summary without its wall-clock section: what determinism compares. */
export function deterministicPart(summary: Summary): Omit<Summary, 'wall'> {
  const { wall: _wall, ...rest } = summary;
  return rest;
}
