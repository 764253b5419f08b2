// The device catalogue: fictional manufacturers and products with valid GTIN-14 (GS1 mod-10
// check digit) or HIBC UDI-DIs, across the categories the register covers and IUDs (copper and
// hormonal). A few devices are used in records but left out of the catalogue.
//
// Hundreds of products from tens of manufacturers (CATALOGUE_COMPONENTS): the first products of
// each component are fixed rows (the scenario devices among them), the rest are drawn from fixed
// tables with a fixed seed, so the catalogue is the same for every --seed. Popularity within a
// component follows a Zipf law: the product of rank r has a share ∝ r^-s (exponent s per component,
// see CATALOGUE_COMPONENTS); devices with a fixed share (the Ballerine-like sphere, the devices
// outside the catalogue) take theirs first. A lot supplies about LOT_IMPLANTS Dutch implantations,
// so a product's lots grow with its volume: several a month for the largest, one per 2–12 months
// for the small ones.

import type { Device } from '../../catalogue/reference-data.js';
import { gtinCheckDigit } from '../../udi/index.js';
import { Random } from '../random.js';
import { BALLERINE, CATALOGUE_COMPONENTS, CATALOGUE_SEED, IUD_HORMONAL_SHARE, LOT_IMPLANTS, MAX_LOTS_PER_MONTH, MAX_MONTHS_PER_LOT, YEARLY_VOLUMES, type CatalogueComponent } from './config.js';

export type SimCategory = 'hip' | 'knee' | 'shoulder' | 'breast' | 'pacemaker' | 'icd' | 'iud-copper' | 'iud-hormonal';

export interface SimDevice extends Device {
  /** Short code used in lot numbers. */
  code: string;
  category: SimCategory;
  /** Market share within its category and component. */
  share: number;
  /** Popularity rank within its component (1 = most used; devices with a fixed share: 0). */
  rank: number;
  /** Lots per manufacture month (A, B, …): proportional to the national volume, 1 to MAX_LOTS_PER_MONTH. */
  lotsPerMonth: number;
  /** Months one lot covers (1 to MAX_MONTHS_PER_LOT): more than 1 for products too small for a lot a month. */
  lotMonths: number;
  /** In the catalogue (catalogue.csv, --load); otherwise only in records (they carry implant_type). */
  inCatalogue: boolean;
  /** On the market from / until (ISO dates; empty = always). */
  from?: string;
  to?: string;
  /** Serial numbers instead of lots (active implants). */
  serialised: boolean;
  /** Shelf life in days (expiry = manufacture + shelf life). */
  shelfDays: number;
  /** Ballerine-like: the device the problem-device scenario makes abnormal. */
  problemCandidate?: boolean;
}

/** GTIN-14 with indicator 0 and a fictional Dutch (871) company prefix. */
export function gtin(companyAndItem: string): string {
  const body = `0871${companyAndItem}`.slice(0, 13).padEnd(13, '0');
  return body + String(gtinCheckDigit(body));
}

/** HIBC UDI-DI: labeler code (a letter and 3 characters), product code, unit-of-measure digit. */
export function hibcDi(lic: string, product: string): string {
  return `${lic}${product}0`;
}

// ---- manufacturers: name, short name (model numbers), HIBC labeler code (else GS1), market weight per component group ----

type Group = 'joint' | 'breast' | 'cardiac' | 'iud-copper' | 'iud-hormonal';
interface Manufacturer {
  name: string;
  abbrev: string;
  lic?: string;
  /** Weight when a product of a group is assigned a manufacturer (larger: more products). */
  groups: Partial<Record<Group, number>>;
}

