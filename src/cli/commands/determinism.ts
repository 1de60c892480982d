/** `dynasim run --check-determinism`: the same run twice, here and in a worker thread, compared. */
import { checkDeterminism } from '../../experiment/determinism.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import { VERSION } from '../../version.js';
import { EXIT_BAD_INPUT, EXIT_BUG, EXIT_OK, type CliIo } from '../io.js';
import { DynasimError, InvalidOptionError, SimulationLimitError } from '../../../sim/errors.js';

export async function determinismCommand(scenario: ResolvedScenario, seed: string, reproduce: string, io: CliIo, maxEvents?: number): Promise<number> {
  let result;
  try {
    result = await checkDeterminism(scenario, seed, maxEvents);
  } catch (e) {
    if (e instanceof InvalidOptionError || e instanceof SimulationLimitError) {
      io.err(`dynasim: ${e.message}`);
      io.err(`reproduce: ${reproduce}`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    io.err(`dynasim: internal error (a bug in dynasim ${VERSION}): ${err instanceof DynasimError ? err.message : (err?.stack ?? String(e))}`);
    io.err(`reproduce: ${reproduce}`);
    return EXIT_BUG;
  }
  const { local, worker, summary } = result;
  const failed = summary.checks.filter((c) => !c.pass);
  const checks = summary.checks.length === 0 ? 'no checks' : failed.length === 0 ? 'its checks pass' : `its checks fail: ${failed.map((c) => c.name).join(', ')} (not a determinism question)`;
  if (result.identical) {
    io.out(`deterministic: two runs (this thread and a worker thread) are identical: digest ${local.digest}, ${local.events.toLocaleString('en-US')} events, summary.json equal apart from its wall-clock section; ${checks}`);
    return EXIT_OK;
  }
  io.err(`dynasim: NOT deterministic: a bug in dynasim ${VERSION}, seed ${seed}. Two runs of the same scenario and seed differ:`);
  io.err(`  digest ${local.digest} (${local.events} events) here, ${worker.digest} (${worker.events} events) in the worker`);
  for (const d of result.differences) io.err(`  summary ${d}`);
  io.err(`reproduce: ${reproduce}`);
  return EXIT_BUG;
}
