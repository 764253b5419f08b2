// Aalen–Johansen cumulative incidence per cause under competing risks (e.g. IUD expulsion versus
// removal for other reasons), with Gray's variance as R's cmprsk::cuminc computes it. Pure.

import { normalQuantile } from './distributions.js';
import { tallyTimes } from './kaplan-meier.js';

export interface CauseCurve {
  cause: number;
  events: number;
  /** The distinct times at which this cause occurs (the points cmprsk::cuminc reports). */
  time: number[];
  nRisk: number[];
  nEvent: number[];
  cumulativeIncidence: number[];
  /** Gray's variance estimate, as cmprsk::cuminc's `var`. */
  variance: number[];
  stdErr: number[];
  /** F^exp(±z·se/(F·log F)) (log(−log) transform); null where F = 1 (or the variance is 0). */
  lower: (number | null)[];
  upper: (number | null)[];
}

export interface AalenJohansenResult {
  level: number;
  n: number;
  censored: number;
  causes: CauseCurve[];
}

/**
 * Cumulative incidence of cause k: F_k(t) = Σ_{tᵢ ≤ t} S(tᵢ−)·d_kᵢ/nᵢ, with S the all-cause
 * Kaplan–Meier (the Aalen–Johansen estimator for one start state and absorbing causes).
 * Variance (Gray 1988, as coded in cmprsk's Fortran `cinc`): over the distinct event times, with
 * w(d) = S(tᵢ−)²·(1 − (d − 1)/(nᵢ − 1))·d/nᵢ² and S = S(tᵢ),
 *   competing events d' (if S > 0): a = 1/S, b = F_k(tᵢ)/S;   own events d_k: a = 1/S (0 if S = 0), b = 1 + a·F_k(tᵢ);
 *   v₁ += b²w, v₂ += a·b·w, v₃ += a²w;   Var F_k(t) = v₁ + F_k² v₃ − 2 F_k v₂.
 * Interval: F^exp(±z·se/(F·log F)) (Choudhury 2002; Pintilie 2006 §4.2.3), which stays in (0, 1).
 * Reference: Kalbfleisch & Prentice (2002) §8.2; Gray (1988) Ann Stat 16:1141; R `cmprsk::cuminc`.
 * `cause`: 0 = censored, any other whole number a cause. Inputs are assumed checked.
 */
export function aalenJohansen(time: ArrayLike<number>, cause: ArrayLike<number>, opts: { level?: number } = {}): AalenJohansenResult {
  const level = opts.level ?? 0.95;
  const z = normalQuantile(1 - (1 - level) / 2);
  const labels = [...new Set(Array.from(cause))].filter((c) => c !== 0).sort((a, b) => a - b);
  const codeOf = new Map<number, number>(labels.map((c, i) => [c, i + 1]));
  const code = new Int32Array(time.length);
  for (let i = 0; i < time.length; i++) code[i] = cause[i] === 0 ? 0 : codeOf.get(cause[i]!)!;
  const tally = tallyTimes(time, code, labels.length + 1);
  const T = tally.time.length;
  const dAll = new Float64Array(T);
  for (let k = 1; k <= labels.length; k++) for (let j = 0; j < T; j++) dAll[j] = dAll[j]! + tally.count[k]![j]!;

  const causes = labels.map((label, idx): CauseCurve => {
    const own = tally.count[idx + 1]!;
    const curve: CauseCurve = { cause: label, events: 0, time: [], nRisk: [], nEvent: [], cumulativeIncidence: [], variance: [], stdErr: [], lower: [], upper: [] };
    let sBefore = 1;
    let f = 0;
    let v1 = 0;
    let v2 = 0;
    let v3 = 0;
    const add = (d: number, nr: number, a: number, b: number) => {
      const w = sBefore * sBefore * (d > 1 ? 1 - (d - 1) / (nr - 1) : 1) * (d / (nr * nr));
      v1 += b * b * w;
      v2 += a * b * w;
      v3 += a * a * w;
    };
    for (let j = 0; j < T; j++) {
      const d = dAll[j]!;
      if (d === 0) continue;
      const nr = tally.atRisk[j]!;
      const dk = own[j]!;
      const dOther = d - dk;
      const sAfter = (sBefore * (nr - d)) / nr;
      if (dk > 0) f += (sBefore * dk) / nr;
      if (dOther > 0 && sAfter > 0) add(dOther, nr, 1 / sAfter, f / sAfter);
      if (dk > 0) {
        const a = sAfter > 0 ? 1 / sAfter : 0;
        add(dk, nr, a, 1 + a * f);
        const variance = Math.max(v1 + f * f * v3 - 2 * f * v2, 0);
        const se = Math.sqrt(variance);
        curve.events += dk;
        curve.time.push(tally.time[j]!);
        curve.nRisk.push(nr);
        curve.nEvent.push(dk);
        curve.cumulativeIncidence.push(f);
        curve.variance.push(variance);
        curve.stdErr.push(se);
        if (f >= 1 || se === 0) {
          curve.lower.push(null);
          curve.upper.push(null);
        } else {
          const h = (z * se) / (f * Math.log(f));
          curve.lower.push(Math.pow(f, Math.exp(-h)));
          curve.upper.push(Math.pow(f, Math.exp(h)));
        }
      }
      sBefore = sAfter;
    }
    return curve;
  });
  return { level, n: time.length, censored: Array.from(tally.count[0]!).reduce((a, b) => a + b, 0), causes };
}
