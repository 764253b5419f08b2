// Sequential monitoring against R (test/fixtures/stats/sequential.R made the fixture): CUSUM and
// risk-adjusted CUSUM (transcribed `cusum` package), simulated limits and run lengths within Monte
// Carlo error, MaxSPRT LLRs and exact critical values (transcribed `Sequential::CV.Poisson` and its
// published table), beta-binomial posterior (R's pbeta/qbeta).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { betaBinomialPosterior } from '../../src/stats/beta-binomial.js';
import { bernoulliCusum, cusumLimitSim, cusumRunLength, quantileType7, riskAdjustedCusum, riskAdjustedWeight } from '../../src/stats/cusum.js';
import { binomialMaxSprtLlr, poissonMaxSprtAlpha, poissonMaxSprtCv, poissonMaxSprtLlr } from '../../src/stats/maxsprt.js';
import { createRandom, randomFromState } from '../../src/stats/random.js';

const F = JSON.parse(readFileSync(new URL('../fixtures/stats/sequential.json', import.meta.url), 'utf8')) as Record<string, any[]>;
const REL = 1e-6;
function rel(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}
/** Relative where the value is not 0, absolute (1e-12) at 0. */
const close = (a: number, e: number, tol = REL) => (e === 0 ? Math.abs(a) < 1e-12 : rel(a, e) <= tol);

describe('random: xoshiro128**', () => {
  it('matches the reference C implementation (Blackman & Vigna) from a given state', () => {
    const r = randomFromState([0x9e3779b9, 0x7f4a7c15, 0xdeadbeef, 12345]);
    // printed by the reference xoshiro128starstar.c next() from this state
    expect(Array.from({ length: 6 }, () => r.nextUint32())).toEqual([199744174, 3631572119, 977191155, 1666302750, 509392584, 4232661364]);
  });
  it('is reproducible per seed, different across seeds, uniform on [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const xs = Array.from({ length: 100000 }, () => a.nextFloat());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.nextFloat()));
    expect(xs[0]).not.toBe(c.nextFloat());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / xs.length));
  });
});

describe('Bernoulli CUSUM matches cusum::cusum', () => {
  let worst = 0;
  it.each(F.cusum!.map((c) => [c.name, c]))('%s', (_n, c) => {
    const r = bernoulliCusum(c.p0, c.outcomes, c.limit, { oddsMultiplier: c.oddsMultiplier, reset: c.reset });
    expect(r.signals).toEqual(c.signals);
    c.values.forEach((v: number, i: number) => {
      worst = Math.max(worst, v === 0 ? Math.abs(r.values[i]!) : rel(r.values[i]!, v));
      expect(close(r.values[i]!, v), `t=${i}: ${r.values[i]} vs R ${v}`).toBe(true);
    });
    if (c.p0 > 0.5) expect(r.p0Used).toBeCloseTo(1 - c.p0, 15);
  });
  it('improvement chart (R < 1) matches racusum (values after reset there)', () => {
    for (const c of F.cusumImprovement!) {
      const r = bernoulliCusum(c.p0, c.outcomes, c.limit, { oddsMultiplier: c.oddsMultiplier });
      expect(r.signals).toEqual(c.signals);
      c.valuesAfterReset.forEach((v: number, i: number) => {
        const ours = r.signals.includes(i) ? 0 : r.values[i]!;
        expect(close(ours, v), `t=${i}`).toBe(true);
      });
      for (const s of r.signals) expect(r.values[s]!).toBeLessThanOrEqual(c.limit);
    }
  });
  it('reports run lengths between signals', () => {
    const r = bernoulliCusum(0.05, [1, 1, 1, 0, 1, 1, 1], 2, {});
    expect(r.signals.length).toBeGreaterThan(0);
    expect(r.runLengths.reduce((a, b) => a + b, 0)).toBe(r.signals[r.signals.length - 1]! + 1);
  });
  it('refuses p0 = 0 or 1 and R = 1', () => {
    expect(() => bernoulliCusum(0, [0], 1)).toThrow(/p0/);
    expect(() => bernoulliCusum(1, [0], 1)).toThrow(/p0/);
    expect(() => bernoulliCusum(0.1, [0], 1, { oddsMultiplier: 1 })).toThrow(/oddsMultiplier/);
    expect(() => bernoulliCusum(0.1, [0], 1, { oddsMultiplier: 0.5 })).toThrow(/negative/);
  });
});

