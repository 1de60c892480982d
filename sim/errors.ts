/**
 * Typed errors. A user's mistake (bad option, bad duration, bad seed) is an
 * InvalidOptionError naming the option, the bad value and what was expected;
 * the CLI turns it into exit code 2. A run that hits a hard limit throws a
 * SimulationLimitError carrying the seed, so the failure can be reproduced.
 */

export class DynasimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A caller passed a value outside what an option accepts. */
export class InvalidOptionError extends DynasimError {
  readonly option: string;
  readonly value: unknown;
  readonly expected: string;
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid ${option}: got ${show(value)}, expected ${expected}`);
    this.option = option;
    this.value = value;
    this.expected = expected;
  }
}

/** A run exceeded a hard cap (events, simulated time, a queue bound). */
export class SimulationLimitError extends DynasimError {
  readonly seed: string;
  readonly limit: string;
  constructor(limit: string, detail: string, seed: string) {
    super(`simulation limit reached: ${limit} (${detail}); seed ${seed}`);
    this.seed = seed;
    this.limit = limit;
  }
}

/**
 * Whether a run failed on its input or a configured bound (an option out of
 * range, a limit reached: exit 2, the user's to change) rather than on a bug
 * in dynasim (exit 3).
 */
export function isInputOrLimitError(e: unknown): e is InvalidOptionError | SimulationLimitError {
  return e instanceof InvalidOptionError || e instanceof SimulationLimitError;
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Assert an invariant. Kept on in production: a silent impossible state makes wrong papers. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DynasimError(`invariant violated: ${message}`);
}

export function requireFiniteNumber(option: string, value: unknown, expected = 'a finite number'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidOptionError(option, value, expected);
  return value;
}

export function requireNonNegative(option: string, value: unknown): number {
  const v = requireFiniteNumber(option, value, 'a finite number >= 0');
  if (v < 0) throw new InvalidOptionError(option, value, 'a finite number >= 0');
  return v;
}

export function requirePositive(option: string, value: unknown): number {
  const v = requireFiniteNumber(option, value, 'a finite number > 0');
  if (v <= 0) throw new InvalidOptionError(option, value, 'a finite number > 0');
  return v;
}

export function requireProbability(option: string, value: unknown): number {
  const v = requireFiniteNumber(option, value, 'a probability in [0, 1]');
  if (v < 0 || v > 1) throw new InvalidOptionError(option, value, 'a probability in [0, 1]');
  return v;
}

export function requireInteger(option: string, value: unknown, min = -Infinity, max = Infinity): number {
  const expected = `an integer${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, value, expected);
  }
  return value;
}
