// Edge cases with the behaviour docs/stats.md promises, properties, request validation,
// and one real `lir stats` process.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/commands/stats.js';
import { binomialCdf, binomialUpper } from '../../src/stats/distributions.js';
import { disproportionality } from '../../src/stats/disproportionality.js';
import { clopperPearson, wilson } from '../../src/stats/proportions.js';
import { rateRatio } from '../../src/stats/rates.js';
import { StatsInputError } from '../../src/stats/request.js';
import { fisherExact, mantelHaenszelOddsRatio, mantelHaenszelRiskRatio, riskRatio } from '../../src/stats/two-by-two.js';

const stats = (method: string, request: unknown) => runStats(method, JSON.stringify(request)) as Record<string, unknown>;

describe('edge cases', () => {
  it('proportion: 0 events, all events and n = 1 give closed bounds at 0 and 1', () => {
    expect(clopperPearson(0, 1)).toMatchObject({ estimate: 0, lower: 0 });
    expect(clopperPearson(1, 1)).toMatchObject({ estimate: 1, upper: 1 });
    expect(clopperPearson(0, 1).upper).toBeCloseTo(0.975, 12);
    expect(wilson(0, 20).lower).toBe(0);
    expect(wilson(20, 20).upper).toBe(1);
  });

  it('rate ratio without events: estimate null, interval [0, ∞), p 1 (R refuses)', () => {
    expect(rateRatio(0, 10, 0, 20)).toEqual({ estimate: null, lower: 0, upper: Infinity, pValue: 1 });
    expect(stats('rate-ratio', { events1: 0, exposure1: 10, events2: 0, exposure2: 20 })).toEqual({ estimate: null, lower: 0, upper: 'Infinity', pValue: 1 });
  });

  it('risk ratio with a zero event cell: 0 or ∞ without bounds', () => {
    expect(riskRatio({ a: 0, b: 10, c: 3, d: 7 })).toMatchObject({ estimate: 0, lower: null, upper: null });
    expect(stats('risk-ratio', { a: 3, b: 7, c: 0, d: 10 })).toMatchObject({ estimate: 'Infinity', lower: null, upper: null, risk1: 0.3, risk2: 0 });
    expect(riskRatio({ a: 0, b: 5, c: 0, d: 5 })).toMatchObject({ estimate: null, lower: null, upper: null });
  });

  it('fisher: a table whose margins allow one value only has no odds ratio (R says 0)', () => {
    expect(fisherExact({ a: 0, b: 0, c: 3, d: 4 })).toEqual({ pValue: 1, oddsRatio: null, lower: 0, upper: Infinity });
    expect(fisherExact({ a: 0, b: 0, c: 0, d: 0 }).pValue).toBe(1);
  });

  it('Mantel–Haenszel: all-zero and zero-margin strata are skipped (they add nothing); no usable stratum gives nulls', () => {
    const mixed = [{ a: 10, b: 90, c: 5, d: 95 }, { a: 0, b: 0, c: 0, d: 0 }, { a: 1, b: 0, c: 0, d: 0 }, { a: 0, b: 0, c: 4, d: 16 }, { a: 0, b: 7, c: 0, d: 9 }, { a: 7, b: 43, c: 2, d: 48 }];
    expect(mantelHaenszelOddsRatio(mixed).strataUsed).toBe(2);
    expect(mantelHaenszelRiskRatio(mixed).strataUsed).toBe(2);
    const allEvents = [{ a: 3, b: 0, c: 2, d: 0 }, { a: 6, b: 14, c: 3, d: 17 }];
    expect(mantelHaenszelOddsRatio(allEvents).strataUsed).toBe(1);
    expect(mantelHaenszelRiskRatio(allEvents).strataUsed).toBe(2); // its stratum RR of 1 counts
    const s = [{ a: 10, b: 90, c: 5, d: 95 }, { a: 7, b: 43, c: 2, d: 48 }];
    const withEmpty = [s[0]!, { a: 0, b: 0, c: 0, d: 0 }, s[1]!];
    expect(mantelHaenszelOddsRatio(withEmpty)).toEqual({ ...mantelHaenszelOddsRatio(s), strataUsed: 2 });
    expect(mantelHaenszelRiskRatio(withEmpty)).toEqual({ ...mantelHaenszelRiskRatio(s), strataUsed: 2 });
    expect(mantelHaenszelRiskRatio([{ a: 0, b: 0, c: 0, d: 0 }])).toEqual({ estimate: null, lower: null, upper: null, strataUsed: 0 });
    expect(mantelHaenszelOddsRatio([{ a: 0, b: 10, c: 2, d: 8 }, { a: 0, b: 5, c: 1, d: 4 }])).toMatchObject({ estimate: 0, lower: null, upper: null });
  });

  it('disproportionality with zero cells: PRR/ROR 0 or ∞ with null SE and bounds, IC defined', () => {
    const none = disproportionality({ a: 0, b: 50, c: 20, d: 5000 });
    expect(none).toMatchObject({ prr: 0, prrSe: null, prrLower: null, ror: 0, rorLower: null, evans: false });
    expect(Number.isFinite(none.ic) && Number.isFinite(none.ic025)).toBe(true);
    const only = stats('disproportionality', { a: 6, b: 50, c: 0, d: 5000 });
    expect(only).toMatchObject({ prr: 'Infinity', prrLower: null, ror: 'Infinity', rorUpper: null, evans: true });
    expect(disproportionality({ a: 3, b: 0, c: 0, d: 0 })).toMatchObject({ prr: null, ror: null, chiSquareYates: null, evans: false });
  });

  it('Evans needs all three: PRR ≥ 2, χ² ≥ 4, a ≥ 3', () => {
    expect(disproportionality({ a: 3, b: 97, c: 20, d: 9880 }).evans).toBe(true);
    expect(disproportionality({ a: 2, b: 98, c: 20, d: 9880 }).evans).toBe(false); // a < 3
    expect(disproportionality({ a: 5, b: 1000, c: 4, d: 900 }).evans).toBe(false); // PRR ≈ 1
  });
});

