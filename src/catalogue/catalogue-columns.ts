// The three column sets `lir catalogue import` reads, detected from the header (or the first NDJSON
// object's keys), and the mapping of one row to a catalogue device. Pure: no I/O.
//
// - lir:   our own columns (udi_di, issuer, manufacturer, product_name, model, implant_type).
// - gudid: the FDA AccessGUDID download (device.txt, with deviceIdIssuingAgency from identifiers.txt).
// - gs1:   GS1 GDSN trade item attributes (gtin, manufacturerOfTradeItem/partyName, brandName, …).
// Neither GUDID nor GDSN knows the register's implant-type list, so rows of those sets take their
// implant type from an extra `implant_type` column or from a default given on the command line.
// docs/catalogue.md documents every column.

import { gtinCheckDigit, isValidGtin } from '../udi/index.js';
import type { Device } from './reference-data.js';

export type ColumnSetName = 'lir' | 'gudid' | 'gs1';

export interface ColumnSet {
  name: ColumnSetName;
  title: string;
  /** The identifying column: its presence in the header selects the set. */
  key: string;
  /** Every column the set reads (canonical spelling). */
  columns: readonly string[];
  /** Groups of which the header needs at least one column each. */
  required: readonly (readonly string[])[];
  /** Unknown columns refuse the file (lir) or are ignored and reported (gudid, gs1: real exports carry many more). */
  strict: boolean;
  /** Other spellings of a column (lower-cased, without underscores) → canonical name. */
  aliases?: Readonly<Record<string, string>>;
  /** A column may also be named by a longer GDSN path ending in it (tradeItem/gtin → gtin). */
  pathSuffixes?: boolean;
}

export const IMPLANT_TYPE_COLUMN = 'implant_type';

export const COLUMN_SETS: readonly ColumnSet[] = [
  {
    name: 'lir',
    title: 'LIR',
    key: 'udi_di',
    columns: ['udi_di', 'issuer', 'manufacturer', 'product_name', 'model', IMPLANT_TYPE_COLUMN],
    required: [['udi_di'], ['manufacturer'], ['product_name']],
    strict: true,
  },
  {
    name: 'gudid',
    title: 'GUDID (FDA AccessGUDID download)',
    key: 'PrimaryDI',
    columns: ['PrimaryDI', 'deviceIdIssuingAgency', 'companyName', 'brandName', 'versionModelNumber', 'catalogNumber', IMPLANT_TYPE_COLUMN],
    required: [['PrimaryDI'], ['companyName'], ['brandName']],
    strict: false,
  },
  {
    name: 'gs1',
    title: 'GS1 (GDSN trade item attributes)',
    key: 'gtin',
    columns: [
      'gtin',
      'manufacturerOfTradeItem/partyName',
      'brandOwner/partyName',
      'brandName',
      'tradeItemDescription',
      'functionalName',
      'additionalTradeItemIdentification',
      'additionalTradeItemIdentificationTypeCode',
      IMPLANT_TYPE_COLUMN,
    ],
    required: [['gtin'], ['manufacturerOfTradeItem/partyName', 'brandOwner/partyName'], ['brandName', 'tradeItemDescription', 'functionalName']],
    strict: false,
    aliases: { 'brandnameinformation/brandname': 'brandName' },
    pathSuffixes: true,
  },
];

/** Types of additionalTradeItemIdentification that carry the model (GS1 code list AdditionalTradeItemIdentificationTypeCode). */
export const GS1_MODEL_TYPE_CODES = ['MODEL_NUMBER', 'MANUFACTURER_PART_NUMBER'] as const;

export const ISSUERS = ['GS1', 'HIBCC', 'ICCBBA'] as const;

const MAX_TEXT = 200;
const MAX_DI = 60;

export interface ColumnProblem {
  column: string;
  code: string;
  message: string;
}

export class CatalogueFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fold = (name: string) => name.trim().toLowerCase().replace(/_/g, '');

