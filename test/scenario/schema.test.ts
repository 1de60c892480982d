import { readFileSync } from 'node:fs';
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PBS_LEGS, PBS_PRESET_NAMES } from '../../sim/presets.js';
import {
  DEFAULTS,
  DIST_DEFS,
  FAULT_KINDS,
  NETWORK_PRESETS,
  PRESET_LEGS,
  renderSchemaJson,
  SCENARIO_CHECKS,
  SCENARIO_SCHEMA,
  UNIT_DEFS,
} from '../../src/scenario/schema.js';
import { checkScenario } from '../../src/scenario/load.js';
import { renderValidatorModule } from '../../src/scenario/validatorCode.js';

type Schema = Record<string, unknown>;
const SCHEMA_FILE = new URL('../../scenarios/schema.json', import.meta.url);

test('scenarios/schema.json is the schema generated from schema.ts (run: npx tsx src/scenario/writeSchema.ts)', (t) => {
  t.is(readFileSync(SCHEMA_FILE, 'utf8'), renderSchemaJson());
});

test('src/scenario/scenarioValidator.generated.ts is the validator compiled from schema.ts (run: npx tsx src/scenario/writeSchema.ts)', (t) => {
  t.is(readFileSync(new URL('../../src/scenario/scenarioValidator.generated.ts', import.meta.url), 'utf8'), renderValidatorModule());
});

test('the schema compiles in ajv strict mode as draft 2020-12', (t) => {
  t.is(SCENARIO_SCHEMA.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  const validate = ajv.compile(SCENARIO_SCHEMA);
  t.true(validate({ name: 'x' }));
  t.false(validate({}));
});

/** Every schema node reached through properties, items, prefixItems, additionalProperties and $defs, with its path. */
function* nodes(schema: Schema, path: string, inCombinator = false): Generator<{ schema: Schema; path: string; inCombinator: boolean }> {
  yield { schema, path, inCombinator };
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [k, s] of Object.entries(props)) yield* nodes(s, `${path}.properties.${k}`, inCombinator);
  if (typeof schema.items === 'object') yield* nodes(schema.items as Schema, `${path}.items`, inCombinator);
  if (Array.isArray(schema.prefixItems)) for (const [i, s] of (schema.prefixItems as Schema[]).entries()) yield* nodes(s, `${path}.prefixItems.${i}`, inCombinator);
  if (typeof schema.additionalProperties === 'object') yield* nodes(schema.additionalProperties as Schema, `${path}.additionalProperties`, inCombinator);
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[key])) for (const [i, s] of (schema[key] as Schema[]).entries()) yield* nodes(s, `${path}.${key}.${i}`, true);
  }
  for (const key of ['if', 'then', 'else', 'not']) if (typeof schema[key] === 'object') yield* nodes(schema[key] as Schema, `${path}.${key}`, true);
  if (typeof schema.dependentSchemas === 'object') for (const [k, s] of Object.entries(schema.dependentSchemas as Record<string, Schema>)) yield* nodes(s, `${path}.dependentSchemas.${k}`, true);
  if (path === '#') for (const [k, s] of Object.entries(schema.$defs as Record<string, Schema>)) yield* nodes(s, `#/$defs/${k}`);
}

test('every property has a description and every object is closed', (t) => {
  let properties = 0;
  for (const { schema, path } of nodes(SCENARIO_SCHEMA, '#')) {
    for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      if (path.includes('.then') || path.includes('.else') || path.includes('.if')) continue; // form rules, not fields
      properties++;
      t.is(typeof s.description, 'string', `${path}.properties.${k} has no description`);
    }
    const types = ([] as unknown[]).concat(schema.type ?? []);
    if (types.includes('object') && schema.properties !== undefined) t.is(schema.additionalProperties, false, `${path} is not closed`);
  }
  t.true(properties > 150);
});

test('units are never hidden inside combinators (the validator parses them by walking properties and $refs)', (t) => {
  const unitRefs = new Set([...UNIT_DEFS, ...Object.keys(DIST_DEFS)].map((d) => `#/$defs/${d}`));
  for (const { schema, path, inCombinator } of nodes(SCENARIO_SCHEMA, '#')) {
    if (!inCombinator) continue;
    t.false(unitRefs.has(schema.$ref as string), `${path} refers to a unit inside a combinator`);
    const discriminating = (p: Schema) => 'not' in p || Object.keys(p).every((k) => k === 'const');
    t.true(schema.properties === undefined || Object.values(schema.properties as Record<string, Schema>).every(discriminating), `${path} declares fields inside a combinator`);
  }
});

test('vocabularies match the kernel and are exported for other layers', (t) => {
  t.deepEqual([...NETWORK_PRESETS], [...PBS_PRESET_NAMES]);
  t.deepEqual([...PRESET_LEGS], [...PBS_LEGS]);
  t.deepEqual([...SCENARIO_CHECKS], ['no-lost-writes', 'converged', 'no-stale-reads', 'read-your-writes', 'monotonic-reads']);
  t.true(FAULT_KINDS.includes('crash') && FAULT_KINDS.includes('rollingRestart') && FAULT_KINDS.includes('clockSkew'));
});

test('the static defaults are themselves a valid scenario', (t) => {
  const c = DEFAULTS.cluster;
  const p = DEFAULTS.population;
  const n = DEFAULTS.nemesis;
  const scenario = {
    name: 'defaults',
    duration: DEFAULTS.duration,
    phases: DEFAULTS.phases,
    cluster: {
      nodes: c.nodes,
      racksPerDc: c.racksPerDc,
      partitioning: c.partitioning,
      quorum: c.quorum,
      sloppyQuorum: c.sloppyQuorum,
      coordination: c.coordination,
      requestTimeout: c.requestTimeout,
      storage: c.storage,
      hints: c.hints,
      failureDetector: c.failureDetector,
      gossip: { interval: c.gossip.interval },
      antiEntropy: c.antiEntropy,
      vclock: c.vclock,
      admissionControl: c.admissionControl,
      clientRefresh: c.clientRefresh,
      transfer: c.transfer,
      limits: c.limits,
    },
    network: DEFAULTS.network,
    hosts: { ...DEFAULTS.hosts, disk: { ...DEFAULTS.hosts.disk, read: { lognormal: { median: '500us', p99: '10ms' } }, write: { lognormal: { median: '800us', p99: '15ms' } } } },
    workload: { arrivals: p.arrivals, keys: p.keys, mix: p.mix, reconcile: p.reconcile, valueSize: p.valueSize, busyRobots: p.busyRobots },
    nemesis: {
      interval: n.interval,
      start: n.start,
      faults: [
        { kind: 'crash', probability: n.probability, minStable: n.minStable, duration: n.duration, loseDisk: n.loseDisk },
        { kind: 'partition', mode: n.mode },
        { kind: 'clockSkew', maxSkew: n.maxSkew },
        { kind: 'slowDisk', factor: n.factor },
        { kind: 'degrade', latency: n.latency, loss: n.loss },
      ],
    },
  };
  const r = checkScenario(JSON.parse(JSON.stringify(scenario)));
  t.true(r.ok, r.ok ? '' : r.problems.map((x) => `${x.path}: ${x.message}`).join('\n'));
});
