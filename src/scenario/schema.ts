/**
 * The scenario file format as a JSON Schema (draft 2020-12): the single
 * source of the structure that `validate.ts` checks with ajv and that is
 * published as `scenarios/schema.json`, so editors complete and check fields
 * (every property has a description; every object is closed with
 * `additionalProperties: false`).
 *
 * Conventions the validator relies on (test/scenario/schema.test.ts checks them):
 * - Values with units are `$ref`s to the unit definitions (`duration`, `rate`,
 *   `size`, ...) or to the distribution definitions; the validator parses those
 *   itself to give precise messages ("unit-less duration: write 300ms").
 * - `oneOf` / `anyOf` / `if` / `then` / `else` only discriminate between forms
 *   (`type`, `const`, `required`, `maxProperties`, forbidden fields); the
 *   content of every form is described by the sibling `properties`, so no unit
 *   is ever hidden inside a combinator.
 * - `title` is the short expectation quoted in messages ("expected a latency
 *   distribution").
 *
 * DEFAULTS below is the single source of the static defaults: `resolve.ts`
 * reads it and the schema quotes it in `default` annotations.
 */
import {
  BANDWIDTH_PATTERN,
  DURATION_PATTERN,
  PERCENT_PATTERN,
  RATE_PATTERN,
  SEED_PATTERN,
  SIGNED_DURATION_PATTERN,
  SIZE_PATTERN,
} from './units.js';

// ---------------------------------------------------------------- vocabularies

/** Fault kinds a scenario's `faults` timeline may use (one per entry). */
export const FAULT_KINDS = [
  'crash',
  'restart',
  'pause',
  'resume',
  'partition',
  'degrade',
  'clog',
  'clockSkew',
  'clockDrift',
  'slowDisk',
  'rollingRestart',
  'join',
  'leave',
  'remove',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds of the concrete events of a resolved timeline (starts and the ends `for` implies). */
export const FAULT_EVENT_KINDS = [
  'crash',
  'restart',
  'pause',
  'resume',
  'partition',
  'heal',
  'degrade',
  'restore',
  'clog',
  'unclog',
  'clockSkew',
  'clockDrift',
  'slowDisk',
  'join',
  'leave',
  'remove',
] as const;
export type FaultEventKind = (typeof FAULT_EVENT_KINDS)[number];

/** Fault kinds the random nemesis can inject. */
export const NEMESIS_KINDS = ['crash', 'pause', 'partition', 'clockSkew', 'slowDisk', 'degrade'] as const;
export type NemesisKindName = (typeof NEMESIS_KINDS)[number];

/** How the nemesis splits the cluster for a `partition`. */
export const NEMESIS_PARTITION_MODES = ['majority', 'isolate', 'splitDc'] as const;

/** Correctness checks a scenario may demand (src/check implements them). */
export const SCENARIO_CHECKS = ['no-lost-writes', 'converged', 'no-stale-reads', 'read-your-writes', 'monotonic-reads'] as const;
export type ScenarioCheck = (typeof SCENARIO_CHECKS)[number];

export const STORAGE_ENGINES = ['bdb', 'mysql', 'memory'] as const;
export type StorageEngine = (typeof STORAGE_ENGINES)[number];

export const COORDINATION_MODES = ['server', 'client'] as const;
export type Coordination = (typeof COORDINATION_MODES)[number];

export const RECONCILE_POLICIES = ['merge', 'last-write-wins', 'none'] as const;
export type ReconcilePolicy = (typeof RECONCILE_POLICIES)[number];

/** The PBS latency presets (sim/presets.ts PBS_PRESET_NAMES; a test keeps them equal). */
export const NETWORK_PRESETS = ['LNKD-SSD', 'LNKD-DISK', 'YMMR', 'WAN'] as const;
export type NetworkPreset = (typeof NETWORK_PRESETS)[number];
export const PRESET_LEGS = ['W', 'A', 'R', 'S'] as const;
export type PresetLeg = (typeof PRESET_LEGS)[number];

export const PARTITIONING_STRATEGIES = [1, 2, 3] as const;

// ---------------------------------------------------------------- defaults

/**
 * Static defaults, written as a scenario file would write them. Defaults that
 * depend on other fields are documented in the schema and filled by resolve.ts:
 * `cluster.readRepair.wait` and `cluster.failureDetector.timeout` default to
 * `cluster.requestTimeout`; `cluster.gossip.seeds` to the first two nodes;
 * `cluster.datacenters` to the datacenters the nodes name (or ["dc0"]);
 * `hosts.disk.read` / `write` to the storage engine's profile; a population's
 * `coordination` to `cluster.coordination` and its clients to every datacenter;
 * `nemesis.end` to `duration`; `checks` to ["converged"] when there is a
 * liveness phase and [] otherwise.
 */
export const DEFAULTS = {
  duration: '60s',
  phases: { warmup: '0s', liveness: '60s' },
  cluster: {
    nodes: 8,
    datacenter: 'dc0',
    rack: 'r0',
    weight: 1,
    racksPerDc: 1,
    partitioning: { strategy: 3, tokens: 64, partitions: 1024 },
    quorum: { n: 3, r: 2, w: 2 },
    sloppyQuorum: true,
    coordination: 'server',
    dcAwarePlacement: false,
    requestTimeout: '300ms',
    readRepair: { enabled: true },
    storage: { engine: 'bdb', writeBuffer: 1000, durableWrites: 1, flushInterval: '10ms' },
    hints: { scanInterval: '10s', maxPerNode: 100_000 },
    failureDetector: { retryInterval: '1s' },
    gossip: { interval: '1s', seedCount: 2 },
    antiEntropy: { enabled: true, interval: '15s', concurrency: 2, fanout: 1024, depth: 2 },
    vclock: { maxEntries: 10 },
    admissionControl: { enabled: true, target: '50ms', window: '60s', percentile: 99 },
    clientRefresh: '10s',
    transfer: { bandwidth: '10MB/s' },
    limits: { maxSiblings: 100, maxKeysPerNode: 10_000_000 },
  },
  network: {
    latency: {
      sameRack: { lognormal: { median: '200us', p99: '2ms' } },
      sameDc: { lognormal: { median: '500us', p99: '5ms' } },
      crossDc: { lognormal: { median: '40ms', p99: '100ms' } },
    },
    loss: 0,
    duplicate: 0,
    bandwidth: '1Gbit/s',
  },
  hosts: {
    cpu: { workers: 4, service: { exponential: { mean: '100us' } } },
    disk: { channels: 4 },
    clock: { driftPpm: 0, maxOffset: '0s' },
  },
  population: {
    name: 'default',
    arrivals: { type: 'open', rate: '100/s', curve: 'constant' },
    closedThink: { exponential: { mean: '100ms' } },
    diurnal: { period: '24h', amplitude: 0.5, peakAt: '14h' },
    keys: { count: 10_000, popularity: 'uniform' },
    mix: { get: 0.5, put: 0, rmw: 0.5 },
    reconcile: 'merge',
    valueSize: { lognormal: { median: '10KiB', p99: '100KiB' } },
    busyRobots: { writers: 0, keys: 10, think: '10ms' },
  },
  nemesis: {
    interval: '1s',
    start: '0s',
    probability: 0.01,
    minStable: '30s',
    duration: { exponential: { mean: '10s' } },
    loseDisk: false,
    mode: 'majority',
    maxSkew: '1s',
    factor: 10,
    latency: '50ms',
    loss: 0,
  },
} as const;

// ---------------------------------------------------------------- helpers

type Schema = Record<string, unknown>;

/** The unit definitions the validator parses itself (see units.ts). */
export const UNIT_DEFS = ['duration', 'positiveDuration', 'signedDuration', 'rate', 'rateOrZero', 'size', 'bandwidth', 'probability', 'seed'] as const;
export type UnitDef = (typeof UNIT_DEFS)[number];
/** Distribution definitions and the unit of their values. */
export const DIST_DEFS = { durationDist: 'duration', sizeDist: 'size' } as const;
export type DistDef = keyof typeof DIST_DEFS;

type DefName = UnitDef | DistDef | 'nodeName' | 'nodeTargets' | 'linkEnd' | 'population' | 'host' | 'fault' | 'node';

const withDefault = (s: Schema, dflt: unknown): Schema => (dflt === undefined ? s : { ...s, default: dflt });
const ref = (name: DefName, description: string, dflt?: unknown): Schema => withDefault({ $ref: `#/$defs/${name}`, description }, dflt);
const object = (description: string, properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  description,
  properties,
  additionalProperties: false,
  ...extra,
});
const integer = (description: string, minimum: number, dflt?: number, maximum?: number): Schema =>
  withDefault({ type: 'integer', description, minimum, ...(maximum !== undefined ? { maximum } : {}) }, dflt);
