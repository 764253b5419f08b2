// Every parameter of the national simulation, its default and where the number comes from.
// docs/simulation.md lists the same table. "assumption" marks a number for which no public
// source was located: it is an order of magnitude chosen by us, and says so.

import type { ScenarioSpec } from './scenarios.js';

export interface SimConfig {
  /** Seed of every random stream (each concern derives its own sub-stream from it). */
  seed: number;
  /** Rows to generate (implantations, corrections, explantations, deaths, withdrawals, invalid rows). */
  records: number;
  /** First year of implantations (1 January). */
  startYear: number;
  /** Last date of any event (fixed, so that the output does not depend on the day it is made). */
  endDate: string;
  /** Share of rows that are deliberately invalid (rejected by intake). */
  invalidShare: number;
  /** Scenario switches (problem device, bad lot, poor technique). */
  scenarios: ScenarioSpec[];
}

export const DEFAULT_CONFIG: SimConfig = {
  seed: 1,
  records: 100_000,
  startYear: 2019,
  endDate: '2026-10-31',
  invalidShare: 0.01,
  scenarios: [],
};

/** Providers in the Netherlands at full scale. */
export const PROVIDER_COUNTS = {
  // "about 70 hospitals and UMCs" (issue 7; NVZ: ~ 64 general hospitals + 7 UMCs)
  hospital: 63,
  umc: 7,
  // independent treatment centres (ZBCs) that place implants: assumption, ~ 40 (issue 7 "independent clinics")
  'independent-clinic': 40,
  // "about 500 midwifery practices" (issue 7; KNOV/Nivel: ~ 530 primary-care practices)
  'midwifery-practice': 500,
  // "a few thousand GP practices" (issue 7; Nivel: ~ 4,000 practices): 4,000
  'gp-practice': 4000,
  // "~ 15 abortion clinics" (issue 7; Inspectie/Rutgers annual abortion reports: 13–16 clinics)
  'abortion-clinic': 15,
} as const;

/** Provider counts reach full scale at this many rows; below it they shrink proportionally (at least `minimum`). */
export const PROVIDER_FULL_SCALE_ROWS = 2_000_000;
export const PROVIDER_MINIMUM = { hospital: 2, umc: 1, 'independent-clinic': 1, 'midwifery-practice': 2, 'gp-practice': 3, 'abortion-clinic': 1 } as const;

/** Provinces with their population in millions (CBS StatLine, 1 January 2023, rounded): regions and provider weights. */
export const REGIONS: readonly (readonly [string, number])[] = [
  ['Zuid-Holland', 3.8],
  ['Noord-Holland', 2.95],
  ['Noord-Brabant', 2.6],
  ['Gelderland', 2.1],
  ['Utrecht', 1.4],
  ['Overijssel', 1.17],
  ['Limburg', 1.12],
  ['Friesland', 0.65],
  ['Groningen', 0.59],
  ['Drenthe', 0.5],
  ['Flevoland', 0.44],
  ['Zeeland', 0.39],
];

/**
 * Yearly national volumes, in implant records (one record per implanted component). The mix of
 * the generated data follows these proportions; `--records` scales the whole.
 */
export const YEARLY_VOLUMES = {
  // LROI: about 77,500 joint procedures a year (issue 7; LROI annual report 2022). Split assumption:
  // hip 53 %, knee 42 %, shoulder 5 %. A hip is 2 records (cup + stem), a knee 2 (femoral + tibial),
  // a shoulder 2 (humeral stem + glenoid).
  hipProcedures: 77_500 * 0.53,
  kneeProcedures: 77_500 * 0.42,
  shoulderProcedures: 77_500 * 0.05,
  // Dutch Breast Implant Registry (DBIR): about 10,000 implants a year (issue 7).
  breastImplants: 10_000,
  // Pacemakers and ICDs: assumption (order of magnitude of the Nederlandse Hart Registratie): 11,000 and 2,500.
  pacemakers: 11_000,
  icds: 2_500,
  // IUDs: 12 % of women 18–45 use one (CBS 2013, reference §3.5) × ~ 3.2 M women 18–45 (CBS) ≈ 385,000 users;
  // with ~ 5 years of use per device, ≈ 77,000 insertions a year. Assumption derived from those: 80,000.
  iudInsertions: 80_000,
} as const;

/** Share of IUD insertions that are hormonal (LNG): EURAS-IUD 70 % LNG-IUS / 30 % copper (reference §3.1). */
export const IUD_HORMONAL_SHARE = 0.7;

/**
 * Ballerine-like device: ≈ 8,000 women in the Netherlands Apr 2019 – Jul 2021 (reference §3.5), i.e.
 * ≈ 3,500 a year ≈ 15 % of copper insertions (80,000 × 30 % = 24,000). Market from 2019-04-01,
 * CE certificate suspended 2021-07-20 (reference §3.5).
 */