/** Fictional manufacturers (all marked "(sim)"). Weights are assumptions: a few large firms, many small ones. */
const MANUFACTURERS: readonly Manufacturer[] = [
  { name: 'Orthoworks (sim)', abbrev: 'OW', groups: { joint: 8 } },
  { name: 'Heupwerk Medical (sim)', abbrev: 'HW', groups: { joint: 6 } },
  { name: 'Alpen Ortho (sim)', abbrev: 'AO', lic: 'ALPO', groups: { joint: 5 } },
  { name: 'Kniekracht (sim)', abbrev: 'KK', groups: { joint: 5 } },
  { name: 'Lowlands Orthopaedics (sim)', abbrev: 'LO', groups: { joint: 3 } },
  { name: 'Nordic Joint (sim)', abbrev: 'NJ', groups: { joint: 3 } },
  { name: 'Rhein Implantat (sim)', abbrev: 'RI', groups: { joint: 2 } },
  { name: 'Atlantic Arthroplasty (sim)', abbrev: 'AA', lic: 'ATLA', groups: { joint: 2 } },
  { name: 'Keystone Ortho (sim)', abbrev: 'KO', lic: 'KEYS', groups: { joint: 2 } },
  { name: 'Meridian Bone (sim)', abbrev: 'MB', groups: { joint: 1 } },
  { name: 'Tulip Orthopedics (sim)', abbrev: 'TO', groups: { joint: 1 } },
  { name: 'Gelenk Systeme (sim)', abbrev: 'GS', groups: { joint: 1 } },
  { name: 'Iberia Ortho (sim)', abbrev: 'IO', groups: { joint: 1 } },
  { name: 'Corvus Surgical (sim)', abbrev: 'CS', lic: 'CORV', groups: { joint: 1, breast: 1 } },
  { name: 'Formae (sim)', abbrev: 'FO', groups: { breast: 5 } },
  { name: 'Silica Aesthetics (sim)', abbrev: 'SA', groups: { breast: 4 } },
  { name: 'Venus Implants (sim)', abbrev: 'VI', groups: { breast: 3 } },
  { name: 'Contour Medical (sim)', abbrev: 'CM', groups: { breast: 2 } },
  { name: 'Aesthetica Labs (sim)', abbrev: 'AL', groups: { breast: 1 } },
  { name: 'Lumen Plastics (sim)', abbrev: 'LP', groups: { breast: 1 } },
  { name: 'Cardiotec (sim)', abbrev: 'CT', groups: { cardiac: 6 } },
  { name: 'Ritmo Medical (sim)', abbrev: 'RM', groups: { cardiac: 5 } },
  { name: 'Pulsar Cardio (sim)', abbrev: 'PC', groups: { cardiac: 4 } },
  { name: 'Sinus Rhythm Systems (sim)', abbrev: 'SR', groups: { cardiac: 2 } },
  { name: 'Electra Heart (sim)', abbrev: 'EH', groups: { cardiac: 1 } },
  { name: 'Vita Pace (sim)', abbrev: 'VP', groups: { cardiac: 1 } },
  { name: 'Cuprum Medical (sim)', abbrev: 'CF', groups: { 'iud-copper': 4 } },
  { name: 'Koper Gyn (sim)', abbrev: 'KG', groups: { 'iud-copper': 3 } },
  { name: 'Gyneco Devices (sim)', abbrev: 'GD', groups: { 'iud-copper': 2 } },
  { name: 'Contraceptiva (sim)', abbrev: 'CC', groups: { 'iud-copper': 1 } },
  { name: 'Hormona Pharma (sim)', abbrev: 'HP', groups: { 'iud-hormonal': 3 } },
  { name: 'Levo Gyn (sim)', abbrev: 'LG', groups: { 'iud-hormonal': 2 } },
  { name: 'Femina Pharma (sim)', abbrev: 'FP', groups: { 'iud-hormonal': 1 } },
  { name: 'Polder Parallel Pharma (sim)', abbrev: 'PP', groups: { 'iud-hormonal': 2 } },
  { name: 'Delta Import Pharma (sim)', abbrev: 'DI', groups: { 'iud-hormonal': 1 } },
  // only in the fixed rows: the Ballerine-like sphere and the devices outside the catalogue
  { name: 'Sfera Medical (sim)', abbrev: 'SF', groups: {} },
  { name: 'Parallel Import Ortho (sim)', abbrev: 'PI', groups: {} },
  { name: 'Unknown Importer (sim)', abbrev: 'UI', groups: {} },
  { name: 'Parallel Import Gyn (sim)', abbrev: 'PG', groups: {} },
];

const GROUP_OF: Record<SimCategory, Group> = { hip: 'joint', knee: 'joint', shoulder: 'joint', breast: 'breast', pacemaker: 'cardiac', icd: 'cardiac', 'iud-copper': 'iud-copper', 'iud-hormonal': 'iud-hormonal' };

