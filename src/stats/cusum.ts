// Bernoulli CUSUM and risk-adjusted CUSUM (Steiner, Cook, Farewell & Treasure, Biostatistics
// 2000), as R package `cusum` 0.4 (Hubig) computes them: weights, chart, control limit simulated
// for a false-signal probability over n outcomes, and in-control run lengths. Pure.

import { createRandom } from './random.js';

/** A CUSUM path: chart values, and the 0-based outcome indices at which it signalled. */
export interface CusumResult {
  /** C_t after outcome t, before any reset (the value that crossed the limit at a signal). */
  values: Float64Array;
  /** 0-based indices t with C_t ≥ h (or ≤ h when detecting improvement). */
  signals: number[];
  /** Outcomes from the start (or the previous reset) up to and including each signal. */
  runLengths: number[];
}

export interface CusumOptions {
  /** Odds multiplier R under the alternative: > 1 detects deterioration, < 1 improvement. Default 2. */
  oddsMultiplier?: number;
  /** Restart at 0 after a signal (default true, as `cusum::cusum`). */
  reset?: boolean;
}

/** Refusals that are the caller's mistake (the request layer turns them into a pointer). */
export class CusumInputError extends Error {}

/**
 * Bernoulli CUSUM weights (Steiner et al. 2000; `cusum::cusum`, `cusum::weights_t`):
 * pA = R·p0 / (1 − p0 + R·p0); event: ln(pA/p0), no event: ln((1 − pA)/(1 − p0)).
 * As in R, p0 > 0.5 is recoded to 1 − p0 (the outcomes are not); `p0Used` says which was used.
 */
export function bernoulliCusumWeights(p0: number, oddsMultiplier = 2): { event: number; noEvent: number; p0Used: number } {
  if (!(p0 > 0 && p0 < 1)) throw new CusumInputError('p0 must be strictly between 0 and 1: with p0 = 0 or 1 an event (or its absence) is impossible and the weights are infinite');
  checkOddsMultiplier(oddsMultiplier);
  const p = p0 > 0.5 ? 1 - p0 : p0;
  const pA = (oddsMultiplier * p) / (1 - p + oddsMultiplier * p);
  return { event: Math.log(pA / p), noEvent: Math.log((1 - pA) / (1 - p)), p0Used: p };
}

/**
 * Risk-adjusted CUSUM weight for a patient with predicted risk p_t (Steiner et al. 2000;
 * `cusum::weights_t`): event: ln(R / (1 − p_t + R·p_t)), no event: ln(1 / (1 − p_t + R·p_t)).
 */
export function riskAdjustedWeight(risk: number, outcome: number, oddsMultiplier = 2): number {
  const denom = 1 - risk + oddsMultiplier * risk;
  return outcome === 1 ? Math.log(oddsMultiplier / denom) : -Math.log(denom);
}

function checkOddsMultiplier(r: number): void {
  if (!(r > 0) || !Number.isFinite(r)) throw new CusumInputError('oddsMultiplier must be a positive finite number');
  if (r === 1) throw new CusumInputError('oddsMultiplier must differ from 1: with R = 1 every weight is 0 and the chart cannot detect anything');
}

function checkLimit(limit: number, oddsMultiplier: number): void {
  if (oddsMultiplier > 1 && !(limit > 0)) throw new CusumInputError('limit must be positive when oddsMultiplier > 1 (detecting deterioration)');
  if (oddsMultiplier < 1 && !(limit < 0)) throw new CusumInputError('limit must be negative when oddsMultiplier < 1 (detecting improvement)');
}

/**
 * The chart over given weights w_t (`cusum::racusum`): deterioration (R > 1):
 * C_t = max(0, C_{t−1} + w_t), signal when C_t ≥ h; improvement (R < 1): C_t = min(0, C_{t−1} − w_t),
 * signal when C_t ≤ h (h < 0). After a signal C restarts at 0 when `reset`.
 */
export function cusumChart(weights: ArrayLike<number>, limit: number, improvement: boolean, reset = true): CusumResult {
  const n = weights.length;
  const values = new Float64Array(n);
  const signals: number[] = [];
  const runLengths: number[] = [];
  let c = 0;
  let start = 0;
  for (let t = 0; t < n; t++) {
    const w = weights[t] as number;
    let signal: boolean;
    if (improvement) {
      c = Math.min(0, c - w);
      signal = c <= limit;
    } else {
      c = Math.max(0, c + w);
      signal = c >= limit;
    }
    values[t] = c;
    if (signal) {
      signals.push(t);
      runLengths.push(t + 1 - start);
      if (reset) {
        c = 0;
        start = t + 1;
      }
    }
  }
  return { values, signals, runLengths };
}

/**
 * Bernoulli CUSUM over outcomes (1 = event) with a fixed baseline p0 (`cusum::cusum`, extended to
 * R < 1 with the improvement chart of `cusum::racusum`).
 */
export function bernoulliCusum(p0: number, outcomes: ArrayLike<number>, limit: number, opts: CusumOptions = {}): CusumResult & { p0Used: number } {
  const r = opts.oddsMultiplier ?? 2;
  const w = bernoulliCusumWeights(p0, r);
  checkLimit(limit, r);
  const n = outcomes.length;
  const weights = new Float64Array(n);
  for (let t = 0; t < n; t++) weights[t] = outcomes[t] === 1 ? w.event : w.noEvent;
  return { ...cusumChart(weights, limit, r < 1, opts.reset ?? true), p0Used: w.p0Used };
}