const number = (description: string, bounds: Schema, dflt?: number): Schema => withDefault({ type: 'number', description, ...bounds }, dflt);
const boolean = (description: string, dflt?: boolean): Schema => withDefault({ type: 'boolean', description }, dflt);
const text = (description: string): Schema => ({ type: 'string', description, minLength: 1 });
const oneOfValues = (values: readonly (string | number)[], description: string, dflt?: unknown): Schema => withDefault({ enum: [...values], description }, dflt);
/** A field that must be absent in this form (the title says why). */
const forbidden = (title: string): Schema => ({ not: {}, title });
/** Exactly one of these keys (the forms of a tagged union written as a one-key mapping). */
const exactlyOneKey = (keys: readonly string[]): Schema[] => keys.map((k) => ({ type: 'object', required: [k] }));

const NODE_NAME_PATTERN = String.raw`^(?!all$)[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`;

// ---------------------------------------------------------------- distributions

function distribution(leaf: 'duration' | 'size'): Schema {
  const L = leaf === 'duration' ? 'duration' : 'size';
  const self: DistDef = leaf === 'duration' ? 'durationDist' : 'sizeDist';
  const word = leaf === 'duration' ? 'duration' : 'size';
  const eg = leaf === 'duration' ? '5ms' : '4KiB';
  const v = (d: string) => ref(L, d);
  const families = ['constant', 'uniform', 'exponential', 'normal', 'lognormal', 'pareto', 'weibull', 'empirical', 'mixture', 'shifted', 'scaled'];
  if (leaf === 'duration') families.push('preset');
  const properties: Record<string, Schema> = {
    constant: v(`Always this ${word}.`),
    uniform: {
      type: 'array',
      description: `Uniform between two ${word}s [lo, hi].`,
      prefixItems: [v('Lower bound.'), v('Upper bound.')],
      items: false,
      minItems: 2,
      title: `a pair [lo, hi] of ${word}s`,
    },
    exponential: object(
      leaf === 'duration' ? 'Exponential with this mean, or this rate (mean = 1/rate).' : 'Exponential with this mean.',
      leaf === 'duration'
        ? { mean: v('Mean.'), rate: ref('rate', 'Rate of events ("500/s"); the mean is its inverse.') }
        : { mean: v('Mean.') },
      { title: leaf === 'duration' ? '{ mean } or { rate }' : '{ mean }', maxProperties: 1, ...(leaf === 'duration' ? { oneOf: exactlyOneKey(['mean', 'rate']) } : { required: ['mean'] }) },
    ),
    normal: object(
      'Normal, optionally truncated below at min (durations and sizes are never negative: draws below 0 count as 0).',
      { mean: v('Mean.'), sd: v('Standard deviation.'), min: v('Truncate below this value.') },
      { required: ['mean', 'sd'] },
    ),
    lognormal: object(
      `Lognormal: { median, p99 } (the usual way to write a latency), { median, sigma }, { mean, sigma } or { mu, sigma } (mu is the natural log of the median in ${leaf === 'duration' ? 'microseconds' : 'bytes'}).`,
      {
        median: v('Median (50th percentile).'),
        p99: v('99th percentile (above the median).'),
        mean: v('Mean.'),
        sigma: number('Shape: standard deviation of the log.', { exclusiveMinimum: 0 }),
        mu: number('Mean of the log (ln of the median in the base unit).', {}),
      },
      {
        title: 'one of { median, p99 }, { median, sigma }, { mean, sigma } or { mu, sigma }',
        maxProperties: 2,
        oneOf: [
          { required: ['median', 'p99'] },
          { required: ['median', 'sigma'] },
          { required: ['mean', 'sigma'] },
          { required: ['mu', 'sigma'] },
        ],
      },
    ),
    pareto: object('Pareto with scale xm (the minimum) and shape alpha.', { xm: v('Scale: the smallest value.'), alpha: number('Shape (tail index).', { exclusiveMinimum: 0 }) }, { required: ['xm', 'alpha'] }),
    weibull: object('Weibull with this scale and shape.', { scale: v('Scale.'), shape: number('Shape.', { exclusiveMinimum: 0 }) }, { required: ['scale', 'shape'] }),
    empirical: object(
      `Empirical: a CDF as [${word}, cumulative probability] points (increasing, ending at probability 1), or samples drawn uniformly.`,
      {
        cdf: {
          type: 'array',
          description: `Points [${word}, P(X <= ${word})], in increasing order; the last probability is 1.`,
          minItems: 1,
          items: {
            type: 'array',
            description: `A point [${word}, cumulative probability].`,
            title: `a point [${word}, probability]`,
            prefixItems: [v('Value.'), number('Cumulative probability of values up to this one.', { minimum: 0, maximum: 1 })],
            items: false,
            minItems: 2,
          },
        },
        samples: { type: 'array', description: 'Observed values, each drawn with equal probability.', minItems: 1, items: v('A sample.') },
      },
      { title: '{ cdf } or { samples }', maxProperties: 1, oneOf: exactlyOneKey(['cdf', 'samples']) },
    ),
    mixture: {
      type: 'array',
      description: 'A mixture: each draw picks a component with probability proportional to its weight.',
      minItems: 1,
      maxItems: 64,
      items: object('A component of the mixture.', { weight: number('Relative weight.', { exclusiveMinimum: 0 }), dist: ref(self, 'The component distribution.') }, { required: ['weight', 'dist'] }),
    },
    shifted: object(`Another distribution plus a fixed ${word}.`, { dist: ref(self, 'The distribution to shift.'), by: v('The shift.') }, { required: ['dist', 'by'] }),
    scaled: object('Another distribution multiplied by a factor.', { dist: ref(self, 'The distribution to scale.'), factor: number('The factor.', { exclusiveMinimum: 0 }) }, { required: ['dist', 'factor'] }),
  };
  if (leaf === 'duration') {
    properties.preset = oneOfValues(NETWORK_PRESETS, 'A PBS production one-way latency fit (Bailis et al., VLDB 2012): LNKD-SSD, LNKD-DISK, YMMR or WAN.');
    properties.leg = oneOfValues(PRESET_LEGS, 'Which PBS message leg: W (write to a replica), A (its ack), R (read request), S (read response). Default R, which equals A and S in every preset.', 'R');
    properties.remote = boolean('WAN only: the message crosses datacenters (adds 75 ms).', false);
  }
  const forms = families.map((k) => k);
  return {
    type: ['string', 'object'],
    title: leaf === 'duration' ? `a latency distribution (a duration such as "${eg}" or one of { ${forms.join(', ')} })` : `a size distribution (a size such as "${eg}" or one of { ${forms.join(', ')} })`,
    description:
      leaf === 'duration'
        ? `A distribution of durations: a fixed duration ("${eg}") or a mapping with exactly one of ${forms.join(', ')}. Every value inside is a duration with a unit.`
        : `A distribution of sizes: a fixed size ("${eg}") or a mapping with exactly one of ${forms.join(', ')}. Every value inside is a size with a unit.`,
    pattern: leaf === 'duration' ? DURATION_PATTERN : SIZE_PATTERN,
    properties,
    additionalProperties: false,
    ...(leaf === 'duration' ? { dependentRequired: { leg: ['preset'], remote: ['preset'] } } : {}),
    oneOf: [{ type: 'string' }, ...exactlyOneKey(families)],
  };
}

