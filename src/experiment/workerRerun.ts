/**
 * Worker entry of the determinism check (determinism.ts): run the scenario
 * and seed it is given and post back the digest and the deterministic part
 * of the summary, as JSON text.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { deterministicPart } from '../report/summary.js';
import type { ResolvedScenario } from '../scenario/index.js';
import { runScenario } from './run.js';

const { scenario, seed, maxEvents } = workerData as { scenario: ResolvedScenario; seed: string; maxEvents?: number };
const { summary } = runScenario(scenario, { seed, ...(maxEvents === undefined ? {} : { maxEvents }) });
parentPort!.postMessage({ digest: summary.digest, events: summary.events, summary: JSON.stringify(deterministicPart(summary)) });
