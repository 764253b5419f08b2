// The funnel-plot SVG: well-formed, with the target, both limit curves per level and outliers marked;
// and one spawned `lir stats` round trip for the providers group.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { proportionFunnel } from '../../src/stats/funnel.js';
import { funnelPlotSvg } from '../../src/web/charts/funnel-plot.js';
import { niceTicks } from '../../src/web/charts/svg.js';

/** Minimal XML well-formedness: every tag closed in order, attributes quoted, no stray '<' or '&'. */
function wellFormed(xml: string): string | null {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const text = xml.slice(last, m.index);
    if (/[<>]/.test(text) || /&(?!amp;|lt;|gt;|quot;|#\d+;)/.test(text)) return `bad text before ${m[0]}`;
    last = tag.lastIndex;
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return `unbalanced </${name}>`;
    } else stack.push(name as string);
  }
  if (xml.slice(last).trim() !== '') return 'text after the root';
  return stack.length === 0 ? null : `unclosed ${stack.join(',')}`;
}

const sizes = [5, 10, 20, 50, 100, 200, 400, 800, 1200];
const input = {
  target: 0.05,
  limits: proportionFunnel(0.05, sizes),
  units: [
    { id: 'Practice <A> & co', size: 40, value: 0.05 },
    { id: 'B', size: 300, value: 0.15 },
    { id: 'C', size: 900, value: 0.048 },
    { id: 'D', size: 12, value: 0, outlier: false },
    { id: 'E', size: 600, value: 0.01, outlier: true },
  ],
  title: 'IUD expulsion within 1 year',
  xLabel: 'insertions',
  yLabel: 'expulsion (%)',
};

describe('funnelPlotSvg', () => {
  const svg = funnelPlotSvg(input, { percent: true });
  it('is a well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormed(svg)).toBeNull();
    expect(svg).toContain('Practice &lt;A&gt; &amp; co');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });
  it('draws the target and the lower and upper curve for 95% and 99.8%', () => {
    expect(svg.match(/class="target"/g)).toHaveLength(1);
    for (const level of ['0.95', '0.998']) for (const side of ['lower', 'upper']) {
      const path = svg.match(new RegExp(`<path class="limit" data-level="${level}" data-side="${side}" d="([^"]+)"`));
      expect(path?.[1]?.split(/[ML]/).filter(Boolean)).toHaveLength(sizes.length);
    }
  });
  it('highlights outliers: given, or outside the widest limits', () => {
    const outliers = [...svg.matchAll(/class="unit outlier" data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(outliers.sort()).toEqual(['B', 'E']);
    expect(svg.match(/class="unit"/g)).toHaveLength(3);
  });
  it('has axis ticks and labels', () => {
    expect(svg).toContain('>insertions</text>');
    expect(svg).toContain('>expulsion (%)</text>');
    expect((svg.match(/<g class="x-ticks">([\s\S]*?)<\/g>/)?.[1] ?? '').match(/<text/g)?.length).toBeGreaterThanOrEqual(4);
    expect(svg).toMatch(/>\d+(\.\d+)?%<\/text>/);
  });
  it('survives a single unit and no limits', () => {
    const one = funnelPlotSvg({ target: 1, units: [{ id: 'x', size: 3, value: 1 }], limits: [] });
    expect(wellFormed(one)).toBeNull();
    expect(one).not.toMatch(/NaN|Infinity/);
  });
  it('niceTicks gives round steps', () => {
    expect(niceTicks(0, 1230, 6)).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
    expect(niceTicks(0.01, 0.13, 6)).toEqual([0.02, 0.04, 0.06, 0.08, 0.1, 0.12]);
  });
});

describe('lir stats (spawned) for the providers group', () => {
  const bin = fileURLToPath(new URL('../../bin/lir.js', import.meta.url));
  it('reads JSON on stdin and writes the result; a bad request exits 1 with the pointer', () => {
    const ok = spawnSync(process.execPath, [bin, 'stats', 'aoanjrr'], {
      input: JSON.stringify({ groups: [{ id: 'A', procedures: 200, revisions: 20, componentYears: 500 }, { id: 'B', procedures: 900, revisions: 12, componentYears: 2600 }] }),
      encoding: 'utf8',
    });
    expect(ok.status, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as { components: { id: string; flagged: boolean }[] };
    expect(out.components.map((c) => c.id)).toEqual(['A', 'B']);
    const bad = spawnSync(process.execPath, [bin, 'stats', 'funnel-ratio'], { input: '{"expected":[0]}', encoding: 'utf8' });
    expect(bad.status).toBe(1);
    const line = bad.stderr.trim().split('\n').pop() as string;
    expect(JSON.parse(line.slice(line.indexOf('{')))).toMatchObject({ error: { code: 'INVALID_REQUEST', pointer: '/expected/0' } });
  }, 30000);
});