describe('properties', () => {
  it('Clopper–Pearson bounds are where the binomial tails equal α/2', () => {
    for (let n = 1; n <= 25; n++) {
      for (let x = 0; x <= n; x++) {
        const { lower, upper } = clopperPearson(x, n);
        if (x > 0) expect(binomialUpper(x, n, lower)).toBeCloseTo(0.025, 10);
        if (x < n) expect(binomialCdf(x, n, upper)).toBeCloseTo(0.025, 10);
      }
    }
  });

  it('intervals widen with the level and contain the estimate', () => {
    for (const [a, b, c, d] of [[3, 17, 5, 40], [12, 88, 6, 94], [1, 9, 4, 6]] as const) {
      const f90 = fisherExact({ a, b, c, d }, 0.9);
      const f99 = fisherExact({ a, b, c, d }, 0.99);
      expect(f99.lower).toBeLessThan(f90.lower);
      expect(f99.upper).toBeGreaterThan(f90.upper);
      expect(f90.oddsRatio!).toBeGreaterThan(f90.lower);
      expect(f90.oddsRatio!).toBeLessThan(f90.upper);
    }
  });

  it('Fisher is symmetric: swapping the groups inverts the odds ratio and keeps the p-value', () => {
    const f = fisherExact({ a: 10, b: 2, c: 3, d: 15 });
    const g = fisherExact({ a: 3, b: 15, c: 10, d: 2 });
    expect(g.pValue).toBeCloseTo(f.pValue, 14);
    expect(g.oddsRatio! * f.oddsRatio!).toBeCloseTo(1, 10);
    expect(g.lower * f.upper).toBeCloseTo(1, 10);
  });
});

