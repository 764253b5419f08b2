// Comparing two groups in a 2×2 table, alone or pooled over strata. Pure.
//
// Layout everywhere: a, b = events and non-events in group 1 (e.g. the device under suspicion),
// c, d = events and non-events in group 2 (the comparator). `null` means undefined (0/0 or an
// interval that needs a zero cell's reciprocal); Infinity means unbounded.

import { normalQuantile } from './distributions.js';

export interface Table {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface Estimate {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

function checkTable({ a, b, c, d }: Table): void {
  for (const v of [a, b, c, d]) if (!Number.isInteger(v) || v < 0) throw new RangeError('table cells must be whole numbers ≥ 0');
}

/** exp(ln θ ± z·SE), or nulls where ln θ or SE is not finite. */
function logWald(estimate: number | null, se: number, level: number): Estimate {
  if (estimate === null || !(estimate > 0) || !Number.isFinite(estimate) || !Number.isFinite(se)) return { estimate, lower: null, upper: null };
  const z = normalQuantile((1 + level) / 2);
  return { estimate, lower: estimate * Math.exp(-z * se), upper: estimate * Math.exp(z * se) };
}

/** x/y with x/0 = Infinity and 0/0 = null. */
function ratio(x: number, y: number): number | null {
  if (y === 0) return x === 0 ? null : Infinity;
  return x / y;
}

/**
 * Risk ratio [a/(a+b)]/[c/(c+d)] with the log-scale Wald interval, SE(ln RR) = √(1/a − 1/(a+b) + 1/c − 1/(c+d)).
 * Rothman, Greenland & Lash, Modern Epidemiology (3rd ed.) ch. 14; R `epiR::epi.2by2(..., method = "cohort.count")`
 * (`RR.strata.wald`). a = 0 gives estimate 0 and c = 0 estimate Infinity, both without bounds (null); an
 * empty group gives null throughout.
 */
export function riskRatio(t: Table, level = 0.95): Estimate & { risk1: number | null; risk2: number | null } {
  checkTable(t);
  const { a, b, c, d } = t;
  const risk1 = a + b === 0 ? null : a / (a + b);
  const risk2 = c + d === 0 ? null : c / (c + d);
  const estimate = risk1 === null || risk2 === null ? null : ratio(risk1, risk2);
  const se = Math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d));
  return { ...logWald(estimate, se, level), risk1, risk2 };
}

/**
 * Sample odds ratio ad/(bc) with Woolf's log-scale interval, SE(ln OR) = √(1/a + 1/b + 1/c + 1/d).
 * Woolf, Ann Hum Genet 19 (1955) 251. A zero cell leaves the bounds null.
 */
export function oddsRatio(t: Table, level = 0.95): Estimate {
  checkTable(t);
  const { a, b, c, d } = t;
  return logWald(ratio(a * d, b * c), Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d), level);
}

// ---------- Fisher's exact test ----------

/** The conditional (non-central hypergeometric) distribution of a given the margins. */
class Conditional {
  readonly lo: number;
  readonly hi: number;
  /** ln of the central hypergeometric probabilities up to a constant, for lo..hi. */
  private readonly logd: Float64Array;

  constructor(readonly t: Table) {
    const m = t.a + t.c; // column 1 (events)
    const n = t.b + t.d; // column 2
    const k = t.a + t.b; // row 1
    this.lo = Math.max(0, k - n);
    this.hi = Math.min(k, m);
    this.logd = new Float64Array(this.hi - this.lo + 1);
    // recursion d(x+1)/d(x) = (m−x)(k−x)/((x+1)(n−k+x+1)): exact ratios, no large log-gammas to cancel
    for (let x = this.lo; x < this.hi; x++) {
      const i = x - this.lo;
      this.logd[i + 1] = this.logd[i]! + Math.log(((m - x) * (k - x)) / ((x + 1) * (n - k + x + 1)));
    }
  }

  /** Probabilities of lo..hi under odds ratio `psi` (0 < psi < ∞), normalised. */
  density(psi: number): Float64Array {
    const lp = Math.log(psi);
    const out = new Float64Array(this.logd.length);
    let max = -Infinity;
    for (let i = 0; i < out.length; i++) max = Math.max(max, (out[i] = this.logd[i]! + lp * (this.lo + i)));
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i] = Math.exp(out[i]! - max);
    for (let i = 0; i < out.length; i++) out[i]! /= sum;
    return out;
  }

  mean(psi: number): number {
    const d = this.density(psi);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += (this.lo + i) * d[i]!;
    return s;
  }

  /** P(X ≤ q) or, upper, P(X ≥ q) under `psi`. */
  tail(q: number, psi: number, upper: boolean): number {
    const d = this.density(psi);
    let s = 0;
    for (let i = 0; i < d.length; i++) if (upper ? this.lo + i >= q : this.lo + i <= q) s += d[i]!;
    return s;
  }
}

