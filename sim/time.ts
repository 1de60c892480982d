/**
 * Virtual time: an integer count of microseconds since the start of the run.
 * Names carry their unit last (`timeoutUs`); instants (`nowUs`, `deadlineUs`)
 * and durations (`delayUs`) are both plain integers.
 */
import { InvalidOptionError } from './errors.js';

export type Micros = number;

export const US_PER_MS = 1_000;
export const US_PER_SEC = 1_000_000;
export const US_PER_MIN = 60 * US_PER_SEC;
export const US_PER_HOUR = 60 * US_PER_MIN;
export const US_PER_DAY = 24 * US_PER_HOUR;

/** Largest instant the kernel accepts: 2^53 µs is ~285 years; we keep a margin. */
export const MAX_TIME_US: Micros = Number.MAX_SAFE_INTEGER;

export const us = (n: number): Micros => toMicros(n, 1, 'us');
export const ms = (n: number): Micros => toMicros(n, US_PER_MS, 'ms');
export const seconds = (n: number): Micros => toMicros(n, US_PER_SEC, 'seconds');
export const minutes = (n: number): Micros => toMicros(n, US_PER_MIN, 'minutes');
export const hours = (n: number): Micros => toMicros(n, US_PER_HOUR, 'hours');

function toMicros(n: number, factor: number, option: string): Micros {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new InvalidOptionError(option, n, 'a finite number');
  return Math.round(n * factor);
}

/** Microseconds per duration unit, for parsers of durations (here and the scenario layer's). */
export const DURATION_UNITS_US: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: US_PER_MS,
  s: US_PER_SEC,
  m: US_PER_MIN,
  min: US_PER_MIN,
  h: US_PER_HOUR,
  d: US_PER_DAY,
};

const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|min|m|h|d)\s*$/;

/**
 * Parse a human duration ("250us", "5ms", "1.5s", "10m", "2h") into integer
 * microseconds. A bare number is refused: a unit-less duration is the most
 * common scenario mistake and silently guessing the unit hides it.
 */
export function parseDuration(text: string, option = 'duration'): Micros {
  if (typeof text !== 'string') {
    throw new InvalidOptionError(option, text, 'a duration string with a unit, such as "250us", "5ms", "1.5s", "10m" or "2h"');
  }
  const m = DURATION_RE.exec(text);
  if (!m) {
    const bare = /^\s*-?\d+(\.\d+)?\s*$/.test(text);
    const neg = /^\s*-/.test(text);
    const expected = neg
      ? 'a non-negative duration'
      : bare
        ? `a duration with a unit (us, ms, s, m, h, d), such as "${text.trim()}ms"`
        : 'a duration such as "250us", "5ms", "1.5s", "10m" or "2h"';
    throw new InvalidOptionError(option, text, expected);
  }
  const value = Number(m[1]) * DURATION_UNITS_US[m[2]!]!;
  const rounded = Math.round(value);
  if (!Number.isSafeInteger(rounded)) throw new InvalidOptionError(option, text, 'a duration below 285 years');
  return rounded;
}

/** Render microseconds compactly and exactly enough for humans: 1500000 → "1.5s". */
export function formatDuration(valueUs: Micros): string {
  if (!Number.isFinite(valueUs)) return String(valueUs);
  const sign = valueUs < 0 ? '-' : '';
  const v = Math.abs(valueUs);
  const pick = (unit: number, suffix: string) => `${sign}${trim(v / unit)}${suffix}`;
  if (v >= US_PER_HOUR && v % US_PER_MIN === 0) return pick(US_PER_HOUR, 'h');
  if (v >= US_PER_MIN && v % US_PER_SEC === 0) return pick(US_PER_MIN, 'm');
  if (v >= US_PER_SEC) return pick(US_PER_SEC, 's');
  if (v >= US_PER_MS) return pick(US_PER_MS, 'ms');
  return `${sign}${v}us`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(3)));
}
