/**
 * The fault timeline: a scenario's `faults` entries become a sorted list of
 * concrete events, and running them symbolically (each node absent, up, down,
 * paused or gone) finds the contradictions a file can hold: restarting a node
 * that is up, crashing one that is already down, a graceful leave of a dead
 * node, a fault naming a node that does not exist.
 *
 * Ordering: by time; at the same instant the ends (`for` expiring) come before
 * new faults, then file order. `for` expands into a start and an end event.
 * At `duration` the fault phase ends and everything still active is healed in
 * this order: partitions, degraded links, clogs, slow disks, paused nodes
 * resumed, crashed nodes restarted (cluster order). Clock skews and drifts
 * without `for` persist; membership changes (join, leave, remove) are final.
 *
 * Pure and deterministic: no randomness, no clocks.
 */
import { formatDurationUs as formatDuration } from './units.js';
import type { PathProblem, Segment } from './errors.js';
import { didYouMean } from './errors.js';
import { FAULT_KINDS, type FaultKind } from './schema.js';
import { parseDurationUs, parseProbability, unwrap } from './units.js';

/** A node as the timeline needs it (a subset of the resolved node). */
export interface TimelineNode {
  name: string;
  dc: string;
  initial: boolean;
  driftPpm: number;
}

/** Why an event happens: a fault entry, the end of its `for`, or the heal at the end of the fault phase. */
export type FaultCause = 'fault' | 'for' | 'liveness';

interface EventBase {
  atUs: number;
  /** The entry it comes from (`faults.3`); `duration` for the heals at the end of the fault phase. */
  source: string;
  cause: FaultCause;
}

/** A directed link [from, to]. */
export type Link = readonly [string, string];

export type FaultEvent = EventBase &
  (
    | { kind: 'crash'; node: string; loseDisk: boolean }
    | { kind: 'restart'; node: string }
    | { kind: 'pause'; node: string }
    | { kind: 'resume'; node: string }
    | { kind: 'partition'; groups: string[][]; oneWay: boolean; bridge: string | null }
    | { kind: 'heal'; groups: string[][]; oneWay: boolean }
    | { kind: 'degrade'; links: Link[]; addedLatencyUs: number; lossProbability: number }
    | { kind: 'restore'; links: Link[] }
    | { kind: 'clog'; links: Link[]; untilUs: number }
    | { kind: 'unclog'; links: Link[] }
    | { kind: 'clockSkew'; node: string; byUs: number }
    | { kind: 'clockDrift'; node: string; ppm: number }
    | { kind: 'slowDisk'; node: string; factor: number }
    | { kind: 'join'; node: string }
    | { kind: 'leave'; node: string }
    | { kind: 'remove'; node: string }
  );

type NodeState = 'absent' | 'up' | 'down' | 'paused' | 'gone';

interface Action {
  atUs: number;
  /** 0: an end (runs first at an instant), 1: a start. */
  rank: 0 | 1;
  entry: number;
  sub: number;
  run: () => void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const KINDS_WITHOUT_FOR: readonly FaultKind[] = ['restart', 'resume', 'rollingRestart', 'join', 'leave', 'remove'];

export interface TimelineInput {
  /** The `faults` list as written (already structurally valid). */
  faults: readonly unknown[];
  nodes: readonly TimelineNode[];
  durationUs: number;
}

export interface Timeline {
  events: FaultEvent[];
  problems: PathProblem[];
}

const NODES_PATH: Segment[] = ['cluster', 'nodes'];

export function buildTimeline(input: TimelineInput): Timeline {
  return new TimelineBuilder(input).build();
}

class TimelineBuilder {
  private readonly events: FaultEvent[] = [];
  private readonly problems: PathProblem[] = [];
  private readonly queue: Action[] = [];
  private readonly names: string[];
  private readonly known: Set<string>;
  private readonly state = new Map<string, { state: NodeState; sinceUs: number; by: string }>();
  private readonly drift = new Map<string, number>();
  private readonly slow = new Map<string, string>();
  private readonly partitions = new Map<string, { groups: string[][]; oneWay: boolean }>();
  private readonly degraded = new Map<string, Link[]>();
  private readonly clogged = new Map<string, Link[]>();

  constructor(private readonly input: TimelineInput) {
    this.names = input.nodes.map((n) => n.name);
    this.known = new Set(this.names);
    for (const n of input.nodes) {
      if (!this.state.has(n.name)) this.state.set(n.name, { state: n.initial ? 'up' : 'absent', sinceUs: 0, by: 'cluster.nodes' });
      this.drift.set(n.name, n.driftPpm);
    }
  }

