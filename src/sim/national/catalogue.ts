// The device catalogue: fictional manufacturers and products with valid GTIN-14 (GS1 mod-10
// check digit) or HIBC UDI-DIs, across the categories the register covers and IUDs (copper and
// hormonal). A few devices are used in records but left out of the catalogue.

import type { Device } from '../../catalogue/reference-data.js';
import { gtinCheckDigit } from '../../udi/index.js';
import { BALLERINE } from './config.js';

export type SimCategory = 'hip' | 'knee' | 'shoulder' | 'breast' | 'pacemaker' | 'icd' | 'iud-copper' | 'iud-hormonal';

export interface SimDevice extends Device {
  /** Short code used in lot numbers. */
  code: string;
  category: SimCategory;
  /** Market share within its category and component. */
  share: number;
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

type Row = [code: string, category: SimCategory, implantType: string, manufacturer: string, product: string, model: string, share: number, extra?: Partial<SimDevice>];

const ROWS: Row[] = [
  // hips: cup + stem per procedure
  ['HC1', 'hip', '01.01.01', 'Orthoworks (sim)', 'Trident-like acetabular cup', 'OW-AC', 0.4],
  ['HC2', 'hip', '01.01.01', 'Heupwerk Medical (sim)', 'Press-fit cup PF', 'HW-PF', 0.35],
  ['HC3', 'hip', '01.01.01', 'Alpen Ortho (sim)', 'Dual mobility cup DM', 'AO-DM', 0.25, { issuer: 'HIBCC' }],
  ['HS1', 'hip', '01.01.02', 'Orthoworks (sim)', 'Cementless femoral stem', 'OW-FS', 0.45],
  ['HS2', 'hip', '01.01.02', 'Heupwerk Medical (sim)', 'Cemented femoral stem', 'HW-CS', 0.35],
  ['HS3', 'hip', '01.01.02', 'Alpen Ortho (sim)', 'Short stem SS', 'AO-SS', 0.2, { issuer: 'HIBCC' }],
  // knees: femoral + tibial
  ['KF1', 'knee', '01.02.01', 'Kniekracht (sim)', 'Total knee femoral component', 'KK-F', 0.55],
  ['KF2', 'knee', '01.02.01', 'Orthoworks (sim)', 'PS femoral component', 'OW-PSF', 0.45],
  ['KT1', 'knee', '01.02.02', 'Kniekracht (sim)', 'Total knee tibial tray', 'KK-T', 0.55],
  ['KT2', 'knee', '01.02.02', 'Orthoworks (sim)', 'PS tibial tray', 'OW-PST', 0.43],
  ['KT9', 'knee', '01.02.02', 'Parallel Import Ortho (sim)', 'Tibial tray (not in catalogue)', 'PI-T', 0.02, { inCatalogue: false }],
  // shoulders: humeral stem + glenoid
  ['SH1', 'shoulder', '01.04.01', 'Alpen Ortho (sim)', 'Humeral stem', 'AO-HS', 1, { issuer: 'HIBCC' }],
  ['SG1', 'shoulder', '01.04.06', 'Alpen Ortho (sim)', 'Glenoid component', 'AO-GC', 1, { issuer: 'HIBCC' }],
  // breast implants
  ['BI1', 'breast', '11.01', 'Formae (sim)', 'Round textured breast implant', 'FO-RT', 0.45],
  ['BI2', 'breast', '11.01', 'Formae (sim)', 'Anatomical smooth breast implant', 'FO-AS', 0.3],
  ['BI3', 'breast', '11.01', 'Silica Aesthetics (sim)', 'Round smooth breast implant', 'SA-RS', 0.24],
  ['BI9', 'breast', '11.01', 'Unknown Importer (sim)', 'Breast implant (not in catalogue)', 'UI-BI', 0.01, { inCatalogue: false }],
  // cardiac
  ['PM1', 'pacemaker', '04.01.01', 'Cardiotec (sim)', 'DualBeat DR pacemaker', 'CT-DR', 0.5, { serialised: true }],
  ['PM2', 'pacemaker', '04.01.01', 'Ritmo Medical (sim)', 'Ritmo SR pacemaker', 'RM-SR', 0.5, { serialised: true }],
  ['IC1', 'icd', '04.02.01', 'Cardiotec (sim)', 'Shockguard ICD', 'CT-ICD', 1, { serialised: true }],
  // IUDs: copper (the Ballerine-like sphere among them) and hormonal
  ['CU1', 'iud-copper', '13.01', 'Cuprum Medical (sim)', 'CuFlex 380 copper IUD', 'CF380', 0.45],
  ['CU2', 'iud-copper', '13.01', 'Cuprum Medical (sim)', 'CuFlex 375 short copper IUD', 'CF375', 0.25],
  ['CU3', 'iud-copper', '13.01', 'Koper Gyn (sim)', 'T-Cu mini', 'KG-TM', 0.13],
  ['CU4', 'iud-copper', '13.01', 'Sfera Medical (sim)', 'Sfera copper sphere MIDI', 'SF-MIDI', BALLERINE.share, { from: BALLERINE.from, to: BALLERINE.to, problemCandidate: true }],
  ['CU9', 'iud-copper', '13.01', 'Parallel Import Gyn (sim)', 'Copper IUD (not in catalogue)', 'PI-CU', 0.02, { inCatalogue: false }],
  ['LN1', 'iud-hormonal', '13.02', 'Hormona Pharma (sim)', 'LNG-IUS 52 mg', 'HP-52', 0.6],
  ['LN2', 'iud-hormonal', '13.02', 'Hormona Pharma (sim)', 'LNG-IUS 19.5 mg', 'HP-19', 0.25],
  ['LN3', 'iud-hormonal', '13.02', 'Levo Gyn (sim)', 'LNG-IUS 13.5 mg', 'LG-13', 0.15],
];

export function generateDevices(): SimDevice[] {
  return ROWS.map(([code, category, implantType, manufacturer, productName, model, share, extra], i) => {
    const issuer = extra?.issuer ?? 'GS1';
    const udiDi = issuer === 'HIBCC' ? hibcDi('ALPO', `${code}${String(i).padStart(2, '0')}`) : gtin(`${String(1000 + i * 37).padStart(5, '0')}${String(i).padStart(4, '0')}`);
    return {
      udiDi,
      issuer,
      manufacturer,
      productName,
      model,
      implantType,
      code,
      category,
      share,
      inCatalogue: extra?.inCatalogue ?? true,
      serialised: extra?.serialised ?? false,
      shelfDays: category.startsWith('iud') ? 1095 : 1825,
      ...(extra?.from ? { from: extra.from } : {}),
      ...(extra?.to ? { to: extra.to } : {}),
      ...(extra?.problemCandidate ? { problemCandidate: true } : {}),
    };
  });
}

/** The catalogue rows (lir column set) of the devices that are in the catalogue. */
export function catalogueDevices(devices: readonly SimDevice[]): Device[] {
  return devices.filter((d) => d.inCatalogue).map((d) => ({ udiDi: d.udiDi, issuer: d.issuer, manufacturer: d.manufacturer, productName: d.productName, model: d.model, implantType: d.implantType }));
}
