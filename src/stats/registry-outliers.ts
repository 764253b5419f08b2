// Implant-registry outlier rules for components (an implant brand or model within its class):
// the Australian registry's stage-1 screen and the English NJR's Level 1/Level 2 rule. Pure.
//
// References: AOANJRR, "Assessing prosthesis performance" (stage 1 as currently implemented), and
// de Steiger et al., Joint registry approach for identification of outlier prostheses, Acta
// Orthopaedica 84 (2013) 348–352; NJR annual report 2017, headline summaries (implant Level 1
// outlier: PTIR > 2 × the group PTIR, allowing for CIs). Our readings are stated where the
// sources leave room.

import { gammaQuantile, poissonUpper } from './distributions.js';

export interface RegistryComponent {
  id: string;
  /** Primary procedures with this component. */
  procedures: number;
  /** First revisions among them. */
  revisions: number;
  /** Observed component-years (patient-years) at risk. */
  years: number;
}

/**
 * How the group rate a component is compared with is formed:
 * - "exclude-large" (default, the AOANJRR text read literally: "if a component represents more than
 *   25% of the group, its revision rate is excluded from estimation of the group's overall rate"):
 *   one group rate from every component with at most 25% of the group's procedures; a component
 *   is compared with it whether or not it is itself in it. Where that leaves no component (every
 *   one is large, e.g. three of equal size), the component is compared with all others instead.
 * - "exclude-self": each component against all the others;
 * - "all": each component against the whole group, itself included.
 */
export type Comparator = 'exclude-large' | 'exclude-self' | 'all';

export interface AoanjrrResult {
  id: string;
  /** Revisions per 100 component-years. */
  rate: number;
  /** The comparator's revisions per 100 component-years; null when there is no comparator. */
  groupRate: number | null;
  /** rate / groupRate; null when undefined (no comparator, or a group rate of 0). */
  ratio: number | null;
  /** Revisions expected at the group rate: groupRate/100 × component-years. */
  expected: number | null;
  /** Poisson P(X ≥ revisions | mean = expected). */
  pValue: number | null;
  flagged: boolean;
  reason: string;
}

/** The fraction of the group's procedures above which a component leaves the group rate. */
export const LARGE_SHARE = 0.25;

interface GroupRate {
  rate: number | null;
  how: string;
}

function groupRates(components: readonly RegistryComponent[], comparator: Comparator): GroupRate[] {
  const totalP = components.reduce((a, c) => a + c.procedures, 0);
  const totalR = components.reduce((a, c) => a + c.revisions, 0);
  const totalY = components.reduce((a, c) => a + c.years, 0);
  const others = (c: RegistryComponent): GroupRate =>
    totalY - c.years > 0 ? { rate: (100 * (totalR - c.revisions)) / (totalY - c.years), how: 'all other components' } : { rate: null, how: 'no other component' };
  if (comparator === 'all') return components.map(() => ({ rate: (100 * totalR) / totalY, how: 'the whole group' }));
  if (comparator === 'exclude-self') return components.map(others);
  const small = components.filter((c) => c.procedures <= LARGE_SHARE * totalP);
  const sy = small.reduce((a, c) => a + c.years, 0);
  const sr = small.reduce((a, c) => a + c.revisions, 0);
  const large = components.length - small.length;
  const how = large === 0 ? 'the whole group' : `the group without the ${large} component${large === 1 ? '' : 's'} above 25% of procedures`;
  return components.map((c) => (sy > 0 ? { rate: (100 * sr) / sy, how } : others(c)));
}

/**
 * AOANJRR stage 1: a component is selected when (i) its revisions per 100 component-years exceed
 * twice the group rate, and (ii) the Poisson probability P(X ≥ observed) with mean
 * groupRate/100 × component-years is below 0.05, and either (iii) it has at least 10 primary
 * procedures or (iv) at least 75% of them are revised with at least 2 revisions.
 * Component-years must be positive (the caller refuses 0). A group rate of 0 makes any revision
 * infinitely more (ratio null, (i) met) and P(X ≥ k) = 0 for k ≥ 1.
 */
