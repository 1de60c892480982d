/**
 * Build a Dynamo world: storage nodes on hosts (with their engine's disk
 * profile), one load balancer per datacenter for server-driven clients, and
 * client hosts running the client library. The scenario layer resolves a
 * file into these options; tests and benchmarks call it directly.
 *
 * Membership changes (issue 4): install `membershipComponents()` (gossip and
 * range transfers); nodes declared `initial: false` run from the start but
 * are outside the initial ring until `cluster.admin.join(i)`. Admin commands
 * go through the nodes' gossip components, as an operator's would; the
 * cluster keeps its load balancers' node lists in step with them.
 */
import { constant, exponential, fromSpec, lognormal, type Distribution } from '../../sim/distributions.js';
import type { ClockOptions, CpuOptions, DiskOptions, Host } from '../../sim/host.js';
import type { NetworkOptions } from '../../sim/network.js';
import type { TraceSink } from '../../sim/trace.js';
import { World } from '../../sim/world.js';
import { InvalidOptionError } from '../../sim/errors.js';
import { DynamoClient } from '../dynamo/client.js';
import { dynamoConfig, type Coordination, type DynamoConfig, type DynamoConfigInput } from '../dynamo/config.js';
import { LoadBalancer } from '../dynamo/loadBalancer.js';
import type { ComponentFactory } from '../dynamo/component.js';
import { GOSSIP_COMPONENT, gossipComponent, type Gossip } from '../dynamo/gossip.js';
import type { MembershipChange } from '../dynamo/membership.js';
import { DynamoNode } from '../dynamo/node.js';
import { createRing, type Strategy } from '../dynamo/ring.js';
import { transferComponent } from '../dynamo/transfer.js';
import { engineDiskProfile } from '../dynamo/storage.js';
import { KeyHasher, makeView, type MembershipView } from '../dynamo/view.js';

export interface NodeSpec {
  readonly name: string;
  readonly dc?: string;
  readonly rack?: string;
  readonly weight?: number;
  /** This node's host, overriding the cluster-wide CPU, disk and clock. */
  readonly cpu?: CpuOptions;
  readonly disk?: DiskOptions;
  readonly clock?: ClockOptions;
  /** false: the host runs from the start but joins the ring only by `cluster.admin.join` (default true). */
  readonly initial?: boolean;
}

export interface ClientSpec {
  readonly name: string;
  readonly dc?: string;
  readonly mode?: Coordination;
  readonly timeoutUs?: number;
}

export interface ClusterOptions {
  readonly seed: string | number | bigint;
  readonly nodes: number | readonly NodeSpec[];
  readonly config?: DynamoConfigInput;
  readonly partitioning?: { strategy: Strategy; tokensPerNode?: number; partitions?: number };
  readonly network?: NetworkOptions;
  readonly cpu?: CpuOptions;
  /** Disk distributions; default: the storage engine's profile. */
  readonly disk?: { channels?: number; readUs?: Distribution; writeUs?: Distribution };
  readonly clients?: readonly ClientSpec[];
  readonly traceSink?: TraceSink | null;
  readonly maxEvents?: number;
  readonly maxTimeUs?: number;
  /** The load balancer's health-check period. */
  readonly healthCheckIntervalUs?: number;
  /** Node components (membership and gossip, transfers, anti-entropy), installed on every node. */
  readonly components?: readonly ComponentFactory[];
}

export interface Cluster {
  readonly world: World;
  readonly config: DynamoConfig;
  readonly view: MembershipView;
  readonly hasher: KeyHasher;
  readonly nodeHosts: readonly Host[];
  readonly clientHosts: readonly Host[];
  /** The running node on host i (null while it is down). */
  node(i: number): DynamoNode | null;
  client(i: number): DynamoClient;
  /** Administrator commands (need `membershipComponents()` installed). */
  readonly admin: ClusterAdmin;
}

/** Membership commands, by node index (as in `node(i)`). Each returns the change it recorded. */
export interface ClusterAdmin {
  /** Node i joins; issued on node i itself, or with `via` on node `via`, which tells node i. */
  join(i: number, options?: { via?: number }): MembershipChange;
  /** Node i leaves gracefully (issued on node i; its ranges are handed off). */
  leave(i: number): MembershipChange;
  /** Node i (dead or alive) is removed; issued on `via`, by default the first live seed. */
  remove(i: number, options?: { via?: number }): MembershipChange;
}