  build(): Timeline {
    const { faults, durationUs } = this.input;
    faults.forEach((f, entry) => {
      if (!isObj(f)) return;
      const at = parseDurationUs(f.at);
      if (!at.ok) return;
      const kind = FAULT_KINDS.find((k) => f[k] !== undefined);
      if (kind === undefined) return;
      if (at.value >= durationUs) {
        this.problem(['faults', entry, 'at'], `expected a time before the end of the fault phase (duration ${formatDuration(durationUs)}), got ${formatDuration(at.value)}`, [['duration']]);
        return;
      }
      this.schedule({ atUs: at.value, rank: 1, entry, sub: 0, run: () => this.start(entry, f, kind, at.value) });
    });
    while (this.queue.length > 0) {
      const action = this.queue.shift()!;
      if (action.atUs >= durationUs) continue; // ends past the fault phase: healed below
      action.run();
    }
    this.healAll(durationUs);
    return { events: this.events, problems: this.problems };
  }

  // ------------------------------------------------------------ plumbing

  private schedule(a: Action): void {
    const before = (x: Action) => x.atUs > a.atUs || (x.atUs === a.atUs && (x.rank > a.rank || (x.rank === a.rank && (x.entry > a.entry || (x.entry === a.entry && x.sub > a.sub)))));
    const i = this.queue.findIndex(before);
    if (i < 0) this.queue.push(a);
    else this.queue.splice(i, 0, a);
  }

  private problem(path: Segment[], message: string, involves: Segment[][] = []): void {
    this.problems.push({ path, message, involves });
  }

  private emit(e: FaultEvent): void {
    this.events.push(e);
  }

  /** Node names of a target field; unknown names are reported and dropped. */
  private targets(value: unknown, path: Segment[]): string[] {
    const list = Array.isArray(value) ? value : [value];
    const out: string[] = [];
    list.forEach((name, i) => {
      if (typeof name !== 'string') return;
      const where = Array.isArray(value) ? [...path, i] : path;
      if (this.checkNode(name, where)) out.push(name);
    });
    return out;
  }

  private checkNode(name: string, path: Segment[]): boolean {
    if (this.known.has(name)) return true;
    this.problem(path, unknownNode(name, this.names), [NODES_PATH]);
    return false;
  }

  private link(value: unknown, path: Segment[]): string[] {
    return value === '*' ? [...this.names] : this.targets(value, path);
  }

  // ------------------------------------------------------------ starts

