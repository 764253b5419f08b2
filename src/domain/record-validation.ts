// Field and cross-field validation of one delivered record. Pure: the UDI parser and the
// implant-type list are passed in, so this module imports nothing outside src/domain.

import { isValidIsoDate } from './dates.js';
import { isBsn, isKvk, isProviderRecordRef, isPseudonym, isSctid, isUuid } from './identifiers.js';
import {
  EXPLANT_REASONS,
  IUD_PLACEMENT_FIELDS,
  LATERALITY,
  PROFESSIONAL_ROLES,
  RECORD_ACTIONS,
  RECORD_FIELDS,
  type ExplantReason,
  type Issue,
  type LateralityCode,
  type ProfessionalRole,
  type RecordAction,
  type RecordInput,
  type RecordKind,
  type RegisterRecord,
} from './record.js';

/** What a UDI carrier string yields; the parser in src/udi produces it. */
export interface CarrierData {
  issuer: 'GS1' | 'HIBCC' | 'ICCBBA';
  udiDi: string | null;
  lot: string | null;
  serial: string | null;
  expiryDate: string | null;
  manufactureDate: string | null;
}
export type CarrierParse =
  | { ok: true; value: CarrierData }
  | { ok: false; error: { code: string; message: string; position: number } };

export interface ValidationContext {
  /** Today's date (YYYY-MM-DD) at the register: dates after it are refused. */
  today: string;
  parseCarrier?: (udi: string) => CarrierParse;
  isKnownImplantType: (code: string) => boolean;
  /** When the channel already fixes the provider (a token, `--provider`), records must match it. */
  providerKvk?: string;
}

export type ValidationResult =
  | { ok: true; action: 'upsert'; record: RegisterRecord; warnings: Issue[] }
  | { ok: true; action: 'withdraw'; providerKvk: string; providerRecordRef: string; warnings: Issue[] }
  | { ok: false; errors: Issue[]; warnings: Issue[] };

const MAX_TEXT = 200;
const LATERALITY_CODES = new Set<string>(Object.values(LATERALITY));

