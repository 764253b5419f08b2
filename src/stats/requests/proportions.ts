// `lir stats` methods for proportions, rates, 2×2 tables and disproportionality: each request read
// field by field (errors name the field by JSON pointer), then the pure function.
//
// Results: an unbounded value is Infinity (written "Infinity" by `lir stats`, src/cli/commands/stats.ts),
// an undefined one (0/0, or an interval that would need a zero cell's reciprocal) null.

import { disproportionality } from '../disproportionality.js';
import { clopperPearson, wilson } from '../proportions.js';
import { poissonRate, rateRatio } from '../rates.js';
import { type Json, level, number, object, oneOf, StatsInputError, type StatsMethod } from '../request.js';
import { fisherExact, mantelHaenszelOddsRatio, mantelHaenszelRiskRatio, riskRatio, type Table } from '../two-by-two.js';

const count = (req: Json, field: string) => number(req, field, { min: 0, integer: true });

function table(req: Json, pointer = ''): Table {
  const at = (f: string) => {
    try {
      return count(req, f);
    } catch (err) {
      if (err instanceof StatsInputError) throw new StatsInputError(err.message, pointer + err.pointer);
      throw err;
    }
  };
  return { a: at('a'), b: at('b'), c: at('c'), d: at('d') };
}

function exposure(req: Json, field: string): number {
  return number(req, field, { min: 0, exclusiveMin: true });
}

export const proportionsMethods: Record<string, StatsMethod> = {
  proportion(req) {
    const n = number(req, 'n', { min: 1, integer: true });
    const events = count(req, 'events');
    if (events > n) throw new StatsInputError(`events (${events}) cannot exceed n (${n})`, '/events');
    const method = oneOf(req, 'method', ['clopper-pearson', 'wilson'] as const, 'clopper-pearson');
    return (method === 'wilson' ? wilson : clopperPearson)(events, n, level(req));
  },

  'poisson-rate'(req) {
    return poissonRate(count(req, 'events'), exposure(req, 'exposure'), level(req));
  },

  'rate-ratio'(req) {
    return rateRatio(count(req, 'events1'), exposure(req, 'exposure1'), count(req, 'events2'), exposure(req, 'exposure2'), level(req));
  },

  'risk-ratio'(req) {
    const t = table(req);
    if (t.a + t.b === 0) throw new StatsInputError('group 1 is empty (a + b = 0)', '/a');
    if (t.c + t.d === 0) throw new StatsInputError('group 2 is empty (c + d = 0)', '/c');
    return riskRatio(t, level(req));
  },

  fisher(req) {
    return fisherExact(table(req), level(req));
  },

  'mantel-haenszel'(req) {
    const strata = req.strata;
    if (!Array.isArray(strata) || strata.length === 0) throw new StatsInputError('strata must be a non-empty array of {a, b, c, d}', '/strata');
    const tables = strata.map((s, i) => table(object(s, `/strata/${i}`), `/strata/${i}`));
    const measure = oneOf(req, 'measure', ['rr', 'or'] as const);
    const lv = level(req);
    return (measure === 'rr' ? mantelHaenszelRiskRatio : mantelHaenszelOddsRatio)(tables, lv);
  },

  disproportionality(req) {
    const t = table(req);
    if (t.a + t.b + t.c + t.d === 0) throw new StatsInputError('the table is empty (a + b + c + d = 0)', '');
    return disproportionality(t, level(req));
  },
};
