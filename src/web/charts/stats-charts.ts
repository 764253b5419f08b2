// The picture of a `lir stats` result, for the methods a person reads as a picture: the curve of a
// Kaplan–Meier analysis, the path of a CUSUM, the funnel of provider rates. Pure.

import { cusumChartSvg } from './cusum-chart.js';
import { funnelPlotSvg, type FunnelPlotLimit, type FunnelPlotUnit } from './funnel-plot.js';
import { survivalCurveSvg, type SurvivalCurveInput } from './survival-curve.js';

type Json = Record<string, unknown>;
export type StatsChart = (request: Json, result: Json) => string;

/** A funnel's points: `n` with the optional `events` (and `ids`) of the request. */
function funnelUnits(request: Json): FunnelPlotUnit[] {
  const n = request.n as number[];
  const events = request.events;
  if (!Array.isArray(events) || events.length !== n.length) return [];
  const ids = Array.isArray(request.ids) ? request.ids : [];
  return n.map((size, i) => ({ id: String(ids[i] ?? `unit ${i + 1}`), size, value: Number(events[i]) / size }));
}

export const STATS_CHARTS: Record<string, StatsChart> = {
  'kaplan-meier': (_req, result) => survivalCurveSvg(result as unknown as SurvivalCurveInput),
  cusum: (req, result) => cusumChartSvg({ values: result.values as number[], signals: result.signals as number[], limit: req.limit as number }),
  'ra-cusum': (req, result) => cusumChartSvg({ values: result.values as number[], signals: result.signals as number[], limit: req.limit as number, }, { title: 'Risk-adjusted CUSUM' }),
  funnel: (req, result) =>
    funnelPlotSvg({ target: req.target as number, units: funnelUnits(req), limits: result.limits as FunnelPlotLimit[], xLabel: 'number of placements', yLabel: 'proportion' }, { percent: true }),
};
