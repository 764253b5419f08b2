// Funnel limits, over-dispersion and registry outlier rules against R
// (test/fixtures/stats/providers.R made the fixture), through the `lir stats` requests.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/commands/stats.js';
import { binomialFunnelPoint, normalFunnelPoint, proportionFunnel, ratioFunnel } from '../../src/stats/funnel.js';
import { quantileType7, tau2, winsorise } from '../../src/stats/overdispersion.js';
import { poissonExactInterval } from '../../src/stats/registry-outliers.js';

interface Case {
  method: string;
  request: Record<string, unknown>;
  expected: unknown;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/providers.json', import.meta.url), 'utf8')) as { cases: Case[] };

export const REL = 1e-6;
let maxRel: Record<string, number> = {};

/** Walks the R result and compares every number (relative 1e-6, absolute below 1e-12) and every other value exactly. */
function compare(actual: unknown, expected: unknown, path: string, method: string): void {
  if (typeof expected === 'number') {
    expect(typeof actual, `${path}: ${String(actual)} vs R ${expected}`).toBe('number');
    const a = actual as number;
    const err = Math.abs(a - expected);
    const rel = expected === 0 ? err : err / Math.abs(expected);
    if (expected !== 0) maxRel[method] = Math.max(maxRel[method] ?? 0, rel);
    expect(rel <= REL || err < 1e-12, `${path}: ${a} vs R ${expected}`).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => compare((actual as unknown[])[i], e, `${path}/${i}`, method));
  } else if (expected !== null && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected)) compare((actual as Record<string, unknown>)[k], e, `${path}/${k}`, method);
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe('providers match R to 1e-6 relative', () => {
  it.each(fixture.cases.map((c, i) => [`${i} ${c.method} ${JSON.stringify(c.request).slice(0, 80)}`, c] as const))('%s', (_l, c) => {
    compare(runStats(c.method, JSON.stringify(c.request)), c.expected, '', c.method);
  });
  it('reports the largest relative error per method', () => {
    // printed for the report; each is also bounded by the cases above
    console.log('max relative error vs R', maxRel);
    for (const v of Object.values(maxRel)) expect(v).toBeLessThanOrEqual(REL);
    maxRel = {};
  });
});

describe('funnel limits: properties', () => {
  it('the exact limits nest, stay in [0, 1] and narrow towards the target as n grows', () => {
    const sizes = [1, 3, 10, 30, 100, 300, 1000, 3000, 10000];
    const lims = proportionFunnel(0.04, sizes);
    for (const l of lims) {
      expect(l.lower['0.998']).toBeLessThanOrEqual(l.lower['0.95'] as number);
      expect(l.upper['0.998']).toBeGreaterThanOrEqual(l.upper['0.95'] as number);
      expect(l.lower['0.998']).toBeGreaterThanOrEqual(0);
      expect(l.upper['0.998']).toBeLessThanOrEqual(1);
    }
    const width = lims.map((l) => (l.upper['0.95'] as number) - (l.lower['0.95'] as number));
    for (let i = 1; i < width.length; i++) expect(width[i]).toBeLessThan(width[i - 1] as number);
  });
  it('the exact and normal limits agree for large n', () => {
    expect(binomialFunnelPoint(0.3, 1e6, 0.975)).toBeCloseTo(normalFunnelPoint(0.3, 1e6, 0.975), 5);
  });
  it('target 0 or 1 collapses the limits onto the target', () => {
    for (const t of [0, 1]) for (const m of ['exact', 'normal'] as const) {
      const [l] = proportionFunnel(t, [25], [0.95], m);
      expect([l?.lower['0.95'], l?.upper['0.95']]).toEqual([t, t]);
    }
  });
  it('ratio limits bracket the target', () => {
    for (const l of ratioFunnel([0.3, 5, 500])) {
      expect(l.lower['0.95']).toBeLessThan(1);
      expect(l.upper['0.95']).toBeGreaterThan(1);
    }
  });
});

