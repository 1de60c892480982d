import test from 'ava';
import type { Estimate } from '../../src/report/comparison.js';
import { formatEstimate } from '../../src/report/comparisonMarkdown.js';
import { formatMs, formatNumber, formatShare } from '../../src/report/format.js';

const est = (mean: number | null, halfWidth: number | null, n: number): Estimate => ({ n, mean, sd: null, ci95Low: null, ci95High: null, halfWidth, min: mean, max: mean });

test('an estimate shows its mean and half-width in the metric\'s unit, and how many seeds had it', (t) => {
  t.is(formatEstimate(est(2.38, 0.12, 4), 'ms', 4), `${formatMs(2.38)} ± ${formatMs(0.12)}`);
  t.is(formatEstimate(est(0.0015, 0.0002, 4), 'share', 4), `${formatShare(0.0015)} ± ${formatShare(0.0002)}`);
  t.is(formatEstimate(est(12.5, 1.25, 3), 'count', 4), `${formatNumber(12.5, 2)} ± ${formatNumber(1.25, 2)} (n=3)`);
  t.is(formatEstimate(est(7, null, 1), 'ms', 4), `${formatMs(7)} (n=1)`);
  t.is(formatEstimate(est(null, null, 0), 'share', 4), '–');
});