/** The canonical column of `set` that `name` (a header cell or NDJSON key path) means, if any. */
export function canonicalColumn(set: ColumnSet, name: string): string | undefined {
  const byFold = new Map<string, string>();
  for (const c of set.columns) byFold.set(fold(c), c);
  for (const [alias, c] of Object.entries(set.aliases ?? {})) byFold.set(alias, c);
  const folded = fold(name);
  const direct = byFold.get(folded);
  if (direct || !set.pathSuffixes) return direct;
  const parts = folded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const hit = byFold.get(parts.slice(i).join('/'));
    if (hit) return hit;
  }
  return undefined;
}

export function describeColumnSets(): string {
  return COLUMN_SETS.map((s) => `${s.title}: ${s.columns.join(', ')}`).join('; ');
}

/** A header bound to its column set: canonical column → position, and the columns left unread. */
export interface BoundHeader {
  set: ColumnSet;
  /** canonical column → index in the row */
  index: Map<string, number>;
  /** canonical column → the name as the file spells it */
  spelled: Map<string, string>;
  ignored: string[];
  /** Number of cells in the header: every data row must have as many. */
  width: number;
}

/**
 * Picks the column set from a header (or the keys of the first NDJSON object) and binds it.
 * Throws CatalogueFileError when no set, or more than one, matches, or the header is unusable.
 */
export function bindHeader(names: readonly string[], opts: { requireAll?: boolean; lenient?: boolean } = {}): BoundHeader {
  const matching = COLUMN_SETS.filter((s) => names.some((n) => canonicalColumn(s, n) === s.key));
  if (matching.length === 0) {
    throw new CatalogueFileError(
      'UNKNOWN_COLUMN_SET',
      `the header matches no column set: it needs one of the identifying columns ${COLUMN_SETS.map((s) => `${s.key} (${s.title})`).join(', ')}. The column sets are ${describeColumnSets()}`,
    );
  }
  if (matching.length > 1) {
    throw new CatalogueFileError('AMBIGUOUS_COLUMN_SET', `the header has the identifying columns of more than one column set (${matching.map((s) => s.key).join(', ')}); use one set per file`);
  }
  const set = matching[0]!;
  const index = new Map<string, number>();
  const spelled = new Map<string, string>();
  const ignored: string[] = [];
  const unknown: string[] = [];
  const strict = set.strict && !opts.lenient;
  names.forEach((raw, i) => {
    const c = canonicalColumn(set, raw);
    if (!c) {
      if (raw.trim() === '' && !strict) return;
      (strict ? unknown : ignored).push(raw.trim());
      return;
    }
    if (index.has(c)) throw new CatalogueFileError('DUPLICATE_COLUMN', `the columns "${spelled.get(c)}" and "${raw.trim().slice(0, 60)}" both give ${c}; keep one`);
    index.set(c, i);
    spelled.set(c, raw.trim());
  });
  if (unknown.length > 0) {
    throw new CatalogueFileError(
      'UNKNOWN_COLUMN',
      `unknown column ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')} in the header; the ${set.title} columns are ${set.columns.join(', ')}`,
    );
  }
  if (opts.requireAll !== false) {
    for (const group of set.required) {
      if (!group.some((c) => index.has(c))) {
        throw new CatalogueFileError('MISSING_COLUMN', `the header has no ${group.join(' or ')} column (${set.title} column set)`);
      }
    }
  }
  return { set, index, spelled, ignored, width: names.length };
}

export interface MapContext {
  implantTypes: ReadonlyMap<string, unknown>;
  /** Implant type for rows that give none (`--implant-type`). */
  defaultImplantType?: string | undefined;
}

/** A row's cells by canonical column; undefined when the column is absent. */
export type RowValues = ReadonlyMap<string, unknown>;

