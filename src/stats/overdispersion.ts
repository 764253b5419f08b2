// Over-dispersion in a funnel plot: when providers differ more than chance allows (case mix,
// coding), plain limits flag too many. Spiegelhalter's remedies, as the R package FunnelPlotR
// implements them (`od_adjustment.R`, `calculate_limits.R`): z-scores on a variance-stabilising
// scale, winsorised at 10% each side; the multiplicative factor φ; the additive random-effects τ²
// (DerSimonian–Laird style) and limits widened by it. Pure.
//
// References: D. J. Spiegelhalter, Handling over-dispersion of performance indicators, Qual Saf
// Health Care 14 (2005) 347–351; Spiegelhalter, Statistics in Medicine 24 (2005) 1185, §4;
// FunnelPlotR (Mainey), functions transformed_zscore, winsorisation, phi_func, tau_func,
// calculate_limits.

import { normalQuantile } from './distributions.js';
import { DEFAULT_LEVELS, levelKey } from './funnel.js';

export interface OverdispersionUnit {
  id: string;
  /** Events (proportion) or observed count (ratio). */
  events: number;
  /** Denominator (proportion) or expected count (ratio). */
  n: number;
}

export type DataType = 'proportion' | 'ratio';
/** Ratio scale: log (FunnelPlotR sr_method "SHMI", its default) or square root ("CQC"). */
export type RatioScale = 'log' | 'sqrt';

export interface OverdispersionOptions {
  type: DataType;
  /** Proportion: default the pooled Σevents/Σn (as FunnelPlotR); ratio: default 1. */
  target?: number;
  ratioScale?: RatioScale;
  /** Fraction winsorised at each end; FunnelPlotR's trim_by, default 0.1. */
  trim?: number;
  levels?: readonly number[];
}

export interface OverdispersionUnitResult {
  id: string;
  /** events/n: the proportion or the observed/expected ratio. */
  value: number;
  /** Unadjusted z-score on the transformed scale. */
  z: number;
  winsorisedZ: number;
  /** z/√φ when φ > 1 (Spiegelhalter's multiplicative adjustment), else z. */
  zMultiplicative: number;
  /** Limits widened by τ², on the original scale, keyed by level. */
  lower: Record<string, number>;
  upper: Record<string, number>;
  /** value outside the τ²-adjusted 95% (99.8%) limits (strictly, as FunnelPlotR). */
  outlier95: boolean;
  outlier998: boolean;
}

export interface OverdispersionResult {
  type: DataType;
  ratioScale?: RatioScale;
  target: number;
  /** The winsorising bounds of the z-scores (R quantile type 7 at trim and 1 − trim). */
  zLower: number;
  zUpper: number;
  /** φ = (1/I)·Σ winsorised z²; > 1 suggests over-dispersion. */
  phi: number;
  /** I·φ, to compare with χ²(I − 1) (Spiegelhalter 2005 §4.1). */
  dispersionStatistic: number;
  tau2: number;
  units: OverdispersionUnitResult[];
}

