// A CUSUM chart as a standalone SVG string: the path of C_t over outcome index, the control limit,
// and a marker at each signal. No DOM, no dependencies, so the portal, a report and a test can all
// draw it. Pure.

import { esc, niceTicks, round2 } from './svg.js';

export interface CusumChartInput {
  values: ArrayLike<number>;
  /** 0-based indices of signals. */
  signals: readonly number[];
  /** Control limit h (negative for an improvement chart). */
  limit: number;
}

export interface CusumChartOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

const fmt = (x: number): string => round2(x).toString();

/**
 * SVG of a CUSUM: outcome index (1-based, as inspectors count patients) on x, C_t on y, the limit
 * as a dashed red line, signals as red circles. Long series are thinned to at most 2 points per
 * horizontal pixel (keeping each bucket's extreme), so a million outcomes stay a small file.
 */
export function cusumChartSvg(result: CusumChartInput, opts: CusumChartOptions = {}): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 320;
  const m = { left: 56, right: 16, top: opts.title ? 32 : 16, bottom: 44 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const n = result.values.length;
  const improvement = result.limit < 0;
  let yMin = 0;
  let yMax = 0;
  for (let i = 0; i < n; i++) {
    const v = result.values[i] as number;
    if (v < yMin) yMin = v;
    if (v > yMax) yMax = v;
  }
  yMin = Math.min(yMin, result.limit * 1.1);
  yMax = Math.max(yMax, result.limit * 1.1);
  if (yMax === yMin) yMax = yMin + 1;
  const xMax = Math.max(n, 2);
  const sx = (i: number): number => m.left + ((i - 1) / (xMax - 1)) * pw;
  const sy = (v: number): number => m.top + (1 - (v - yMin) / (yMax - yMin)) * ph;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="sans-serif" font-size="11">`);
  parts.push(`<title>${esc(opts.title ?? 'CUSUM chart')}</title>`);
  if (opts.title) parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`);
  // axes with ticks
  parts.push(`<g class="axes" stroke="#333" fill="none"><line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/></g>`);
  const xt = niceTicks(1, xMax, 6).filter((t) => Number.isInteger(t));
  parts.push('<g class="x-ticks">');
  for (const t of xt) parts.push(`<line x1="${fmt(sx(t))}" y1="${m.top + ph}" x2="${fmt(sx(t))}" y2="${m.top + ph + 4}" stroke="#333"/><text x="${fmt(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle">${t}</text>`);
  parts.push('</g><g class="y-ticks">');
  for (const t of niceTicks(yMin, yMax, 5)) parts.push(`<line x1="${m.left - 4}" y1="${fmt(sy(t))}" x2="${m.left}" y2="${fmt(sy(t))}" stroke="#333"/><text x="${m.left - 6}" y="${fmt(sy(t) + 4)}" text-anchor="end">${t}</text>`);
  parts.push('</g>');
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${esc(opts.xLabel ?? 'outcome')}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel ?? 'CUSUM')}</text>`);
  // the limit
  parts.push(`<line class="limit" x1="${m.left}" y1="${fmt(sy(result.limit))}" x2="${m.left + pw}" y2="${fmt(sy(result.limit))}" stroke="#c00" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${m.left + pw - 2}" y="${fmt(sy(result.limit) - 4)}" text-anchor="end" fill="#c00">h = ${fmt(result.limit)}</text>`);
  // the path, thinned per pixel column
  const points: string[] = [];
  const buckets = Math.max(1, Math.floor(pw * 2));
  if (n <= buckets) {
    for (let i = 0; i < n; i++) points.push(`${fmt(sx(i + 1))},${fmt(sy(result.values[i] as number))}`);
  } else {
    for (let b = 0; b < buckets; b++) {
      const from = Math.floor((b * n) / buckets);
      const to = Math.floor(((b + 1) * n) / buckets);
      let best = from;
      for (let i = from; i < to; i++) {
        const v = result.values[i] as number;
        if (improvement ? v < (result.values[best] as number) : v > (result.values[best] as number)) best = i;
      }
      points.push(`${fmt(sx(best + 1))},${fmt(sy(result.values[best] as number))}`);
    }
  }
  parts.push(`<polyline class="cusum" fill="none" stroke="#1f4e9c" stroke-width="1.5" points="${points.join(' ')}"/>`);
  parts.push('<g class="signals" fill="#c00">');
  for (const s of result.signals) parts.push(`<circle cx="${fmt(sx(s + 1))}" cy="${fmt(sy(result.values[s] as number))}" r="3.5"><title>signal at outcome ${s + 1}</title></circle>`);
  parts.push('</g></svg>');
  return parts.join('');
}