// ---------------------------------------------------------------- sections

const nodeSpec = object(
  'A node of the cluster.',
  {
    name: { $ref: '#/$defs/nodeName', description: 'Unique node name (used by faults, seeds and host overrides).' },
    dc: text('Datacenter. Default: the first of cluster.datacenters, or "dc0".'),
    rack: text('Rack within the datacenter. Default "r0".'),
    weight: number('Capacity weight: tokens (strategies 1 and 2) are proportional to it.', { exclusiveMinimum: 0 }, DEFAULTS.cluster.weight),
    initial: boolean('Member from the start. false: the node exists but joins only when a `join` fault names it.', true),
  },
  { required: ['name'] },
);

const hostSpec = object('Host model: CPU, disk and clock.', {
  cpu: object('The CPU: a queue served by a pool of workers.', {
    workers: integer('Worker threads serving messages in parallel.', 1, DEFAULTS.hosts.cpu.workers, 1024),
    service: ref('durationDist', 'Service time of one message.', DEFAULTS.hosts.cpu.service),
  }),
  disk: object('The disk: a queue served by channels. read/write default to the storage engine\'s profile (cluster.storage.engine).', {
    channels: integer('Operations served in parallel.', 1, DEFAULTS.hosts.disk.channels, 1024),
    read: ref('durationDist', 'Latency of a read. Default: the engine profile (bdb: lognormal median 500us p99 10ms; mysql: median 1ms p99 20ms; memory: 5us).'),
    write: ref('durationDist', 'Latency of a write. Default: the engine profile (bdb: lognormal median 800us p99 15ms; mysql: median 1.6ms p99 30ms; memory: 5us).'),
  }),
  clock: object('The local clock (used for vector-clock timestamps and last-write-wins).', {
    driftPpm: number('Drift in parts per million (positive runs fast).', { minimum: -1e6, maximum: 1e6 }, DEFAULTS.hosts.clock.driftPpm),
    maxOffset: ref('duration', 'Initial offset drawn per node, uniformly in [-maxOffset, +maxOffset], from the run\'s seed.', DEFAULTS.hosts.clock.maxOffset),
  }),
});

