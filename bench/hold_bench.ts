/**
 * The "hold" benchmark: the classic hold model on dynasim, ns-3 and SimPy.
 *
 * P = 100,000 pending events; each executed event schedules one more after
 * an Exp(mean) delay rounded to an integer microsecond; N = 2,000,000 events
 * are executed and timed (the initial P insertions are not).
 *
 *  - dynasim:        bench/hold.ts runHold, in a fresh node process per
 *                    repetition (bench/hold_worker.ts) that first makes one
 *                    untimed warm-up run of the same model (JIT).
 *  - dynasim-sparse: same with mean 100 s, so that (almost) every event has
 *                    its own microsecond. The dense model (mean 100 us) puts
 *                    ~1,000 events on each instant, which a scheduler that
 *                    groups equal times exploits; this is the other regime.
 *  - ns-3:           bench/peers/hold_ns3.cc, ns3::HeapScheduler, dense and
 *                    sparse (a heap does not care about density).
 *  - simpy:          bench/peers/hold_simpy.py, SimPy 2 classic API, dense.
 *
 * Repetitions are interleaved (rep 1 of every engine, then rep 2, ...) so a
 * slow phase of a shared machine does not land on one engine only.
 */
import { Scheduler } from '../sim/scheduler.js';
import { RandomRoot } from '../sim/random.js';
import { type Bench, type BenchOptions, CHILD_RUN_TIMEOUT_MS, type Summary, summarize, fmtInt, fmtRatio } from './common.js';
import {
  buildNs3Peer,
  commandLine,
  findNs3,
  findSimpy,
  runJsonPeer,
  type Missing,
} from './peers.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siblingModule } from '../src/experiment/workerSpawn.js';

const PENDING = 100_000;
const EVENTS = 2_000_000;
const MEAN_US = 100;
/** 100 s: ~0.001 events per microsecond at the front of the queue, so ~1.0005 events per instant. */
const SPARSE_MEAN_US = 100_000_000;
const SIMPY_QUICK_EVENTS = 200_000;
/** ns-3 and SimPy runs (dynasim's own worker uses CHILD_RUN_TIMEOUT_MS like every bench child). */
const PEER_TIMEOUT_MS = 20 * 60_000;

export const TARGETS = { dynasimEventsPerSec: 3_000_000, dynasimOverNs3: 2, dynasimOverSimpy: 20 };

type EngineResult =
  | ({ status: 'ok' } & Summary & Record<string, unknown>)
  | { status: 'missing'; reason: string; install: string }
  | { status: 'error'; error: string }
  | { status: 'skipped'; reason: string };

/**
 * How many events share an instant: the hold model again, with the same
 * seed and stream as runHold (same event times), counting distinct instants.
 * Untimed; run on a prefix of the events (the exponential's memorylessness
 * makes the pending set's density the same from the start).
 */
function instantProfile(pending: number, events: number, meanUs: number, seed = '1') {
  const sched = new Scheduler({ seed });
  const rng = new RandomRoot(seed).stream('hold');
  let instants = 0;
  let last = -1;
  const hold = (): void => {
    const t = sched.nowUs;
    if (t !== last) {
      instants++;
      last = t;
    }
    sched.after(Math.round(-meanUs * Math.log(rng.nextOpen())), hold);
  };
  for (let i = 0; i < pending; i++) sched.after(Math.round(-meanUs * Math.log(rng.nextOpen())), hold);
  sched.run({ maxEvents: events });
  return {
    eventsProfiled: sched.executed,
    distinctInstants: instants,
    eventsPerInstant: Number((sched.executed / instants).toFixed(4)),
  };
}