/** R's default sample quantile (type 7): linear interpolation between order statistics. */
export function quantileType7(sorted: readonly number[], prob: number): number {
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

/** Winsorising as FunnelPlotR's `winsorisation`: values beyond the trim and 1 − trim quantiles set to them. */
export function winsorise(z: readonly number[], trim = 0.1): { values: number[]; lower: number; upper: number } {
  const sorted = [...z].sort((x, y) => x - y);
  const lower = quantileType7(sorted, trim);
  const upper = quantileType7(sorted, 1 - trim);
  return { values: z.map((v) => Math.min(upper, Math.max(lower, v))), lower, upper };
}

/**
 * τ² as FunnelPlotR's `tau_func` (DerSimonian–Laird): 0 if I·φ < I − 1, else
 * max(0, (I·φ − (I − 1)) / (Σw − Σw²/Σw)), w = 1/s². With one unit the denominator is 0 and no
 * between-unit variance can be estimated: τ² = 0 (ours).
 */
export function tau2(phi: number, s: readonly number[]): number {
  const i = s.length;
  if (i < 2 || i * phi < i - 1) return 0;
  const w = s.map((x) => 1 / (x * x));
  const sw = w.reduce((a, b) => a + b, 0);
  const sw2 = w.reduce((a, b) => a + b * b, 0);
  return Math.max(0, (i * phi - (i - 1)) / (sw - sw2 / sw));
}

/**
 * Over-dispersion analysis of units against a target (FunnelPlotR transformed_zscore):
 * - proportion: y = asin(√(r/n)), s = 1/(2√n), z = (y − asin√θ)/s; limits
 *   sin²(asin√θ ± z_p·√(s² + τ²)), the angle clamped to [0, π/2] (ours: FunnelPlotR does not
 *   clamp, and sin² of a negative angle would fold the lower limit back up);
 * - ratio, log scale (SHMI): z = (log(O/E) − log θ)·√(θE), s = 1/√(θE); limits
 *   θ·exp(±z_p·√(s² + τ²)) (θ = 1 is exactly FunnelPlotR's √E·log(O/E)). Needs O > 0;
 * - ratio, sqrt scale (CQC): y = √(O/E), s = 1/(2√E), z = (y − √θ)/s; limits
 *   (√θ ± z_p·√(s² + τ²))², the base clamped at 0.
 * Then z winsorised, φ = (1/I)·Σ z_w², τ² as {@link tau2}; a unit is an outlier at a level when its
 * value lies strictly outside the τ²-adjusted limits (τ² = 0: the unadjusted transformed limits).
 */
export function overdispersion(units: readonly OverdispersionUnit[], opts: OverdispersionOptions): OverdispersionResult {
  const { type } = opts;
  const scale: RatioScale = opts.ratioScale ?? 'log';
  const levels = opts.levels ?? DEFAULT_LEVELS;
  const trim = opts.trim ?? 0.1;
  const target =
    opts.target ?? (type === 'proportion' ? units.reduce((a, u) => a + u.events, 0) / units.reduce((a, u) => a + u.n, 0) : 1);

  let centre: number;
  let transform: (v: number) => number;
  let sOf: (n: number) => number;
  let back: (y: number) => number;
  if (type === 'proportion') {
    centre = Math.asin(Math.sqrt(target));
    transform = (v) => Math.asin(Math.sqrt(v));
    sOf = (n) => 1 / (2 * Math.sqrt(n));
    back = (y) => Math.sin(Math.min(Math.PI / 2, Math.max(0, y))) ** 2;
  } else if (scale === 'log') {
    centre = Math.log(target);
    transform = Math.log;
    sOf = (n) => 1 / Math.sqrt(target * n);
    back = Math.exp;
  } else {
    centre = Math.sqrt(target);
    transform = Math.sqrt;
    sOf = (n) => 1 / (2 * Math.sqrt(n));
    back = (y) => Math.max(0, y) ** 2;
  }

  const values = units.map((u) => u.events / u.n);
  const s = units.map((u) => sOf(u.n));
  const z = values.map((v, i) => (transform(v) - centre) / (s[i] as number));
  const w = winsorise(z, trim);
  const phi = w.values.reduce((a, v) => a + v * v, 0) / units.length;
  const t2 = tau2(phi, s);
  const shrink = Math.sqrt(Math.max(1, phi));

  const result: OverdispersionUnitResult[] = units.map((u, i) => {
    const value = values[i] as number;
    const sd = Math.sqrt((s[i] as number) ** 2 + t2);
    const lower: Record<string, number> = {};
    const upper: Record<string, number> = {};
    for (const level of levels) {
      const zp = normalQuantile((1 + level) / 2);
      const k = levelKey(level);
      lower[k] = back(centre - zp * sd);
      upper[k] = back(centre + zp * sd);
    }
    return {
      id: u.id,
      value,
      z: z[i] as number,
      winsorisedZ: w.values[i] as number,
      zMultiplicative: (z[i] as number) / shrink,
      lower,
      upper,
      outlier95: outsideAt(value, 0.95, centre, s[i] as number, t2, back),
      outlier998: outsideAt(value, 0.998, centre, s[i] as number, t2, back),
    };
  });

  return {
    type,
    ...(type === 'ratio' ? { ratioScale: scale } : {}),
    target,
    zLower: w.lower,
    zUpper: w.upper,
    phi,
    dispersionStatistic: phi * units.length,
    tau2: t2,
    units: result,
  };
}

function outsideAt(value: number, level: number, centre: number, s: number, t2: number, back: (y: number) => number): boolean {
  const zp = normalQuantile((1 + level) / 2);
  const sd = Math.sqrt(s * s + t2);
  return value < back(centre - zp * sd) || value > back(centre + zp * sd);
}
