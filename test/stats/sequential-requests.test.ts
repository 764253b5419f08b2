// `lir stats` methods of the sequential group: request shapes, validation with JSON pointers, one
// spawned CLI call; and the CUSUM chart SVG.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/commands/stats.js';
import { bernoulliCusum } from '../../src/stats/cusum.js';
import { StatsInputError } from '../../src/stats/request.js';
import { cusumChartSvg } from '../../src/web/charts/cusum-chart.js';
import { niceTicks } from '../../src/web/charts/svg.js';

const run = (method: string, req: unknown) => runStats(method, JSON.stringify(req)) as Record<string, any>;
function pointerOf(method: string, req: unknown): string {
  try {
    run(method, req);
  } catch (err) {
    if (err instanceof StatsInputError) return err.pointer;
    throw err;
  }
  throw new Error('no error');
}

describe('lir stats: sequential methods', () => {
  it('cusum', () => {
    const r = run('cusum', { p0: 0.05, oddsMultiplier: 2, outcomes: [0, 1, 1, 0, 1], limit: 1.5 });
    expect(Object.keys(r).sort()).toEqual(['p0Used', 'runLengths', 'signals', 'values']);
    expect(r.values).toHaveLength(5);
    expect(r.signals).toEqual([4]); // C: 0, 0.644, 1.289, 1.240, 1.884
  });
  it('ra-cusum', () => {
    const r = run('ra-cusum', { risks: [0.1, 0.2, 0.05], outcomes: [1, 1, 0], oddsMultiplier: 2, limit: 1, reset: false });
    expect(r.values).toHaveLength(3);
    expect(r.signals).toEqual([1, 2]);
  });
  it('cusum-limit and cusum-arl', () => {
    const l = run('cusum-limit', { p0: 0.05, oddsMultiplier: 2, n: 100, falseSignalProbability: 0.05, simulations: 1000, seed: 1 });
    expect(l.limit).toBeGreaterThan(1);
    expect(l.monteCarloError).toBeGreaterThan(0);
    const a = run('cusum-arl', { p0: 0.05, oddsMultiplier: 2, limit: 2, simulations: 200, seed: 1 });
    expect(a.arl).toBeGreaterThan(10);
  });
  it('maxsprt methods and beta-binomial', () => {
    expect(run('maxsprt-poisson', { observed: 12, expected: 4.1 }).llr).toBeCloseTo(4.1 - 12 + 12 * Math.log(12 / 4.1), 12);
    expect(run('maxsprt-poisson-cv', { sampleSize: 10, alpha: 0.05, minEvents: 4 }).criticalValue).toBeCloseTo(2.92156133, 7);
    expect(run('maxsprt-binomial', { cases: 7, n: 10, z: 1 }).llr).toBeGreaterThan(0);
    const b = run('beta-binomial', { events: 3, n: 120, threshold: 0.02 });
    expect(Object.keys(b).sort()).toEqual(['lower', 'posteriorMean', 'posteriorProbability', 'upper']);
  });
  it('refuses bad requests with the field pointer', () => {
    expect(pointerOf('cusum', { p0: 0, outcomes: [0], limit: 1 })).toBe('/p0');
    expect(pointerOf('cusum', { p0: 1, outcomes: [0], limit: 1 })).toBe('/p0');
    expect(pointerOf('cusum', { p0: 0.1, outcomes: [0, 2], limit: 1 })).toBe('/outcomes/1');
    expect(pointerOf('cusum', { p0: 0.1, outcomes: [], limit: 1 })).toBe('/outcomes');
    expect(pointerOf('cusum', { p0: 0.1, oddsMultiplier: 1, outcomes: [0], limit: 1 })).toBe('/oddsMultiplier');
    expect(pointerOf('cusum', { p0: 0.1, oddsMultiplier: 0.5, outcomes: [0], limit: 1 })).toBe('/limit');
    expect(pointerOf('cusum', { p0: 0.1, outcomes: [0], limit: 1, reset: 'yes' })).toBe('/reset');
    expect(pointerOf('ra-cusum', { risks: [0.1], outcomes: [0, 1], limit: 1 })).toBe('/outcomes');
    expect(pointerOf('ra-cusum', { risks: [1.1], outcomes: [0], limit: 1 })).toBe('/risks/0');
    expect(pointerOf('cusum-limit', { p0: 0.1, n: 10, falseSignalProbability: 0.05, simulations: 1000 })).toBe('/seed');
    expect(pointerOf('maxsprt-poisson', { observed: 1, expected: 0 })).toBe('/expected');
    expect(pointerOf('maxsprt-poisson-cv', { sampleSize: 1, alpha: 0.05, minEvents: 4 })).toBe('/minEvents');
    expect(pointerOf('maxsprt-binomial', { cases: 11, n: 10, z: 1 })).toBe('/cases');
    expect(pointerOf('beta-binomial', { events: 1, n: 10, threshold: 1.5 })).toBe('/threshold');
  });
  it('node bin/lir.js stats: stdin JSON → stdout JSON; a bad request exits 1', () => {
    const ok = spawnSync('node', ['bin/lir.js', 'stats', 'maxsprt-poisson'], { input: '{"observed":12,"expected":4.1}', encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).llr).toBeGreaterThan(0);
    const bad = spawnSync('node', ['bin/lir.js', 'stats', 'cusum'], { input: '{"p0":1,"outcomes":[0],"limit":1}', encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"pointer":"/p0"');
  });
});

describe('cusumChartSvg', () => {
  const y = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 || (i > 120 && i % 3 === 0) ? 1 : 0));
  const res = bernoulliCusum(0.05, y, 2.5);
  const svg = cusumChartSvg({ ...res, limit: 2.5 }, { title: 'Expulsion <Ballerine> & co' });
  it('is well-formed XML with one root svg element', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    // every tag balanced: a minimal stack check (no attributes contain < or >)
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else if (!m[3]) stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(svg).toContain('Expulsion &lt;Ballerine&gt; &amp; co');
  });
  it('draws the path, the limit, one marker per signal and axis ticks', () => {
    expect(svg).toContain('class="cusum"');
    expect(svg).toContain('class="limit"');
    expect(svg.match(/<circle /g)?.length).toBe(res.signals.length);
    expect(svg).toContain('h = 2.5');
    expect(svg.match(/class="x-ticks"/)).not.toBeNull();
    expect((svg.match(/<polyline[^>]*points="([^"]*)"/)?.[1] ?? '').split(' ')).toHaveLength(200);
  });
  it('thins a long series and draws an improvement chart below zero', () => {
    const long = bernoulliCusum(0.1, Array.from({ length: 100000 }, (_, i) => (i % 50 === 0 ? 1 : 0)), -3, { oddsMultiplier: 0.5 });
    const s = cusumChartSvg({ ...long, limit: -3 }, { width: 400 });
    expect(s.length).toBeLessThan(200000);
    expect(s).toContain('h = -3');
  });
  it('nice ticks', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-3.3, 0, 5)).toEqual([-3, -2, -1, 0]);
  });
});