/** Product descriptions per component (the generated products' names are "<brand> <description>"). */
const DESCRIPTIONS: Record<string, readonly string[]> = {
  '01.01.01': ['acetabular cup', 'press-fit cup', 'cemented cup', 'dual mobility cup', 'revision shell', 'hemispherical cup'],
  '01.01.02': ['cementless femoral stem', 'cemented femoral stem', 'short stem', 'modular stem', 'collared stem', 'revision stem'],
  '01.02.01': ['CR femoral component', 'PS femoral component', 'medial pivot femoral component', 'unicondylar femoral component', 'revision femoral component'],
  '01.02.02': ['fixed-bearing tibial tray', 'mobile-bearing tibial tray', 'all-poly tibia', 'revision tibial tray', 'unicondylar tibial tray'],
  '01.04.01': ['humeral stem', 'stemless humeral component', 'reverse humeral stem'],
  '01.04.06': ['pegged glenoid', 'keeled glenoid', 'glenosphere baseplate'],
  '11.01': ['round textured breast implant', 'round smooth breast implant', 'anatomical textured breast implant', 'round microtextured breast implant', 'high-profile smooth breast implant'],
  '04.01.01': ['DR pacemaker', 'SR pacemaker', 'MRI-conditional DR pacemaker', 'CRT-P pacemaker', 'leadless pacemaker'],
  '04.02.01': ['VR ICD', 'DR ICD', 'CRT-D', 'subcutaneous ICD'],
  '13.01': ['copper IUD 380', 'short copper IUD', 'frameless copper IUD', 'copper IUD mini', 'copper IUD with silver core'],
  '13.02': ['LNG-IUS 52 mg', 'LNG-IUS 19.5 mg', 'LNG-IUS 13.5 mg', 'LNG-IUS 52 mg (parallel import)'],
};
const BRAND_HEAD = ['Ax', 'Cor', 'Vel', 'Nov', 'Tri', 'Ster', 'Lum', 'Pra', 'Quin', 'Or', 'Zen', 'Ver', 'Kal', 'Mer', 'Tal', 'Sol', 'Ar', 'Del', 'Fen', 'Gal'];
const BRAND_TAIL = ['ion', 'a', 'is', 'ex', 'ara', 'us', 'o', 'en', 'ix', 'ta', 'ora', 'yn'];

// ---- fixed rows: the first products of each component (rank order), the scenario devices, the devices outside the catalogue ----

type Row = [code: string, category: SimCategory, implantType: string, manufacturer: string, product: string, model: string, extra?: Partial<SimDevice>];