  private start(entry: number, f: Obj, kind: FaultKind, atUs: number): void {
    const source = `faults.${entry}`;
    const base = ['faults', entry] as Segment[];
    const kindPath = [...base, kind];
    let forUs: number | undefined;
    if (f.for !== undefined) {
      const r = parseDurationUs(f.for, { positive: true });
      if (r.ok) forUs = r.value;
      if (KINDS_WITHOUT_FOR.includes(kind)) {
        this.problem([...base, 'for'], `unexpected field "for": ${kind} is instantaneous (for applies to crash, pause, partition, degrade, clog, clockSkew, clockDrift and slowDisk)`);
        forUs = undefined;
      }
    }
    const endUs = forUs === undefined ? undefined : atUs + forUs;
    const startEvent = { atUs, source, cause: 'fault' as const };
    const endAt = (sub: number, run: (at: number) => void) => {
      if (endUs !== undefined) this.schedule({ atUs: endUs, rank: 0, entry, sub, run: () => run(endUs) });
    };
    const args = f[kind];
    switch (kind) {
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
      case 'join':
      case 'leave':
      case 'remove': {
        const nodes = this.targets(args, kindPath);
        nodes.forEach((node, i) => {
          const where = Array.isArray(args) ? [...kindPath, i] : kindPath;
          if (!this.transition(kind, node, atUs, source, where)) return;
          if (kind === 'crash') this.emit({ ...startEvent, kind, node, loseDisk: f.loseDisk === true });
          else this.emit({ ...startEvent, kind, node });
          if (kind === 'crash') endAt(i, (t) => this.end('restart', node, t, source, [...base, 'for']));
          if (kind === 'pause') endAt(i, (t) => this.end('resume', node, t, source, [...base, 'for']));
        });
        return;
      }
      case 'partition': {
        const p = this.partition(isObj(args) ? args : {}, kindPath);
        if (p === null) return;
        this.emit({ ...startEvent, kind: 'partition', groups: p.groups, oneWay: p.oneWay, bridge: p.bridge });
        const key = `${entry}`;
        this.partitions.set(key, { groups: p.groups, oneWay: p.oneWay });
        endAt(0, (t) => {
          this.partitions.delete(key);
          this.emit({ atUs: t, source, cause: 'for', kind: 'heal', groups: p.groups, oneWay: p.oneWay });
        });
        return;
      }
      case 'degrade':
      case 'clog': {
        const a = isObj(args) ? args : {};
        const links = this.links(a, kindPath);
        if (links === null) return;
        const key = `${entry}`;
        if (kind === 'degrade') {
          const addedLatencyUs = a.latency === undefined ? 0 : unwrap(parseDurationUs(a.latency), 'degrade.latency');
          const lossProbability = a.loss === undefined ? 0 : unwrap(parseProbability(a.loss), 'degrade.loss');
          this.emit({ ...startEvent, kind, links, addedLatencyUs, lossProbability });
          this.degraded.set(key, links);
          endAt(0, (t) => {
            this.degraded.delete(key);
            this.emit({ atUs: t, source, cause: 'for', kind: 'restore', links });
          });
        } else {
          if (endUs === undefined) {
            if (f.for === undefined) this.problem(kindPath, 'expected a `for` beside clog: a clog holds messages until the end of `for`', [[...base, 'for']]);
            return;
          }
          this.emit({ ...startEvent, kind, links, untilUs: Math.min(endUs, this.input.durationUs) });
          this.clogged.set(key, links);
          endAt(0, (t) => {
            this.clogged.delete(key);
            this.emit({ atUs: t, source, cause: 'for', kind: 'unclog', links });
          });
        }
        return;
      }
      case 'clockSkew': {
        const a = isObj(args) ? args : {};
        const node = a.node as string;
        if (!this.checkNode(node, [...kindPath, 'node'])) return;
        const byUs = unwrap(parseDurationUs(a.by, { signed: true }), 'clockSkew.by');
        this.emit({ ...startEvent, kind, node, byUs });
        endAt(0, (t) => this.emit({ atUs: t, source, cause: 'for', kind: 'clockSkew', node, byUs: -byUs }));
        return;
      }
      case 'clockDrift': {
        const a = isObj(args) ? args : {};
        const node = a.node as string;
        if (!this.checkNode(node, [...kindPath, 'node'])) return;
        const previous = this.drift.get(node) ?? 0;
        const ppm = a.ppm as number;
        this.drift.set(node, ppm);
        this.emit({ ...startEvent, kind, node, ppm });
        endAt(0, (t) => {
          this.drift.set(node, previous);
          this.emit({ atUs: t, source, cause: 'for', kind: 'clockDrift', node, ppm: previous });
        });
        return;
      }
      case 'slowDisk': {
        const a = isObj(args) ? args : {};
        const node = a.node as string;
        if (!this.checkNode(node, [...kindPath, 'node'])) return;
        this.emit({ ...startEvent, kind, node, factor: a.factor as number });
        this.slow.set(node, source);
        endAt(0, (t) => {
          if (this.slow.get(node) === source) this.slow.delete(node);
          this.emit({ atUs: t, source, cause: 'for', kind: 'slowDisk', node, factor: 1 });
        });
        return;
      }
      case 'rollingRestart': {
        const a = isObj(args) ? args : {};
        const downtimeUs = unwrap(parseDurationUs(a.downtime, { positive: true }), 'rollingRestart.downtime');
        const gapUs = unwrap(parseDurationUs(a.gap), 'rollingRestart.gap');
        const nodes =
          a.nodes === undefined || a.nodes === 'all'
            ? this.names.filter((n) => {
                const s = this.state.get(n)!.state;
                return s !== 'absent' && s !== 'gone';
              })
            : this.targets(a.nodes, [...kindPath, 'nodes']);
        const lastRestartUs = atUs + (nodes.length - 1) * (downtimeUs + gapUs) + downtimeUs;
        if (nodes.length > 0 && lastRestartUs >= this.input.durationUs) {
          this.problem(
            kindPath,
            `expected the rolling restart to end before the end of the fault phase (duration ${formatDuration(this.input.durationUs)}): ${nodes.length} node(s) × (downtime ${formatDuration(downtimeUs)} + gap ${formatDuration(gapUs)}) from ${formatDuration(atUs)} ends at ${formatDuration(lastRestartUs)}`,
            [['duration']],
          );
        }
        const where = a.nodes === undefined || a.nodes === 'all' ? kindPath : [...kindPath, 'nodes'];
        nodes.forEach((node, k) => {
          const crashUs = atUs + k * (downtimeUs + gapUs);
          const step = { source, cause: 'fault' as const };
          this.schedule({
            atUs: crashUs,
            rank: 1,
            entry,
            sub: 2 * k + 1,
            run: () => {
              if (this.transition('crash', node, crashUs, source, where)) this.emit({ ...step, atUs: crashUs, kind: 'crash', node, loseDisk: false });
            },
          });
          this.schedule({
            atUs: crashUs + downtimeUs,
            rank: 1,
            entry,
            sub: 2 * k + 2,
            run: () => {
              if (this.transition('restart', node, crashUs + downtimeUs, source, where)) this.emit({ ...step, atUs: crashUs + downtimeUs, kind: 'restart', node });
            },
          });
        });
        return;
      }
    }
  }