export function aoanjrrStage1(components: readonly RegistryComponent[], comparator: Comparator = 'exclude-large'): AoanjrrResult[] {
  const rates = groupRates(components, comparator);
  return components.map((c, i) => {
    const g = rates[i] as GroupRate;
    const rate = (100 * c.revisions) / c.years;
    if (g.rate === null) return { id: c.id, rate, groupRate: null, ratio: null, expected: null, pValue: null, flagged: false, reason: `not assessed: ${g.how} to compare with` };
    const expected = (g.rate / 100) * c.years;
    const ratio = g.rate > 0 ? rate / g.rate : null;
    const pValue = poissonUpper(c.revisions, expected);
    const overTwice = g.rate > 0 ? rate > 2 * g.rate : c.revisions > 0;
    const significant = pValue < 0.05;
    const enoughProcedures = c.procedures >= 10;
    const mostlyRevised = c.revisions >= 2 && c.revisions >= 0.75 * c.procedures;
    const flagged = overTwice && significant && (enoughProcedures || mostlyRevised);
    const parts = [
      `rate ${overTwice ? '>' : '≤'} 2 × group rate (${g.how})`,
      `Poisson P ${significant ? '<' : '≥'} 0.05`,
      enoughProcedures ? '≥ 10 procedures' : mostlyRevised ? '< 10 procedures but ≥ 75% revised with ≥ 2 revisions' : '< 10 procedures and not ≥ 75% revised with ≥ 2 revisions',
    ];
    return { id: c.id, rate, groupRate: g.rate, ratio, expected, pValue, flagged, reason: `${flagged ? 'flagged' : 'not flagged'}: ${parts.join('; ')}` };
  });
}

/**
 * The exact (Garwood) Poisson interval for a count k: [χ²_{α/2}(2k)/2, χ²_{1−α/2}(2k + 2)/2] =
 * [Gamma(k) quantile at α/2, Gamma(k + 1) quantile at 1 − α/2]; the lower limit is 0 for k = 0.
 * As R's `poisson.test(k)$conf.int`.
 */
export function poissonExactInterval(k: number, level = 0.95): [number, number] {
  const a = (1 - level) / 2;
  return [k === 0 ? 0 : gammaQuantile(a, k), gammaQuantile(1 - a, k + 1)];
}

export interface NjrResult {
  id: string;
  /** Revisions per 100 patient-years (PTIR). */
  ptir: number;
  /** Exact Poisson interval of the PTIR at the level asked (default 95%). */
  lower: number;
  upper: number;
  groupPtir: number | null;
  ratio: number | null;
  /** 1, 2 or null (not an outlier). */
  level: 1 | 2 | null;
  reason: string;
}

/**
 * NJR implant outliers, our precise reading of "PTIR > 2 × the group PTIR, allowing for CIs":
 * Level 1 when the lower limit of the exact Poisson interval (default 95%, as R's `poisson.test`)
 * of the component's PTIR lies above 2 × the group PTIR, i.e. the component is significantly
 * worse than twice its group; Level 2 (ours, the NJR's milder tier) when that lower limit lies
 * above 1.5 × the group PTIR but not above 2 ×. The group PTIR is that of all other components
 * of the group ("exclude-self"), unless another comparator is asked.
 */
export function njrOutliers(components: readonly RegistryComponent[], opts: { comparator?: Comparator; level?: number; level1?: number; level2?: number } = {}): NjrResult[] {
  const rates = groupRates(components, opts.comparator ?? 'exclude-self');
  const m1 = opts.level1 ?? 2;
  const m2 = opts.level2 ?? 1.5;
  return components.map((c, i) => {
    const g = rates[i] as GroupRate;
    const [lo, hi] = poissonExactInterval(c.revisions, opts.level ?? 0.95);
    const lower = (100 * lo) / c.years;
    const upper = (100 * hi) / c.years;
    const ptir = (100 * c.revisions) / c.years;
    if (g.rate === null) return { id: c.id, ptir, lower, upper, groupPtir: null, ratio: null, level: null, reason: `not assessed: ${g.how} to compare with` };
    const ratio = g.rate > 0 ? ptir / g.rate : null;
    const level = lower > m1 * g.rate ? 1 : lower > m2 * g.rate ? 2 : null;
    const reason =
      level === 1
        ? `Level 1: lower limit of the PTIR above ${m1} × group PTIR (${g.how})`
        : level === 2
          ? `Level 2: lower limit of the PTIR above ${m2} × but not ${m1} × group PTIR (${g.how})`
          : `not an outlier: lower limit of the PTIR not above ${m2} × group PTIR (${g.how})`;
    return { id: c.id, ptir, lower, upper, groupPtir: g.rate, ratio, level, reason };
  });
}