const FIXED: Row[] = [
  ['HC1', 'hip', '01.01.01', 'Orthoworks (sim)', 'Trident-like acetabular cup', 'OW-AC'],
  ['HC2', 'hip', '01.01.01', 'Heupwerk Medical (sim)', 'Press-fit cup PF', 'HW-PF'],
  ['HC3', 'hip', '01.01.01', 'Alpen Ortho (sim)', 'Dual mobility cup DM', 'AO-DM'],
  ['HS1', 'hip', '01.01.02', 'Orthoworks (sim)', 'Cementless femoral stem', 'OW-FS'],
  ['HS2', 'hip', '01.01.02', 'Heupwerk Medical (sim)', 'Cemented femoral stem', 'HW-CS'],
  ['HS3', 'hip', '01.01.02', 'Alpen Ortho (sim)', 'Short stem SS', 'AO-SS'],
  ['KF1', 'knee', '01.02.01', 'Kniekracht (sim)', 'Total knee femoral component', 'KK-F'],
  ['KF2', 'knee', '01.02.01', 'Orthoworks (sim)', 'PS femoral component', 'OW-PSF'],
  ['KT1', 'knee', '01.02.02', 'Kniekracht (sim)', 'Total knee tibial tray', 'KK-T'],
  ['KT2', 'knee', '01.02.02', 'Orthoworks (sim)', 'PS tibial tray', 'OW-PST'],
  ['KTX', 'knee', '01.02.02', 'Parallel Import Ortho (sim)', 'Tibial tray (not in catalogue)', 'PI-T', { share: 0.02, inCatalogue: false }],
  ['SH1', 'shoulder', '01.04.01', 'Alpen Ortho (sim)', 'Humeral stem', 'AO-HS'],
  ['SG1', 'shoulder', '01.04.06', 'Alpen Ortho (sim)', 'Glenoid component', 'AO-GC'],
  ['BI1', 'breast', '11.01', 'Formae (sim)', 'Round textured breast implant', 'FO-RT'],
  ['BI2', 'breast', '11.01', 'Formae (sim)', 'Anatomical smooth breast implant', 'FO-AS'],
  ['BI3', 'breast', '11.01', 'Silica Aesthetics (sim)', 'Round smooth breast implant', 'SA-RS'],
  ['BIX', 'breast', '11.01', 'Unknown Importer (sim)', 'Breast implant (not in catalogue)', 'UI-BI', { share: 0.01, inCatalogue: false }],
  ['PM1', 'pacemaker', '04.01.01', 'Cardiotec (sim)', 'DualBeat DR pacemaker', 'CT-DR'],
  ['PM2', 'pacemaker', '04.01.01', 'Ritmo Medical (sim)', 'Ritmo SR pacemaker', 'RM-SR'],
  ['IC1', 'icd', '04.02.01', 'Cardiotec (sim)', 'Shockguard ICD', 'CT-ICD'],
  ['CU1', 'iud-copper', '13.01', 'Cuprum Medical (sim)', 'CuFlex 380 copper IUD', 'CF380'],
  ['CU2', 'iud-copper', '13.01', 'Cuprum Medical (sim)', 'CuFlex 375 short copper IUD', 'CF375'],
  ['CU3', 'iud-copper', '13.01', 'Koper Gyn (sim)', 'T-Cu mini', 'KG-TM'],
  ['CU4', 'iud-copper', '13.01', 'Sfera Medical (sim)', 'Sfera copper sphere MIDI', 'SF-MIDI', { share: BALLERINE.share, from: BALLERINE.from, to: BALLERINE.to, problemCandidate: true }],
  ['CUX', 'iud-copper', '13.01', 'Parallel Import Gyn (sim)', 'Copper IUD (not in catalogue)', 'PI-CU', { share: 0.02, inCatalogue: false }],
  ['LN1', 'iud-hormonal', '13.02', 'Hormona Pharma (sim)', 'LNG-IUS 52 mg', 'HP-52'],
  ['LN2', 'iud-hormonal', '13.02', 'Hormona Pharma (sim)', 'LNG-IUS 19.5 mg', 'HP-19'],
  ['LN3', 'iud-hormonal', '13.02', 'Levo Gyn (sim)', 'LNG-IUS 13.5 mg', 'LG-13'],
];

const ISSUER_LIC = new Map(MANUFACTURERS.filter((m) => m.lic).map((m) => [m.name, m.lic!] as const));

/** Yearly national implant records of a component (for the lots per month). */
function yearlyRecords(c: CatalogueComponent): number {
  switch (c.category) {
    case 'hip': return YEARLY_VOLUMES.hipProcedures;
    case 'knee': return YEARLY_VOLUMES.kneeProcedures;
    case 'shoulder': return YEARLY_VOLUMES.shoulderProcedures;
    case 'breast': return YEARLY_VOLUMES.breastImplants;
    case 'pacemaker': return YEARLY_VOLUMES.pacemakers;
    case 'icd': return YEARLY_VOLUMES.icds;
    case 'iud-copper': return YEARLY_VOLUMES.iudInsertions * (1 - IUD_HORMONAL_SHARE);
    case 'iud-hormonal': return YEARLY_VOLUMES.iudInsertions * IUD_HORMONAL_SHARE;
  }
}

/** The Zipf weights r^-s of ranks 1..n, normalised to sum to `total`. */
export function zipfShares(n: number, s: number, total = 1): number[] {
  const w = Array.from({ length: n }, (_, i) => (i + 1) ** -s);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (x / sum) * total);
}

