// Event rates per person-time (e.g. expulsions per 1000 woman-years) and the ratio of two rates. Pure.

import { betaQuantile, binomialCdf, binomialPmf, binomialUpper, gammaQuantile } from './distributions.js';

export interface RateInterval {
  rate: number;
  lower: number;
  upper: number;
}

/**
 * Poisson rate x/T with the exact (Garwood) interval: lower = G⁻¹(α/2; x)/T (0 at x = 0),
 * upper = G⁻¹(1−α/2; x+1)/T, G the gamma(shape, 1) distribution (equivalently ½χ²). Garwood,
 * Biometrika 28 (1936) 437; R `poisson.test(x, T)$conf.int`.
 */
export function poissonRate(events: number, exposure: number, level = 0.95): RateInterval {
  if (!Number.isInteger(events) || events < 0) throw new RangeError('events must be a whole number ≥ 0');
  if (!(exposure > 0) || !Number.isFinite(exposure)) throw new RangeError('exposure must be positive');
  const alpha = (1 - level) / 2;
  return {
    rate: events / exposure,
    lower: events === 0 ? 0 : gammaQuantile(alpha, events) / exposure,
    upper: gammaQuantile(1 - alpha, events + 1) / exposure,
  };
}

export interface RateRatio {
  /** (x₁/T₁)/(x₂/T₂); Infinity when x₂ = 0 < x₁; null when x₁ = x₂ = 0 (0/0). */
  estimate: number | null;
  lower: number;
  /** Infinity when x₂ = 0. */
  upper: number;
  /** Two-sided exact conditional p-value for ratio 1; 1 when there are no events. */
  pValue: number;
}

/**
 * Rate ratio with the exact conditional interval: given x₁ + x₂ = n, x₁ ~ Binomial(n, π) with
 * π = θT₁/(θT₁ + T₂); the Clopper–Pearson bounds (πL, πU) for π map to θ = π/(1−π)·T₂/T₁. The p-value is
 * the binomial test of π = T₁/(T₁+T₂) (sum of probabilities ≤ the observed one, relative tolerance
 * 1 + 1e-7). R `poisson.test(c(x1, x2), c(T1, T2))` (which calls `binom.test`).
 * With no events at all R refuses (binom.test needs n ≥ 1); we return estimate null, interval [0, ∞), p 1.
 */
export function rateRatio(events1: number, exposure1: number, events2: number, exposure2: number, level = 0.95): RateRatio {
  for (const x of [events1, events2]) if (!Number.isInteger(x) || x < 0) throw new RangeError('events must be whole numbers ≥ 0');
  for (const t of [exposure1, exposure2]) if (!(t > 0) || !Number.isFinite(t)) throw new RangeError('exposure must be positive');
  const n = events1 + events2;
  if (n === 0) return { estimate: null, lower: 0, upper: Infinity, pValue: 1 };
  const alpha = (1 - level) / 2;
  const pL = events1 === 0 ? 0 : betaQuantile(alpha, events1, n - events1 + 1);
  const pU = events1 === n ? 1 : betaQuantile(1 - alpha, events1 + 1, n - events1);
  const scale = exposure2 / exposure1;
  return {
    estimate: events2 === 0 ? Infinity : events1 / exposure1 / (events2 / exposure2),
    lower: (pL / (1 - pL)) * scale,
    upper: pU === 1 ? Infinity : (pU / (1 - pU)) * scale,
    pValue: binomialTwoSided(events1, n, exposure1 / (exposure1 + exposure2)),
  };
}

/**
 * Two-sided exact binomial p-value as R's `binom.test`: P of all outcomes no more likely than the
 * observed one (relative tolerance 1 + 1e-7 so that ties in floating point count as ties).
 */
export function binomialTwoSided(x: number, n: number, p: number): number {
  const relErr = 1 + 1e-7;
  const d = binomialPmf(x, n, p);
  const m = n * p;
  if (x === m) return 1;
  let pv: number;
  if (x < m) {
    let y = 0;
    for (let i = Math.ceil(m); i <= n; i++) if (binomialPmf(i, n, p) <= d * relErr) y++;
    pv = binomialCdf(x, n, p) + binomialUpper(n - y + 1, n, p);
  } else {
    let y = 0;
    for (let i = 0; i <= Math.floor(m); i++) if (binomialPmf(i, n, p) <= d * relErr) y++;
    pv = binomialCdf(y - 1, n, p) + binomialUpper(x, n, p);
  }
  return Math.min(1, pv);
}