export const BALLERINE = { share: 0.15, from: '2019-04-01', to: '2021-07-20' } as const;

/**
 * Version of the generator's output. Raise it whenever the same seed and options give different
 * files (the benchmarks key their cached data on it). 2: the catalogue of hundreds of products.
 */
export const GENERATOR_VERSION = 2;

/**
 * The device catalogue (catalogue.ts): products per component and the Zipf exponent s of their
 * popularity (share of rank r ∝ r^-s within the component, after the devices with a fixed share).
 * Product counts are assumptions of the order of magnitude of distinct UDI-DIs (product lines, not
 * sizes) in use in the Netherlands. s = 1 (classic Zipf) gives the top product ≈ 20 % of a component
 * of 40–80 products, matching the assumption that the most used hip stem or cup has 20–30 % of its
 * category in LROI (the AOANJRR outlier rule expects components above 25 % of their group; reference
 * §2.5). IUDs: few brands, but the register counts UDI-DIs and a brand has several (parallel
 * imports, packs), which flattens the curve: s = 0.7 over 16 hormonal and 20 copper UDI-DIs
 * (assumption), so that no single UDI-DI has more than ≈ 5 % of all records (the LNG-IUS 52 mg
 * leads with ≈ 19 % of hormonal IUDs, ≈ 4 % of all implant records).
 */
export interface CatalogueComponent {
  category: 'hip' | 'knee' | 'shoulder' | 'breast' | 'pacemaker' | 'icd' | 'iud-copper' | 'iud-hormonal';
  implantType: string;
  products: number;
  exponent: number;
}
export const CATALOGUE_COMPONENTS: readonly CatalogueComponent[] = [
  { category: 'hip', implantType: '01.01.01', products: 70, exponent: 1 }, // acetabular cups
  { category: 'hip', implantType: '01.01.02', products: 80, exponent: 1 }, // femoral stems
  { category: 'knee', implantType: '01.02.01', products: 45, exponent: 1 }, // femoral components
  { category: 'knee', implantType: '01.02.02', products: 45, exponent: 1 }, // tibial trays
  { category: 'shoulder', implantType: '01.04.01', products: 20, exponent: 1 }, // humeral stems
  { category: 'shoulder', implantType: '01.04.06', products: 20, exponent: 1 }, // glenoids
  { category: 'breast', implantType: '11.01', products: 60, exponent: 1 },
  { category: 'pacemaker', implantType: '04.01.01', products: 40, exponent: 1 },
  { category: 'icd', implantType: '04.02.01', products: 25, exponent: 1 },
  { category: 'iud-copper', implantType: '13.01', products: 20, exponent: 0.7 },
  { category: 'iud-hormonal', implantType: '13.02', products: 16, exponent: 0.7 },
];
/** The catalogue is drawn with this fixed seed: the same products for every --seed. */
export const CATALOGUE_SEED = 0x1a7a1095;
/**
 * Lots: a lot supplies about LOT_IMPLANTS Dutch implantations (assumption), so the number of lots
 * of a product is proportional to its volume. A product with a national monthly volume v has
 * round(v / LOT_IMPLANTS) lots per manufacture month (letters A–Z, at most MAX_LOTS_PER_MONTH) when
 * v ≥ LOT_IMPLANTS; otherwise one lot covers round(LOT_IMPLANTS / v) manufacture months (at most
 * MAX_MONTHS_PER_LOT) and is named after the first of them.
 */
export const LOT_IMPLANTS = 150;
export const MAX_LOTS_PER_MONTH = 26;
export const MAX_MONTHS_PER_LOT = 12;

/** Who places IUDs (share of insertions): assumption, no public Dutch figures located. */
export const IUD_PLACERS: readonly (readonly ['hospital' | 'gp-practice' | 'midwifery-practice' | 'abortion-clinic', number])[] = [
  ['gp-practice', 0.5],
  ['hospital', 0.25],
  ['midwifery-practice', 0.15],
  ['abortion-clinic', 0.1],
];
/** Joints: hospitals/UMCs vs independent clinics (assumption). Breast implants: mostly private clinics (assumption). */
export const JOINT_CLINIC_SHARE = 0.25;
export const BREAST_CLINIC_SHARE = 0.6;

