/**
 * Human units in scenario files, and back.
 *
 * | kind        | written as                                  | becomes                     |
 * |-------------|---------------------------------------------|-----------------------------|
 * | duration    | "250us" "5ms" "1.5s" "10m" "2h" "1d"         | integer microseconds        |
 * | signed      | "-500ms" "+2s" (clockSkew.by only)           | integer microseconds        |
 * | rate        | "500/s" "30/m" "2/h"                         | events per second           |
 * | size        | "512B" "1KB" (1000) "4KiB" (1024) "1MiB"     | integer bytes               |
 * | bandwidth   | "1Gbit/s" "125MB/s" "100Mbps" "off"          | bytes per second (off: 0)   |
 * | probability | 0.001 or "0.1%"                              | a number in [0, 1]          |
 *
 * A bare number where a unit is expected is refused ("unit-less duration:
 * write 300ms"): silently guessing the unit is the most common way a scenario
 * means something other than what its author thought. The duration grammar is
 * the kernel's (sim/time.ts parseDuration) plus an optional sign.
 *
 * Parsers return values, never throw: `{ ok: true, value }` or
 * `{ ok: false, message }` where the message says what was expected and what
 * was found.
 */
import { show } from '../../sim/errors.js';
import { parseSeed } from '../../sim/random.js';
import { DURATION_UNITS_US, US_PER_HOUR, US_PER_MIN, US_PER_MS, US_PER_SEC } from '../../sim/time.js';
import { closest } from './errors.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** Unwrap a result that validation already accepted (a failure here is a bug in dynasim). */
export function unwrap<T>(r: Parsed<T>, what: string): T {
  if (!r.ok) throw new Error(`bug: ${what} passed validation but does not parse: ${r.message}`);
  return r.value;
}

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

// ---------------------------------------------------------------- durations

const DURATION_UNIT = '(?:us|µs|ms|s|min|m|h|d)';
const DURATION_PART = String.raw`${NUMBER}\s*${DURATION_UNIT}`;
/** One or more number-unit parts ("1.5s", "1h30m"). */
export const DURATION_PATTERN = String.raw`^\s*(${DURATION_PART}\s*)+$`;
export const SIGNED_DURATION_PATTERN = String.raw`^\s*[+-]?\s*(${DURATION_PART}\s*)+$`;
const COMPOUND_RE = new RegExp(String.raw`^(?:${DURATION_PART}\s*)+$`);
const PART_RE = new RegExp(String.raw`${NUMBER}\s*(us|µs|ms|s|min|m|h|d)`, 'g');
const UNIT_LESS_RE = new RegExp(String.raw`^${NUMBER}$`);
const ONE_UNIT_RE = new RegExp(String.raw`^${NUMBER}\s*([^\s\d.]+)$`);
const EXPECTED_DURATION = 'a duration with a unit (us, ms, s, m, h or d), such as "300ms"';

/** Spellings people write for time units, and the unit they mean. */
const TIME_UNIT_ALIASES: Readonly<Record<string, string>> = {
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  milliseconds: 'ms',
  usec: 'us',
  micros: 'us',
  microseconds: 'us',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
};

function timeUnitHint(unit: string, units: readonly string[]): string | undefined {
  return TIME_UNIT_ALIASES[unit.toLowerCase()] ?? closest(unit, units);
}

export interface DurationOptions {
  /** Accept a leading "-" or "+" (clock skews). */
  signed?: boolean;
  /** Refuse zero. */
  positive?: boolean;
}

/**
 * "250us", "5ms", "1.5s", "10m", "2h", "1d", or several parts ("1h30m",
 * "2m30s"). Rounded to whole microseconds.
 */