/** Every device used in records, catalogue order: per component, the ranked products, then those with a fixed share. Independent of --seed. */
export function generateDevices(): SimDevice[] {
  const rnd = new Random(CATALOGUE_SEED);
  const out: SimDevice[] = [];
  let item = 0; // GS1 item reference, unique over the catalogue
  const usedNames = new Set<string>();
  const base = (category: SimCategory) => ({ shelfDays: category.startsWith('iud') ? 1095 : 1825, serialised: category === 'pacemaker' || category === 'icd' });
  const udi = (manufacturer: string, code: string): { udiDi: string; issuer: 'GS1' | 'HIBCC' } => {
    const lic = ISSUER_LIC.get(manufacturer);
    const n = item++;
    if (lic) return { udiDi: hibcDi(lic, code), issuer: 'HIBCC' };
    // company number 4 digits (per manufacturer), item reference 5 digits: 0 871 cccc iiiii + check digit
    const company = 1000 + ((MANUFACTURERS.findIndex((m) => m.name === manufacturer) + 1) * 211) % 9000;
    return { udiDi: gtin(`${String(company).padStart(4, '0')}${String(n).padStart(5, '0')}`), issuer: 'GS1' };
  };

  for (const c of CATALOGUE_COMPONENTS) {
    const fixed = FIXED.filter(([, category, type]) => category === c.category && type === c.implantType);
    const ranked = fixed.filter(([, , , , , , extra]) => extra?.share === undefined);
    const fixedShare = fixed.reduce((s, [, , , , , , extra]) => s + (extra?.share ?? 0), 0);
    const shares = zipfShares(c.products, c.exponent, 1 - fixedShare);
    const prefix = ranked[0]![0].replace(/\d+$/, '');
    const takenCodes = new Set(fixed.map(([code]) => code));
    const group = GROUP_OF[c.category];
    const makers = MANUFACTURERS.filter((m) => m.groups[group]);
    const volume = yearlyRecords(c) / 12;
    const lotFields = (share: number) => {
      const perMonth = (volume * share) / LOT_IMPLANTS;
      return perMonth >= 1
        ? { lotsPerMonth: Math.min(MAX_LOTS_PER_MONTH, Math.round(perMonth)), lotMonths: 1 }
        : { lotsPerMonth: 1, lotMonths: Math.min(MAX_MONTHS_PER_LOT, Math.round(1 / perMonth)) };
    };

    let next = 1;
    for (let r = 1; r <= c.products; r++) {
      const share = shares[r - 1]!;
      if (r <= ranked.length) {
        const [code, category, implantType, manufacturer, productName, model] = ranked[r - 1]!;
        out.push({ ...udi(manufacturer, code), manufacturer, productName, model, implantType, code, category, share, rank: r, ...lotFields(share), inCatalogue: true, ...base(category) });
        continue;
      }
      while (takenCodes.has(`${prefix}${next}`)) next++;
      const code = `${prefix}${next}`;
      takenCodes.add(code);
      const m = rnd.weighted(makers.map((x) => [x, x.groups[group]!] as const));
      const descriptions = DESCRIPTIONS[c.implantType]!;
      let productName = '';
      for (let attempt = 0; attempt < 20 && (productName === '' || usedNames.has(productName)); attempt++) {
        productName = `${rnd.pick(BRAND_HEAD)}${rnd.pick(BRAND_TAIL)} ${rnd.pick(descriptions)}`;
      }
      if (usedNames.has(productName)) productName += ` ${code}`;
      usedNames.add(productName);
      out.push({ ...udi(m.name, code), manufacturer: m.name, productName, model: `${m.abbrev}-${code}`, implantType: c.implantType, code, category: c.category, share, rank: r, ...lotFields(share), inCatalogue: true, ...base(c.category) });
    }
    for (const [code, category, implantType, manufacturer, productName, model, extra] of fixed.filter(([, , , , , , e]) => e?.share !== undefined)) {
      const share = extra!.share!;
      out.push({
        ...udi(manufacturer, code), manufacturer, productName, model, implantType, code, category, share, rank: 0,
        ...lotFields(share), inCatalogue: extra?.inCatalogue ?? true, ...base(category),
        ...(extra?.from ? { from: extra.from } : {}),
        ...(extra?.to ? { to: extra.to } : {}),
        ...(extra?.problemCandidate ? { problemCandidate: true } : {}),
      });
    }
  }
  // one object shape for every device (the generator reads them for every row)
  return out.map((d): SimDevice => ({
    udiDi: d.udiDi, issuer: d.issuer, manufacturer: d.manufacturer, productName: d.productName, model: d.model, implantType: d.implantType,
    code: d.code, category: d.category, share: d.share, rank: d.rank, lotsPerMonth: d.lotsPerMonth, lotMonths: d.lotMonths, inCatalogue: d.inCatalogue,
    from: d.from, to: d.to, serialised: d.serialised, shelfDays: d.shelfDays, problemCandidate: d.problemCandidate ?? false,
  }));
}

/** The catalogue rows (lir column set) of the devices that are in the catalogue. */
export function catalogueDevices(devices: readonly SimDevice[]): Device[] {
  return devices.filter((d) => d.inCatalogue).map((d) => ({ udiDi: d.udiDi, issuer: d.issuer, manufacturer: d.manufacturer, productName: d.productName, model: d.model, implantType: d.implantType }));
}
