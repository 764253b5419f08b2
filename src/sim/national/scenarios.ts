// Scenario switches: a problem device introduced on a date (Ballerine-like copper IUD with k×
// the baseline expulsion rate and more perforations in breastfeeding women), a bad lot, a
// provider with poor technique. Each becomes a ground-truth entry: which device, lot or provider
// is abnormal, from when, by how much, and the realised counts.

import type { SimDevice } from './catalogue.js';
import type { SimProvider } from './providers.js';
import type { IudMultipliers } from './iud.js';
import { dayOf, stream } from './util.js';

export const SCENARIO_NAMES = ['problem-device', 'bad-lot', 'poor-technique'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioSpec {
  name: ScenarioName;
  /** The factor k (default per scenario). */
  k?: number;
}

/** Defaults: problem device k = 3 (Wiebe & Trussell 27 % vs 5 % would be 5.4; Lukes 3.3 % less); breastfeeding perforation ×2 (assumption). */
export const SCENARIO_DEFAULT_K: Record<ScenarioName, number> = { 'problem-device': 3, 'bad-lot': 3, 'poor-technique': 3 };
/** Problem device: extra perforation factor in breastfeeding women; pregnancy factor (Yaron: 1.1 % vs copper 0.8 %). */
export const PROBLEM_DEVICE_PERFORATION_BREASTFEEDING = 2;
export const PROBLEM_DEVICE_PREGNANCY = 1.4;

export function parseScenario(text: string): ScenarioSpec {
  const [name, k] = text.split(':');
  if (!(SCENARIO_NAMES as readonly string[]).includes(name!)) throw new RangeError(`unknown scenario ${name}: use ${SCENARIO_NAMES.join(', ')}`);
  if (k === undefined) return { name: name as ScenarioName };
  const n = Number(k);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new RangeError(`scenario ${name}: k must be a number above 0 (at most 100)`);
  return { name: name as ScenarioName, k: n };
}

export interface RealisedCounts {
  placements: number;
  expulsions: number;
  perforations: number;
  pregnancies: number;
  breastfeedingPlacements: number;
  breastfeedingPerforations: number;
}
const zero = (): RealisedCounts => ({ placements: 0, expulsions: 0, perforations: 0, pregnancies: 0, breastfeedingPlacements: 0, breastfeedingPerforations: 0 });

export interface ActiveScenario {
  name: ScenarioName;
  k: number;
  target: { kind: 'device'; udiDi: string; manufacturer: string; productName: string } | { kind: 'lot'; udiDi: string; productName: string; lot: string } | { kind: 'provider'; kvk: string; name: string; type: string };
  from: string;
  to: string | null;
  fromDay: number;
  /** Multipliers of the outcome rates inside the scenario (breastfeeding: perforation in breastfeeding women only). */
  multipliers: { expulsion: number; perforation: number; perforationBreastfeeding: number; pregnancy: number };
  description: string;
  realised: RealisedCounts;
}

/** Resolves the switches to concrete targets; deterministic for the seed. */
export function resolveScenarios(specs: readonly ScenarioSpec[], seed: number, devices: readonly SimDevice[], providers: readonly SimProvider[], startDay: number, endDay: number): ActiveScenario[] {
  const rnd = stream(seed, 'scenarios');
  const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  return specs.map((s): ActiveScenario => {
    const k = s.k ?? SCENARIO_DEFAULT_K[s.name];
    if (s.name === 'problem-device') {
      const d = devices.find((x) => x.problemCandidate)!;
      return {
        name: s.name, k,
        target: { kind: 'device', udiDi: d.udiDi, manufacturer: d.manufacturer, productName: d.productName },
        from: d.from!, to: d.to ?? null, fromDay: dayOf(d.from!),
        multipliers: { expulsion: k, perforation: 1, perforationBreastfeeding: PROBLEM_DEVICE_PERFORATION_BREASTFEEDING, pregnancy: PROBLEM_DEVICE_PREGNANCY },
        description: `copper IUD introduced ${d.from} with ${k}× the baseline first-year expulsion rate, ${PROBLEM_DEVICE_PERFORATION_BREASTFEEDING}× perforation in breastfeeding women and ${PROBLEM_DEVICE_PREGNANCY}× pregnancy`,
        realised: zero(),
      };
    }
    if (s.name === 'bad-lot') {
      const d = devices.find((x) => x.code === 'LN1')!;
      // a lot manufactured about a third into the period: lot codes are <code><yy><mm><A–D> of the manufacture month
      const day = startDay + Math.floor((endDay - startDay) * (0.3 + 0.1 * rnd.next()));
      const m = iso(day);
      const lot = `${d.code}${m.slice(2, 4)}${m.slice(5, 7)}A`;
      return {
        name: s.name, k,
        target: { kind: 'lot', udiDi: d.udiDi, productName: d.productName, lot },
        from: `${m.slice(0, 7)}-01`, to: null, fromDay: dayOf(`${m.slice(0, 7)}-01`),
        multipliers: { expulsion: k, perforation: 1, perforationBreastfeeding: 1, pregnancy: 1 },
        description: `lot ${lot} of ${d.productName}: ${k}× the baseline first-year expulsion rate`,
        realised: zero(),
      };
    }
    // poor technique: the largest GP practice, from halfway the period
    const gps = providers.filter((p) => p.type === 'gp-practice');
    const p = gps.reduce((a, b) => (b.weight > a.weight ? b : a));
    const fromDay = startDay + Math.floor((endDay - startDay) * 0.5);
    return {
      name: s.name, k,
      target: { kind: 'provider', kvk: p.kvk, name: p.name, type: p.type },
      from: iso(fromDay), to: null, fromDay,
      multipliers: { expulsion: 1 + (k - 1) / 2, perforation: k, perforationBreastfeeding: 1, pregnancy: 1 },
      description: `IUD placements by ${p.name} from ${iso(fromDay)}: ${k}× perforation and ${1 + (k - 1) / 2}× expulsion`,
      realised: zero(),
    };
  });
}

/** The multipliers for one placement, and the scenarios it belongs to (for the realised counts). */
export function multipliersFor(active: readonly ActiveScenario[], udiDi: string, lot: string, kvk: string, day: number, breastfeeding: boolean, hit: ActiveScenario[]): IudMultipliers {
  let expulsion = 1;
  let perforation = 1;
  let pregnancy = 1;
  hit.length = 0;
  for (const s of active) {
    if (day < s.fromDay) continue;
    const t = s.target;
    const match = t.kind === 'device' ? t.udiDi === udiDi : t.kind === 'lot' ? t.udiDi === udiDi && t.lot === lot : t.kvk === kvk;
    if (!match) continue;
    hit.push(s);
    expulsion *= s.multipliers.expulsion;
    perforation *= s.multipliers.perforation * (breastfeeding ? s.multipliers.perforationBreastfeeding : 1);
    pregnancy *= s.multipliers.pregnancy;
  }
  return { expulsion, perforation, pregnancy };
}
