// Kaplan–Meier survival with right censoring and ties, Greenwood variance, and the pointwise
// intervals of R's survfit (plain, log, log-log); the cumulative incidence 1 − S as registries
// report it (AOANJRR's cumulative percent revision = 100·(1 − S)). Pure.

import { normalQuantile } from './distributions.js';

export type ConfType = 'plain' | 'log' | 'log-log';

/**
 * Distinct times with, per integer code 0..codes−1, how many observations end there, and how many
 * are at risk just before (all observations with time ≥ t). Sorts once: the times of each code go
 * into their own Float64Array (native numeric sort, no comparator), then a k-way merge walks them.
 * Every time that occurs is listed, censor-only times too; a caller filters.
 */
export function tallyTimes(time: ArrayLike<number>, code: ArrayLike<number>, codes: number): { time: Float64Array; count: Int32Array[]; atRisk: Float64Array } {
  const n = time.length;
  const sizes = new Int32Array(codes);
  for (let i = 0; i < n; i++) sizes[code[i]!]!++;
  const byCode = Array.from(sizes, (s) => new Float64Array(s));
  const fill = new Int32Array(codes);
  for (let i = 0; i < n; i++) {
    const c = code[i]!;
    byCode[c]![fill[c]!++] = time[i]!;
  }
  for (const a of byCode) a.sort();
  const head = new Int32Array(codes);
  const outTime = new Float64Array(n);
  const outCount = Array.from({ length: codes }, () => new Int32Array(n));
  const outRisk = new Float64Array(n);
  let m = 0;
  let done = 0;
  while (done < n) {
    let t = Infinity;
    for (let c = 0; c < codes; c++) if (head[c]! < sizes[c]! && byCode[c]![head[c]!]! < t) t = byCode[c]![head[c]!]!;
    outTime[m] = t;
    outRisk[m] = n - done;
    for (let c = 0; c < codes; c++) {
      const a = byCode[c]!;
      let h = head[c]!;
      const start = h;
      while (h < a.length && a[h] === t) h++;
      head[c] = h;
      outCount[c]![m] = h - start;
      done += h - start;
    }
    m++;
  }
  return { time: outTime.slice(0, m), count: outCount.map((a) => a.slice(0, m)), atRisk: outRisk.slice(0, m) };
}

export interface Interval {
  lower: number | null;
  upper: number | null;
}

/**
 * R's `survfit` pointwise interval for S with `seLog` the standard error of −log S (Greenwood),
 * z = Φ⁻¹(1 − (1 − level)/2):
 *   plain   S ± z·S·seLog, cut to [0, 1];
 *   log     S·exp(∓z·seLog), upper cut at 1 (R's default);
 *   log-log exp(−exp(log(−log S) ∓ z·seLog/log S)), not cut.
 * Where R gives NA or NaN (S = 0 for every type, seLog infinite; S = 1 for log-log), null.
 * Reference: survival:::survfit_confint (survival 3.x); Kalbfleisch & Prentice (2002) §4.3.
 */
export function survivalInterval(s: number, seLog: number, confType: ConfType, z: number): Interval {
  if (s === 0 || !Number.isFinite(seLog)) return { lower: null, upper: null };
  if (confType === 'plain') {
    const h = z * seLog * s;
    return { lower: Math.max(s - h, 0), upper: Math.min(s + h, 1) };
  }
  if (confType === 'log') {
    const h = z * seLog;
    return { lower: Math.exp(Math.log(s) - h), upper: Math.min(Math.exp(Math.log(s) + h), 1) };
  }
  if (s === 1) return { lower: null, upper: null };
  const ll = Math.log(-Math.log(s));
  const h = (z * seLog) / Math.log(s);
  return { lower: Math.exp(-Math.exp(ll - h)), upper: Math.exp(-Math.exp(ll + h)) };
}

export interface KaplanMeierResult {
  confType: ConfType;
  level: number;
  /** Observations and events in all. */
  n: number;
  events: number;
  /** The distinct event times (censor-only times are not rows, as in R's `summary(fit)`). */
  time: number[];
  nRisk: number[];
  nEvent: number[];
  /** Censorings after the previous event time up to and including this one (R's summary n.censor). */
  nCensor: number[];
  survival: number[];
  /** Greenwood standard error of S: S·√Σ d/(n(n − d)); null where S = 0 (R: NaN). */
  stdErr: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  /** 1 − S, the registries' cumulative incidence (AOANJRR: cumulative percent revision / 100). */
  cumulativeIncidence: number[];
  /** 1 − upper and 1 − lower of S. */
  cumulativeIncidenceLower: (number | null)[];
  cumulativeIncidenceUpper: (number | null)[];
  /** Distinct times at which someone is censored (for the censor ticks of a curve). */
  censorTime: number[];
}

/**
 * Kaplan–Meier product-limit estimate S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ), with dᵢ events among nᵢ at risk
 * at the distinct event time tᵢ; at a time with both, events come before censorings (the censored
 * are still at risk), as R does. Greenwood: Var(log S) = Σ dᵢ/(nᵢ(nᵢ − dᵢ)).
 * Reference: Kaplan & Meier (1958) JASA 53:457; Greenwood (1926); R `survival::survfit(Surv(time,
 * event) ~ 1, conf.type=...)` and `summary()` of it at the event times.
 * Inputs are assumed checked (equal lengths, n ≥ 1, events 0/1); see requests/survival.ts.
 */
export function kaplanMeier(time: ArrayLike<number>, event: ArrayLike<number>, opts: { confType?: ConfType; level?: number } = {}): KaplanMeierResult {
  const confType = opts.confType ?? 'log';
  const level = opts.level ?? 0.95;
  const z = normalQuantile(1 - (1 - level) / 2);
  const tally = tallyTimes(time, event, 2);
  const censored = tally.count[0]!;
  const died = tally.count[1]!;
  const r: KaplanMeierResult = {
    confType,
    level,
    n: time.length,
    events: 0,
    time: [],
    nRisk: [],
    nEvent: [],
    nCensor: [],
    survival: [],
    stdErr: [],
    lower: [],
    upper: [],
    cumulativeIncidence: [],
    cumulativeIncidenceLower: [],
    cumulativeIncidenceUpper: [],
    censorTime: [],
  };
  let s = 1;
  let greenwood = 0;
  let censSince = 0;
  for (let j = 0; j < tally.time.length; j++) {
    const d = died[j]!;
    const c = censored[j]!;
    const nr = tally.atRisk[j]!;
    censSince += c;
    if (c > 0) r.censorTime.push(tally.time[j]!);
    if (d === 0) continue;
    s *= (nr - d) / nr;
    greenwood += nr === d ? Infinity : d / (nr * (nr - d));
    const seLog = Math.sqrt(greenwood);
    const ci = survivalInterval(s, seLog, confType, z);
    r.events += d;
    r.time.push(tally.time[j]!);
    r.nRisk.push(nr);
    r.nEvent.push(d);
    r.nCensor.push(censSince);
    censSince = 0;
    r.survival.push(s);
    r.stdErr.push(s === 0 ? null : s * seLog);
    r.lower.push(ci.lower);
    r.upper.push(ci.upper);
    r.cumulativeIncidence.push(1 - s);
    r.cumulativeIncidenceLower.push(ci.upper === null ? null : 1 - ci.upper);
    r.cumulativeIncidenceUpper.push(ci.lower === null ? null : 1 - ci.lower);
  }
  return r;
}