const population = object(
  'A population of clients: how requests arrive, which keys they touch, the operation mix.',
  {
    name: text('Population name (unique; reports group by it). Default "default" for a single population, "p<i>" in a list.'),
    arrivals: object(
      'How requests arrive: open (a rate, independent of responses) or closed (a fixed number of clients, each waiting for its reply and a think time).',
      {
        type: oneOfValues(['open', 'closed'], 'open: Poisson arrivals at `rate`, shaped by `curve`. closed: `clients` clients in a loop.', 'open'),
        rate: ref('rate', 'Open: mean arrival rate ("500/s").'),
        curve: {
          type: ['string', 'object'],
          title: '"constant", { diurnal: {...} } or { piecewise: [[at, rate], ...] }',
          description: 'Open: how the rate varies over time: "constant"; { diurnal: { period, amplitude, peakAt } } (rate × (1 + amplitude·cos(2π(t − peakAt)/period))); { piecewise: [[at, rate], ...] } (from each `at` on, that rate; `rate` before the first point).',
          default: 'constant',
          properties: {
            diurnal: object('A daily cycle.', {
              period: ref('positiveDuration', 'Length of a cycle.', DEFAULTS.population.diurnal.period),
              amplitude: number('Relative swing, in [0, 1].', { minimum: 0, maximum: 1 }, DEFAULTS.population.diurnal.amplitude),
              peakAt: ref('duration', 'When the rate peaks (from the start of the run).', DEFAULTS.population.diurnal.peakAt),
            }),
            piecewise: {
              type: 'array',
              description: 'Steps [at, rate]: from `at` on (strictly increasing times), the rate is `rate` (0/s allowed).',
              minItems: 1,
              items: {
                type: 'array',
                title: 'a step [at, rate]',
                description: 'A step [at, rate].',
                prefixItems: [ref('duration', 'When the step starts.'), ref('rateOrZero', 'The rate from then on.')],
                items: false,
                minItems: 2,
              },
            },
          },
          additionalProperties: false,
          oneOf: [{ const: 'constant' }, ...exactlyOneKey(['diurnal', 'piecewise'])],
        },
        flashCrowds: {
          type: 'array',
          description: 'Open: bursts that multiply the rate for a while.',
          items: object(
            'A flash crowd.',
            {
              at: ref('duration', 'When it starts.'),
              for: ref('positiveDuration', 'How long it lasts.'),
              factor: number('Rate multiplier during the crowd.', { exclusiveMinimum: 0 }),
              hotKeys: integer('The extra requests go to this many keys (0: they follow the usual popularity).', 0, 0),
            },
            { required: ['at', 'for', 'factor'] },
          ),
        },
        clients: integer('Closed: number of clients.', 1, undefined, 1_000_000),
        think: ref('durationDist', 'Closed: think time between a reply and the next request.', DEFAULTS.population.closedThink),
      },
      {
        if: { properties: { type: { const: 'closed' } }, required: ['type'] },
        then: {
          required: ['clients'],
          properties: {
            rate: forbidden('rate applies to open arrivals only'),
            curve: forbidden('curve applies to open arrivals only'),
            flashCrowds: forbidden('flashCrowds applies to open arrivals only'),
          },
        },
        else: {
          required: ['rate'],
          properties: {
            clients: forbidden('clients applies to closed arrivals only (type: closed)'),
            think: forbidden('think applies to closed arrivals only (type: closed)'),
          },
        },
      },
    ),
    keys: object('The key space.', {
      count: integer('Number of distinct keys (k0 … k<count-1>, shared by every population).', 1, DEFAULTS.population.keys.count, 1e9),
      popularity: {
        type: ['string', 'object'],
        title: '"uniform", { zipf: s } or { hotspot: { fraction, probability } }',
        description: 'Which keys requests pick: "uniform"; { zipf: s } (rank r with probability ∝ 1/r^s); { hotspot: { fraction, probability } } (that probability of requests go to that fraction of the keys).',
        default: 'uniform',
        properties: {
          zipf: number('Zipf exponent s (> 0; 0.99 is the YCSB default).', { exclusiveMinimum: 0, maximum: 10 }),
          hotspot: object(
            'A hot set of keys.',
            {
              fraction: ref('probability', 'Fraction of the keys that are hot (> 0).'),
              probability: ref('probability', 'Probability that a request goes to a hot key.'),
            },
            { required: ['fraction', 'probability'] },
          ),
        },
        additionalProperties: false,
        oneOf: [{ const: 'uniform' }, ...exactlyOneKey(['zipf', 'hotspot'])],
      },
    }),
    mix: object(
      'Operation mix: fractions of get, put (a blind write, no context) and rmw (get then put with its context, the paper\'s shopping cart). Omitted operations are 0; the fractions sum to 1. Default get 0.5, rmw 0.5.',
      {
        get: number('Fraction of reads.', { minimum: 0, maximum: 1 }),
        put: number('Fraction of blind writes.', { minimum: 0, maximum: 1 }),
        rmw: number('Fraction of read-modify-write cycles.', { minimum: 0, maximum: 1 }),
      },
      { minProperties: 1, title: 'a mix { get?, put?, rmw? } naming at least one operation' },
    ),
    reconcile: oneOfValues(RECONCILE_POLICIES, 'How the client reconciles siblings: merge (union, the shopping cart), last-write-wins (by timestamp, the session store) or none (keep writing with the merged context, siblings stay).', DEFAULTS.population.reconcile),
    valueSize: ref('sizeDist', 'Size of written values (the paper: objects of tens of KB, below 1 MB).', DEFAULTS.population.valueSize),
    busyRobots: object('Concurrent writers hammering a few keys (the paper\'s "busy robots", the main source of siblings).', {
      writers: integer('Number of robot writers (0: none).', 0, DEFAULTS.population.busyRobots.writers, 100_000),
      keys: integer('The robots write only the hottest this many keys.', 1, DEFAULTS.population.busyRobots.keys),
      think: ref('durationDist', 'Pause between a robot\'s writes.', DEFAULTS.population.busyRobots.think),
    }),
    coordination: oneOfValues(COORDINATION_MODES, 'server (a load balancer picks a random node) or client (the client library routes to the coordinator). Default: cluster.coordination.'),
    dc: text('Datacenter the clients sit in. Default: spread over every datacenter.'),
  },
);

