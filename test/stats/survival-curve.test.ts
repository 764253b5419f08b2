// The SVG cumulative incidence curve: a well-formed document that draws the right steps, band and
// censor ticks (src/web/charts/survival-curve.ts).

import { describe, expect, it } from 'vitest';
import { kaplanMeier } from '../../src/stats/kaplan-meier.js';
import { stepPoints, survivalCurveLayout, survivalCurveSvg } from '../../src/web/charts/survival-curve.js';
import { coveringTicks } from '../../src/web/charts/svg.js';

/** Checks that tags nest and close, attributes are quoted, and text has no raw < or &. */
function wellFormed(xml: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let seen = 0;
  while ((m = re.exec(xml))) {
    seen = re.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5], 'text').not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
      continue;
    }
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(seen, `parsed up to ${xml.slice(seen, seen + 40)}`).toBe(xml.length);
  expect(stack).toEqual([]);
}

const attr = (svg: string, cls: string, name: string) => new RegExp(`class="${cls}"[^>]*?${name}="([^"]*)"`).exec(svg)?.[1];

describe('survivalCurveSvg', () => {
  const km = kaplanMeier([1, 2, 2, 2, 3, 4, 4, 5, 5, 8], [1, 1, 1, 0, 0, 1, 0, 1, 0, 0], { confType: 'log-log' });

  it('is a well-formed SVG document with axes, tick labels and a title', () => {
    const svg = survivalCurveSvg(km, { title: 'Expulsion <Ballerine> & T-shape', xLabel: 'weeks since insertion' });
    wellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Expulsion &lt;Ballerine&gt; &amp; T-shape');
    expect(svg).toContain('>weeks since insertion<');
    expect(svg).toContain('>0%<');
    expect(svg).toMatch(/>8</); // x axis reaches the last censoring
  });

  it('plots the steps of 1 − S at the event times', () => {
    const L = survivalCurveLayout(km);
    const pts = stepPoints(km);
    expect(pts).toEqual([
      [0, 0],
      [1, 0],
      [1, km.cumulativeIncidence[0]],
      [2, km.cumulativeIncidence[0]],
      [2, km.cumulativeIncidence[1]],
      [4, km.cumulativeIncidence[1]],
      [4, km.cumulativeIncidence[2]],
      [5, km.cumulativeIncidence[2]],
      [5, km.cumulativeIncidence[3]],
      [8, km.cumulativeIncidence[3]],
    ]);
    expect(km.cumulativeIncidence[0]).toBeCloseTo(0.1, 15);
    expect(km.cumulativeIncidence[1]).toBeCloseTo(1 - 0.9 * (7 / 9), 15);
    const d = attr(survivalCurveSvg(km), 'curve', 'd')!;
    const drawn = [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(drawn).toEqual(pts.map(([t, v]) => [L.x(t), L.y(v)]));
    // up is smaller y: the curve never goes down
    for (let i = 1; i < drawn.length; i++) expect(drawn[i]![1]).toBeLessThanOrEqual(drawn[i - 1]![1]!);
  });

  it('draws the band per step and a censor tick per censoring time on the curve', () => {
    const svg = survivalCurveSvg(km);
    const L = survivalCurveLayout(km);
    const band = attr(svg, 'band', 'd')!;
    expect(band.match(/M/g)).toHaveLength(km.time.length);
    expect(band).toContain(`M${L.x(1)} ${L.y(km.cumulativeIncidenceUpper[0]!)}H${L.x(2)}V${L.y(km.cumulativeIncidenceLower[0]!)}`);
    const ticks = [...svg.split('<g class="censor"')[1]!.matchAll(/<line x1="([\d.]+)" y1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ticks).toEqual([2, 3, 4, 5, 8].map((t) => L.x(t)));
  });

  it('leaves out the band where the interval is undefined (S = 0) and draws no steps when all are censored', () => {
    const all = kaplanMeier([1, 2], [1, 1]);
    const svg = survivalCurveSvg(all);
    wellFormed(svg);
    expect(attr(svg, 'band', 'd')!.match(/M/g)).toHaveLength(1);
    expect(svg).toContain('>100%<');
    const none = survivalCurveSvg(kaplanMeier([3, 4], [0, 0]));
    wellFormed(none);
    expect(none).not.toContain('class="band"');
    expect(stepPoints(kaplanMeier([3, 4], [0, 0]))).toEqual([
      [0, 0],
      [4, 0],
    ]);
  });

  it('nice ticks', () => {
    expect(coveringTicks(8)).toEqual([0, 2, 4, 6, 8]);
    expect(coveringTicks(0.47)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(coveringTicks(0)).toEqual([0, 1]);
  });
});
