/**
 * Build a Dynamo world: storage nodes on hosts (with their engine's disk
 * profile), one load balancer per datacenter for server-driven clients, and
 * client hosts running the client library. The scenario layer resolves a
 * file into these options; tests and benchmarks call it directly.
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
import { DynamoNode } from '../dynamo/node.js';
import { createRing, type Strategy } from '../dynamo/ring.js';
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
  const config = dynamoConfig(options.config ?? {});
  const nodeSpecs: NodeSpec[] = typeof options.nodes === 'number' ? Array.from({ length: options.nodes }, (_, i) => ({ name: `n${i}` })) : [...options.nodes];
  if (nodeSpecs.length < config.n) throw new InvalidOptionError('nodes', nodeSpecs.length, `at least N = ${config.n} nodes`);
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
  const partitioning = options.partitioning ?? { strategy: 3 as Strategy, partitions: 1024 };
  const ring = createRing({
    strategy: partitioning.strategy,
    nodes: nodeHosts.map((h, i) => ({ id: h.id, weight: nodeSpecs[i]!.weight ?? 1, dc: dcs.indexOf(h.dc) })),
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
  const freeCpu: CpuOptions = { workers: 64, serviceUs: constant(0) };
  const noDisk = { channels: 1, readUs: constant(0), writeUs: constant(0) };
  for (const c of clients) {
    const dc = c.dc ?? 'dc0';
    if ((c.mode ?? 'server') === 'server' && !balancers.has(dc)) {
      const lb = world.addHost({ name: `lb-${dc}`, dc, rack: 'lb', cpu: freeCpu, disk: noDisk });
      const nodes = nodeHosts.map((h) => h.id);
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
  return {
    world,
    config,
    view,
    hasher,
    nodeHosts,
    clientHosts,
    node: (i) => (nodeHosts[i]?.app as DynamoNode | null) ?? null,
    client: (i) => clientHosts[i]!.app as DynamoClient,
  };
}