/** IUD placement fields (all assumptions except where noted). */
export const IUD_PLACEMENT = {
  /** Share of placements within 36 weeks after a childbirth. EURAS-IUD: 11,974 of 54,492 ≈ 22 % (reference §3.1, Medsafe table). */
  postpartumShare: 0.22,
  /** Breastfeeding given ≤ 36 weeks postpartum: EURAS 6,047 of 11,974 ≈ 50 %. */
  breastfeedingIfPostpartum: 0.5,
  /** Breastfeeding given > 36 weeks postpartum: EURAS 608 of 42,518 ≈ 1.4 %. */
  breastfeedingOtherwise: 0.014,
  /** Share of placements in women who gave birth more than 36 weeks earlier with the weeks known (assumption). */
  weeksKnownLate: 0.3,
  /** Ultrasound position check at placement, by who places (assumption; IGJ found it missing in the Ballerine cases). */
  ultrasound: { 'gp-practice': 0.2, hospital: 0.9, 'midwifery-practice': 0.4, 'abortion-clinic': 0.8 } as Record<string, number>,
  /** An earlier IUD was expelled (assumption). */
  previousExpulsion: 0.04,
  /** The 6-week follow-up visit takes place and is delivered as a correction (assumption; IGJ found it often missing). */
  followUp: 0.7,
} as const;

/**
 * First-year IUD outcome rates. Perforation per 1000 insertions by breastfeeding and postpartum status:
 * EURAS-IUD interim (Medsafe 2014; reference §3.1): 5.6 / 1.7 / 1.6 / 0.7.
 * Expulsion 1 in 20 (reference §3.3 rule of thumb); ×2 after an earlier expulsion (assumption).
 * Pregnancy: copper 0.8 %, LNG 0.1 % (Trussell 2004 typical use; reference §3.3).
 * Other removal in year 1 (pain, wish, complaints): 78 % (Cu) / 81 % (LNG) continue (Trussell) minus
 * expulsion and pregnancy: ≈ 16 % / 14 %.
 */
export const IUD_RATES = {
  perforation: { breastfeedingPostpartum: 0.0056, postpartumOnly: 0.0017, breastfeedingOnly: 0.0016, neither: 0.0007 },
  expulsion: 0.05,
  previousExpulsionFactor: 2,
  pregnancy: { copper: 0.008, hormonal: 0.001 },
  otherRemoval: { copper: 0.16, hormonal: 0.14 },
  /** After the first year: removal (end of use, pregnancy wish) per year (assumption: mean use ~ 5 years). */
  laterRemovalPerYear: 0.18,
  /** A perforation is removed in hospital (another provider) rather than by the placer (assumption). */
  perforationByHospital: 0.9,
} as const;

/** Other categories: yearly explantation (revision) and death rates of the patients (assumptions, orders of magnitude). */
export const OTHER_RATES = {
  joint: { revisionPerYear: 0.008, infectionShare: 0.25, deathPerYear: 0.025 },
  breast: { revisionPerYear: 0.02, infectionShare: 0.1, deathPerYear: 0.001 },
  cardiac: { revisionPerYear: 0.01, infectionShare: 0.3, deathPerYear: 0.06 },
  /** Revision or removal done by another provider than the one that implanted (assumption). */
  elsewhere: 0.3,
} as const;

/** Repeat implants: share of implantations in a patient who already has one (assumption): second hip/knee, IUD replacement. */
export const REPEAT_SHARE = { joint: 0.12, breast: 0.05, cardiac: 0.05, iud: 0.15 } as const;

/** Delivery behaviour (assumptions). */
export const DELIVERY = {
  /** Share of events delivered after the one-month deadline. */
  lateShare: 0.08,
  /** Share of records corrected later (e.g. a lot typed wrongly), besides the IUD follow-up. */
  correctionShare: 0.02,
  /** Share of records withdrawn (entered in error). */
  withdrawalShare: 0.003,
  /** Share of implant records that carry the scanned GS1 UDI instead of typed udi_di and lot (hospitals). */
  scannedShare: 0.5,
  /** Share of records without a patient pseudonym (TTP not reached). */
  noPseudonymShare: 0.02,
  /** Share of records of devices that are not in the catalogue (per category that has one). */
  uncataloguedShare: 0.015,
} as const;

/** Defect kinds of the invalid rows, with their weights. Each is rejected by intake (code in the comment). */
export const DEFECTS: readonly (readonly [string, number])[] = [
  ['dutch-date', 3], // implant_date 3-11-2021 → INVALID_DATE
  ['unknown-role', 2], // professional_role verloskundige → UNKNOWN_CODE
  ['gtin-check-digit', 2], // udi_di with a wrong check digit → GS1 check-digit error
  ['missing-lot', 2], // no lot and no serial → REQUIRED
  ['boolean-ja', 1], // breastfeeding ja → INVALID_TYPE (IUD rows; others fall back to dutch-date)
  ['bad-pseudonym', 1], // patient_pseudonym without label → INVALID_FORMAT
];
