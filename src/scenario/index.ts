/** The scenario layer: a file becomes a resolved, typed scenario, or a list of problems. */
export { loadScenario, parseScenario, checkScenario, MAX_SCENARIO_BYTES, type LoadResult, type LoadOptions } from './load.js';
export { formatProblem, formatProblems, ScenarioError, type ScenarioProblem } from './errors.js';
export { resolveScenario } from './resolve.js';
export type {
  ResolvedScenario,
  ResolvedCluster,
  ResolvedNode,
  ResolvedHost,
  ResolvedNetwork,
  ResolvedPopulation,
  ResolvedArrivals,
  ResolvedCurve,
  ResolvedPopularity,
  ResolvedNemesis,
  ResolvedNemesisFault,
  ResolvedSla,
} from './resolve.js';
export type { FaultEvent, FaultCause, Link } from './timeline.js';
export { explainScenario } from './explain.js';
export { applyOverrides, parseOverridePath } from './overrides.js';
export {
  SCENARIO_SCHEMA,
  renderSchemaJson,
  DEFAULTS,
  FAULT_KINDS,
  FAULT_EVENT_KINDS,
  NEMESIS_KINDS,
  SCENARIO_CHECKS,
  STORAGE_ENGINES,
  COORDINATION_MODES,
  RECONCILE_POLICIES,
  NETWORK_PRESETS,
  type FaultKind,
  type FaultEventKind,
  type NemesisKindName,
  type ScenarioCheck,
  type StorageEngine,
  type Coordination,
  type ReconcilePolicy,
  type NetworkPreset,
} from './schema.js';
export {
  parseDurationUs,
  parseRatePerSec,
  parseSizeBytes,
  parseBandwidthBytesPerSec,
  parseProbability,
  formatRate,
  formatSize,
  formatBandwidth,
  type Parsed,
} from './units.js';