export function parseDurationUs(value: unknown, options: DurationOptions = {}): Parsed<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(`expected ${EXPECTED_DURATION}, got ${show(value)}`);
    const abs = Math.abs(value);
    return fail(`expected ${EXPECTED_DURATION}, got ${value}: unit-less duration, write "${value < 0 && options.signed ? '-' : ''}${abs}ms" (or another unit)`);
  }
  if (typeof value !== 'string') return fail(`expected ${EXPECTED_DURATION}, got ${show(value)}`);
  const trimmed = value.trim();
  const sign = trimmed.startsWith('-') ? '-' : trimmed.startsWith('+') ? '+' : '';
  const body = trimmed.slice(sign.length).trim();
  if (UNIT_LESS_RE.test(body)) return fail(`expected ${EXPECTED_DURATION}, got ${show(value)}: unit-less duration, write "${trimmed}ms" (or another unit)`);
  if (!COMPOUND_RE.test(body)) {
    const one = ONE_UNIT_RE.exec(body);
    if (one !== null) {
      const unit = one[2]!;
      const hint = timeUnitHint(unit, Object.keys(DURATION_UNITS_US));
      return fail(`expected ${EXPECTED_DURATION}, got ${show(value)}: unknown unit "${unit}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    return fail(`expected ${EXPECTED_DURATION}, got ${show(value)}`);
  }
  if (sign === '-' && !options.signed) return fail(`expected a non-negative duration, got ${show(value)} (a sign is allowed only in clockSkew.by)`);
  if (sign === '+' && !options.signed) return fail(`expected ${EXPECTED_DURATION}, got ${show(value)} (a sign is allowed only in clockSkew.by)`);
  let total = 0;
  for (const m of body.matchAll(PART_RE)) total += Number(m[1]) * DURATION_UNITS_US[m[2]!]!;
  const magnitude = Math.round(total);
  if (!Number.isSafeInteger(magnitude)) return fail(`expected a duration below 285 years, got ${show(value)}`);
  if (options.positive && magnitude === 0) return fail(`expected a positive duration, got ${show(value)}`);
  return ok(sign === '-' && magnitude !== 0 ? -magnitude : magnitude);
}

/**
 * Exact and readable, in the grammar parseDurationUs accepts (so it
 * round-trips): 0 → "0s", 250 → "250us", 1500 → "1.5ms", 2500000 → "2.5s",
 * 140 s → "2m20s", 90 min → "1h30m". Non-integers are rounded to the µs.
 */
export function formatDurationUs(valueUs: number): string {
  if (!Number.isFinite(valueUs)) return String(valueUs);
  const sign = valueUs < 0 ? '-' : '';
  const v = Math.round(Math.abs(valueUs));
  if (v === 0) return '0s';
  if (v >= US_PER_MIN && v % US_PER_SEC === 0) {
    const h = Math.floor(v / US_PER_HOUR);
    const m = Math.floor((v % US_PER_HOUR) / US_PER_MIN);
    const s = (v % US_PER_MIN) / US_PER_SEC;
    return sign + (h > 0 ? `${h}h` : '') + (m > 0 ? `${m}m` : '') + (s > 0 ? `${s}s` : '');
  }
  if (v >= US_PER_SEC) return `${sign}${v / US_PER_SEC}s`;
  if (v >= US_PER_MS) return `${sign}${v / US_PER_MS}ms`;
  return `${sign}${v}us`;
}

// ---------------------------------------------------------------- rates

const RATE_UNITS_PER_SEC: Readonly<Record<string, number>> = {
  us: 1e6,
  ms: 1e3,
  s: 1,
  m: 1 / 60,
  min: 1 / 60,
  h: 1 / 3600,
  d: 1 / 86400,
};
export const RATE_PATTERN = String.raw`^\s*${NUMBER}\s*/\s*(us|ms|s|min|m|h|d)\s*$`;
const RATE_RE = new RegExp(String.raw`^\s*(-?)\s*${NUMBER}\s*(?:/\s*(\S*))?\s*$`);
const EXPECTED_RATE = 'a rate such as "500/s", "30/m" or "2/h"';

export function parseRatePerSec(value: unknown, options: { allowZero?: boolean } = {}): Parsed<number> {
  const positive = options.allowZero ? 'a non-negative rate' : 'a positive rate';
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value < 0) return fail(`expected ${positive} such as "500/s", got ${value}`);
    return fail(`expected ${EXPECTED_RATE}, got ${show(value)}: unit-less rate, write "${value}/s"`);
  }
  if (typeof value !== 'string') return fail(`expected ${EXPECTED_RATE}, got ${show(value)}`);
  const m = RATE_RE.exec(value);
  if (!m) return fail(`expected ${EXPECTED_RATE}, got ${show(value)}`);
  const unit = m[3];
  if (unit === undefined) return fail(`expected ${EXPECTED_RATE}, got ${show(value)}: unit-less rate, write "${value.trim()}/s"`);
  const factor = RATE_UNITS_PER_SEC[unit];
  if (factor === undefined) {
    const hint = timeUnitHint(unit, Object.keys(RATE_UNITS_PER_SEC));
    return fail(`expected ${EXPECTED_RATE}, got ${show(value)}: unknown unit "/${unit}"${hint ? ` (did you mean "/${hint}"?)` : ''}`);
  }
  const n = Number(m[2]);
  if (m[1] === '-' || (n === 0 && !options.allowZero)) return fail(`expected ${positive}, got ${show(value)}`);
  const perSec = n * factor;
  if (!Number.isFinite(perSec)) return fail(`expected ${EXPECTED_RATE}, got ${show(value)}`);
  return ok(perSec);
}

// ---------------------------------------------------------------- sizes

/** Bytes per size unit: SI (KB = 1000) and binary (KiB = 1024). */
export const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};
const SIZE_UNIT = '(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)';
export const SIZE_PATTERN = String.raw`^\s*${NUMBER}\s*${SIZE_UNIT}\s*$`;
const SIZE_RE = new RegExp(String.raw`^\s*(-?)\s*${NUMBER}\s*([^\s\d./]*)\s*$`);
const EXPECTED_SIZE = 'a size with a unit (B, KB, KiB, MB, MiB, GB, GiB), such as "4KiB"';

export function parseSizeBytes(value: unknown): Parsed<number> {
  if (typeof value === 'number') {
    return fail(`expected ${EXPECTED_SIZE}, got ${show(value)}${Number.isFinite(value) && value >= 0 ? `: unit-less size, write "${value}B"` : ''}`);
  }
  if (typeof value !== 'string') return fail(`expected ${EXPECTED_SIZE}, got ${show(value)}`);
  const m = SIZE_RE.exec(value);
  if (!m) return fail(`expected ${EXPECTED_SIZE}, got ${show(value)}`);
  const unit = m[3]!;
  if (unit === '') return fail(`expected ${EXPECTED_SIZE}, got ${show(value)}: unit-less size, write "${value.trim()}B"`);
  const factor = SIZE_UNITS_BYTES[unit];
  if (factor === undefined) return fail(`expected ${EXPECTED_SIZE}, got ${show(value)}: ${unknownSizeUnit(unit)}`);
  if (m[1] === '-') return fail(`expected a non-negative size, got ${show(value)}`);
  const bytes = Math.round(Number(m[2]) * factor);
  if (!Number.isSafeInteger(bytes)) return fail(`expected a size below 8 PiB, got ${show(value)}`);
  return ok(bytes);
}

function unknownSizeUnit(unit: string): string {
  const units = Object.keys(SIZE_UNITS_BYTES);
  const exact = units.find((u) => u.toLowerCase() === unit.toLowerCase());
  const hint = exact ?? closest(unit, units);
  return `unknown unit "${unit}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

// ---------------------------------------------------------------- bandwidth

const BIT_UNITS_BYTES: Readonly<Record<string, number>> = {
  bit: 1 / 8,
  kbit: 1e3 / 8,
  Kbit: 1e3 / 8,
  Mbit: 1e6 / 8,
  Gbit: 1e9 / 8,
  Tbit: 1e12 / 8,
};
const BPS_UNITS_BYTES: Readonly<Record<string, number>> = {
  bps: 1 / 8,
  kbps: 1e3 / 8,
  Kbps: 1e3 / 8,
  Mbps: 1e6 / 8,
  Gbps: 1e9 / 8,
  Tbps: 1e12 / 8,
};
export const BANDWIDTH_PATTERN = String.raw`^\s*(off|${NUMBER}\s*((B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB|bit|kbit|Kbit|Mbit|Gbit|Tbit)\s*/\s*s|bps|kbps|Kbps|Mbps|Gbps|Tbps))\s*$`;
const BANDWIDTH_RE = new RegExp(String.raw`^\s*(-?)\s*${NUMBER}\s*([^\s\d./]*)\s*(?:/\s*(\S*))?\s*$`);
const EXPECTED_BANDWIDTH = 'a bandwidth such as "1Gbit/s", "125MB/s" or "100Mbps", or "off"';

/** Bytes per second; "off" is 0 (no serialisation delay, no transfer limit). */
export function parseBandwidthBytesPerSec(value: unknown): Parsed<number> {
  if (value === 'off') return ok(0);
  if (typeof value === 'number') {
    return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}${Number.isFinite(value) && value > 0 ? `: unit-less bandwidth, write "${value}MB/s" or "${value}Mbit/s"` : ''}`);
  }
  if (typeof value !== 'string') return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}`);
  const m = BANDWIDTH_RE.exec(value);
  if (!m) return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}`);
  const unit = m[3]!;
  const per = m[4];
  let factor: number | undefined;
  if (per === undefined) {
    factor = BPS_UNITS_BYTES[unit];
    if (factor === undefined) return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}${unit === '' ? ': unit-less bandwidth' : `: unknown unit "${unit}"`}`);
  } else {
    if (per !== 's') return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}: bandwidth is per second ("/s")`);
    factor = SIZE_UNITS_BYTES[unit] ?? BIT_UNITS_BYTES[unit];
    if (factor === undefined) return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}: ${unit === '' ? 'missing unit before "/s"' : unknownSizeUnit(unit)}`);
  }
  const n = Number(m[2]);
  if (m[1] === '-' || n === 0) return fail(`expected a positive bandwidth (or "off"), got ${show(value)}`);
  const bytesPerSec = n * factor;
  if (!Number.isFinite(bytesPerSec)) return fail(`expected ${EXPECTED_BANDWIDTH}, got ${show(value)}`);
  return ok(bytesPerSec);
}

