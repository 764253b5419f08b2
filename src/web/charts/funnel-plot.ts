// A funnel plot as a self-contained SVG string: providers as points (size against rate), the
// target line, the control-limit curves per level, outliers highlighted. Pure: no DOM, no I/O;
// the limits come from src/stats/funnel.ts or overdispersion.ts.

import { esc, niceTicks, round2 } from './svg.js';

export interface FunnelPlotUnit {
  id: string;
  /** x: the unit's size (procedures, insertions, expected count). */
  size: number;
  /** y: its proportion or observed/expected ratio. */
  value: number;
  /** Highlighted when true; when absent, decided by the widest level's limits at its size. */
  outlier?: boolean;
}

/** One point of the limit curves: `n` (proportions) or `expected` (ratios) and limits keyed by level. */
export interface FunnelPlotLimit {
  n?: number;
  expected?: number;
  lower: Record<string, number>;
  upper: Record<string, number>;
}

export interface FunnelPlotInput {
  target: number;
  units: readonly FunnelPlotUnit[];
  limits: readonly FunnelPlotLimit[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

export interface FunnelPlotOptions {
  width?: number;
  height?: number;
  /** Show y values as percentages (proportions); default false. */
  percent?: boolean;
}

const fmt = (v: number): string => round2(v).toString();

function sizeOf(l: FunnelPlotLimit): number {
  return l.n ?? l.expected ?? NaN;
}

/** Linear interpolation of one limit curve at size x (outside the range: the nearest end). */
function interpolate(points: readonly [number, number][], x: number): number {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return NaN;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i] as [number, number];
    const [x0, y0] = points[i - 1] as [number, number];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return last[1];
}

const LEVEL_STYLE = ['stroke-dasharray="6 4"', 'stroke-dasharray="2 3"', 'stroke-dasharray="10 3 2 3"'];

/** The funnel plot as an SVG document string. */
export function funnelPlotSvg(input: FunnelPlotInput, opts: FunnelPlotOptions = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 420;
  const m = { left: 64, right: 24, top: input.title ? 36 : 16, bottom: 52 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  const limits = [...input.limits].filter((l) => Number.isFinite(sizeOf(l))).sort((a, b) => sizeOf(a) - sizeOf(b));
  const levels = Object.keys(limits[0]?.lower ?? {}).sort((a, b) => Number(a) - Number(b));
  const curves = levels.flatMap((k) =>
    (['lower', 'upper'] as const).map((side) => ({ level: k, side, points: limits.map((l) => [sizeOf(l), l[side][k] as number] as [number, number]).filter(([, y]) => Number.isFinite(y)) })),
  );

  const xs = [...input.units.map((u) => u.size), ...limits.map(sizeOf)].filter(Number.isFinite);
  const ys = [input.target, ...input.units.map((u) => u.value), ...curves.flatMap((c) => c.points.map(([, y]) => y))].filter(Number.isFinite);
  const xMax = Math.max(1, ...xs) * 1.03;
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (yMax === yMin) (yMin -= 0.5), (yMax += 0.5);
  const pad = (yMax - yMin) * 0.05;
  yMin = Math.max(0, yMin - pad);
  yMax += pad;
  const sx = (x: number): number => m.left + (x / xMax) * pw;
  const sy = (y: number): number => m.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const clampY = (y: number): number => Math.min(yMax, Math.max(yMin, y));
  const yText = (v: number): string => (opts.percent ? `${fmt(v * 100)}%` : fmt(v));

  const widest = levels[levels.length - 1];
  const isOutlier = (u: FunnelPlotUnit): boolean => {
    if (u.outlier !== undefined) return u.outlier;
    if (widest === undefined) return false;
    const lo = curves.find((c) => c.level === widest && c.side === 'lower');
    const hi = curves.find((c) => c.level === widest && c.side === 'upper');
    return (lo !== undefined && u.value < interpolate(lo.points, u.size)) || (hi !== undefined && u.value > interpolate(hi.points, u.size));
  };

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(input.title ?? 'funnel plot')}" font-family="sans-serif" font-size="11">`);
  if (input.title) out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(input.title)}</text>`);
  // axes with ticks
  out.push(`<g class="axes" stroke="#333" fill="none"><line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/></g>`);
  out.push('<g class="x-ticks">');
  for (const t of niceTicks(0, xMax, 6)) out.push(`<line x1="${fmt(sx(t))}" y1="${m.top + ph}" x2="${fmt(sx(t))}" y2="${m.top + ph + 5}" stroke="#333"/><text x="${fmt(sx(t))}" y="${m.top + ph + 17}" text-anchor="middle">${fmt(t)}</text>`);
  out.push('</g><g class="y-ticks">');
  for (const t of niceTicks(yMin, yMax, 6)) out.push(`<line x1="${m.left - 5}" y1="${fmt(sy(t))}" x2="${m.left}" y2="${fmt(sy(t))}" stroke="#333"/><text x="${m.left - 8}" y="${fmt(sy(t) + 4)}" text-anchor="end">${yText(t)}</text>`);
  out.push('</g>');
  out.push(`<text class="x-label" x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(input.xLabel ?? 'number of procedures')}</text>`);
  out.push(`<text class="y-label" transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(input.yLabel ?? (opts.percent ? 'rate (%)' : 'rate'))}</text>`);
  // target line
  out.push(`<line class="target" x1="${m.left}" y1="${fmt(sy(input.target))}" x2="${m.left + pw}" y2="${fmt(sy(input.target))}" stroke="#1f4e9c" stroke-width="1.5"><title>target ${esc(yText(input.target))}</title></line>`);
  // limit curves
  levels.forEach((k, i) => {
    for (const side of ['lower', 'upper'] as const) {
      const c = curves.find((x) => x.level === k && x.side === side);
      if (!c || c.points.length === 0) continue;
      const d = c.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${fmt(sx(x))},${fmt(sy(clampY(y)))}`).join(' ');
      out.push(`<path class="limit" data-level="${esc(k)}" data-side="${side}" d="${d}" fill="none" stroke="#555" ${LEVEL_STYLE[i % LEVEL_STYLE.length]}><title>${esc(`${fmt(Number(k) * 100)}% ${side} limit`)}</title></path>`);
    }
  });
  // units
  out.push('<g class="units">');
  for (const u of input.units) {
    const o = isOutlier(u);
    const cls = o ? 'unit outlier' : 'unit';
    const style = o ? 'fill="#c62828" stroke="#7f0000" r="5"' : 'fill="#1f77b4" fill-opacity="0.7" stroke="none" r="3.5"';
    out.push(`<circle class="${cls}" data-id="${esc(u.id)}" cx="${fmt(sx(u.size))}" cy="${fmt(sy(clampY(u.value)))}" ${style}><title>${esc(`${u.id}: ${yText(u.value)} of ${fmt(u.size)}${o ? ' (outlier)' : ''}`)}</title></circle>`);
  }
  out.push('</g>');
  // legend
  const lx = m.left + pw - 150;
  let ly = m.top + 10;
  out.push(`<g class="legend"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#1f4e9c" stroke-width="1.5"/><text x="${lx + 30}" y="${ly + 4}">target</text>`);
  levels.forEach((k, i) => {
    ly += 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#555" ${LEVEL_STYLE[i % LEVEL_STYLE.length]}/><text x="${lx + 30}" y="${ly + 4}">${esc(`${fmt(Number(k) * 100)}% limits`)}</text>`);
  });
  ly += 16;
  out.push(`<circle cx="${lx + 12}" cy="${ly}" r="5" fill="#c62828" stroke="#7f0000"/><text x="${lx + 30}" y="${ly + 4}">outlier</text></g>`);
  out.push('</svg>');
  return out.join('\n');
}
