// IUD placements: the placement fields (weeks postpartum, breastfeeding, ultrasound check,
// previous expulsion) and the first-year outcome (perforation, expulsion, pregnancy, other
// removal) drawn from published rates (config.ts IUD_RATES, reference §3). Pure: the caller
// passes its random stream, so tests can draw hundreds of thousands of placements in memory.

import type { Random } from '../random.js';
import { IUD_PLACEMENT, IUD_RATES } from './config.js';

export interface IudPlacement {
  /** Whole weeks since the last childbirth; null when not given (no childbirth, or unknown). */
  weeksPostpartum: number | null;
  /** ≤ 36 weeks after a childbirth (the EURAS-IUD stratum). */
  postpartum: boolean;
  breastfeeding: boolean;
  ultrasoundCheck: boolean;
  previousExpulsion: boolean;
}

export function drawPlacement(rnd: Random, placerType: string): IudPlacement {
  const postpartum = rnd.chance(IUD_PLACEMENT.postpartumShare);
  let weeksPostpartum: number | null = null;
  if (postpartum) weeksPostpartum = rnd.chance(0.1) ? rnd.int(0, 5) : rnd.int(6, 36);
  else if (rnd.chance(IUD_PLACEMENT.weeksKnownLate)) weeksPostpartum = rnd.int(37, 520);
  const breastfeeding = rnd.chance(postpartum ? IUD_PLACEMENT.breastfeedingIfPostpartum : IUD_PLACEMENT.breastfeedingOtherwise);
  return {
    weeksPostpartum,
    postpartum,
    breastfeeding,
    ultrasoundCheck: rnd.chance(IUD_PLACEMENT.ultrasound[placerType] ?? 0.5),
    previousExpulsion: rnd.chance(IUD_PLACEMENT.previousExpulsion),
  };
}

/** Multipliers a scenario applies to one placement (1 = baseline). */
export interface IudMultipliers {
  expulsion: number;
  perforation: number;
  pregnancy: number;
}
export const NO_MULTIPLIERS: IudMultipliers = { expulsion: 1, perforation: 1, pregnancy: 1 };

export interface IudProbabilities {
  perforation: number;
  expulsion: number;
  pregnancy: number;
  otherRemoval: number;
}

/** Baseline perforation probability of the EURAS-IUD stratum. */
export function perforationBaseline(p: Pick<IudPlacement, 'postpartum' | 'breastfeeding'>): number {
  const r = IUD_RATES.perforation;
  return p.breastfeeding ? (p.postpartum ? r.breastfeedingPostpartum : r.breastfeedingOnly) : p.postpartum ? r.postpartumOnly : r.neither;
}

export function expulsionBaseline(p: Pick<IudPlacement, 'previousExpulsion'>): number {
  return IUD_RATES.expulsion * (p.previousExpulsion ? IUD_RATES.previousExpulsionFactor : 1);
}

export function outcomeProbabilities(p: IudPlacement, hormonal: boolean, m: IudMultipliers = NO_MULTIPLIERS): IudProbabilities {
  return {
    perforation: Math.min(0.5, perforationBaseline(p) * m.perforation),
    expulsion: Math.min(0.9, expulsionBaseline(p) * m.expulsion),
    pregnancy: Math.min(0.5, (hormonal ? IUD_RATES.pregnancy.hormonal : IUD_RATES.pregnancy.copper) * m.pregnancy),
    otherRemoval: hormonal ? IUD_RATES.otherRemoval.hormonal : IUD_RATES.otherRemoval.copper,
  };
}

export type IudEvent = 'perforation' | 'expulsion' | 'pregnancy' | 'other';

export interface IudOutcome {
  /** The first-year event, or null (still in place after a year). */
  event: IudEvent | null;
  /** Days after placement. */
  afterDays: number;
}

/**
 * One draw decides the first-year event (they compete; their probabilities are the marginal rates,
 * the remainder is "no event in year one"), a second its timing: expulsions early (median ≈ 7
 * weeks, Lukes 2023, reference §3.4), perforations found within months, pregnancies and other
 * removals spread over the year.
 */
export function drawOutcome(rnd: Random, probs: IudProbabilities): IudOutcome {
  let u = rnd.next();
  const t = rnd.next();
  if ((u -= probs.perforation) < 0) return { event: 'perforation', afterDays: 7 + Math.floor(t * t * 300) };
  if ((u -= probs.expulsion) < 0) return { event: 'expulsion', afterDays: 3 + Math.floor(-Math.log(1 - t * 0.97) * 70) };
  if ((u -= probs.pregnancy) < 0) return { event: 'pregnancy', afterDays: 30 + Math.floor(t * 335) };
  if ((u -= probs.otherRemoval) < 0) return { event: 'other', afterDays: 14 + Math.floor(t * 351) };
  // still in place after a year: later removal (end of use, pregnancy wish), exponential with the yearly rate
  return { event: null, afterDays: 365 + Math.floor((-Math.log(1 - t * 0.999999) / IUD_RATES.laterRemovalPerYear) * 365) };
}