// ---------------------------------------------------------------- probabilities

export const PERCENT_PATTERN = String.raw`^\s*${NUMBER}\s*%\s*$`;
const PERCENT_RE = new RegExp(String.raw`^\s*(-?)\s*${NUMBER}\s*%\s*$`);
const EXPECTED_PROBABILITY = 'a probability in [0, 1] or a percentage such as "0.1%"';

/** A number in [0, 1], or a percentage string in [0%, 100%] ("99.9%" is 0.999). */
export function parseProbability(value: unknown): Parsed<number> {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= 1) return ok(value);
    const hint = Number.isFinite(value) && value > 1 && value <= 100 ? ` (for a percentage write "${value}%")` : '';
    return fail(`expected ${EXPECTED_PROBABILITY}, got ${show(value)}${hint}`);
  }
  if (typeof value !== 'string') return fail(`expected ${EXPECTED_PROBABILITY}, got ${show(value)}`);
  const m = PERCENT_RE.exec(value);
  if (!m) return fail(`expected ${EXPECTED_PROBABILITY}, got ${show(value)}`);
  const pct = Number(m[2]);
  if (m[1] === '-' || pct > 100) return fail(`expected ${EXPECTED_PROBABILITY}, got ${show(value)} (outside [0%, 100%])`);
  // 15 significant digits: "99.9%" is 0.999, not 0.9990000000000001.
  return ok(Number((pct / 100).toPrecision(15)));
}