function int(extra: Record<string, string>, key: string, dflt: number): number {
  const v = extra[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${key} must be a positive integer, got ${v}`);
  return n;
}

function missing(m: Missing): EngineResult {
  return { status: 'missing', reason: m.reason, install: m.install };
}

function median(r: EngineResult | undefined): number | null {
  return r !== undefined && r.status === 'ok' ? r.median : null;
}

function ratio(a: EngineResult | undefined, b: EngineResult | undefined): number | null {
  const x = median(a);
  const y = median(b);
  return x === null || y === null ? null : Number((x / y).toFixed(3));
}

async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const { log, reps, extra } = opts;
  const pending = int(extra, 'pending', PENDING);
  const events = int(extra, 'events', EVENTS);
  const meanUs = int(extra, 'mean-us', MEAN_US);
  const sparseMeanUs = int(extra, 'sparse-mean-us', SPARSE_MEAN_US);
  const simpyEvents = int(extra, 'simpy-events', opts.quick ? Math.min(SIMPY_QUICK_EVENTS, events) : events);
  const useSimpy = opts.peers && extra['no-simpy'] === undefined;
  const useNs3 = opts.peers && extra['no-ns3'] === undefined;

  log(
    `hold model: ${fmtInt(pending)} pending, ${fmtInt(events)} events, delay Exp(mean ${fmtInt(meanUs)} us) ` +
      `rounded to an integer us; sparse variant mean ${fmtInt(sparseMeanUs)} us; ${reps} timed reps per engine`,
  );

  // ---- regime of each variant (untimed)
  const profileEvents = Math.min(events, opts.quick ? 200_000 : 500_000);
  const denseProfile = instantProfile(pending, profileEvents, meanUs);
  const sparseProfile = instantProfile(pending, profileEvents, sparseMeanUs);
  log(
    `  events per distinct instant: dense ${denseProfile.eventsPerInstant}, sparse ${sparseProfile.eventsPerInstant} ` +
      `(first ${fmtInt(profileEvents)} events)`,
  );

  // ---- peers: find and build
  type Runner = { key: string; label: string; once: () => Promise<{ rate: number; info: Record<string, unknown> }> };
  const runners: Runner[] = [];
  const results: Record<string, EngineResult> = {};
  const samples: Record<string, number[]> = {};
  const infos: Record<string, Record<string, unknown>> = {};

  // dynasim: a fresh process per repetition (bench/hold_worker.ts), which
  // warms up once (an untimed run of the same model) and times one run.
  const worker = fileURLToPath(siblingModule(import.meta.url, 'hold_worker'));
  const dyn = (key: string, label: string, mean: number): Runner => {
    const args = ['--pending', String(pending), '--events', String(events), '--mean-us', String(mean), '--warmup', '1'];
    const nodeArgs = [...process.execArgv, worker, ...args];
    infos[key] = { command: commandLine('node', [...process.execArgv, path.relative(opts.root, worker), ...args]) };
    return {
      key,
      label,
      once: async () => {
        const j = await runJsonPeer(process.execPath, nodeArgs, CHILD_RUN_TIMEOUT_MS);
        if (j.events !== events) throw new Error(`dynasim ran ${j.events} events, expected ${events}`);
        return { rate: Number(j.eventsPerSec), info: { events: j.events, digest: j.digest } };
      },
    };
  };
  runners.push(dyn('dynasim', 'dynasim', meanUs), dyn('dynasim-sparse', 'dynasim sparse', sparseMeanUs));

  if (useNs3) {
    const tc = await findNs3();
    if (!tc.ok) {
      results['ns-3'] = missing(tc);
      results['ns-3-sparse'] = missing(tc);
    } else {
      try {
        const built = await buildNs3Peer(opts.root, 'hold_ns3', tc);
        log(`  ns-3: ${built.rebuilt ? 'built' : 'up to date'}: ${built.compileCommand}`);
        for (const [key, mean] of [
          ['ns-3', meanUs],
          ['ns-3-sparse', sparseMeanUs],
        ] as const) {
          const args = ['--pending', String(pending), '--events', String(events), '--mean-us', String(mean)];
          args.push('--scheduler', 'ns3::HeapScheduler');
          infos[key] = {
            compileCommand: built.compileCommand,
            command: commandLine(path.relative(opts.root, built.binary), args),
            compiler: tc.cxxVersion,
          };
          runners.push({
            key,
            label: key === 'ns-3' ? 'ns-3 HeapScheduler' : 'ns-3 HeapScheduler sparse',
            once: async () => {
              const j = await runJsonPeer(built.binary, args, PEER_TIMEOUT_MS);
              if (j.events !== events) throw new Error(`ns-3 ran ${j.events} events, expected ${events}`);
              return { rate: Number(j.eventsPerSec), info: j };
            },
          });
        }
      } catch (e) {
        results['ns-3'] = { status: 'error', error: String((e as Error).message ?? e) };
        results['ns-3-sparse'] = results['ns-3'];
      }
    }
  } else {
    results['ns-3'] = { status: 'skipped', reason: opts.peers ? '--no-ns3' : '--no-peers' };
    results['ns-3-sparse'] = results['ns-3'];
  }

  if (useSimpy) {
    const sp = await findSimpy();
    if (!sp.ok) {
      results.simpy = missing(sp);
    } else {
      const script = path.join(opts.root, 'bench', 'peers', 'hold_simpy.py');
      const args = [script, '--pending', String(pending), '--events', String(simpyEvents), '--mean-us', String(meanUs)];
      infos.simpy = { command: commandLine(sp.python, args.map((a) => (a === script ? path.relative(opts.root, a) : a))) };
      runners.push({
        key: 'simpy',
        label: `SimPy ${sp.version}` + (simpyEvents !== events ? ` (${fmtInt(simpyEvents)} events)` : ''),
        once: async () => {
          const j = await runJsonPeer(sp.python, args, PEER_TIMEOUT_MS);
          if (j.events !== simpyEvents) throw new Error(`SimPy ran ${j.events} events, expected ${simpyEvents}`);
          return { rate: Number(j.eventsPerSec), info: j };
        },
      });
    }
  } else {
    results.simpy = { status: 'skipped', reason: opts.peers ? '--no-simpy' : '--no-peers' };
  }

  for (const [key, r] of Object.entries(results)) {
    if (r.status === 'missing') log(`  ${key}: NOT INSTALLED (${r.reason}); install with:\n      ${r.install}`);
    if (r.status === 'error') log(`  ${key}: ERROR: ${r.error}`);
  }

  // ---- timed repetitions, interleaved
  const failed = new Set<string>();
  for (let rep = 1; rep <= reps; rep++) {
    for (const r of runners) {
      if (failed.has(r.key)) continue;
      try {
        const { rate, info } = await r.once();
        (samples[r.key] ??= []).push(rate);
        const prev = infos[r.key];
        if (r.key.startsWith('dynasim') && prev?.digest !== undefined && prev.digest !== info.digest) {
          throw new Error(`non-deterministic: digest ${String(info.digest)} != ${String(prev.digest)}`);
        }
        infos[r.key] = { ...prev, ...info };
        log(`  rep ${rep}/${reps} ${r.label.padEnd(28)} ${fmtInt(rate).padStart(11)} events/s`);
      } catch (e) {
        failed.add(r.key);
        results[r.key] = { status: 'error', error: String((e as Error).message ?? e) };
        log(`  ${r.label}: ERROR: ${String((e as Error).message ?? e)}`);
      }
    }
  }
  for (const r of runners) {
    const s = samples[r.key];
    if (!failed.has(r.key) && s !== undefined) {
      const info = { ...infos[r.key] };
      delete info.eventsPerSec;
      delete info.wallMs;
      results[r.key] = { status: 'ok', ...summarize(s.map((x) => Math.round(x))), ...info };
    }
  }

  const ratios = {
    'dynasim/ns-3': ratio(results.dynasim, results['ns-3']),
    'dynasim/simpy': ratio(results.dynasim, results.simpy),
    'dynasim-sparse/ns-3-sparse': ratio(results['dynasim-sparse'], results['ns-3-sparse']),
    'dynasim-sparse/simpy': ratio(results['dynasim-sparse'], results.simpy),
  };
  const d = median(results.dynasim);
  const targets = {
    'dynasim >= 3,000,000 events/s': d === null ? null : d >= TARGETS.dynasimEventsPerSec,
    'dynasim/ns-3 >= 2': ratios['dynasim/ns-3'] === null ? null : ratios['dynasim/ns-3'] >= TARGETS.dynasimOverNs3,
    'dynasim/simpy >= 20': ratios['dynasim/simpy'] === null ? null : ratios['dynasim/simpy'] >= TARGETS.dynasimOverSimpy,
  };

  // ---- table
  log('');
  log(`${'engine'.padEnd(34)} ${'median ev/s'.padStart(12)} ${'min'.padStart(12)} ${'max'.padStart(12)}  reps`);
  const labels: Record<string, string> = {
    dynasim: `dynasim (mean ${fmtInt(meanUs)} us)`,
    'dynasim-sparse': `dynasim sparse (mean ${fmtInt(sparseMeanUs)} us)`,
    'ns-3': 'ns-3 HeapScheduler',
    'ns-3-sparse': 'ns-3 HeapScheduler sparse',
    simpy: 'SimPy' + (simpyEvents !== events ? ` (${fmtInt(simpyEvents)} events)` : ''),
  };
  for (const key of ['dynasim', 'dynasim-sparse', 'ns-3', 'ns-3-sparse', 'simpy']) {
    const r = results[key];
    if (r === undefined) continue;
    const label = labels[key]!.padEnd(34);
    if (r.status === 'ok') {
      log(`${label} ${fmtInt(r.median).padStart(12)} ${fmtInt(r.min).padStart(12)} ${fmtInt(r.max).padStart(12)}  ${r.reps}`);
    } else {
      log(`${label} ${r.status}${r.status === 'missing' ? `: install with ${r.install}` : ''}`);
    }
  }
  log('');
  log(
    `ratios of medians: dynasim/ns-3 ${fmtRatio(ratios['dynasim/ns-3'])} (target >= ${TARGETS.dynasimOverNs3}x), ` +
      `dynasim/SimPy ${fmtRatio(ratios['dynasim/simpy'])} (target >= ${TARGETS.dynasimOverSimpy}x)`,
  );
  log(
    `sparse:            dynasim/ns-3 ${fmtRatio(ratios['dynasim-sparse/ns-3-sparse'])}, ` +
      `dynasim/SimPy(dense) ${fmtRatio(ratios['dynasim-sparse/simpy'])}`,
  );
  if (simpyEvents !== events && results.simpy?.status === 'ok') {
    log(`note: SimPy ran ${fmtInt(simpyEvents)} events (not ${fmtInt(events)}); its rate is compared.`);
  }

  return {
    model: {
      pending,
      events,
      meanUs,
      sparseMeanUs,
      simpyEvents,
      delay: 'Exp(mean) rounded to an integer microsecond',
      eventsPerInstant: { dense: denseProfile, sparse: sparseProfile },
    },
    unit: 'events/s (executed events / wall time of the run loop; initial insertions untimed)',
    engines: results,
    ratios,
    targets,
  };
}

export const holdBench: Bench = {
  name: 'hold',
  description: 'classic hold model: dynasim vs ns-3 (HeapScheduler) vs SimPy 2',
  run,
};
