// Disproportionality in a spontaneous-report database (no exposure denominator), e.g. reports to the
// Dutch reporting point of expulsion for one IUD against all other reports. Pure.
//
// 2×2 of reports: a = device & event, b = device & other events, c = other devices & event,
// d = other devices & other events, N = a + b + c + d.

import { normalQuantile } from './distributions.js';
import type { Table } from './two-by-two.js';

export interface Disproportionality {
  prr: number | null;
  prrSe: number | null;
  prrLower: number | null;
  prrUpper: number | null;
  ror: number | null;
  rorSe: number | null;
  rorLower: number | null;
  rorUpper: number | null;
  ic: number;
  ic025: number;
  ic975: number;
  chiSquareYates: number | null;
  evans: boolean;
}

/** x/y with x/0 = Infinity and 0/0 = null. */
function ratio(x: number, y: number): number | null {
  if (y === 0) return x === 0 ? null : Infinity;
  return x / y;
}

/**
 * Yates-corrected χ² of a 2×2 table as R's `chisq.test(matrix(c(a, c, b, d), 2))` (correct = TRUE):
 * N·(|ad − bc| − min(N/2, |ad − bc|))² / ((a+b)(c+d)(a+c)(b+d)). R caps the correction at |ad − bc| so
 * it never over-corrects (the textbook (|ad − bc| − N/2)² does when |ad − bc| < N/2). Yates, JRSS
 * Suppl. 1 (1934) 217. null when a margin is zero (R gives NaN).
 */
export function chiSquareYates({ a, b, c, d }: Table): number | null {
  const n = a + b + c + d;
  const den = (a + b) * (c + d) * (a + c) * (b + d);
  if (den === 0) return null;
  const diff = Math.abs(a * d - b * c);
  const dev = diff - Math.min(n / 2, diff);
  return (n * dev * dev) / den;
}

/**
 * PRR, ROR, IC with their intervals, the Yates χ² and the Evans criteria.
 * - PRR = [a/(a+b)]/[c/(c+d)], SE(ln PRR) = √(1/a − 1/(a+b) + 1/c − 1/(c+d)) (van Puijenbroek et al.,
 *   Pharmacoepidemiol Drug Saf 11 (2002) 3; Evans et al., ibid. 10 (2001) 483).
 * - ROR = ad/(bc), SE(ln ROR) = √(1/a + 1/b + 1/c + 1/d) (Rothman et al., PDS 13 (2004) 519).
 *   Intervals exp(ln X ± z·SE), z = Φ⁻¹((1+level)/2) (1.959964 at 95%, not the rounded 1.96).
 * - IC = log₂[(a + 0.5)·N / ((a+b+1)(a+c+1))] (BCPNN, Bate et al. 1998, with the +0.5/+1 shrinkage), and
 *   its 95% credibility limits by the analytical approximation of Norén, Hopstadius & Bate, Stat Methods
 *   Med Res 22 (2013) 57: IC025 = IC − 3.3(a+0.5)^−½ − 2(a+0.5)^−³⁄₂, IC975 = IC + 2.4(a+0.5)^−½ − 0.5(a+0.5)^−³⁄₂.
 *   These are fixed 95% limits (the `level` applies to PRR and ROR only).
 * - Evans: PRR ≥ 2, χ²(Yates) ≥ 4 and a ≥ 3.
 * A zero cell makes a log-scale SE infinite: the estimate is then 0 or Infinity and its SE and bounds
 * null (R would give Inf/NaN); 0/0 estimates are null. IC is always defined.
 */
export function disproportionality(t: Table, level = 0.95): Disproportionality {
  const { a, b, c, d } = t;
  for (const v of [a, b, c, d]) if (!Number.isInteger(v) || v < 0) throw new RangeError('table cells must be whole numbers ≥ 0');
  const n = a + b + c + d;
  const z = normalQuantile((1 + level) / 2);
  const bounds = (est: number | null, se: number) =>
    est !== null && est > 0 && Number.isFinite(est) && Number.isFinite(se)
      ? { se, lower: est * Math.exp(-z * se), upper: est * Math.exp(z * se) }
      : { se: null, lower: null, upper: null };
  const prr = a + b === 0 || c + d === 0 ? null : ratio(a / (a + b), c / (c + d));
  const p = bounds(prr, Math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)));
  const ror = ratio(a * d, b * c);
  const r = bounds(ror, Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d));
  const ic = Math.log2(((a + 0.5) * n) / ((a + b + 1) * (a + c + 1)));
  const s = a + 0.5;
  const chi = chiSquareYates(t);
  return {
    prr,
    prrSe: p.se,
    prrLower: p.lower,
    prrUpper: p.upper,
    ror,
    rorSe: r.se,
    rorLower: r.lower,
    rorUpper: r.upper,
    ic,
    ic025: ic - 3.3 * s ** -0.5 - 2 * s ** -1.5,
    ic975: ic + 2.4 * s ** -0.5 - 0.5 * s ** -1.5,
    chiSquareYates: chi,
    evans: prr !== null && prr >= 2 && chi !== null && chi >= 4 && a >= 3,
  };
}