// ---------------------------------------------------------------- seeds

export const SEED_PATTERN = String.raw`^\s*(\d+|[0-9a-fA-F]{40})\s*$`;

/** A seed: a decimal integer below 2^64 or 40 hex digits, in the kernel's canonical text form. */
export function parseSeedText(value: unknown): Parsed<string> {
  try {
    return ok(parseSeed(typeof value === 'string' ? value.trim() : value, 'seed'));
  } catch {
    return fail(`expected a seed (a decimal integer below 2^64 or 40 hex digits), got ${show(value)}`);
  }
}

// ---------------------------------------------------------------- formatting (explain)

export function formatRate(perSec: number): string {
  if (perSec >= 1 || perSec === 0) return `${trim(perSec)}/s`;
  if (perSec * 60 >= 1) return `${trim(perSec * 60)}/m`;
  return `${trim(perSec * 3600)}/h`;
}

export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= factor && bytes % (factor / 1024) === 0) return `${trim(bytes / factor)}${unit}`;
  }
  return `${bytes}B`;
}

export function formatBandwidth(bytesPerSec: number): string {
  if (bytesPerSec === 0) return 'off';
  const bits = bytesPerSec * 8;
  if (bits >= 1e9 && bits % 1e6 === 0) return `${trim(bits / 1e9)}Gbit/s`;
  if (bytesPerSec >= 1e6) return `${trim(bytesPerSec / 1e6)}MB/s`;
  if (bytesPerSec >= 1e3) return `${trim(bytesPerSec / 1e3)}KB/s`;
  return `${trim(bytesPerSec)}B/s`;
}

export function formatPercent(p: number): string {
  return `${Number((p * 100).toPrecision(12))}%`;
}


function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}