const nodeTargets = {
  type: ['string', 'array'],
  title: 'a node name or a list of node names',
  description: 'A node name, or a list of node names.',
  pattern: NODE_NAME_PATTERN,
  items: { $ref: '#/$defs/nodeName', description: 'A node name.' },
  minItems: 1,
  uniqueItems: true,
};

const linkEnd = {
  type: ['string', 'array'],
  title: 'a node name, a list of node names, or "*" (every node)',
  description: 'A node name, a list of node names, or "*" for every node.',
  pattern: String.raw`^(\*|(?!all$)[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$`,
  items: { $ref: '#/$defs/nodeName', description: 'A node name.' },
  minItems: 1,
  uniqueItems: true,
};

const fault = object(
  'A timeline entry: { at, for?, <kind>: args } with exactly one kind.',
  {
    at: ref('duration', 'When it happens, from the start of the run (before `duration`).'),
    for: ref('positiveDuration', 'How long it lasts: the matching end (restart, resume, heal, restore, unclog, skew back, drift back, normal disk) follows. Without it the fault lasts until the fault phase ends (clock faults persist).'),
    crash: ref('nodeTargets', 'Crash these nodes (with `for`: restart them after it).'),
    loseDisk: boolean('With crash: the node also loses its disk (it restarts empty).', false),
    restart: ref('nodeTargets', 'Restart these crashed nodes.'),
    pause: ref('nodeTargets', 'Pause these nodes (a GC stall: alive but silent; with `for`: resume after it).'),
    resume: ref('nodeTargets', 'Resume these paused nodes.'),
    partition: object(
      'A network partition: exactly one of groups, isolate, majority, splitDc, bridge.',
      {
        groups: {
          type: 'array',
          description: 'Groups that cannot reach each other. With a single group, the other nodes form the second group.',
          minItems: 1,
          items: { type: 'array', description: 'A group of nodes.', minItems: 1, uniqueItems: true, items: { $ref: '#/$defs/nodeName', description: 'A node name.' } },
        },
        isolate: { $ref: '#/$defs/nodeName', description: 'Cut this node from all the others.' },
        majority: { const: true, description: 'Split into a majority (the first ⌊S/2⌋+1 nodes of cluster.nodes) and a minority (the rest).' },
        splitDc: { const: true, description: 'Each datacenter becomes its own group.' },
        bridge: { $ref: '#/$defs/nodeName', description: 'Split the other nodes into two halves (in cluster order) that cannot reach each other but both reach this node.' },
        oneWay: boolean('Asymmetric: the first group cannot reach the second, the second still reaches the first (exactly two groups).', false),
      },
      { title: 'one of { groups }, { isolate }, { majority: true }, { splitDc: true }, { bridge }', oneOf: exactlyOneKey(['groups', 'isolate', 'majority', 'splitDc', 'bridge']) },
    ),
    degrade: object(
      'Slow down and/or drop messages on the links between from and to.',
      {
        from: ref('linkEnd', 'Source nodes ("*": every node).'),
        to: ref('linkEnd', 'Destination nodes ("*": every node).'),
        latency: ref('duration', 'Added one-way latency.'),
        loss: ref('probability', 'Probability each message is dropped.'),
        oneWay: boolean('Only messages from → to (default: both directions).', false),
      },
      { required: ['from', 'to'], title: '{ from, to, latency?, loss?, oneWay? } with latency or loss', anyOf: [{ required: ['latency'] }, { required: ['loss'] }] },
    ),
    clog: object(
      'Hold every message on the links between from and to until the end of `for` (then they arrive, in order). Needs `for`.',
      { from: ref('linkEnd', 'Source nodes ("*": every node).'), to: ref('linkEnd', 'Destination nodes ("*": every node).'), oneWay: boolean('Only messages from → to (default: both directions).', false) },
      { required: ['from', 'to'] },
    ),
    clockSkew: object('Jump a node\'s clock.', { node: ref('nodeName', 'The node.'), by: ref('signedDuration', 'How far (signed: "-500ms" runs the clock back).') }, { required: ['node', 'by'] }),
    clockDrift: object('Change a node\'s clock drift.', { node: ref('nodeName', 'The node.'), ppm: number('New drift in parts per million (positive runs fast).', { minimum: -1e6, maximum: 1e6 }) }, { required: ['node', 'ppm'] }),
    slowDisk: object('Slow a node\'s disk and CPU by a factor.', { node: ref('nodeName', 'The node.'), factor: number('Service-time multiplier (10: ten times slower).', { exclusiveMinimum: 0 }) }, { required: ['node', 'factor'] }),
    rollingRestart: object(
      'Restart nodes one after another: node k crashes at at + k·(downtime + gap) and restarts downtime later.',
      {
        nodes: {
          type: ['string', 'array'],
          title: '"all" or a list of node names',
          description: '"all" (every member at `at`, in cluster order) or a list of node names.',
          items: { $ref: '#/$defs/nodeName', description: 'A node name.' },
          minItems: 1,
          uniqueItems: true,
          oneOf: [{ const: 'all' }, { type: 'array' }],
          default: 'all',
        },
        downtime: ref('positiveDuration', 'How long each node stays down.'),
        gap: ref('duration', 'Wait between a node\'s restart and the next crash.'),
      },
      { required: ['downtime', 'gap'] },
    ),
    join: ref('nodeTargets', 'These nodes (declared with initial: false) join the cluster.'),
    leave: ref('nodeTargets', 'These nodes leave gracefully (they hand their ranges over first).'),
    remove: ref('nodeTargets', 'An administrator removes these nodes (up or down) from the membership.'),
  },
  {
    title: `a fault { at, for?, <kind> } with exactly one kind of ${FAULT_KINDS.join(', ')}`,
    required: ['at'],
    dependentRequired: { loseDisk: ['crash'] },
    oneOf: exactlyOneKey(FAULT_KINDS),
  },
);