describe('risk-adjusted CUSUM matches cusum::racusum', () => {
  it.each(F.raCusum!.map((c) => [c.name, c]))('%s', (_n, c) => {
    c.weights.forEach((w: number, i: number) => expect(close(riskAdjustedWeight(c.risks[i], c.outcomes[i], c.oddsMultiplier), w)).toBe(true));
    const r = riskAdjustedCusum(c.risks, c.outcomes, c.limit, { oddsMultiplier: c.oddsMultiplier, reset: c.reset });
    expect(r.signals).toEqual(c.signals);
    // racusum stores C_t after the reset; we keep the crossing value (0 there in R)
    c.valuesAfterReset.forEach((v: number, i: number) => {
      const ours = c.reset && r.signals.includes(i) ? 0 : r.values[i]!;
      expect(close(ours, v), `t=${i}: ${ours} vs R ${v}`).toBe(true);
    });
  });
});

describe('simulated control limits: cusum::cusum_limit_sim within Monte Carlo error', () => {
  it.each(F.cusumLimit!.map((c) => [`p0 ${c.p0}, n ${c.n}, R ${c.oddsMultiplier}, α ${c.falseSignalProbability}`, c]))('%s', (_n, c) => {
    const ours = cusumLimitSim({ p0: c.p0, oddsMultiplier: c.oddsMultiplier, n: c.n, falseSignalProbability: c.falseSignalProbability, simulations: c.simulations, seed: 2046 });
    // R returns the positive quantile also for R < 1; ours is signed for the improvement chart
    const magnitude = Math.abs(ours.limit);
    if (c.oddsMultiplier < 1) expect(ours.limit).toBeLessThan(0);
    // two independent 95% order-statistic intervals: the estimates differ by less than their sum
    expect(Math.abs(magnitude - c.limit), `${magnitude} vs R ${c.limit} ± ${ours.monteCarloError + c.monteCarloError}`).toBeLessThanOrEqual(ours.monteCarloError + c.monteCarloError);
    expect(ours.monteCarloError).toBeLessThan(0.2);
  });
  it('is reproducible: same seed, same limit; another seed, another estimate', () => {
    const req = { p0: 0.05, oddsMultiplier: 2, n: 100, falseSignalProbability: 0.05, simulations: 2000, seed: 9 };
    expect(cusumLimitSim(req)).toEqual(cusumLimitSim(req));
    expect(cusumLimitSim({ ...req, seed: 10 }).limit).not.toBe(cusumLimitSim(req).limit);
  });
  it('quantile type 7 as R', () => {
    expect(quantileType7([1, 2, 3, 4], 0.5)).toBe(2.5); // quantile(1:4, .5)
    expect(quantileType7([1, 2, 3, 4, 10], 0.95)).toBeCloseTo(8.8, 12); // quantile(c(1:4,10), .95)
    expect(quantileType7([7], 0.9)).toBe(7);
  });
  it('the limit gives about α false signals over n outcomes (checked by our own chart)', () => {
    const { limit } = cusumLimitSim({ p0: 0.05, oddsMultiplier: 2, n: 100, falseSignalProbability: 0.05, simulations: 20000, seed: 1 });
    const rng = createRandom(77);
    let signalled = 0;
    const m = 10000;
    for (let s = 0; s < m; s++) {
      const y = Array.from({ length: 100 }, () => rng.bernoulli(0.05));
      if (bernoulliCusum(0.05, y, limit).signals.length > 0) signalled++;
    }
    // the max-C distribution is discrete, so the realised rate is at most α plus the atom; Monte Carlo ±4 SE
    expect(signalled / m).toBeLessThan(0.05 + 4 * Math.sqrt(0.05 * 0.95 / m) + 0.02);
    expect(signalled / m).toBeGreaterThan(0.02);
  });
  it('n = 1 works (R cusum_limit_sim fails there on 2:npat)', () => {
    const r = cusumLimitSim({ p0: 0.3, oddsMultiplier: 2, n: 1, falseSignalProbability: 0.05, simulations: 1000, seed: 1 });
    expect(r.limit).toBeCloseTo(Math.log(2 * 0.3 / (0.7 + 0.6) / 0.3), 12); // the event weight
  });
});

