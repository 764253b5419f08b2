// What every SVG chart needs: escaping text, rounding coordinates, and round axis ticks.

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A coordinate to 0.01 px: smaller files, no visible difference. */
export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** A round tick step (1, 2 or 5 × 10^k) giving about `count` steps over `span`. */
export function niceStep(span: number, count: number): number {
  const mag = 10 ** Math.floor(Math.log10(span / count));
  return [1, 2, 5, 10].map((m) => m * mag).find((step) => span / step <= count + 1) ?? 10 * mag;
}

/** Round tick values inside [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}

/** Round ticks from 0 up to the first one at or above `max` (an axis that covers every value). */
export function coveringTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const step = niceStep(max, count);
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  if (ticks[ticks.length - 1]! < max - step * 1e-9) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}
