/**
 * Number formatting shared by the report writers. Pure and deterministic:
 * the same number always renders the same text (no locale, no wall clock).
 */

/** A duration in microseconds with a unit a reader does not have to guess: "250us", "12.5ms", "1.5s", "2m30s". */
export function formatDurationUs(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  if (us < 0) return '-' + formatDurationUs(-us);
  if (us === 0) return '0s';
  if (us < 999.5) return `${trimZeros(us.toFixed(0))}us`;
  if (us < 999_500) return `${trimZeros(toFixedSignificant(us / 1_000, 3))}ms`;
  const seconds = us / 1_000_000;
  if (seconds < 59.95) return `${trimZeros(toFixedSignificant(seconds, 3))}s`;
  // Tenths of a second, so an instant such as 1m59.87s does not read as "2m".
  const tenths = Math.round(seconds * 10);
  const hours = Math.floor(tenths / 36_000);
  const minutes = Math.floor((tenths % 36_000) / 600);
  const secondsRest = (tenths % 600) / 10;
  const secs = secondsRest === 0 ? '' : `${secondsRest < 10 ? '0' : ''}${trimZeros(secondsRest.toFixed(1))}s`;
  if (hours > 0) return `${hours}h${pad2(minutes)}m${secs}`;
  return `${minutes}m${secs}`;
}

/**
 * A latency in milliseconds, with about four significant digits so that a
 * p99.9 reads as "187.4ms" and a fast p50 as "0.412ms".
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs >= 999.95) return `${trimZeros(toFixedSignificant(ms / 1000, 4))}s`;
  const decimals = abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return `${trimZeros(ms.toFixed(decimals))}ms`;
}

/**
 * A share in [0, 1] as a percentage with enough decimals to tell it apart
 * from its neighbours: the paper's "99.94%" of gets seeing one version,
 * "0.00057%" seeing two, and "99.9995%" success.
 */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return String(share);
  if (share === 0) return '0%';
  if (share === 1) return '100%';
  const pct = share * 100;
  let decimals: number;
  if (pct >= 10 && pct < 100) {
    // Show the distance to 100% to at least one significant digit.
    decimals = clamp(Math.ceil(-Math.log10(100 - pct) - 1e-9), 2, 8);
  } else if (pct >= 1) {
    decimals = 2;
  } else {
    // Two significant digits of a small share.
    decimals = clamp(Math.ceil(-Math.log10(Math.abs(pct)) - 1e-9) + 1, 2, 8);
  }
  return `${pct.toFixed(decimals)}%`;
}

/** An integer count with thin grouping: 1234567 → "1,234,567" (fixed, not locale-dependent). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [int = '0', frac] = Math.abs(n).toString().split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (frac === undefined ? '' : `.${frac}`);
}

/** A size in bytes with a binary unit: "512B", "4.0KiB", "12.3MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(1)}${units[unit]}`;
}

/** A plain number with at most `decimals` decimals, trailing zeros dropped: 2.50 → "2.5". */
export function formatNumber(n: number, decimals = 2): string {
  if (!Number.isFinite(n)) return String(n);
  return trimZeros(n.toFixed(decimals));
}

function toFixedSignificant(value: number, significant: number): string {
  const digits = value === 0 ? 1 : Math.floor(Math.log10(Math.abs(value))) + 1;
  return value.toFixed(clamp(significant - digits, 0, 6));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
