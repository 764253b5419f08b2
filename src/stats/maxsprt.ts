// Maximised sequential probability ratio test (MaxSPRT; Kulldorff, Davis, Kolczak, Lewis, Lieu &
// Platt, "A maximized sequential probability ratio test for drug and vaccine safety surveillance",
// Sequential Analysis 30:58–78, 2011), as R package `Sequential` computes it: the log-likelihood
// ratios for Poisson and binomial data, and the exact critical value of continuous Poisson
// surveillance (`Sequential::CV.Poisson`). Pure.

import { poissonPmf, poissonUpper } from './distributions.js';

export class MaxSprtInputError extends Error {}

/**
 * Poisson MaxSPRT log-likelihood ratio for c observed events when μ are expected under H0
 * (Kulldorff et al. 2011 eq. 1; `Sequential::Analyze.Poisson`):
 * LLR = (μ − c) + c·ln(c/μ) if c > μ, else 0 (one-sided: fewer events than expected is no signal).
 */
export function poissonMaxSprtLlr(observed: number, expected: number): number {
  if (!(expected > 0)) throw new MaxSprtInputError('expected must be positive');
  if (observed <= expected) return 0;
  return expected - observed + observed * Math.log(observed / expected);
}

/**
 * Binomial MaxSPRT log-likelihood ratio (Kulldorff et al. 2011 §3; `Sequential::Analyze.Binomial`):
 * c cases among n events, each a case with probability p = 1/(1 + z) under H0 (z = matching ratio,
 * controls per case). LLR = c·ln(c/(n·p)) + (n − c)·ln((n − c)/(n·(1 − p))) if c/n > p, else 0;
 * 0·ln 0 = 0, so c = n gives n·ln(1/p) = n·ln(1 + z).
 */
export function binomialMaxSprtLlr(cases: number, n: number, z: number): number {
  if (!(z > 0)) throw new MaxSprtInputError('z must be positive');
  if (!(n >= 1)) throw new MaxSprtInputError('n must be at least 1');
  if (cases < 0 || cases > n) throw new MaxSprtInputError('cases must be between 0 and n');
  const p = 1 / (1 + z);
  if (cases / n <= p) return 0;
  const a = cases * Math.log(cases / (n * p));
  const b = cases === n ? 0 : (n - cases) * Math.log((n - cases) / (n * (1 - p)));
  return a + b;
}

/**
 * The time μ_c (expected events under H0) up to which c events make LLR ≥ CV: the root μ < c of
 * (μ − c) + c·ln(c/μ) = CV, i.e. μ = −c·W₀(−exp(−1 − CV/c)) with Lambert's W (the `ProdLog` of
 * `CV.Poisson`). Solved as u = ln(c/μ) from e^(−u) − 1 + u = CV/c by Newton's method, which
 * converges monotonically from u = 1 + CV/c (the function is convex and increasing).
 */
export function signalTime(c: number, cv: number): number {
  const a = cv / c;
  let u = 1 + a;
  for (let i = 0; i < 100; i++) {
    const f = Math.expm1(-u) + u - a;
    const step = f / -Math.expm1(-u);
    u -= step;
    if (!(Math.abs(step) > 1e-16 * u)) break;
  }
  return c * Math.exp(-u);
}

/**
 * Probability of a false signal by SampleSize T for critical value CV, with signals allowed from
 * M events on (the `Perror_I` of `CV.Poisson`, continuous surveillance, D = 0). With μ_c the
 * signal time for c events, the process is followed at μ_M, μ_{M+1}, …: p_i[k] = P(k events at μ_i,
 * no signal yet); between μ_{i−1} and μ_i a signal occurs when the count reaches i. Past the last
 * μ_i < T, a signal needs imax events by T. α = Σ signal probabilities. If μ_M ≥ T every path
 * with M events by T signals, so α = P(N(T) ≥ M).
 */
