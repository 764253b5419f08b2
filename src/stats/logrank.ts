// The log-rank test for k groups, as R's survival::survdiff (rho = 0). Pure.

import { chiSquareUpper } from './distributions.js';
import { tallyTimes } from './kaplan-meier.js';

export interface LogrankGroup {
  group: number | string;
  n: number;
  observed: number;
  expected: number;
}

export interface LogrankResult {
  chiSquare: number;
  df: number;
  pValue: number;
  groups: LogrankGroup[];
}

/** Thrown when there is no test to do (fewer than two groups with an expected count above 0). */
export class LogrankError extends Error {}

/**
 * At each distinct event time tᵢ with dᵢ events among nᵢ at risk, group g (n_gᵢ at risk) expects
 * E_g = Σ n_gᵢ·dᵢ/nᵢ; the hypergeometric covariance is
 *   V_gh = Σ dᵢ(nᵢ − dᵢ)/(nᵢ − 1) · (n_gᵢ/nᵢ)(δ_gh − n_hᵢ/nᵢ).
 * χ² = (O − E)ᵀ V⁻¹ (O − E) over the groups with E > 0, the first of them left out (V is singular),
 * df = (groups with E > 0) − 1. Groups in sorted order (numbers numerically, else as strings).
 * Reference: Mantel (1966); Peto & Peto (1972); R `survival::survdiff(Surv(time, event) ~ group)`.
 */
export function logrank(time: ArrayLike<number>, event: ArrayLike<number>, group: ArrayLike<number | string>): LogrankResult {
  const labels = [...new Set(Array.from(group))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (labels.length < 2) throw new LogrankError(`the log-rank test compares at least two groups; group has ${labels.length === 0 ? 'none' : `only ${JSON.stringify(labels[0])}`}`);
  const k = labels.length;
  const index = new Map<number | string, number>(labels.map((g, i) => [g, i]));
  const code = new Int32Array(time.length);
  const size = new Float64Array(k);
  for (let i = 0; i < time.length; i++) {
    const g = index.get(group[i]!)!;
    size[g] = size[g]! + 1;
    code[i] = 2 * g + (event[i] ? 1 : 0);
  }
  const tally = tallyTimes(time, code, 2 * k);
  const atRisk = Float64Array.from(size);
  const observed = new Float64Array(k);
  const expected = new Float64Array(k);
  const v = Array.from({ length: k }, () => new Float64Array(k));
  for (let j = 0; j < tally.time.length; j++) {
    const nr = tally.atRisk[j]!;
    let d = 0;
    for (let g = 0; g < k; g++) d += tally.count[2 * g + 1]![j]!;
    if (d > 0) {
      const factor = nr > 1 ? (d * (nr - d)) / (nr - 1) : 0;
      for (let g = 0; g < k; g++) {
        const pg = atRisk[g]! / nr;
        observed[g] = observed[g]! + tally.count[2 * g + 1]![j]!;
        expected[g] = expected[g]! + pg * d;
        for (let h = 0; h < k; h++) v[g]![h] = v[g]![h]! + factor * pg * ((g === h ? 1 : 0) - atRisk[h]! / nr);
      }
    }
    for (let g = 0; g < k; g++) atRisk[g] = atRisk[g]! - tally.count[2 * g]![j]! - tally.count[2 * g + 1]![j]!;
  }
  const kept = labels.map((_, g) => g).filter((g) => expected[g]! > 0);
  if (kept.length < 2) throw new LogrankError('the log-rank test needs events while at least two groups are at risk; here fewer than two groups have any expected event');
  const use = kept.slice(1);
  const diff = use.map((g) => observed[g]! - expected[g]!);
  const sol = solve(
    use.map((g) => use.map((h) => v[g]![h]!)),
    diff,
  );
  const chiSquare = sol.reduce((s, x, i) => s + x * diff[i]!, 0);
  const df = kept.length - 1;
  return {
    chiSquare,
    df,
    pValue: chiSquareUpper(chiSquare, df),
    groups: labels.map((g, i) => ({ group: g, n: size[i]!, observed: observed[i]!, expected: expected[i]! })),
  };
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A small, symmetric positive definite). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    if (pivot === 0) throw new LogrankError('the log-rank variance matrix is singular (groups without information)');
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / pivot;
      for (let q = c; q <= n; q++) m[r]![q] = m[r]![q]! - f * m[c]![q]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let q = r + 1; q < n; q++) s -= m[r]![q]! * x[q]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}