const cluster = object('The Dynamo cluster: nodes, partitioning, replication and the knobs the paper leaves open.', {
  nodes: {
    type: ['integer', 'array'],
    title: 'a node count or a list of nodes { name, dc?, rack?, weight?, initial? }',
    description: 'A count k (nodes n0 … n<k-1>, spread round-robin over datacenters, then over racks: node i is in datacenter i mod D, rack r<(i div D) mod racksPerDc>), or an explicit list.',
    default: DEFAULTS.cluster.nodes,
    minimum: 1,
    maximum: 10_000,
    minItems: 1,
    maxItems: 10_000,
    items: { $ref: '#/$defs/node', description: 'A node.' },
  },
  datacenters: {
    type: 'array',
    title: 'a non-empty list of datacenter names',
    description: 'Datacenter names. Default: the datacenters the node list names, or ["dc0"].',
    minItems: 1,
    uniqueItems: true,
    items: text('A datacenter name.'),
  },
  racksPerDc: integer('Racks per datacenter when nodes is a count.', 1, DEFAULTS.cluster.racksPerDc, 1000),
  partitioning: object('Consistent hashing (paper §6.2).', {
    strategy: oneOfValues(PARTITIONING_STRATEGIES, '1: T random tokens per node, partitions between tokens. 2: T random tokens per node, Q equal partitions. 3: Q/S tokens per node, Q equal partitions (best balance).', DEFAULTS.cluster.partitioning.strategy),
    tokens: integer('T: tokens per node (strategies 1 and 2), times the node weight.', 1, DEFAULTS.cluster.partitioning.tokens, 4096),
    partitions: integer('Q: equal partitions of the ring (strategies 2 and 3; at least the number of nodes for 3).', 1, DEFAULTS.cluster.partitioning.partitions, 1 << 20),
  }),
  quorum: object('Replication and quorums (paper §4.5).', {
    n: integer('N: replicas per key (at most the number of initial nodes).', 1, DEFAULTS.cluster.quorum.n, 64),
    r: integer('R: replies a read waits for (at most N).', 1, DEFAULTS.cluster.quorum.r, 64),
    w: integer('W: acknowledgements a write waits for, the coordinator\'s own included (at most N).', 1, DEFAULTS.cluster.quorum.w, 64),
  }),
  sloppyQuorum: boolean('Use the first N healthy nodes of the preference list, with hinted handoff (paper §4.6). false: strict quorum on the top N.', DEFAULTS.cluster.sloppyQuorum),
  coordination: oneOfValues(COORDINATION_MODES, 'Default request routing: server (a load balancer sends each request to a random node, which forwards writes it cannot coordinate) or client (the client library holds a membership view and talks to the coordinator).', DEFAULTS.cluster.coordination),
  dcAwarePlacement: boolean('Spread each preference list over datacenters (round-robin while keeping ring order). Needs two datacenters or more.', DEFAULTS.cluster.dcAwarePlacement),
  requestTimeout: ref('positiveDuration', 'A request without enough replies by then fails (300ms: the paper\'s SLA; Riak uses 60s).', DEFAULTS.cluster.requestTimeout),
  readRepair: object('Read repair after a get replies.', {
    enabled: boolean('Write the reconciled version back to replicas that returned stale data.', DEFAULTS.cluster.readRepair.enabled),
    wait: ref('duration', 'How long the coordinator keeps waiting for late replies. Default: cluster.requestTimeout (until all N replied or the timeout).'),
  }),
  storage: object('The local storage engine (paper §5, §6.1).', {
    engine: oneOfValues(STORAGE_ENGINES, 'bdb (Berkeley DB), mysql (slower) or memory (in-memory): sets the default disk latency profile.', DEFAULTS.cluster.storage.engine),
    writeBuffer: integer('Objects buffered in memory before the writer thread flushes them (paper §6.1 uses 1000). 0: off, every write goes to disk.', 0, DEFAULTS.cluster.storage.writeBuffer, 10_000_000),
    durableWrites: integer('With a write buffer: how many of the N replicas the coordinator asks for a durable write (at most N).', 0, DEFAULTS.cluster.storage.durableWrites, 64),
    flushInterval: ref('positiveDuration', 'How long the writer thread waits after a write lands in an empty buffer before it flushes the buffer to disk, until empty (a crash loses what it has not flushed).', DEFAULTS.cluster.storage.flushInterval),
  }),
  hints: object('Hinted handoff (paper §4.6).', {
    scanInterval: ref('positiveDuration', 'How often a node scans its hinted replicas for delivery (Voldemort 5 min, Riak 60 s).', DEFAULTS.cluster.hints.scanInterval),
    maxPerNode: integer('Bound on hinted replicas held by one node (beyond it new hints are refused and counted).', 1, DEFAULTS.cluster.hints.maxPerNode),
  }),
  failureDetector: object('Local failure detection (paper §4.8.3).', {
    timeout: ref('positiveDuration', 'A peer that does not answer within this is considered down. Default: cluster.requestTimeout.'),
    retryInterval: ref('positiveDuration', 'How often a node retries a peer it considers down (Voldemort: 10s).', DEFAULTS.cluster.failureDetector.retryInterval),
  }),
  gossip: object('Membership gossip (paper §4.8).', {
    interval: ref('positiveDuration', 'Each node gossips with one random peer this often.', DEFAULTS.cluster.gossip.interval),
    seeds: { type: 'array', title: 'a non-empty list of node names', description: 'Seed nodes known to every node. Default: the first two initial nodes.', minItems: 1, uniqueItems: true, items: { $ref: '#/$defs/nodeName', description: 'A node name.' } },
  }),
  antiEntropy: object('Anti-entropy with Merkle trees (paper §4.7; defaults from Riak AAE).', {
    enabled: boolean('Run Merkle-tree exchanges.', DEFAULTS.cluster.antiEntropy.enabled),
    interval: ref('positiveDuration', 'How often a node starts an exchange.', DEFAULTS.cluster.antiEntropy.interval),
    concurrency: integer('Exchanges a node runs at once.', 1, DEFAULTS.cluster.antiEntropy.concurrency, 64),
    fanout: integer('Children per Merkle tree node.', 2, DEFAULTS.cluster.antiEntropy.fanout, 65536),
    depth: integer('Levels below the root.', 1, DEFAULTS.cluster.antiEntropy.depth, 8),
  }),
  vclock: object('Vector clocks (paper §4.4).', {
    maxEntries: integer('Truncate a clock above this many entries, dropping the oldest.', 1, DEFAULTS.cluster.vclock.maxEntries, 1000),
  }),
  admissionControl: object('Background work (hints, transfers, anti-entropy) gets time slices while foreground latency is healthy (paper §6.5).', {
    enabled: boolean('Throttle background work.', DEFAULTS.cluster.admissionControl.enabled),
    target: ref('positiveDuration', 'Target for the watched percentile of local reads.', DEFAULTS.cluster.admissionControl.target),
    window: ref('positiveDuration', 'Sliding window the percentile is computed over.', DEFAULTS.cluster.admissionControl.window),
    percentile: number('Which percentile of local read latency is watched (99: p99).', { exclusiveMinimum: 0, maximum: 100 }, DEFAULTS.cluster.admissionControl.percentile),
  }),
  clientRefresh: ref('positiveDuration', 'Client-driven coordination: how often the client library pulls a membership view (paper: 10s).', DEFAULTS.cluster.clientRefresh),
  transfer: object('Range transfers when nodes join or leave.', {
    bandwidth: ref('bandwidth', 'Bandwidth of a range transfer ("off": unlimited).', DEFAULTS.cluster.transfer.bandwidth),
  }),
  limits: object('Bounds that fail the run loudly when hit (with its seed).', {
    maxSiblings: integer('Most siblings one key may hold.', 1, DEFAULTS.cluster.limits.maxSiblings),
    maxKeysPerNode: integer('Most keys one node may store.', 1, DEFAULTS.cluster.limits.maxKeysPerNode),
  }),
});