export function validateRecord(input: unknown, ctx: ValidationContext): ValidationResult {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const err = (field: string, code: string, message: string) =>
    errors.push({ severity: 'error', code, message, path: `/${field}` });
  const warn = (field: string, code: string, message: string) =>
    warnings.push({ severity: 'warning', code, message, path: `/${field}` });

  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ severity: 'error', code: 'INVALID_TYPE', message: 'a record must be a JSON object', path: '' }], warnings };
  }
  const raw = input as Record<string, unknown>;
  const known = new Set<string>(RECORD_FIELDS);
  for (const key of Object.keys(raw)) {
    if (known.has(key)) continue;
    // echo the name only when it looks like a field name: a key could itself carry patient data
    const name = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(key) ? key : null;
    errors.push({ severity: 'error', code: 'UNKNOWN_FIELD', message: name ? `unknown field "${name}"; the register accepts only the documented fields` : 'a field with an unknown name; the register accepts only the documented fields', path: name ? `/${name}` : '' });
  }

  // --- readers: absent, null and "" all mean "not given" ---
  const text = (field: keyof RecordInput): string | null => {
    const v = raw[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') {
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      err(field, 'INVALID_TYPE', `${field} must be a string`);
      return null;
    }
    const t = v.trim();
    if (t === '') return null;
    if (t.length > MAX_TEXT) {
      err(field, 'TOO_LONG', `${field} is longer than ${MAX_TEXT} characters`);
      return null;
    }
    return t;
  };
  const date = (field: keyof RecordInput, allowFuture = false): string | null => {
    const v = text(field);
    if (v === null) return null;
    if (!isValidIsoDate(v)) {
      err(field, 'INVALID_DATE', `${field} must be a calendar date written YYYY-MM-DD`);
      return null;
    }
    if (v > ctx.today && !allowFuture) {
      err(field, 'FUTURE_DATE', `${field} ${v} lies in the future (today is ${ctx.today})`);
      return null;
    }
    if (v < '1900-01-01' || v > '2199-12-31') {
      err(field, 'OUT_OF_RANGE', `${field} ${v} is outside 1900–2199`);
      return null;
    }
    return v;
  };
  const bool = (field: keyof RecordInput): boolean | null => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'boolean') return v;
    const t = typeof v === 'string' ? v.trim() : v;
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t === '') return null;
    err(field, 'INVALID_TYPE', `${field} must be true or false`);
    return null;
  };
  const oneOf = <T extends string>(field: keyof RecordInput, values: readonly T[]): T | null => {
    const v = text(field);
    if (v === null) return null;
    if (!(values as readonly string[]).includes(v)) {
      err(field, 'UNKNOWN_CODE', `${field} must be one of: ${values.join(', ')}`);
      return null;
    }
    return v as T;
  };
  const sctid = (field: keyof RecordInput): string | null => {
    const v = text(field);
    if (v === null) return null;
    if (!isSctid(v)) {
      err(field, 'INVALID_FORMAT', `${field} must be a SNOMED CT concept id (6–18 digits with a valid Verhoeff check digit)`);
      return null;
    }
    return v;
  };

  // --- key ---
  const action: RecordAction = oneOf('action', RECORD_ACTIONS) ?? 'upsert';
  let providerKvk = text('providerKvk');
  if (providerKvk === null && ctx.providerKvk) providerKvk = ctx.providerKvk;
  if (providerKvk === null) err('providerKvk', 'REQUIRED', 'providerKvk is required (the provider’s 8-digit KvK number)');
  else if (!isKvk(providerKvk)) {
    err('providerKvk', 'INVALID_FORMAT', 'providerKvk must be exactly 8 digits');
    providerKvk = null;
  } else if (ctx.providerKvk && providerKvk !== ctx.providerKvk) {
    err('providerKvk', 'FOREIGN_PROVIDER', `providerKvk ${providerKvk} is not the provider this delivery is made for (${ctx.providerKvk})`);
  }
  const ref = text('providerRecordRef');
  if (ref === null) err('providerRecordRef', 'REQUIRED', 'providerRecordRef is required (your own reference for this record)');
  else if (isBsn(ref)) err('providerRecordRef', 'LOOKS_LIKE_BSN', 'providerRecordRef looks like a BSN; use an internal reference that does not identify the patient');
  else if (!isProviderRecordRef(ref)) err('providerRecordRef', 'INVALID_FORMAT', 'providerRecordRef must be 1–64 characters: letters, digits and . _ : / # - (starting with a letter or digit)');

  if (action === 'withdraw') {
    if (errors.length > 0 || providerKvk === null || ref === null) return { ok: false, errors, warnings };
    return { ok: true, action: 'withdraw', providerKvk, providerRecordRef: ref, warnings };
  }

  // --- content ---
  const pseudonym = text('patientPseudonym');
  if (pseudonym !== null && !isPseudonym(pseudonym)) {
    err('patientPseudonym', isBsn(pseudonym) ? 'LOOKS_LIKE_BSN' : 'INVALID_FORMAT',
      isBsn(pseudonym) ? 'patientPseudonym looks like a BSN; send only the pseudonym issued by the TTP service' : 'patientPseudonym must be a TTP pseudonym: label:value');
  }
  // The carrier is kept as scanned (GS characters included); only surrounding blanks and line ends go.
  const udi = typeof raw.udi === 'string' ? (raw.udi.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '') || null) : text('udi');
  let udiDi = text('udiDi');
  let lot = text('lot');
  let serial = text('serial');
  let expiryDate = date('expiryDate', true); // a device's use-by date lies ahead
  let manufactureDate = date('manufactureDate');
  let udiIssuer: CarrierData['issuer'] | null = null;
  if (udi !== null && udi.length > 400) err('udi', 'TOO_LONG', 'udi is longer than 400 characters');
  else if (udi !== null && ctx.parseCarrier) {
    const parsed = ctx.parseCarrier(udi);
    if (!parsed.ok) {
      err('udi', parsed.error.code, `udi: ${parsed.error.message} (at character ${parsed.error.position + 1})`);
    } else {
      const c = parsed.value;
      udiIssuer = c.issuer;
      const agree = (field: 'udiDi' | 'lot' | 'serial' | 'expiryDate' | 'manufactureDate', given: string | null, fromCarrier: string | null) => {
        if (given !== null && fromCarrier !== null && given !== fromCarrier) {
          err(field, 'UDI_MISMATCH', `${field} ${given} disagrees with the scanned UDI, which says ${fromCarrier}`);
        }
        return given ?? fromCarrier;
      };
      udiDi = agree('udiDi', udiDi, c.udiDi);
      lot = agree('lot', lot, c.lot);
      serial = agree('serial', serial, c.serial);
      expiryDate = agree('expiryDate', expiryDate, c.expiryDate);
      manufactureDate = agree('manufactureDate', manufactureDate, c.manufactureDate);
    }
  }
  if (udiDi !== null && !/^[A-Za-z0-9+$/.:_-]{1,60}$/.test(udiDi)) {
    err('udiDi', 'INVALID_FORMAT', 'udiDi must be 1–60 characters of the issuing agency’s character set');
  } else if (udiDi !== null && udi === null && /^\d{14}$/.test(udiDi) && ctx.parseCarrier) {
    // a typed GTIN gets the same check-digit test as a scanned one
    const check = ctx.parseCarrier(`(01)${udiDi}`);
    if (!check.ok) err('udiDi', check.error.code, `udiDi: ${check.error.message}`);
  }
  if (udiIssuer === null && udiDi !== null) udiIssuer = /^\d{14}$/.test(udiDi) ? 'GS1' : /^[A-Z][A-Z0-9]{3}/.test(udiDi) ? 'HIBCC' : null;

  const implantType = text('implantType');
  if (implantType !== null && !ctx.isKnownImplantType(implantType)) {
    err('implantType', 'UNKNOWN_CODE', 'implantType is not a code on the implant-type list (GET /api/v1/implant-types)');
  }
  const implantDate = date('implantDate');
  const explantDate = date('explantDate');
  const deathDate = date('deathDate');
  const explantReason = oneOf<ExplantReason>('explantReason', EXPLANT_REASONS);
  const closesRecordId = text('closesRecordId');
  if (closesRecordId !== null && !isUuid(closesRecordId)) err('closesRecordId', 'INVALID_FORMAT', 'closesRecordId must be a register record id (UUID)');

  const bodySite = sctid('bodySite');
  const lateralityText = text('laterality');
  let laterality: LateralityCode | null = null;
  if (lateralityText !== null) {
    const mapped = (LATERALITY as Record<string, string>)[lateralityText] ?? lateralityText;
    if (LATERALITY_CODES.has(mapped)) laterality = mapped as LateralityCode;
    else err('laterality', 'UNKNOWN_CODE', 'laterality must be SNOMED CT 7771000 (left), 24028007 (right) or 51440002 (both), or left/right/bilateral');
  }
  const procedureCode = sctid('procedureCode');
  const professionalRole = oneOf<ProfessionalRole>('professionalRole', PROFESSIONAL_ROLES);

  let weeksPostpartum: number | null = null;
  const wpp = raw.weeksPostpartum;
  if (wpp !== undefined && wpp !== null && wpp !== '') {
    const n = typeof wpp === 'number' ? wpp : typeof wpp === 'string' && /^\d{1,4}$/.test(wpp.trim()) ? Number(wpp) : NaN;
    if (!Number.isInteger(n)) err('weeksPostpartum', 'INVALID_TYPE', 'weeksPostpartum must be a whole number of weeks');
    else if (n < 0 || n > 1040) err('weeksPostpartum', 'OUT_OF_RANGE', 'weeksPostpartum must be between 0 and 1040');
    else weeksPostpartum = n;
  }
  const breastfeeding = bool('breastfeeding');
  const ultrasoundCheck = bool('ultrasoundCheck');
  const previousExpulsion = bool('previousExpulsion');
  const followUpDate = date('followUpDate');

  // --- cross-field rules ---
  let kind: RecordKind = 'implantation';
  if (implantDate !== null) kind = 'implantation';
  else if (explantDate !== null) kind = 'explantation';
  else if (deathDate !== null) kind = 'death';
  else if (!errors.some((e) => ['/implantDate', '/explantDate', '/deathDate'].includes(e.path))) {
    err('implantDate', 'REQUIRED', 'a record needs an implantDate, or an explantDate or deathDate for an implant placed elsewhere');
  }

  if (kind === 'implantation' && implantDate !== null) {
    if (udiDi === null && !errors.some((e) => e.path === '/udi' || e.path === '/udiDi')) {
      err('udiDi', 'REQUIRED', 'an implantation needs the device identifier: the scanned udi or the udiDi (Besluit art. 2 e)');
    }
    if (lot === null && serial === null && !errors.some((e) => ['/udi', '/lot', '/serial'].includes(e.path))) {
      err('lot', 'REQUIRED', 'an implantation needs a lot or serial number (Besluit art. 2 f)');
    }
    if (explantDate !== null && explantDate < implantDate) err('explantDate', 'DATE_ORDER', `explantDate ${explantDate} is before implantDate ${implantDate}`);
    if (deathDate !== null && deathDate < implantDate) err('deathDate', 'DATE_ORDER', `deathDate ${deathDate} is before implantDate ${implantDate}`);
    if (manufactureDate !== null && manufactureDate > implantDate) err('manufactureDate', 'DATE_ORDER', `manufactureDate ${manufactureDate} is after implantDate ${implantDate}`);
    if (followUpDate !== null && followUpDate < implantDate) err('followUpDate', 'DATE_ORDER', `followUpDate ${followUpDate} is before implantDate ${implantDate}`);
    if (closesRecordId !== null) err('closesRecordId', 'NOT_ALLOWED', 'closesRecordId belongs on an explantation or death record, not on an implantation');
    if (expiryDate !== null && expiryDate < implantDate) warn('expiryDate', 'EXPIRED_AT_IMPLANT', `the device expired on ${expiryDate}, before it was implanted on ${implantDate}`);
  } else if (!errors.some((e) => e.path === '/implantDate')) {
    if (explantReason !== null && explantDate === null) err('explantDate', 'REQUIRED', 'explantReason is given without explantDate');
    for (const f of IUD_PLACEMENT_FIELDS) {
      if (raw[f] !== undefined && raw[f] !== null && raw[f] !== '') err(f, 'NOT_ALLOWED', `${f} describes a placement and needs implantDate`);
    }
    if (pseudonym === null && closesRecordId === null) {
      warn('patientPseudonym', 'CANNOT_LINK', 'without patientPseudonym or closesRecordId the register cannot link this record to the implantation it closes');
    }
  }
  if (explantReason !== null && explantDate === null && kind === 'implantation') err('explantDate', 'REQUIRED', 'explantReason is given without explantDate');

  if (errors.length > 0 || providerKvk === null || ref === null) return { ok: false, errors, warnings };
  return {
    ok: true,
    action: 'upsert',
    warnings,
    record: {
      providerKvk,
      providerRecordRef: ref,
      patientPseudonym: pseudonym,
      kind,
      udi,
      udiIssuer,
      udiDi,
      lot,
      serial,
      expiryDate,
      manufactureDate,
      implantType,
      implantDate,
      explantDate,
      explantReason,
      deathDate,
      closesRecordId: closesRecordId?.toLowerCase() ?? null,
      bodySite,
      laterality,
      procedureCode,
      professionalRole,
      weeksPostpartum,
      breastfeeding,
      ultrasoundCheck,
      previousExpulsion,
      followUpDate,
    },
  };
}
