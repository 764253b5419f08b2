// Funnel-plot control limits for comparing providers (hospitals, inserters, implant brands):
// a proportion against a target (exact binomial with Spiegelhalter's interpolation, or the normal
// approximation) and an observed/expected ratio against a target (exact Poisson). Pure.
//
// Reference: D. J. Spiegelhalter, Funnel plots for comparing institutional performance,
// Statistics in Medicine 24 (2005) 1185–1202, §2 and appendix A.1; the Poisson limits as in the R
// package FunnelPlotR (`calculate_limits.R`, data_type "SR", unadjusted).
//
// A level is a two-sided coverage: 0.95 gives the 2.5% and 97.5% points, 0.998 the 0.1% and 99.9%.

import { binomialCdf, chiSquareQuantile, normalQuantile } from './distributions.js';

/** The levels Spiegelhalter recommends: "2 SD" (95%) and "3 SD" (99.8%). */
export const DEFAULT_LEVELS: readonly number[] = [0.95, 0.998];

/** Limits at one size, keyed by level as written in JSON (`String(0.95)` = "0.95"). */
export interface FunnelLimit {
  n: number;
  lower: Record<string, number>;
  upper: Record<string, number>;
}

export interface RatioFunnelLimit {
  expected: number;
  lower: Record<string, number>;
  upper: Record<string, number>;
}

/**
 * The p-point of the number of events for Binomial(n, θ), as a proportion, with Spiegelhalter's
 * interpolation (2005, appendix A.1.1): with F the Binomial(n, θ) CDF, r_p = the smallest r with
 * F(r) ≥ p, α = (F(r_p) − p)/(F(r_p) − F(r_p − 1)), limit = (r_p − α)/n. The interpolation makes
 * the limit a smooth curve in n instead of a staircase.
 *
 * Edge cases (ours, the R transcription does the same): θ = 0 or θ = 1 is a degenerate
 * distribution, so the limit is θ itself; when r_p = 0 the formula can go below 0 (down to −1/n)
 * and is clamped at 0, since a proportion cannot be negative.
 */
export function binomialFunnelPoint(target: number, n: number, p: number): number {
  if (target <= 0 || target >= 1) return target <= 0 ? 0 : 1;
  // binary search for r_p on [0, n]: F(n) = 1 ≥ p always
  let lo = 0;
  let hi = n;
  if (binomialCdf(0, n, target) >= p) hi = 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialCdf(mid, n, target) >= p) hi = mid;
    else lo = mid;
  }
  const r = hi;
  const fr = binomialCdf(r, n, target);
  const frm1 = binomialCdf(r - 1, n, target);
  const alpha = (fr - p) / (fr - frm1);
  return Math.max(0, (r - alpha) / n);
}

/**
 * The p-point of a proportion under the normal approximation (Spiegelhalter 2005, §2):
 * θ + z_p·√(θ(1 − θ)/n), clamped to [0, 1] (ours: the approximation can leave the unit interval
 * for small n or θ near 0 or 1; the R transcription clamps too).
 */
export function normalFunnelPoint(target: number, n: number, p: number): number {
  const v = target + normalQuantile(p) * Math.sqrt((target * (1 - target)) / n);
  return Math.min(1, Math.max(0, v));
}

/** Level as a JSON key: 0.95 → "0.95". */
export const levelKey = (level: number): string => String(level);

/**
 * Funnel limits for a proportion with target θ at each size n, for each two-sided level:
 * lower = the (1 − level)/2 point, upper = the (1 + level)/2 point.
 */
export function proportionFunnel(target: number, sizes: readonly number[], levels: readonly number[] = DEFAULT_LEVELS, method: 'exact' | 'normal' = 'exact'): FunnelLimit[] {
  const point = method === 'exact' ? binomialFunnelPoint : normalFunnelPoint;
  return sizes.map((n) => {
    const lower: Record<string, number> = {};
    const upper: Record<string, number> = {};
    for (const level of levels) {
      lower[levelKey(level)] = point(target, n, (1 - level) / 2);
      upper[levelKey(level)] = point(target, n, (1 + level) / 2);
    }
    return { n, lower, upper };
  });
}

/**
 * Exact Poisson limits for an observed/expected ratio with target θ and expected count E > 0
 * (Spiegelhalter 2005, appendix A.1.2; FunnelPlotR): lower = θ·χ²_{(1−level)/2}(2E)/(2E),
 * upper = θ·χ²_{(1+level)/2}(2(E + 1))/(2E), χ²_p(df) the p-quantile. E need not be whole.
 */
export function ratioFunnel(expected: readonly number[], levels: readonly number[] = DEFAULT_LEVELS, target = 1): RatioFunnelLimit[] {
  return expected.map((e) => {
    const lower: Record<string, number> = {};
    const upper: Record<string, number> = {};
    for (const level of levels) {
      lower[levelKey(level)] = (target * chiSquareQuantile((1 - level) / 2, 2 * e)) / (2 * e);
      upper[levelKey(level)] = (target * chiSquareQuantile((1 + level) / 2, 2 * (e + 1))) / (2 * e);
    }
    return { expected: e, lower, upper };
  });
}