const network = object('The simulated network.', {
  preset: oneOfValues(NETWORK_PRESETS, 'PBS production one-way latencies (Bailis et al., VLDB 2012) for the request legs: W (write to a replica), A (ack), R (read request), S (read response). WAN adds 75 ms between datacenters. Other messages (gossip, hints, Merkle exchanges) use `latency`.'),
  latency: object('One-way latency by distance (used by every message when there is no preset, by background messages otherwise).', {
    sameRack: ref('durationDist', 'Between nodes of the same rack.', DEFAULTS.network.latency.sameRack),
    sameDc: ref('durationDist', 'Between racks of a datacenter.', DEFAULTS.network.latency.sameDc),
    crossDc: ref('durationDist', 'Between datacenters.', DEFAULTS.network.latency.crossDc),
  }),
  loss: ref('probability', 'Probability each message is lost.', DEFAULTS.network.loss),
  duplicate: ref('probability', 'Probability each message is delivered twice.', DEFAULTS.network.duplicate),
  bandwidth: ref('bandwidth', 'NIC bandwidth of every endpoint ("off": no serialisation delay).', DEFAULTS.network.bandwidth),
});

const hosts = object('Host models: defaults for every node, and per-node overrides.', {
  ...(hostSpec.properties as Record<string, Schema>),
  overrides: {
    type: 'object',
    description: 'Per-node settings: { <node name>: { cpu?, disk?, clock? } }, each field overriding the defaults above.',
    additionalProperties: { $ref: '#/$defs/host', description: 'Host settings for this node.' },
  },
});

const nemesis = object(
  'A random nemesis (Jepsen): every interval it considers each fault kind; one that is not active and has been stable for minStable starts with its probability and lasts a drawn duration.',
  {
    interval: ref('positiveDuration', 'How often the nemesis considers each kind.', DEFAULTS.nemesis.interval),
    start: ref('duration', 'When it starts acting.', DEFAULTS.nemesis.start),
    end: ref('duration', 'When it stops (active faults end then). Default: `duration`.'),
    faults: {
      type: 'array',
      description: 'The kinds of fault it injects (each kind at most once).',
      minItems: 1,
      items: object(
        'A kind of fault the nemesis injects.',
        {
          kind: oneOfValues(NEMESIS_KINDS, 'crash, pause, partition, clockSkew, slowDisk or degrade.'),
          probability: ref('probability', 'Probability of starting at each interval when eligible.', DEFAULTS.nemesis.probability),
          minStable: ref('duration', 'After one ends, none of this kind starts for this long.', DEFAULTS.nemesis.minStable),
          duration: ref('durationDist', 'How long one lasts.', DEFAULTS.nemesis.duration),
          targets: { type: 'array', title: 'a non-empty list of node names', description: 'Nodes it may pick. Default: every node.', minItems: 1, uniqueItems: true, items: { $ref: '#/$defs/nodeName', description: 'A node name.' } },
          loseDisk: boolean('crash: the node also loses its disk.', DEFAULTS.nemesis.loseDisk),
          mode: oneOfValues(NEMESIS_PARTITION_MODES, 'partition: majority (a random majority/minority split), isolate (one random node) or splitDc.', DEFAULTS.nemesis.mode),
          maxSkew: ref('positiveDuration', 'clockSkew: skews are drawn uniformly in [-maxSkew, +maxSkew].', DEFAULTS.nemesis.maxSkew),
          factor: number('slowDisk: service-time multiplier.', { exclusiveMinimum: 0 }, DEFAULTS.nemesis.factor),
          latency: ref('duration', 'degrade: added one-way latency.', DEFAULTS.nemesis.latency),
          loss: ref('probability', 'degrade: loss probability.', DEFAULTS.nemesis.loss),
        },
        { required: ['kind'] },
      ),
    },
  },
  { required: ['faults'] },
);

