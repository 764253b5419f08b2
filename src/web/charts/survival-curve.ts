// A pure SVG drawing of a cumulative incidence curve 1 − S (Kaplan–Meier): the step curve, its
// pointwise interval as a shaded band, ticks where follow-up was censored, and axes with ticks and
// labels. A string in, a string out: no DOM, so the server, the CLI and tests can all draw it.

import type { KaplanMeierResult } from '../../stats/kaplan-meier.js';
import { coveringTicks, esc, round2 } from './svg.js';

/** What the drawing needs of a Kaplan–Meier result. */
export type SurvivalCurveInput = Pick<KaplanMeierResult, 'time' | 'cumulativeIncidence' | 'cumulativeIncidenceLower' | 'cumulativeIncidenceUpper' | 'censorTime'> & Partial<Pick<KaplanMeierResult, 'level'>>;

export interface SurvivalCurveOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Show the y axis in percent (registries' cumulative percent revision); default true. */
  percent?: boolean;
  /** End of the x axis; default the last event or censoring time. */
  maxTime?: number;
  color?: string;
}

const MARGIN = { top: 36, right: 20, bottom: 48, left: 60 };

/** The corners of the step function 1 − S in data units: (0, 0), then at each event time across and up. */
export function stepPoints(r: SurvivalCurveInput, maxTime = lastTime(r)): [number, number][] {
  const pts: [number, number][] = [[0, 0]];
  let f = 0;
  r.time.forEach((t, i) => {
    pts.push([t, f]);
    f = r.cumulativeIncidence[i]!;
    pts.push([t, f]);
  });
  pts.push([Math.max(maxTime, pts[pts.length - 1]![0]), f]);
  return pts;
}

function lastTime(r: SurvivalCurveInput): number {
  return Math.max(0, r.time[r.time.length - 1] ?? 0, r.censorTime[r.censorTime.length - 1] ?? 0);
}

/** The value of the step function at t (the last jump at or before t). */
function valueAt(r: SurvivalCurveInput, t: number): number {
  let f = 0;
  for (let i = 0; i < r.time.length && r.time[i]! <= t; i++) f = r.cumulativeIncidence[i]!;
  return f;
}

/** Scales from data to pixels, shared by the drawing and its tests. */
export function survivalCurveLayout(r: SurvivalCurveInput, opts: SurvivalCurveOptions = {}) {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const maxTime = opts.maxTime ?? lastTime(r);
  const top = Math.max(0, ...r.cumulativeIncidence, ...r.cumulativeIncidenceUpper.map((u) => u ?? 0));
  const xTicks = coveringTicks(maxTime || 1);
  const yTicks = coveringTicks(Math.min(1, top > 0 ? top * 1.05 : 0.1), 5).filter((v) => v <= 1);
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => round2(MARGIN.left + (t / xMax) * plotW);
  const y = (v: number) => round2(MARGIN.top + plotH - (v / yMax) * plotH);
  return { width, height, maxTime, xTicks, yTicks, x, y, plotW, plotH };
}


function label(v: number, percent: boolean): string {
  return percent ? `${Number((v * 100).toPrecision(10))}%` : String(v);
}

/**
 * The SVG document (a string) of the cumulative incidence 1 − S: `path.curve` the steps,
 * `path.band` the pointwise interval (omitted where it is undefined, e.g. at S = 0),
 * `g.censor` one short vertical tick per distinct censoring time on the curve.
 */
export function survivalCurveSvg(result: SurvivalCurveInput, opts: SurvivalCurveOptions = {}): string {
  const L = survivalCurveLayout(result, opts);
  const percent = opts.percent ?? true;
  const color = opts.color ?? '#1f5fa8';
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="sans-serif" font-size="12" role="img">`);
  const title = opts.title ?? 'Cumulative incidence (1 − Kaplan–Meier)';
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<text x="${L.width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);

  // interval band: one rectangle per step where both bounds are defined
  const end = Math.max(L.maxTime, result.time[result.time.length - 1] ?? 0);
  const band: string[] = [];
  result.time.forEach((t, i) => {
    const lo = result.cumulativeIncidenceLower[i];
    const hi = result.cumulativeIncidenceUpper[i];
    if (lo === null || hi === null || lo === undefined || hi === undefined) return;
    const t2 = result.time[i + 1] ?? end;
    band.push(`M${L.x(t)} ${L.y(hi)}H${L.x(t2)}V${L.y(lo)}H${L.x(t)}Z`);
  });
  if (band.length) out.push(`<path class="band" d="${band.join('')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);

  // axes, grid and ticks
  const x0 = L.x(0);
  const y0 = L.y(0);
  const xEnd = L.x(L.xTicks[L.xTicks.length - 1]!);
  const yEnd = L.y(L.yTicks[L.yTicks.length - 1]!);
  out.push(`<g class="axes" stroke="#333" fill="none"><path d="M${x0} ${yEnd}V${y0}H${xEnd}"/></g>`);
  out.push('<g class="x-ticks" text-anchor="middle">');
  for (const t of L.xTicks) out.push(`<line x1="${L.x(t)}" y1="${y0}" x2="${L.x(t)}" y2="${y0 + 5}" stroke="#333"/><text x="${L.x(t)}" y="${y0 + 18}">${esc(String(t))}</text>`);
  out.push('</g><g class="y-ticks" text-anchor="end">');
  for (const v of L.yTicks) out.push(`<line x1="${x0 - 5}" y1="${L.y(v)}" x2="${x0}" y2="${L.y(v)}" stroke="#333"/><line x1="${x0}" y1="${L.y(v)}" x2="${xEnd}" y2="${L.y(v)}" stroke="#ddd"/><text x="${x0 - 8}" y="${L.y(v) + 4}">${esc(label(v, percent))}</text>`);
  out.push('</g>');
  out.push(`<text class="x-label" x="${x0 + L.plotW / 2}" y="${L.height - 8}" text-anchor="middle">${esc(opts.xLabel ?? 'time')}</text>`);
  out.push(`<text class="y-label" transform="translate(14 ${MARGIN.top + L.plotH / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel ?? (percent ? 'cumulative incidence (%)' : 'cumulative incidence'))}</text>`);

  // the step curve
  const pts = stepPoints(result, L.maxTime);
  const d = pts.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${L.x(t)} ${L.y(v)}`).join('');
  out.push(`<path class="curve" d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);

  // censor ticks on the curve
  out.push(`<g class="censor" stroke="${color}" stroke-width="1.5">`);
  for (const t of result.censorTime) {
    const yy = L.y(valueAt(result, t));
    out.push(`<line x1="${L.x(t)}" y1="${round2(yy - 5)}" x2="${L.x(t)}" y2="${round2(yy + 5)}"/>`);
  }
  out.push('</g></svg>');
  return out.join('\n');
}
