// Beta-binomial posterior for an event rate: how probable is it, given x events in n insertions,
// that the true rate exceeds a declared threshold (the Bayesian updating alert of DELTA, Resnic et
// al. JAMA 2010: alert when P(p > t | data) ≥ a chosen level). Pure.

import { betaIComplement, betaQuantile } from './distributions.js';

export interface BetaBinomialResult {
  /** P(p > threshold | x, n) = 1 − I_t(α + x, β + n − x) (R: 1 − pbeta(t, α + x, β + n − x)). */
  posteriorProbability: number;
  /** (α + x)/(α + β + n). */
  posteriorMean: number;
  /** Equal-tailed credible interval: qbeta((1 ∓ level)/2, α + x, β + n − x). */
  lower: number;
  upper: number;
  alpha: number;
  beta: number;
}

/**
 * Conjugate update of a Beta(α, β) prior on the event probability p by x events in n trials
 * (Gelman et al., Bayesian Data Analysis, §2.4): posterior Beta(α + x, β + n − x). The default
 * prior Beta(1, 1) is uniform; a registry can instead encode the manufacturer's expected rate
 * (e.g. Beta(2, 98) for about 2% expulsions). n = 0 returns the prior.
 */
export function betaBinomialPosterior(events: number, n: number, threshold: number, opts: { priorAlpha?: number; priorBeta?: number; level?: number } = {}): BetaBinomialResult {
  const a = (opts.priorAlpha ?? 1) + events;
  const b = (opts.priorBeta ?? 1) + n - events;
  const level = opts.level ?? 0.95;
  return {
    // the complement directly, so a tiny probability keeps its relative accuracy
    posteriorProbability: betaIComplement(threshold, a, b),
    posteriorMean: a / (a + b),
    lower: betaQuantile((1 - level) / 2, a, b),
    upper: betaQuantile((1 + level) / 2, a, b),
    alpha: a,
    beta: b,
  };
}