export function poissonMaxSprtAlpha(cv: number, sampleSize: number, minEvents: number): number {
  const T = sampleSize;
  const M = minEvents;
  const muM = signalTime(M, cv);
  if (muM >= T) return poissonUpper(M, T);
  // first row: at μ_M, k = 0..M−1 events continue; ≥ M events signal
  let prev = new Float64Array(M);
  for (let k = 0; k < M; k++) prev[k] = poissonPmf(k, muM);
  let alpha = poissonUpper(M, muM);
  let muPrev = muM;
  for (let i = M + 1; ; i++) {
    const mu = signalTime(i, cv);
    const last = mu >= T;
    const dt = (last ? T : mu) - muPrev;
    // Poisson(dt) probabilities of d more events, truncated where they no longer count
    const pmf: number[] = [];
    for (let d = 0; d < i; d++) {
      const v = poissonPmf(d, dt);
      pmf.push(v);
      if (d > dt && v < 1e-30) break; // further terms change α by < 1e-28
    }
    // signal: from k events (k < i − 1 states) reach i or more
    let spend = 0;
    for (let k = Math.max(0, i - 1 - pmf.length); k < i - 1; k++) {
      const pk = prev[k] as number;
      if (pk === 0) continue;
      spend += pk * poissonUpper(i - k, dt);
    }
    alpha += spend;
    if (last) return alpha;
    const next = new Float64Array(i);
    for (let j = 0; j < i; j++) {
      let s = 0;
      const dmax = Math.min(j, pmf.length - 1);
      for (let d = 0; d <= dmax; d++) {
        const pk = j - d < i - 1 ? (prev[j - d] as number) : 0;
        s += pk * (pmf[d] as number);
      }
      next[j] = s;
    }
    prev = next;
    muPrev = mu;
  }
}

/**
 * Exact critical value of continuous Poisson MaxSPRT (Kulldorff et al. 2011; `Sequential::CV.Poisson`
 * with D = 0, GroupSizes = "n", Tailed = "upper"): the CV whose false-signal probability by
 * SampleSize (expected events under H0) is exactly α when signals need at least M events.
 * α(CV) is continuous and decreasing; solved by bracketed regula falsi to α within 1e-15 relative or CV within 1e-13. No solution when even
 * signalling at every M-th event cannot reach α (P(N(T) ≥ M) < α): refused, as in R. When
 * P(N(T) ≥ M) = α exactly, the smallest such CV, LLR(M, T), is returned.
 */
export function poissonMaxSprtCv(sampleSize: number, alpha: number, minEvents = 1): number {
  if (!(sampleSize > 0) || !Number.isFinite(sampleSize)) throw new MaxSprtInputError('sampleSize must be a positive number');
  if (!(alpha > 0 && alpha <= 0.5)) throw new MaxSprtInputError('alpha must be in (0, 0.5]');
  if (!Number.isSafeInteger(minEvents) || minEvents < 1) throw new MaxSprtInputError('minEvents must be a whole number ≥ 1');
  const reachable = poissonUpper(minEvents, sampleSize);
  if (reachable < alpha) {
    throw new MaxSprtInputError(`no critical value: with sampleSize ${sampleSize} the probability of even ${minEvents} events is ${reachable.toPrecision(4)} < alpha; raise sampleSize or lower minEvents`);
  }
  // below lo, μ_M ≥ T and α(CV) = P(N(T) ≥ M) ≥ alpha
  let lo = minEvents > sampleSize ? poissonMaxSprtLlr(minEvents, sampleSize) : 0;
  if (poissonMaxSprtAlpha(lo, sampleSize, minEvents) <= alpha) return lo;
  let hi = Math.max(lo, 1) * 2;
  while (poissonMaxSprtAlpha(hi, sampleSize, minEvents) > alpha) {
    lo = hi;
    hi *= 2;
  }
  // Illinois regula falsi on f(CV) = α(CV) − alpha: bracketed like bisection, superlinear, so a
  // sampleSize of 1000 (≈1100 signal times per evaluation) needs about ten evaluations, not forty
  let flo = poissonMaxSprtAlpha(lo, sampleSize, minEvents) - alpha;
  let fhi = poissonMaxSprtAlpha(hi, sampleSize, minEvents) - alpha;
  let side = 0;
  for (let iter = 0; iter < 200 && hi - lo > 1e-13 * hi; iter++) {
    let x = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    const fx = poissonMaxSprtAlpha(x, sampleSize, minEvents) - alpha;
    if (fx === 0) return x;
    if (fx > 0) {
      lo = x;
      flo = fx;
      if (side === 1) fhi /= 2;
      side = 1;
    } else {
      hi = x;
      fhi = fx;
      if (side === -1) flo /= 2;
      side = -1;
    }
    if (Math.abs(fx) < 1e-15 * alpha) return x;
  }
  return (lo + hi) / 2;
}
