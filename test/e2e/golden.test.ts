/**
 * Golden digests: every shipped scenario, shortened (short.ts) and run with a
 * fixed seed, must give the digest pinned in golden-digests.json. A change of
 * behaviour anywhere (a message more, a draw from another stream, a timer a
 * microsecond later) changes a digest, so it can only land as a deliberate
 * update of the pins:
 *
 *   UPDATE_GOLDEN=1 npx ava test/e2e/golden.test.ts
 *
 * then review the diff of test/e2e/golden-digests.json and say why in the commit.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../src/experiment/run.js';
import { loadScenario } from '../../src/scenario/index.js';
import { shortShipped } from './short.js';

const PINS = fileURLToPath(new URL('./golden-digests.json', import.meta.url));
const SEED = '20261125';
const SHORT = { durationUs: 5_000_000, livenessUs: 2_000_000, warmupUs: 1_000_000 };

interface Pin {
  digest: string;
  events: number;
  /** The overrides that shorten it: `dynasim run <name> --seed <seed> --set ...` reproduces the pin. */
  overrides: string[];
}

interface Pins {
  note: string;
  seed: string;
  scenarios: Record<string, Pin>;
}

test('every shipped scenario has its pinned digest (seed 20261125, 5 s + 2 s liveness)', (t) => {
  const measured: Record<string, Pin> = {};
  for (const run of shortShipped(SHORT)) {
    const loaded = loadScenario(run.file, { overrides: run.overrides });
    if (!loaded.ok) return t.fail(`${run.name} does not load shortened: ${loaded.problems.map((p) => p.message).join('; ')}`);
    const { summary } = runScenario(loaded.scenario, { seed: SEED, captureOperation: false });
    measured[run.name] = { digest: summary.digest, events: summary.events, overrides: run.overrides };
  }
  let pins: Pins;
  try {
    pins = JSON.parse(readFileSync(PINS, 'utf8')) as Pins;
  } catch {
    pins = { note: '', seed: SEED, scenarios: {} };
  }
  const names = [...new Set([...Object.keys(measured), ...Object.keys(pins.scenarios)])].sort();
  const changed = names.filter((n) => measured[n]?.digest !== pins.scenarios[n]?.digest || measured[n]?.events !== pins.scenarios[n]?.events);
  if (process.env.UPDATE_GOLDEN === '1') {
    const next: Pins = {
      note: 'Pinned digests of the shipped scenarios, shortened as test/e2e/short.ts does. Update deliberately: UPDATE_GOLDEN=1 npx ava test/e2e/golden.test.ts',
      seed: SEED,
      scenarios: Object.fromEntries(Object.keys(measured).sort().map((n) => [n, measured[n]!])),
    };
    writeFileSync(PINS, JSON.stringify(next, null, 2) + '\n');
    t.log(changed.length === 0 ? 'pins unchanged' : `pins updated: ${changed.join(', ')}`);
    t.pass();
    return;
  }
  const lines = changed.map((n) => {
    const was = pins.scenarios[n];
    const now = measured[n];
    if (was === undefined) return `  ${n}: not pinned yet (digest ${now!.digest}, ${now!.events} events)`;
    if (now === undefined) return `  ${n}: pinned but no longer shipped`;
    return `  ${n}: pinned ${was.digest} (${was.events} events), now ${now.digest} (${now.events} events)\n    reproduce: dynasim run ${n} --seed ${SEED} ${now.overrides.map((o) => `--set ${o}`).join(' ')}`;
  });
  t.deepEqual(
    changed,
    [],
    `digests changed:\n${lines.join('\n')}\n` +
      'A behaviour change moved these digests. If it is intended, update the pins deliberately:\n' +
      '  UPDATE_GOLDEN=1 npx ava test/e2e/golden.test.ts\n' +
      'and review the diff of test/e2e/golden-digests.json, and raise the version in package.json if a released\n' +
      'version has the old digests (summaries and traces record it; replay warns when versions differ).\n' +
      'If the change was not meant to alter behaviour, it broke determinism or behaviour.',
  );
});
