/** `dynasim run --check-determinism`: the same run twice, here and in a worker thread, compared. */
import { checkDeterminism } from '../../experiment/determinism.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import { VERSION } from '../../version.js';
import { EXIT_BUG, EXIT_OK, reportRunError, type CliIo } from '../io.js';

export async function determinismCommand(scenario: ResolvedScenario, seed: string, reproduce: string, io: CliIo, maxEvents?: number): Promise<number> {
  let result;
  try {
    result = await checkDeterminism(scenario, seed, maxEvents);
  } catch (e) {
    return reportRunError(e, reproduce, io);
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
