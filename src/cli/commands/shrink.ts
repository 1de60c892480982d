/**
 * `dynasim shrink <scenario> --seed N [--check NAME] [--out FILE]`: reduce a
 * failing run to a minimal scenario that still fails the same check with the
 * same seed (src/experiment/shrink.ts), write it as a scenario file and print
 * how to run it.
 *
 * Exit codes: 0 when the run does not fail (nothing to shrink), 1 when a
 * minimal failing scenario was written (it fails a check, like the run it
 * came from), 2 for bad input.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { shrinkScenario } from '../../experiment/shrink.js';
import { writeFileAtomic } from '../../report/atomic.js';
import { checkScenario, loadScenario } from '../../scenario/index.js';
import { VERSION } from '../../version.js';
import { EXIT_BAD_INPUT, EXIT_BUG, EXIT_CHECK_FAILED, EXIT_OK, quote, type CliIo } from '../io.js';
import { seedOrFresh } from '../seed.js';
import { load, reproduceCommand, type ScenarioArgs } from './scenario.js';

export interface ShrinkArgs extends ScenarioArgs {
  seed?: string;
  check?: string;
  out?: string;
  maxRuns?: number;
}

export function shrinkCommand(args: ShrinkArgs, io: CliIo): number {
  const loaded = load(args, io);
  if (!loaded.ok) return loaded.code;
  let seed: string;
  try {
    const given = args.seed ?? loaded.scenario.seed ?? undefined;
    if (given === undefined) {
      io.err('dynasim: shrink needs the failing run\'s seed: --seed N (the scenario file names none)');
      return EXIT_BAD_INPUT;
    }
    seed = seedOrFresh(given);
  } catch (e) {
    io.err(`dynasim: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  if (args.maxRuns !== undefined && (!Number.isSafeInteger(args.maxRuns) || args.maxRuns < 2)) {
    io.err(`dynasim: --max-runs: expected an integer >= 2, got ${args.maxRuns}`);
    return EXIT_BAD_INPUT;
  }
  // The scenario as data (the file's YAML with the overrides applied), with the seed of the failing run.
  const raw = { ...(loaded.data as Record<string, unknown>) };
  raw.seed = /^\d+$/.test(seed) && Number.isSafeInteger(Number(seed)) ? Number(seed) : seed;

  io.out(`seed ${seed}`);
  const result = shrinkScenario({
    raw,
    seed,
    ...(args.check !== undefined ? { check: args.check } : {}),
    ...(args.maxRuns !== undefined ? { maxRuns: args.maxRuns } : {}),
    onStep: (line) => io.out(line),
  });
  const name = loaded.scenario.name;
  switch (result.outcome) {
    case 'invalid':
      io.err(`dynasim: the scenario does not validate as data: ${result.problems.join('; ')}`);
      return EXIT_BUG;
    case 'no-such-check':
      io.err(`dynasim: --check ${result.check}: this run has no such check; its checks are: ${result.available.join(', ') || '(none)'}`);
      return EXIT_BAD_INPUT;
    case 'passes':
      io.out(
        result.check === null
          ? `nothing to shrink: ${name} with seed ${seed} passes every check (${result.checks.map((c) => c.name).join(', ') || 'it has none'})`
          : `nothing to shrink: ${name} with seed ${seed} passes ${result.check}`,
      );
      return EXIT_OK;
    case 'shrunk':
      break;
  }
  const minimal = result.raw;
  minimal.name = `${name}-shrunk`;
  minimal.description = `${name} shrunk by dynasim shrink (seed ${seed}): still fails ${result.check}.`;
  const out = args.out ?? path.join('reports', name, seed, `${name}-shrunk.yaml`);
  const header = [
    `# Shrunk by dynasim ${VERSION} from ${args.scenario} (seed ${seed}, ${result.runs} runs): it still fails "${result.check}".`,
    `# Original run: ${reproduceCommand(args, seed)}`,
    ...(result.removed.length > 0 ? ['# Removed or reduced:', ...result.removed.map((r) => `#   - ${r}`)] : ['# Nothing could be removed.']),
  ];
  const text = `${header.join('\n')}\n${stringify(minimal, { lineWidth: 0 })}`;
  try {
    writeFileAtomic(path.dirname(out), path.basename(out), text);
  } catch (e) {
    io.err(`dynasim: cannot write ${out}: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  // The file must load as the scenario that was tested.
  const reloaded = loadScenario(out);
  const tested = checkScenario(minimal);
  if (!reloaded.ok || !tested.ok || JSON.stringify(reloaded.scenario) !== JSON.stringify(tested.scenario)) {
    io.err(`dynasim: internal error (a bug in dynasim ${VERSION}): the minimal scenario written to ${out} does not load back as the scenario that was tested`);
    return EXIT_BUG;
  }
  io.out('');
  io.out(`shrunk in ${result.runs} runs${result.exhausted ? ' (stopped at --max-runs: smaller, not minimal)' : ''}: ${result.check} still fails`);
  io.out(`  before: ${result.before}`);
  io.out(`  after:  ${result.after}`);
  if (result.removed.length === 0) io.out('nothing could be removed: every fault and every number is needed');
  else {
    io.out('removed or reduced:');
    for (const r of result.removed) io.out(`  - ${r}`);
  }
  const faults = Array.isArray(minimal.faults) ? minimal.faults.length : 0;
  io.out(`left: ${faults} fault${faults === 1 ? '' : 's'}${minimal.nemesis ? ' and a nemesis' : ''}`);
  io.out(`minimal scenario: ${out}`);
  io.out(`reproduce: dynasim run ${quote(out)} --seed ${seed}`);
  return EXIT_CHECK_FAILED;
}