  /** The end of a crash's or pause's `for`. */
  private end(kind: 'restart' | 'resume', node: string, atUs: number, source: string, path: Segment[]): void {
    if (this.transition(kind, node, atUs, source, path, true)) this.emit({ atUs, source, cause: 'for', kind, node });
  }

  /**
   * Apply a membership or liveness change to the symbolic state, or report why
   * it contradicts the timeline so far. Returns whether it applied.
   */
  private transition(kind: FaultKind | 'restart' | 'resume', node: string, atUs: number, source: string, path: Segment[], isEnd = false): boolean {
    const s = this.state.get(node);
    if (s === undefined) return false;
    const allowed: Record<string, readonly NodeState[]> = {
      crash: ['up', 'paused'],
      restart: ['down'],
      pause: ['up'],
      resume: ['paused'],
      join: ['absent', 'gone'],
      leave: ['up'],
      remove: ['up', 'down', 'paused'],
    };
    const next: Record<string, NodeState> = { crash: 'down', restart: 'up', pause: 'paused', resume: 'up', join: 'up', leave: 'gone', remove: 'gone' };
    const ok = allowed[kind];
    if (ok === undefined) return true;
    if (!ok.includes(s.state)) {
      const verb = isEnd ? `${kind} ${node} at ${formatDuration(atUs)} (the end of \`for\`)` : `${kind} ${node} at ${formatDuration(atUs)}`;
      this.problem(path, `cannot ${verb}: ${describeState(node, s)} (expected a node that is ${ok.map(stateWord).join(' or ')})`, [NODES_PATH]);
      return false;
    }
    this.state.set(node, { state: next[kind]!, sinceUs: atUs, by: source });
    return true;
  }

  // ------------------------------------------------------------ partitions and links

  private partition(a: Obj, path: Segment[]): { groups: string[][]; oneWay: boolean; bridge: string | null } | null {
    const all = this.names;
    let groups: string[][] = [];
    let bridge: string | null = null;
    if (Array.isArray(a.groups)) {
      const seen = new Map<string, number>();
      let bad = false;
      a.groups.forEach((g: unknown, gi: number) => {
        if (!Array.isArray(g)) return;
        const group: string[] = [];
        g.forEach((name: unknown, k: number) => {
          if (typeof name !== 'string') return;
          const where = [...path, 'groups', gi, k];
          if (!this.checkNode(name, where)) {
            bad = true;
            return;
          }
          const other = seen.get(name);
          if (other !== undefined) {
            this.problem(where, `expected disjoint groups, got node ${name} in groups ${other} and ${gi}`);
            bad = true;
            return;
          }
          seen.set(name, gi);
          group.push(name);
        });
        groups.push(group);
      });
      if (bad) return null;
      if (groups.length === 1) {
        const rest = all.filter((n) => !seen.has(n));
        if (rest.length === 0) {
          this.problem([...path, 'groups'], 'expected at least two groups: a single group holding every node cuts nothing', [NODES_PATH]);
          return null;
        }
        groups.push(rest);
      }
    } else if (typeof a.isolate === 'string') {
      if (!this.checkNode(a.isolate, [...path, 'isolate'])) return null;
      const node = a.isolate;
      groups = [[node], all.filter((n) => n !== node)];
      if (groups[1]!.length === 0) {
        this.problem([...path, 'isolate'], 'expected a cluster of two nodes or more to isolate one', [NODES_PATH]);
        return null;
      }
    } else if (a.majority === true) {
      if (all.length < 2) {
        this.problem([...path, 'majority'], 'expected a cluster of two nodes or more to split', [NODES_PATH]);
        return null;
      }
      const k = Math.floor(all.length / 2) + 1;
      groups = [all.slice(0, k), all.slice(k)];
      if (groups[1]!.length === 0) groups = [all.slice(0, all.length - 1), all.slice(all.length - 1)];
    } else if (a.splitDc === true) {
      const dcs: string[] = [];
      for (const n of this.input.nodes) if (!dcs.includes(n.dc)) dcs.push(n.dc);
      if (dcs.length < 2) {
        this.problem([...path, 'splitDc'], `expected nodes in two datacenters or more, got only ${dcs.map((d) => JSON.stringify(d)).join(', ') || 'none'}`, [NODES_PATH]);
        return null;
      }
      groups = dcs.map((dc) => this.input.nodes.filter((n) => n.dc === dc).map((n) => n.name));
    } else if (typeof a.bridge === 'string') {
      if (!this.checkNode(a.bridge, [...path, 'bridge'])) return null;
      const b = a.bridge;
      const others = all.filter((n) => n !== b);
      if (others.length < 2) {
        this.problem([...path, 'bridge'], 'expected a cluster of three nodes or more to bridge', [NODES_PATH]);
        return null;
      }
      const half = Math.ceil(others.length / 2);
      groups = [others.slice(0, half), others.slice(half)];
      bridge = b;
    } else {
      return null;
    }
    const oneWay = a.oneWay === true;
    if (oneWay && (groups.length !== 2 || bridge !== null)) {
      this.problem([...path, 'oneWay'], `expected exactly two groups for a one-way partition, got ${bridge !== null ? 'a bridge' : `${groups.length} groups`}`);
      return null;
    }
    return { groups, oneWay, bridge };
  }