const sla = object('Service-level objectives the run is judged by (exit code 1 when one fails). Omitted objectives are not checked.', {
  p50: ref('positiveDuration', 'Bound on the median latency.'),
  p90: ref('positiveDuration', 'Bound on the 90th percentile latency.'),
  p99: ref('positiveDuration', 'Bound on the 99th percentile latency.'),
  p999: ref('positiveDuration', 'Bound on the 99.9th percentile latency (the paper\'s SLA: 300ms).'),
  p9999: ref('positiveDuration', 'Bound on the 99.99th percentile latency.'),
  max: ref('positiveDuration', 'Bound on the largest latency.'),
  availability: ref('probability', 'Least fraction of requests that must succeed within latencyFor ("99.9%").'),
  latencyFor: ref('positiveDuration', 'A request counts as available when it succeeds within this. Default: cluster.requestTimeout.'),
});

const workload = object(
  'The clients: a list of populations, or a single population written directly here (then without `populations`).',
  {
    populations: { type: 'array', title: 'a non-empty list of populations', description: 'Populations of clients, all running at once.', minItems: 1, maxItems: 1000, items: { $ref: '#/$defs/population', description: 'A population.' } },
    ...(population.properties as Record<string, Schema>),
  },
  {
    dependentSchemas: {
      populations: { maxProperties: 1, title: 'either `populations` or the fields of a single population directly under workload, not both' },
    },
  },
);

// ---------------------------------------------------------------- the schema

const unitDefs: Record<UnitDef, Schema> = {
  duration: { type: 'string', title: 'a duration with a unit (us, ms, s, m, h or d), such as "300ms"', description: 'A duration with a unit: "250us", "5ms", "1.5s", "10m", "2h", "1d".', pattern: DURATION_PATTERN },
  positiveDuration: { type: 'string', title: 'a positive duration with a unit, such as "300ms"', description: 'A positive duration with a unit: "250us", "5ms", "1.5s", "10m", "2h".', pattern: DURATION_PATTERN },
  signedDuration: { type: 'string', title: 'a signed duration such as "-500ms" or "2s"', description: 'A duration that may be negative: "-500ms", "+2s".', pattern: SIGNED_DURATION_PATTERN },
  rate: { type: 'string', title: 'a positive rate such as "500/s"', description: 'Events per unit of time: "500/s", "30/m", "2/h".', pattern: RATE_PATTERN },
  rateOrZero: { type: 'string', title: 'a rate such as "500/s" (0/s allowed)', description: 'Events per unit of time ("0/s" allowed): "500/s", "30/m".', pattern: RATE_PATTERN },
  size: { type: 'string', title: 'a size with a unit, such as "4KiB"', description: 'A size: "512B", "1KB" (1000 bytes), "4KiB" (1024), "1MiB", "1GB".', pattern: SIZE_PATTERN },
  bandwidth: { type: 'string', title: 'a bandwidth such as "1Gbit/s" or "125MB/s", or "off"', description: 'Bytes or bits per second: "1Gbit/s", "125MB/s", "100Mbps", or "off".', pattern: BANDWIDTH_PATTERN },
  probability: { type: ['number', 'string'], title: 'a probability in [0, 1] or a percentage such as "0.1%"', description: 'A probability: a number in [0, 1] or a percentage ("0.1%", "99.9%").', minimum: 0, maximum: 1, pattern: PERCENT_PATTERN },
  seed: { type: ['integer', 'string'], title: 'a seed: a decimal integer below 2^64 or 40 hex digits', description: 'A seed: a decimal integer below 2^64, or 40 hex digits.', minimum: 0, pattern: SEED_PATTERN },
};

export const SCENARIO_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'dynasim scenario',
  description:
    'A dynasim scenario: a Dynamo cluster, a network, hosts, a workload, a fault timeline, a random nemesis, SLAs and checks. Durations need units ("300ms"), rates are "500/s", sizes "4KiB", probabilities 0.001 or "0.1%". A field left empty (null) takes its default.',
  type: 'object',
  properties: {
    $schema: { type: 'string', description: 'The JSON Schema this file follows (for editors; ignored by dynasim).' },
    name: text('Scenario name (used in report folders).'),
    description: { type: 'string', description: 'What the scenario shows.' },
    seed: ref('seed', 'Default root seed of a run (--seed overrides it; without either a fresh one is drawn and printed).'),
    duration: ref('positiveDuration', 'Length of the fault phase: the workload runs and faults happen in [0, duration).', DEFAULTS.duration),
    phases: object('Phases around the fault phase.', {
      warmup: ref('duration', 'The first part of `duration` excluded from statistics (faults may happen in it).', DEFAULTS.phases.warmup),
      liveness: ref('duration', 'After `duration`: faults healed and the workload stopped, the world runs until it converges (hints delivered, replicas agree) or this bound runs out. 0s: no liveness phase.', DEFAULTS.phases.liveness),
    }),
    cluster,
    network,
    hosts,
    workload,
    faults: { type: 'array', title: 'a list of faults { at, for?, <kind>: args }', description: 'The fault timeline: entries { at, for?, <kind>: args }, any order (they are sorted by time).', maxItems: 100_000, items: { $ref: '#/$defs/fault', description: 'A fault.' } },
    nemesis,
    sla,
    checks: {
      type: 'array',
      title: `a list of check names (${SCENARIO_CHECKS.join(', ')})`,
      description: `Correctness checks the run must pass: ${SCENARIO_CHECKS.join(', ')}. Default: ["converged"] with a liveness phase, [] without.`,
      uniqueItems: true,
      items: oneOfValues(SCENARIO_CHECKS, 'A check.'),
    },
  },
  required: ['name'],
  additionalProperties: false,
  $defs: {
    ...unitDefs,
    durationDist: distribution('duration'),
    sizeDist: distribution('size'),
    nodeName: { type: 'string', title: 'a node name (letters, digits, "_", ".", ":" or "-"; not "all")', description: 'A node name.', pattern: NODE_NAME_PATTERN },
    nodeTargets,
    linkEnd,
    node: nodeSpec,
    host: hostSpec,
    population,
    fault,
  },
};

/** The published schema file's text (scenarios/schema.json). */
export function renderSchemaJson(): string {
  return `${JSON.stringify(SCENARIO_SCHEMA, null, 2)}\n`;
}