describe('over-dispersion helpers', () => {
  it('quantile type 7 as R: quantile(1:10, 0.1) = 1.9', () => {
    expect(quantileType7([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1)).toBeCloseTo(1.9, 12);
    expect(winsorise([5, -9, 0, 1, 2, 3, 4, 6, 7, 30]).values).toEqual([5, expect.closeTo(-0.9, 12), 0, 1, 2, 3, 4, 6, 7, expect.closeTo(9.3, 12)]);
  });
  it('τ² is 0 without over-dispersion and for one unit', () => {
    expect(tau2(0.6, [0.1, 0.2, 0.3])).toBe(0); // I·φ = 1.8 < I − 1 = 2
    expect(tau2(9, [0.1])).toBe(0);
  });
  it('the exact Poisson interval for 0 events starts at 0 (R: poisson.test(0)$conf.int = 0, 3.688879)', () => {
    const [lo, hi] = poissonExactInterval(0);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(3.688879454113936, 9);
  });
});

describe('lir stats: request shapes', () => {
  it('funnel', () => {
    const r = runStats('funnel', JSON.stringify({ target: 0.05, n: [1, 100], method: 'exact' })) as { limits: { n: number; lower: Record<string, number>; upper: Record<string, number> }[] };
    expect(r.limits).toHaveLength(2);
    expect(Object.keys(r.limits[1]?.lower ?? {})).toEqual(['0.95', '0.998']);
    expect(r.limits[0]).toMatchObject({ n: 1, lower: { '0.95': 0, '0.998': 0 } });
  });
  it('funnel-ratio', () => {
    const r = runStats('funnel-ratio', JSON.stringify({ expected: [10] })) as { target: number; limits: { expected: number }[] };
    expect(r.target).toBe(1);
    expect(r.limits[0]?.expected).toBe(10);
  });
  it('overdispersion', () => {
    const r = runStats('overdispersion', JSON.stringify({ type: 'proportion', units: [{ id: 'a', events: 1, n: 50 }, { id: 'b', events: 9, n: 60 }, { id: 'c', events: 0, n: 10 }] })) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['phi', 'tau2', 'units', 'target']));
    expect((r.units as { id: string; z: number; outlier95: boolean; outlier998: boolean }[]).map((u) => u.id)).toEqual(['a', 'b', 'c']);
  });
  it('aoanjrr and njr', () => {
    const groups = [{ id: 'stem-1', procedures: 400, revisions: 30, componentYears: 1000, patientYears: 1000 }, { id: 'stem-2', procedures: 400, revisions: 8, componentYears: 1000, patientYears: 1000 }, { id: 'stem-3', procedures: 400, revisions: 9, componentYears: 1000, patientYears: 1000 }];
    const a = runStats('aoanjrr', JSON.stringify({ groups, comparator: 'exclude-self' })) as { components: { id: string; flagged: boolean; reason: string }[] };
    expect(a.components.map((c) => [c.id, c.flagged])).toEqual([['stem-1', true], ['stem-2', false], ['stem-3', false]]);
    expect(a.components[0]?.reason).toMatch(/^flagged/);
    const n = runStats('njr', JSON.stringify({ groups })) as { components: { id: string; level: number | null }[] };
    expect(n.components.map((c) => c.level)).toEqual([1, null, null]);
  });
});

describe('lir stats: bad requests name the field', () => {
  const bad: [string, unknown, string][] = [
    ['funnel', { n: [10] }, '/target'],
    ['funnel', { target: 1.2, n: [10] }, '/target'],
    ['funnel', { target: 0.1, n: [0] }, '/n/0'],
    ['funnel', { target: 0.1, n: [2.5] }, '/n/0'],
    ['funnel', { target: 0.1, n: [10], levels: [0.95, 1] }, '/levels/1'],
    ['funnel', { target: 0.1, n: [10], method: 'poisson' }, '/method'],
    ['funnel-ratio', { expected: [3, 0] }, '/expected/1'],
    ['funnel-ratio', { expected: [3], target: 0 }, '/target'],
    ['overdispersion', { units: [] }, '/type'],
    ['overdispersion', { type: 'proportion', units: [] }, '/units'],
    ['overdispersion', { type: 'proportion', units: [{ id: 'a', events: 5, n: 3 }] }, '/units/0/events'],
    ['overdispersion', { type: 'ratio', units: [{ id: 'a', events: 0, n: 3 }] }, '/units/0/events'],
    ['overdispersion', { type: 'proportion', units: [{ id: 'a', events: 1, n: 3 }, { id: 'a', events: 1, n: 3 }] }, '/units/1/id'],
    ['overdispersion', { type: 'proportion', units: [{ events: 1, n: 3 }] }, '/units/0/id'],
    ['aoanjrr', { groups: [{ id: 'x', procedures: 10, revisions: 1, componentYears: 0 }] }, '/groups/0/componentYears'],
    ['aoanjrr', { groups: [{ id: 'x', procedures: 10, revisions: 11, componentYears: 5 }] }, '/groups/0/revisions'],
    ['aoanjrr', { groups: [{ id: 'x', procedures: 10, revisions: 1, componentYears: 5 }], comparator: 'none' }, '/comparator'],
    ['njr', { groups: [{ id: 'x', procedures: 10, revisions: 1, componentYears: 5 }] }, '/groups/0/patientYears'],
    ['njr', { groups: 'x' }, '/groups'],
  ];
  it.each(bad)('%s %j → %s', (method, req, pointer) => {
    try {
      runStats(method, JSON.stringify(req));
      expect.unreachable('accepted');
    } catch (err) {
      expect((err as { pointer?: string }).pointer).toBe(pointer);
      expect((err as Error).message.length).toBeGreaterThan(10);
    }
  });
});
