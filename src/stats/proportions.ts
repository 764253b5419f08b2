// Confidence intervals for a single proportion (events out of n). Pure.

import { betaQuantile, normalQuantile } from './distributions.js';

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

function checkCounts(events: number, n: number): void {
  if (!Number.isInteger(events) || !Number.isInteger(n) || n < 1 || events < 0 || events > n) {
    throw new RangeError(`need whole numbers 0 ≤ events ≤ n, n ≥ 1 (got ${events} of ${n})`);
  }
}

/**
 * Clopper–Pearson exact interval: lower = B⁻¹(α/2; x, n−x+1), upper = B⁻¹(1−α/2; x+1, n−x), with
 * lower = 0 at x = 0 and upper = 1 at x = n. Guaranteed coverage, so it is what an alert is defended
 * with. Clopper & Pearson, Biometrika 26 (1934) 404; R `binom.test(x, n)$conf.int`.
 */
export function clopperPearson(events: number, n: number, level = 0.95): Interval {
  checkCounts(events, n);
  const alpha = (1 - level) / 2;
  return {
    estimate: events / n,
    lower: events === 0 ? 0 : betaQuantile(alpha, events, n - events + 1),
    upper: events === n ? 1 : betaQuantile(1 - alpha, events + 1, n - events),
  };
}

/**
 * Wilson score interval: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹((1+level)/2);
 * exactly 0 at x = 0 and 1 at x = n (as R). Closer to nominal coverage on average than Clopper–Pearson,
 * but not guaranteed. Wilson, JASA 22 (1927) 209; R `prop.test(x, n, correct = FALSE)$conf.int`.
 */
export function wilson(events: number, n: number, level = 0.95): Interval {
  checkCounts(events, n);
  const p = events / n;
  const z = normalQuantile((1 + level) / 2);
  const z22n = (z * z) / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z22n / (2 * n));
  return {
    estimate: p,
    lower: events === 0 ? 0 : (p + z22n - half) / (1 + 2 * z22n),
    upper: events === n ? 1 : (p + z22n + half) / (1 + 2 * z22n),
  };
}