/** The root in ψ of an increasing f(ψ) = target, bisected on ln ψ to full double precision. */
function solveIncreasing(f: (psi: number) => number, target: number): number {
  let lo = -1;
  let hi = 1;
  while (f(Math.exp(lo)) > target && lo > -700) lo *= 2;
  while (f(Math.exp(hi)) < target && hi < 700) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

export interface FisherResult {
  pValue: number;
  /** Conditional maximum-likelihood odds ratio: 0 at a = lo, Infinity at a = hi, null if both (no information). */
  oddsRatio: number | null;
  lower: number;
  upper: number;
}

/**
 * Fisher's exact test for a 2×2 table, as R's `fisher.test` (two-sided): given the margins, a follows
 * the hypergeometric distribution; the p-value sums the probabilities ≤ the observed one × (1 + 1e-7).
 * The odds ratio is the conditional MLE (the ψ whose non-central hypergeometric mean equals a), the
 * interval the exact conditional one: lower solves P(X ≥ a; ψ) = α/2, upper P(X ≤ a; ψ) = α/2
 * (Cornfield 1956; Agresti, Categorical Data Analysis §3.5, §16.6). R solves these with `uniroot` at
 * its default tolerance (≈1e-4); we solve them to double precision.
 */
export function fisherExact(t: Table, level = 0.95): FisherResult {
  checkTable(t);
  const h = new Conditional(t);
  const x = t.a;
  const d = h.density(1);
  const dObs = d[x - h.lo]! * (1 + 1e-7);
  let pValue = 0;
  for (const p of d) if (p <= dObs) pValue += p;
  pValue = Math.min(1, pValue);
  if (h.lo === h.hi) return { pValue, oddsRatio: null, lower: 0, upper: Infinity };
  const alpha = (1 - level) / 2;
  const oddsRatio = x === h.lo ? 0 : x === h.hi ? Infinity : solveIncreasing((psi) => h.mean(psi), x);
  const lower = x === h.lo ? 0 : solveIncreasing((psi) => h.tail(x, psi, true), alpha);
  const upper = x === h.hi ? Infinity : solveIncreasing((psi) => -h.tail(x, psi, false), -alpha);
  return { pValue, oddsRatio, lower, upper };
}

// ---------- Mantel–Haenszel ----------

export interface PooledEstimate extends Estimate {
  /** Strata that carry information (see `informative`); the others are skipped. */
  strataUsed: number;
}

/**
 * The strata that enter the sums. Skipped: all-zero strata (0/0 in every term) and strata with a
 * zero margin that adds exactly zero to every sum — an empty group or no events for both measures,
 * and for the OR also no non-events. So skipping changes no number; it only makes `strataUsed`
 * count the informative strata. (For the RR a stratum where everyone had the event is informative:
 * its RR is 1.)
 */
function informative(strata: readonly Table[], measure: 'rr' | 'or'): Table[] {
  for (const s of strata) checkTable(s);
  return strata.filter(({ a, b, c, d }) => a + b > 0 && c + d > 0 && a + c > 0 && (measure === 'rr' || b + d > 0));
}

/**
 * Mantel–Haenszel risk ratio RR = Σ a(c+d)/N ÷ Σ c(a+b)/N with the Greenland–Robins variance
 * Var(ln RR) = Σ[(a+b)(c+d)(a+c) − acN]/N² ÷ [Σ a(c+d)/N · Σ c(a+b)/N]; interval exp(ln RR ± z·SE).
 * Greenland & Robins, Biometrics 41 (1985) 55; R `epiR::epi.2by2` (`RR.mh.wald`). Empty strata skipped
 * (see `informative`).
 */
export function mantelHaenszelRiskRatio(strata: readonly Table[], level = 0.95): PooledEstimate {
  const used = informative(strata, 'rr');
  let r = 0;
  let s = 0;
  let v = 0;
  for (const { a, b, c, d } of used) {
    const n = a + b + c + d;
    r += (a * (c + d)) / n;
    s += (c * (a + b)) / n;
    v += ((a + b) * (c + d) * (a + c) - a * c * n) / (n * n);
  }
  return { ...logWald(ratio(r, s), Math.sqrt(v / (r * s)), level), strataUsed: used.length };
}

/**
 * Mantel–Haenszel odds ratio OR = Σ ad/N ÷ Σ bc/N with the Robins–Breslow–Greenland variance
 * Var(ln OR) = ΣPR/(2R₊²) + Σ(PS+QR)/(2R₊S₊) + ΣQS/(2S₊²), P = (a+d)/N, Q = (b+c)/N, R = ad/N, S = bc/N.
 * Mantel & Haenszel, JNCI 22 (1959) 719; Robins, Breslow & Greenland, Biometrics 42 (1986) 311;
 * R `mantelhaen.test(x, exact = FALSE)` estimate and conf.int (R refuses strata with N < 2; they have a
 * zero margin and are skipped here, see `informative`).
 */
export function mantelHaenszelOddsRatio(strata: readonly Table[], level = 0.95): PooledEstimate {
  const used = informative(strata, 'or');
  let rs = 0;
  let ss = 0;
  let pr = 0;
  let psqr = 0;
  let qs = 0;
  for (const { a, b, c, d } of used) {
    const n = a + b + c + d;
    const P = (a + d) / n;
    const Q = (b + c) / n;
    const R = (a * d) / n;
    const S = (b * c) / n;
    rs += R;
    ss += S;
    pr += P * R;
    psqr += P * S + Q * R;
    qs += Q * S;
  }
  const variance = pr / (2 * rs * rs) + psqr / (2 * rs * ss) + qs / (2 * ss * ss);
  return { ...logWald(ratio(rs, ss), Math.sqrt(variance), level), strataUsed: used.length };
}