/** Maps one row of a bound set to a device, or says what is wrong, column by column. */
export function mapRow(header: Pick<BoundHeader, 'set' | 'spelled'>, values: RowValues, ctx: MapContext): { device?: Device; problems: ColumnProblem[] } {
  const problems: ColumnProblem[] = [];
  const col = (c: string) => header.spelled.get(c) ?? c;
  const text = (c: string): string => {
    const v = values.get(c);
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    problems.push({ column: col(c), code: 'INVALID_TYPE', message: `${col(c)} must be text, not ${Array.isArray(v) ? 'an array' : 'an object'}` });
    return '';
  };
  const first = (...cs: string[]): { column: string; value: string } => {
    for (const c of cs) {
      const value = text(c);
      if (value) return { column: c, value };
    }
    return { column: cs.find((c) => header.spelled.has(c)) ?? cs[0]!, value: '' };
  };
  const set = header.set.name;

  // UDI-DI and issuing agency
  const di = set === 'lir' ? first('udi_di') : set === 'gudid' ? first('PrimaryDI') : first('gtin');
  let issuer: Device['issuer'] | undefined;
  if (set === 'gs1') issuer = 'GS1';
  else {
    const agencyColumn = set === 'lir' ? 'issuer' : 'deviceIdIssuingAgency';
    const agency = text(agencyColumn);
    if (agency) {
      const mapped = mapIssuer(agency);
      if (mapped.ok) issuer = mapped.issuer;
      else problems.push({ column: col(agencyColumn), ...mapped.problem });
    } else if (/^[0-9]{8}$|^[0-9]{12,14}$/.test(di.value)) {
      issuer = 'GS1';
    } else if (di.value) {
      problems.push({ column: col(agencyColumn), code: 'REQUIRED', message: `${col(agencyColumn)} is required when ${col(di.column)} is not a GTIN; give GS1, HIBCC or ICCBBA` });
    }
  }
  let udiDi = '';
  if (!di.value) problems.push({ column: col(di.column), code: 'REQUIRED', message: `${col(di.column)} (the UDI-DI) is required` });
  else if (di.value.length > MAX_DI) problems.push({ column: col(di.column), code: 'TOO_LONG', message: `${col(di.column)} is longer than ${MAX_DI} characters` });
  else if (issuer) {
    const checked = checkDi(issuer, di.value);
    if (checked.ok) udiDi = checked.udiDi;
    else problems.push({ column: col(di.column), ...checked.problem });
  }

  // manufacturer, product name, model
  const manufacturer = set === 'lir' ? first('manufacturer') : set === 'gudid' ? first('companyName') : first('manufacturerOfTradeItem/partyName', 'brandOwner/partyName');
  const product = set === 'lir' ? first('product_name') : set === 'gudid' ? first('brandName') : first('brandName', 'tradeItemDescription', 'functionalName');
  for (const [what, f] of [['manufacturer', manufacturer], ['product name', product]] as const) {
    if (!f.value) problems.push({ column: col(f.column), code: 'REQUIRED', message: `${col(f.column)} (the ${what}) is required` });
    else if (f.value.length > MAX_TEXT) problems.push({ column: col(f.column), code: 'TOO_LONG', message: `${col(f.column)} is longer than ${MAX_TEXT} characters` });
  }
  let model: { column: string; value: string };
  if (set === 'lir') model = first('model');
  else if (set === 'gudid') model = first('versionModelNumber', 'catalogNumber');
  else {
    model = { column: 'additionalTradeItemIdentification', value: '' };
    const id = text('additionalTradeItemIdentification');
    if (id) {
      const type = text('additionalTradeItemIdentificationTypeCode');
      if (!type) {
        problems.push({
          column: col('additionalTradeItemIdentificationTypeCode'),
          code: 'REQUIRED',
          message: `${col('additionalTradeItemIdentificationTypeCode')} is required with additionalTradeItemIdentification; ${GS1_MODEL_TYPE_CODES.join(' or ')} makes it the model`,
        });
      } else if ((GS1_MODEL_TYPE_CODES as readonly string[]).includes(type)) model.value = id;
      // any other type code (SUPPLIER_ASSIGNED, BUYER_ASSIGNED, …) is not a model number: not used
    }
  }
  if (model.value.length > MAX_TEXT) problems.push({ column: col(model.column), code: 'TOO_LONG', message: `${col(model.column)} is longer than ${MAX_TEXT} characters` });

  // implant type: the row's own, else the default
  const ownType = text(IMPLANT_TYPE_COLUMN);
  const implantType = ownType || ctx.defaultImplantType || '';
  if (!implantType) {
    problems.push({
      column: IMPLANT_TYPE_COLUMN,
      code: 'REQUIRED',
      message:
        set === 'lir'
          ? 'implant_type is required: give a code from the implant-type list, or pass --implant-type <code> for rows without one'
          : `implant_type is required: ${header.set.title} has no implant-type code; add an implant_type column or pass --implant-type <code>`,
    });
  } else if (!ctx.implantTypes.has(implantType)) {
    problems.push({ column: IMPLANT_TYPE_COLUMN, code: 'UNKNOWN_CODE', message: `implant_type "${implantType.slice(0, 20)}" is not on the implant-type list (GET /api/v1/implant-types)` });
  }

  if (problems.length > 0 || !issuer) return { problems };
  return { problems, device: { udiDi, issuer, manufacturer: manufacturer.value, productName: product.value, model: model.value || null, implantType } };
}