describe('request validation', () => {
  const refused = (method: string, request: unknown): StatsInputError => {
    try {
      stats(method, request);
    } catch (err) {
      expect(err).toBeInstanceOf(StatsInputError);
      return err as StatsInputError;
    }
    throw new Error('accepted');
  };

  it.each([
    ['proportion', { events: 3 }, '/n'],
    ['proportion', { events: 11, n: 10 }, '/events'],
    ['proportion', { events: 1.5, n: 10 }, '/events'],
    ['proportion', { events: 1, n: 10, method: 'exact' }, '/method'],
    ['proportion', { events: 1, n: 10, level: 95 }, '/level'],
    ['poisson-rate', { events: 3, exposure: 0 }, '/exposure'],
    ['rate-ratio', { events1: 3, exposure1: 10, events2: -1, exposure2: 5 }, '/events2'],
    ['risk-ratio', { a: 0, b: 0, c: 1, d: 1 }, '/a'],
    ['fisher', { a: 1, b: 2, c: 3 }, '/d'],
    ['mantel-haenszel', { strata: [], measure: 'or' }, '/strata'],
    ['mantel-haenszel', { strata: [{ a: 1, b: 2, c: 3, d: 4 }, 7], measure: 'or' }, '/strata/1'],
    ['mantel-haenszel', { strata: [{ a: 1, b: 2, c: 3, d: 4 }, { a: 1, b: 2, c: -3, d: 4 }], measure: 'or' }, '/strata/1/c'],
    ['mantel-haenszel', { strata: [{ a: 1, b: 2, c: 3, d: 4 }] }, '/measure'],
    ['disproportionality', { a: 0, b: 0, c: 0, d: 0 }, ''],
  ] as const)('%s %j → %s', (method, request, pointer) => {
    expect(refused(method, request).pointer).toBe(pointer);
  });
});

describe('the documented request/response shapes', () => {
  it('proportion', () => {
    expect(Object.keys(stats('proportion', { events: 3, n: 17 }))).toEqual(['estimate', 'lower', 'upper']);
    expect(stats('proportion', { events: 3, n: 17, method: 'wilson' }).estimate).toBeCloseTo(3 / 17, 15);
  });
  it('poisson-rate', () => expect(Object.keys(stats('poisson-rate', { events: 12, exposure: 3456.7 }))).toEqual(['rate', 'lower', 'upper']));
  it('rate-ratio', () => expect(Object.keys(stats('rate-ratio', { events1: 3, exposure1: 1000, events2: 10, exposure2: 2000 }))).toEqual(['estimate', 'lower', 'upper', 'pValue']));
  it('risk-ratio', () => expect(Object.keys(stats('risk-ratio', { a: 12, b: 88, c: 6, d: 94 }))).toEqual(['estimate', 'lower', 'upper', 'risk1', 'risk2']));
  it('fisher', () => expect(Object.keys(stats('fisher', { a: 10, b: 2, c: 3, d: 15 }))).toEqual(['pValue', 'oddsRatio', 'lower', 'upper']));
  it('mantel-haenszel', () =>
    expect(Object.keys(stats('mantel-haenszel', { strata: [{ a: 5, b: 95, c: 3, d: 97 }, { a: 2, b: 48, c: 1, d: 49 }], measure: 'rr' }))).toEqual(['estimate', 'lower', 'upper', 'strataUsed']));
  it('disproportionality', () =>
    expect(Object.keys(stats('disproportionality', { a: 3, b: 97, c: 20, d: 9880 }))).toEqual(
      expect.arrayContaining(['prr', 'prrLower', 'prrUpper', 'ror', 'rorLower', 'rorUpper', 'ic', 'ic025', 'chiSquareYates', 'evans']),
    ));
});

describe('lir stats as a process', () => {
  const LIR = join(import.meta.dirname, '../../bin/lir.js');
  const lir = (method: string, stdin: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('node', [LIR, 'stats', method], { timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(stdin);
    });

  it('reads JSON on stdin, writes the result on stdout; a bad request exits 1 with the pointer', async () => {
    const ok = await lir('fisher', '{"a":10,"b":2,"c":3,"d":15}');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).pValue).toBeCloseTo(0.00053672411914343593, 15);
    const bad = await lir('proportion', '{"events":5,"n":3}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"pointer":"/events"');
  }, 60_000);
});
