import { bernoulliCusum, cusumLimitSim, CusumInputError, cusumRunLength, riskAdjustedCusum } from '../cusum.js';
import { betaBinomialPosterior } from '../beta-binomial.js';
import { binomialMaxSprtLlr, MaxSprtInputError, poissonMaxSprtCv, poissonMaxSprtLlr } from '../maxsprt.js';
import { level, number, numberArray, sameLength, StatsInputError, type Json, type StatsMethod } from '../request.js';

/** Turns a refusal of the pure function into a request error pointing at the field concerned. */
function pointed<T>(pointer: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CusumInputError || err instanceof MaxSprtInputError) throw new StatsInputError(err.message, pointer);
    throw err;
  }
}

function bool(req: Json, field: string, fallback: boolean): boolean {
  const v = req[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new StatsInputError(`${field} must be true or false`, `/${field}`);
  return v;
}

function oddsMultiplier(req: Json): number {
  const r = number(req, 'oddsMultiplier', { optional: true, min: 0, exclusiveMin: true }) ?? 2;
  if (r === 1) throw new StatsInputError('oddsMultiplier must differ from 1 (> 1 detects deterioration, < 1 improvement)', '/oddsMultiplier');
  return r;
}

function limit(req: Json, r: number): number {
  const h = number(req, 'limit', {});
  if (r > 1 && h <= 0) throw new StatsInputError('limit must be positive when oddsMultiplier > 1', '/limit');
  if (r < 1 && h >= 0) throw new StatsInputError('limit must be negative when oddsMultiplier < 1 (detecting improvement)', '/limit');
  return h;
}

function p0(req: Json): number {
  const p = number(req, 'p0', { min: 0, max: 1 });
  if (p === 0 || p === 1) throw new StatsInputError('p0 must be strictly between 0 and 1: with p0 = 0 or 1 the CUSUM weights are infinite', '/p0');
  return p;
}

const chartOut = (r: { values: Float64Array; signals: number[]; runLengths: number[] }) => ({ values: Array.from(r.values), signals: r.signals, runLengths: r.runLengths });

/** The `lir stats` methods of this group, by name. */
export const sequentialMethods: Record<string, StatsMethod> = {
  cusum: (req) => {
    const p = p0(req);
    const r = oddsMultiplier(req);
    const h = limit(req, r);
    const outcomes = numberArray(req, 'outcomes', { min: 0, max: 1, integer: true, minLength: 1 });
    const res = bernoulliCusum(p, outcomes, h, { oddsMultiplier: r, reset: bool(req, 'reset', true) });
    return { ...chartOut(res), p0Used: res.p0Used };
  },
  'ra-cusum': (req) => {
    const risks = numberArray(req, 'risks', { min: 0, max: 1, minLength: 1 });
    const outcomes = numberArray(req, 'outcomes', { min: 0, max: 1, integer: true, minLength: 1 });
    sameLength(req, 'risks', 'outcomes');
    const r = oddsMultiplier(req);
    const h = limit(req, r);
    return chartOut(riskAdjustedCusum(risks, outcomes, h, { oddsMultiplier: r, reset: bool(req, 'reset', true) }));
  },
  'cusum-limit': (req) => {
    const p = p0(req);
    const r = oddsMultiplier(req);
    const n = number(req, 'n', { min: 1, integer: true, max: 10_000_000 });
    const a = number(req, 'falseSignalProbability', { min: 0, exclusiveMin: true, max: 0.5 });
    const simulations = number(req, 'simulations', { min: 100, max: 1_000_000, integer: true });
    if (n * simulations > 2e9) throw new StatsInputError('n × simulations must be at most 2e9 (a few seconds of work)', '/simulations');
    const seed = number(req, 'seed', { integer: true });
    return cusumLimitSim({ p0: p, oddsMultiplier: r, n, falseSignalProbability: a, simulations, seed });
  },
  'cusum-arl': (req) => {
    const p = p0(req);
    const r = oddsMultiplier(req);
    const h = limit(req, r);
    const simulations = number(req, 'simulations', { min: 10, max: 1_000_000, integer: true });
    const seed = number(req, 'seed', { integer: true });
    const maxLength = number(req, 'maxLength', { optional: true, min: 1, integer: true, max: 100_000_000 }) ?? 1_000_000;
    return cusumRunLength({ p0: p, oddsMultiplier: r, limit: h, simulations, seed, maxLength });
  },
  'maxsprt-poisson': (req) => {
    const observed = number(req, 'observed', { min: 0, integer: true });
    const expected = number(req, 'expected', { min: 0, exclusiveMin: true });
    return { llr: poissonMaxSprtLlr(observed, expected) };
  },
  'maxsprt-poisson-cv': (req) => {
    const sampleSize = number(req, 'sampleSize', { min: 0, exclusiveMin: true, max: 5000 });
    const alpha = number(req, 'alpha', { optional: true, min: 0, exclusiveMin: true, max: 0.5 }) ?? 0.05;
    const minEvents = number(req, 'minEvents', { optional: true, min: 1, integer: true, max: 1000 }) ?? 1;
    return { criticalValue: pointed('/minEvents', () => poissonMaxSprtCv(sampleSize, alpha, minEvents)) };
  },
  'maxsprt-binomial': (req) => {
    const n = number(req, 'n', { min: 1, integer: true });
    const cases = number(req, 'cases', { min: 0, max: n, integer: true });
    const z = number(req, 'z', { min: 0, exclusiveMin: true });
    return { llr: binomialMaxSprtLlr(cases, n, z) };
  },
  'beta-binomial': (req) => {
    const n = number(req, 'n', { min: 0, integer: true });
    const events = number(req, 'events', { min: 0, max: n, integer: true });
    const threshold = number(req, 'threshold', { min: 0, max: 1 });
    const priorAlpha = number(req, 'priorAlpha', { optional: true, min: 0, exclusiveMin: true }) ?? 1;
    const priorBeta = number(req, 'priorBeta', { optional: true, min: 0, exclusiveMin: true }) ?? 1;
    const r = betaBinomialPosterior(events, n, threshold, { priorAlpha, priorBeta, level: level(req) });
    return { posteriorProbability: r.posteriorProbability, posteriorMean: r.posteriorMean, lower: r.lower, upper: r.upper };
  },
};