/** Issuing agency as GUDID and our files write it. NDC/NHRIC is a GUDID agency for US drug-device labels only. */
export function mapIssuer(value: string): { ok: true; issuer: Device['issuer'] } | { ok: false; problem: Omit<ColumnProblem, 'column'> } {
  const v = value.trim().toUpperCase();
  if (v === 'GS1') return { ok: true, issuer: 'GS1' };
  if (v === 'HIBCC' || v === 'HIBC') return { ok: true, issuer: 'HIBCC' };
  if (v === 'ICCBBA' || v === 'ISBT 128' || v === 'ISBT128') return { ok: true, issuer: 'ICCBBA' };
  if (v === 'NDC/NHRIC' || v === 'NHRIC' || v === 'NDC') {
    return { ok: false, problem: { code: 'UNSUPPORTED_ISSUER', message: `${value.slice(0, 20)} device identifiers are issued for the US market only; the register takes GS1, HIBCC and ICCBBA UDI-DIs` } };
  }
  return { ok: false, problem: { code: 'UNKNOWN_CODE', message: `issuing agency "${value.slice(0, 20)}" is not GS1, HIBCC or ICCBBA` } };
}

/**
 * Checks a UDI-DI against its issuing agency and returns it as the register stores it (the form the
 * UDI parser gives): GS1 as a 14-digit GTIN, HIBCC as LIC + product code + unit of measure without
 * the leading "+", ICCBBA as the product identification code without its data identifier.
 */
export function checkDi(issuer: Device['issuer'], value: string): { ok: true; udiDi: string } | { ok: false; problem: Omit<ColumnProblem, 'column'> } {
  if (issuer === 'GS1') {
    if (!/^[0-9]+$/.test(value) || ![8, 12, 13, 14].includes(value.length)) {
      return { ok: false, problem: { code: 'INVALID_FORMAT', message: `${value.slice(0, 20)} is not a GTIN: a GS1 UDI-DI has 8, 12, 13 or 14 digits` } };
    }
    if (!isValidGtin(value)) {
      return { ok: false, problem: { code: 'GS1_CHECK_DIGIT', message: `${value} is not a GTIN with a valid check digit: the last digit should be ${gtinCheckDigit(value.slice(0, -1))}` } };
    }
    return { ok: true, udiDi: value.padStart(14, '0') };
  }
  if (issuer === 'HIBCC') {
    const di = value.startsWith('+') ? value.slice(1) : value;
    if (!/^[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}[0-9]$/.test(di)) {
      return { ok: false, problem: { code: 'INVALID_FORMAT', message: `${value.slice(0, 30)} is not a HIBCC UDI-DI: a 4-character labeler code (a letter, then 3 letters or digits), a product code of 1–18 letters or digits, and a unit-of-measure digit` } };
    }
    return { ok: true, udiDi: di };
  }
  const di = value.replace(/^=[/)]/, '');
  if (!/^[A-Z0-9]{16}$|^[A-Z0-9]{10}$/.test(di)) {
    return { ok: false, problem: { code: 'INVALID_FORMAT', message: `${value.slice(0, 30)} is not an ICCBBA UDI-DI: 16 letters or digits (Processor Product Identification Code, data structure 034) or 10 (data structure 017)` } };
  }
  return { ok: true, udiDi: di };
}