/**
 * Risk-adjusted CUSUM (Steiner et al. 2000; `cusum::racusum`): each outcome weighed against the
 * patient's own predicted risk p_t ∈ [0, 1], so case-mix does not raise false alarms.
 */
export function riskAdjustedCusum(risks: ArrayLike<number>, outcomes: ArrayLike<number>, limit: number, opts: CusumOptions = {}): CusumResult {
  const r = opts.oddsMultiplier ?? 2;
  checkOddsMultiplier(r);
  checkLimit(limit, r);
  if (risks.length !== outcomes.length) throw new CusumInputError('risks and outcomes must have the same length');
  const n = outcomes.length;
  const weights = new Float64Array(n);
  for (let t = 0; t < n; t++) weights[t] = riskAdjustedWeight(risks[t] as number, outcomes[t] as number, r);
  return cusumChart(weights, limit, r < 1, opts.reset ?? true);
}

/** R's default quantile (type 7): linear interpolation between order statistics, on sorted data. */
export function quantileType7(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const x = sorted[lo] as number;
  return x + (h - lo) * ((sorted[hi] as number) - x);
}

export interface CusumLimitRequest {
  p0: number;
  oddsMultiplier: number;
  /** Outcomes in the monitoring period. */
  n: number;
  /** False-signal probability α over those n outcomes when the process is in control. */
  falseSignalProbability: number;
  simulations: number;
  seed: number;
}

/**
 * Control limit h for a Bernoulli CUSUM with false-signal probability α over n in-control outcomes
 * (`cusum::cusum_limit_sim`): simulate `simulations` in-control sequences (outcomes ~ Bernoulli(p0)),
 * take each path's maximum of the unreset chart, and return the (1 − α) quantile of those maxima
 * (R type 7). For R < 1 the improvement chart is the mirror image, so its limit is the negated
 * quantile (ready for `bernoulliCusum`). The Monte Carlo error is the half-width of the
 * distribution-free 95% confidence interval for that quantile from the order statistics
 * X_(j), X_(k), j, k = n·q ∓ 1.96·√(n·q·(1 − q)) (Conover, Practical Nonparametric Statistics, §3.2).
 */
export function cusumLimitSim(req: CusumLimitRequest): { limit: number; monteCarloError: number; interval: [number, number]; p0Used: number } {
  const { n, simulations, falseSignalProbability: alpha } = req;
  const w = bernoulliCusumWeights(req.p0, req.oddsMultiplier);
  if (!(alpha > 0 && alpha < 1)) throw new CusumInputError('falseSignalProbability must be strictly between 0 and 1');
  const improvement = req.oddsMultiplier < 1;
  // mirror the improvement chart: min(0, C − w) = −max(0, −C + w)
  const we = w.event;
  const wn = w.noEvent;
  const p = w.p0Used;
  const rng = createRandom(req.seed);
  const maxima = new Float64Array(simulations);
  for (let s = 0; s < simulations; s++) {
    let c = 0;
    let m = 0;
    for (let t = 0; t < n; t++) {
      c += rng.nextFloat() < p ? we : wn;
      if (c < 0) c = 0;
      else if (c > m) m = c;
    }
    maxima[s] = m;
  }
  maxima.sort();
  const q = 1 - alpha;
  const limit = quantileType7(maxima, q);
  const half = 1.959963984540054 * Math.sqrt(simulations * q * (1 - q));
  const lo = maxima[Math.max(0, Math.floor(simulations * q - half) - 1)] as number;
  const hi = maxima[Math.min(simulations - 1, Math.ceil(simulations * q + half) - 1)] as number;
  const err = Math.max(limit - lo, hi - limit);
  const sign = improvement ? -1 : 1;
  const interval: [number, number] = improvement ? [-hi, -lo] : [lo, hi];
  return { limit: sign * limit, monteCarloError: err, interval, p0Used: p };
}

/**
 * In-control run length of a Bernoulli CUSUM with limit h: outcomes until the first signal when
 * events occur with probability p0, simulated; the average run length (ARL0) with its standard
 * error s/√m. Runs that reach `maxLength` without a signal are counted at maxLength (censored)
 * and reported, so the ARL is then a lower bound.
 */
export function cusumRunLength(req: { p0: number; oddsMultiplier: number; limit: number; simulations: number; seed: number; maxLength: number }): { arl: number; standardError: number; censored: number; simulations: number } {
  const w = bernoulliCusumWeights(req.p0, req.oddsMultiplier);
  checkLimit(req.limit, req.oddsMultiplier);
  const h = Math.abs(req.limit);
  const rng = createRandom(req.seed);
  let sum = 0;
  let sum2 = 0;
  let censored = 0;
  for (let s = 0; s < req.simulations; s++) {
    let c = 0;
    let t = 0;
    while (t < req.maxLength) {
      t++;
      c += rng.nextFloat() < w.p0Used ? w.event : w.noEvent;
      if (c < 0) c = 0;
      else if (c >= h) break;
    }
    if (c < h) censored++;
    sum += t;
    sum2 += t * t;
  }
  const m = req.simulations;
  const arl = sum / m;
  const variance = m > 1 ? (sum2 - m * arl * arl) / (m - 1) : 0;
  return { arl, standardError: Math.sqrt(Math.max(0, variance) / m), censored, simulations: m };
}