  private links(a: Obj, path: Segment[]): Link[] | null {
    const before = this.problems.length;
    const from = this.link(a.from, [...path, 'from']);
    const to = this.link(a.to, [...path, 'to']);
    if (this.problems.length > before) return null;
    const seen = new Set<string>();
    const out: Link[] = [];
    const add = (x: string, y: string) => {
      const key = `${x}\u0000${y}`;
      if (x === y || seen.has(key)) return;
      seen.add(key);
      out.push([x, y]);
    };
    for (const x of from) for (const y of to) add(x, y);
    if (a.oneWay !== true) for (const x of from) for (const y of to) add(y, x);
    if (out.length === 0) {
      this.problem(path, 'expected at least one link between two different nodes, got none (from and to name the same single node)');
      return null;
    }
    return out;
  }

  // ------------------------------------------------------------ the end of the fault phase

  private healAll(atUs: number): void {
    const heal = { atUs, source: 'duration', cause: 'liveness' as const };
    for (const p of this.partitions.values()) this.emit({ ...heal, kind: 'heal', groups: p.groups, oneWay: p.oneWay });
    for (const links of this.degraded.values()) this.emit({ ...heal, kind: 'restore', links });
    for (const links of this.clogged.values()) this.emit({ ...heal, kind: 'unclog', links });
    for (const node of this.names) if (this.slow.has(node)) this.emit({ ...heal, kind: 'slowDisk', node, factor: 1 });
    for (const node of this.names) if (this.state.get(node)?.state === 'paused') this.emit({ ...heal, kind: 'resume', node });
    for (const node of this.names) if (this.state.get(node)?.state === 'down') this.emit({ ...heal, kind: 'restart', node });
  }
}

function stateWord(s: NodeState): string {
  return s === 'absent' ? 'not yet joined' : s === 'gone' ? 'no longer a member' : s;
}

function describeState(node: string, s: { state: NodeState; sinceUs: number; by: string }): string {
  const since = s.by === 'cluster.nodes' ? '' : ` since ${formatDuration(s.sinceUs)} (${s.by})`;
  switch (s.state) {
    case 'up':
      return `it is up${since}`;
    case 'down':
      return `it is already down${since}`;
    case 'paused':
      return `it is paused${since}`;
    case 'absent':
      return `it has not joined the cluster (declared with initial: false; join it first)`;
    case 'gone':
      return `it left the cluster at ${formatDuration(s.sinceUs)} (${s.by})`;
  }
}

/** `unknown node "n9": expected one of n0 … n7` (with a suggestion when one is close). */
export function unknownNode(name: string, names: readonly string[]): string {
  const hint = name.length >= 4 ? didYouMean(name, names) : '';
  if (hint) return `unknown node ${JSON.stringify(name)}${hint}`;
  return `unknown node ${JSON.stringify(name)}: expected one of ${listNames(names)}`;
}

export function listNames(all: readonly string[]): string {
  const names = [...new Set(all)];
  if (names.length <= 8) return names.join(', ');
  return `${names.slice(0, 3).join(', ')}, … ${names[names.length - 1]} (${names.length} nodes)`;
}