describe('in-control run length (ARL0) within Monte Carlo error of R', () => {
  it.each(F.cusumArl!.map((c) => [`p0 ${c.p0}, h ${c.limit}`, c]))('%s', (_n, c) => {
    const ours = cusumRunLength({ p0: c.p0, oddsMultiplier: c.oddsMultiplier, limit: c.limit, simulations: c.simulations, seed: 5, maxLength: 1e7 });
    expect(ours.censored).toBe(0);
    const se = Math.hypot(ours.standardError, c.standardError);
    expect(Math.abs(ours.arl - c.arl), `${ours.arl} vs R ${c.arl}, 4 SE = ${4 * se}`).toBeLessThanOrEqual(4 * se);
  });
});

describe('MaxSPRT', () => {
  it.each(F.maxsprtPoisson!.map((c) => [`Poisson c=${c.observed}, μ=${c.expected}`, c]))('%s', (_n, c) => {
    expect(close(poissonMaxSprtLlr(c.observed, c.expected), c.llr)).toBe(true);
  });
  it.each(F.maxsprtBinomial!.map((c) => [`binomial c=${c.cases}, n=${c.n}, z=${c.z}`, c]))('%s', (_n, c) => {
    expect(close(binomialMaxSprtLlr(c.cases, c.n, c.z), c.llr)).toBe(true);
  });
  it.each(F.cvPoisson!.map((c) => [`CV.Poisson(${c.sampleSize}, M=${c.minEvents}, α=${c.alpha})`, c]))('%s (transcribed)', (_n, c) => {
    const cv = poissonMaxSprtCv(c.sampleSize, c.alpha, c.minEvents);
    // R's transcription stops when its α is within 1e-8: a CV error of ~1e-7 at most
    expect(rel(cv, c.criticalValue), `${cv} vs R ${c.criticalValue}`).toBeLessThanOrEqual(REL);
    expect(Math.abs(poissonMaxSprtAlpha(cv, c.sampleSize, c.minEvents) - c.alpha)).toBeLessThan(1e-12);
  });
  it.each(F.cvPoissonPublished!.map((c) => [`T=${c.sampleSize}, M=${c.minEvents}`, c]))('published table %s', (_n, c) => {
    expect(rel(poissonMaxSprtCv(c.sampleSize, c.alpha, c.minEvents), c.criticalValue)).toBeLessThanOrEqual(1e-9);
  });
  it('refuses a minimum number of events that cannot reach α', () => {
    // P(N(1) ≥ 4) = 0.019 < 0.05: R says "Does not have solution"
    expect(() => poissonMaxSprtCv(1, 0.05, 4)).toThrow(/no critical value/);
  });
  it('LLR is 0 when observed ≤ expected and for c/n ≤ p', () => {
    expect(poissonMaxSprtLlr(0, 3)).toBe(0);
    expect(poissonMaxSprtLlr(3, 3)).toBe(0);
    expect(binomialMaxSprtLlr(0, 5, 1)).toBe(0);
    expect(binomialMaxSprtLlr(5, 5, 1)).toBeCloseTo(5 * Math.log(2), 14);
  });
});

describe('beta-binomial posterior matches pbeta/qbeta', () => {
  it.each(F.betaBinomial!.map((c) => [`x=${c.events}, n=${c.n}, t=${c.threshold}, Beta(${c.priorAlpha}, ${c.priorBeta})`, c]))('%s', (_n, c) => {
    const r = betaBinomialPosterior(c.events, c.n, c.threshold, { priorAlpha: c.priorAlpha, priorBeta: c.priorBeta });
    expect(close(r.posteriorProbability, c.posteriorProbability), `${r.posteriorProbability} vs R ${c.posteriorProbability}`).toBe(true);
    expect(close(r.posteriorMean, c.posteriorMean)).toBe(true);
    expect(close(r.lower, c.lower), `${r.lower} vs ${c.lower}`).toBe(true);
    expect(close(r.upper, c.upper)).toBe(true);
  });
});