/** Gossip-based membership and range transfers, for `buildCluster({ components })`. */
export function membershipComponents(): ComponentFactory[] {
  return [gossipComponent(), transferComponent()];
}

/** A single-datacenter network: sub-millisecond in a rack, ~0.5 ms across racks, 40 ms across datacenters. */
export function defaultNetwork(): NetworkOptions {
  return {
    latency: {
      sameRack: lognormal({ median: 150, p99: 1_500 }),
      sameDc: lognormal({ median: 400, p99: 4_000 }),
      crossDc: lognormal({ median: 40_000, p99: 100_000 }),
    },
  };
}

export function buildCluster(options: ClusterOptions): Cluster {
  let config = dynamoConfig(options.config ?? {});
  const nodeSpecs: NodeSpec[] = typeof options.nodes === 'number' ? Array.from({ length: options.nodes }, (_, i) => ({ name: `n${i}` })) : [...options.nodes];
  const initialCount = nodeSpecs.filter((s) => s.initial !== false).length;
  if (initialCount < config.n) throw new InvalidOptionError('nodes', initialCount, `at least N = ${config.n} initial nodes`);
  const world = new World({
    seed: options.seed,
    network: options.network ?? defaultNetwork(),
    traceSink: options.traceSink ?? null,
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    ...(options.maxTimeUs !== undefined ? { maxTimeUs: options.maxTimeUs } : {}),
  });
  const profile = engineDiskProfile(config.storage.engine);
  const cpu: CpuOptions = options.cpu ?? { workers: 4, serviceUs: exponential({ mean: 50 }) };
  const disk = {
    channels: options.disk?.channels ?? 4,
    readUs: options.disk?.readUs ?? fromSpec(profile.readUs),
    writeUs: options.disk?.writeUs ?? fromSpec(profile.writeUs),
  };
  const dcs = [...new Set(nodeSpecs.map((n) => n.dc ?? 'dc0'))];
  const nodeHosts = nodeSpecs.map((spec) =>
    world.addHost({
      name: spec.name,
      dc: spec.dc ?? 'dc0',
      rack: spec.rack ?? 'rack0',
      cpu: spec.cpu ?? cpu,
      disk: spec.disk ?? disk,
      ...(spec.clock !== undefined ? { clock: spec.clock } : {}),
    }),
  );
  const initialHosts = nodeHosts.filter((_h, i) => nodeSpecs[i]!.initial !== false);
  // Seeds default to the two lowest initial node ids (config.ts), unless the caller chose (even none).
  if (options.config?.gossip?.seeds === undefined) {
    config = dynamoConfig({ ...(options.config ?? {}), gossip: { ...(options.config?.gossip ?? {}), seeds: initialHosts.slice(0, 2).map((h) => h.id) } });
  }
  const partitioning = options.partitioning ?? { strategy: 3 as Strategy, partitions: 1024 };
  const ring = createRing({
    strategy: partitioning.strategy,
    nodes: initialHosts.map((h) => ({ id: h.id, weight: nodeSpecs[nodeHosts.indexOf(h)]!.weight ?? 1, dc: dcs.indexOf(h.dc) })),
    ...(partitioning.tokensPerNode !== undefined ? { tokensPerNode: partitioning.tokensPerNode } : partitioning.strategy !== 3 ? { tokensPerNode: 64 } : {}),
    ...(partitioning.partitions !== undefined ? { partitions: partitioning.partitions } : partitioning.strategy !== 1 ? { partitions: 1024 } : {}),
    targetN: config.n,
    rng: world.random.stream('ring'),
  });
  const view = makeView(ring, 1, { preflistLength: config.preflistLength, dcAware: config.dcAwarePlacement });
  const hasher = new KeyHasher();
  const components = options.components ?? [];
  for (const host of nodeHosts) host.boot((ctx) => new DynamoNode(ctx, { config, view, hasher, components }));

  // One load balancer per datacenter that has server-driven clients.
  const clients = options.clients ?? [{ name: 'c0' }];
  const balancers = new Map<string, number>();
  let balanced: readonly number[] = initialHosts.map((h) => h.id);
  const freeCpu: CpuOptions = { workers: 64, serviceUs: constant(0) };
  const noDisk = { channels: 1, readUs: constant(0), writeUs: constant(0) };
  for (const c of clients) {
    const dc = c.dc ?? 'dc0';
    if ((c.mode ?? 'server') === 'server' && !balancers.has(dc)) {
      const lb = world.addHost({ name: `lb-${dc}`, dc, rack: 'lb', cpu: freeCpu, disk: noDisk });
      const nodes = balanced;
      lb.boot((ctx) => new LoadBalancer(ctx, { nodes, healthCheckIntervalUs: options.healthCheckIntervalUs ?? 1_000_000, headerBytes: config.messageHeaderBytes }));
      balancers.set(dc, lb.id);
    }
  }
  const clientHosts = clients.map((c) => {
    const dc = c.dc ?? 'dc0';
    const host = world.addHost({ name: c.name, dc, rack: 'clients', cpu: freeCpu, disk: noDisk });
    const mode = c.mode ?? 'server';
    host.boot((ctx) => new DynamoClient(ctx, {
      config,
      mode,
      view,
      hasher,
      ...(mode === 'server' ? { loadBalancer: balancers.get(dc)! } : {}),
      ...(c.timeoutUs !== undefined ? { timeoutUs: c.timeoutUs } : {}),
    }));
    return host;
  });
  const node = (i: number): DynamoNode | null => (nodeHosts[i]?.app as DynamoNode | null) ?? null;
  const gossipOn = (i: number, command: string): Gossip => {
    const host = nodeHosts[i];
    if (!Number.isInteger(i) || host === undefined) throw new InvalidOptionError(`admin.${command}`, i, `a node index in [0, ${nodeHosts.length})`);
    const running = node(i);
    if (running === null) throw new InvalidOptionError(`admin.${command}`, host.name, 'a node that is up (commands are issued on a running node)');
    const gossip = running.component<Gossip>(GOSSIP_COMPONENT);
    if (gossip === null) throw new InvalidOptionError(`admin.${command}`, host.name, 'a node running gossip: install membershipComponents()');
    return gossip;
  };
  const hostAt = (i: number, command: string): Host => {
    const host = nodeHosts[i];
    if (!Number.isInteger(i) || host === undefined) throw new InvalidOptionError(`admin.${command}`, i, `a node index in [0, ${nodeHosts.length})`);
    return host;
  };
  // Load balancers send to the members the administrator has declared (joins added, leaves dropped).
  const rebalance = (nodes: readonly number[]): void => {
    balanced = nodes;
    for (const id of balancers.values()) (world.hosts[id]!.app as LoadBalancer | null)?.setNodes(balanced);
  };
  const admin: ClusterAdmin = {
    join(i, opts = {}) {
      const host = hostAt(i, 'join');
      const command = { node: host.id, weight: nodeSpecs[i]!.weight ?? 1, dc: dcs.indexOf(host.dc) };
      const change = gossipOn(opts.via ?? i, 'join').adminJoin(command);
      if (!balanced.includes(host.id)) rebalance([...balanced, host.id].sort((a, b) => a - b));
      return change;
    },
    leave(i) {
      const host = hostAt(i, 'leave');
      const change = gossipOn(i, 'leave').adminLeave();
      rebalance(balanced.filter((id) => id !== host.id));
      return change;
    },
    remove(i, opts = {}) {
      const host = hostAt(i, 'remove');
      let via = opts.via;
      if (via === undefined) {
        const seedIndexes = config.gossip.seeds.map((id) => nodeHosts.findIndex((h) => h.id === id));
        via = [...seedIndexes, ...nodeHosts.map((_h, k) => k)].find((k) => k >= 0 && k !== i && node(k) !== null);
        if (via === undefined) throw new InvalidOptionError('admin.remove', host.name, 'a cluster with another node up to issue the command on');
      }
      const change = gossipOn(via, 'remove').adminRemove(host.id);
      rebalance(balanced.filter((id) => id !== host.id));
      return change;
    },
  };
  return {
    world,
    config,
    view,
    hasher,
    nodeHosts,
    clientHosts,
    node,
    client: (i) => clientHosts[i]!.app as DynamoClient,
    admin,
  };
}
