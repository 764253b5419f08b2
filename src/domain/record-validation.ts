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

/** BSNs as people write them: 8 or 9 digits, or 1234.56.782 / 123 456 782 / 123-456-782. */
const BSN_WRITTEN = /(?<!\d)(?:\d{8,9}|\d{4}[ .-]\d{2}[ .-]\d{3}|\d{3}[ .-]\d{3}[ .-]\d{3})(?!\d)/g;
/** Calendar dates written with separators: 14-03-1987, 14/03/1987, 14.03.1987, 1987-03-14, 1987/03/14. */
const DATE_WRITTEN = /(?<!\d)(?:(\d{1,2})([-/.])(\d{1,2})\2(\d{4})|(\d{4})([-/.])(\d{1,2})\6(\d{1,2}))(?!\d)/g;

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Why a text that should be an opaque code (a provider's reference, a lot or serial number, a
 * device identifier, a scanned carrier) looks like data about a patient: a BSN in any of its
 * written forms anywhere in it, a calendar date written with separators as the whole value (a
 * birth date from an EHR export in the wrong column), or two words of running text (a name). The
 * register refuses such values. A date inside a code (IUD-2021-07-15, a reference carrying the
 * implant date), a single word, or an undivided 8-digit number cannot be told from a real lot code
 * or reference and is accepted.
 */
export function patientDataIn(value: string): 'bsn' | 'date' | 'text' | null {
  const whole = value.trim();
  for (const m of whole.matchAll(DATE_WRITTEN)) {
    if (m.index !== 0 || m[0].length !== whole.length) continue;
    const [d, mo, y] = m[1] !== undefined ? [m[1], m[3], m[4]] : [m[8], m[7], m[5]];
    if (isCalendarDate(Number(y), Number(mo), Number(d))) return 'date';
  }
  for (const m of value.matchAll(BSN_WRITTEN)) if (isBsn(m[0].replace(/\D/g, ''))) return 'bsn';
  if (/\p{L}{2,}\s+\p{L}{2,}/u.test(value)) return 'text';
  return null;
}

const PATIENT_DATA_MESSAGE = {
  bsn: 'looks like a BSN',
  date: 'holds a calendar date (it could be a birth date)',
  text: 'holds running text (it could be a name)',
} as const;

/** Words of field names that describe personal data: such a name is echoed back (it is a label, not data). */
const PERSONAL_FIELD_WORDS = new Set([
  'patient', 'client', 'name', 'naam', 'first', 'last', 'family', 'given', 'initials', 'voornaam', 'achternaam', 'bsn', 'birth', 'geboorte',
  'geboortedatum', 'date', 'datum', 'dob', 'address', 'adres', 'street', 'straat', 'city', 'woonplaats', 'postcode', 'zip', 'phone', 'telefoon',
  'email', 'mail', 'comment', 'comments', 'note', 'notes', 'opmerking', 'remark', 'remarks', 'text', 'free', 'gender', 'sex', 'geslacht', 'id', 'number', 'nummer',
]);

/**
 * The name of an unknown field as it may be echoed in a receipt (which the register stores): only a
 * near miss of a documented field (implant_date, implantdate, implantDat) or a name made of words
 * that describe personal data (patientName, birth_date). Any other name could itself be patient data.
 */
export function echoableFieldName(key: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(key)) return null;
  const flat = (s: string) => s.toLowerCase().replace(/_/g, '');
  if (RECORD_FIELDS.some((f) => flat(f) === flat(key) || editDistanceAtMost(flat(f), flat(key), 2))) return key;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('_').filter(Boolean);
  return words.length > 0 && words.every((w) => PERSONAL_FIELD_WORDS.has(w)) ? key : null;
}

function editDistanceAtMost(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** A parser message without the parts of the input it quotes (runs of 4 or more letters or digits). */
function withoutInput(message: string, input: string): string {
  const quoted = [...new Set(input.match(/[\p{L}\p{N}]{4,}/gu) ?? [])].sort((a, b) => b.length - a.length);
  return quoted.reduce((m, q) => m.split(q).join('…'), message);
}

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
    // the receipt is stored: echo the name only when it cannot itself be patient data
    const name = echoableFieldName(key);
    errors.push({ severity: 'error', code: 'UNKNOWN_FIELD', message: name ? `unknown field "${name}"; the register accepts only the documented fields` : 'a field with an unknown name (not repeated here: a name could itself be patient data); the register accepts only the documented fields', path: name ? `/${name}` : '' });
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
      err(field, 'OUT_OF_RANGE', `${field} is outside 1900–2199`);
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
    // the given number is not repeated: an 8-digit number in this field could be a BSN
    err('providerKvk', 'FOREIGN_PROVIDER', `providerKvk is not the provider this delivery is made for (${ctx.providerKvk})`);
  }
  const ref = text('providerRecordRef');
  if (ref === null) err('providerRecordRef', 'REQUIRED', 'providerRecordRef is required (your own reference for this record)');
  else if (isBsn(ref) || patientDataIn(ref) === 'bsn') err('providerRecordRef', 'LOOKS_LIKE_BSN', 'providerRecordRef looks like a BSN; use an internal reference that does not identify the patient');
  else if (patientDataIn(ref) !== null) err('providerRecordRef', 'LOOKS_LIKE_PATIENT_DATA', `providerRecordRef ${PATIENT_DATA_MESSAGE[patientDataIn(ref)!]}; use an internal reference that does not identify the patient`);
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
  /**
   * An opaque code that looks like patient data is refused (and not read further). One exception:
   * an 8- or 9-digit lot or serial number that passes the 11-proef (about 1 in 11 numeric ones do)
   * is accepted when the scanned carrier holds the same value, since a manufacturer's label is not
   * a patient's file; typed by hand it is refused, and scanning the carrier is the way out.
   */
  const code = (field: 'udiDi' | 'lot' | 'serial', value: string | null, fromCarrier: string | null = null): string | null => {
    const found = value === null ? null : patientDataIn(value);
    if (found === null) return value;
    if (found === 'bsn' && fromCarrier !== null && value === fromCarrier && field !== 'udiDi' && /^\d{8,9}$/.test(value)) return value;
    const hint = found === 'bsn' && field !== 'udiDi' ? '; a lot or serial number that happens to pass the 11-proef is accepted from the scanned udi carrier' : '';
    err(field, found === 'bsn' ? 'LOOKS_LIKE_BSN' : 'LOOKS_LIKE_PATIENT_DATA', `${field} ${PATIENT_DATA_MESSAGE[found]}; the register takes no patient data${hint}`);
    return null;
  };
  let udiDi = code('udiDi', text('udiDi'));
  const typedLot = text('lot');
  const typedSerial = text('serial');
  let lot: string | null = null;
  let serial: string | null = null;
  let expiryDate = date('expiryDate', true); // a device's use-by date lies ahead
  let manufactureDate = date('manufactureDate');
  let udiIssuer: CarrierData['issuer'] | null = null;
  let carrier: CarrierData | null = null;
  if (udi !== null && udi.length > 400) err('udi', 'TOO_LONG', 'udi is longer than 400 characters');
  else if (udi !== null) {
    const parsed = ctx.parseCarrier ? ctx.parseCarrier(udi) : null;
    // a carrier that does not parse is only text: it is checked as a whole
    const udiPatientData = parsed?.ok ? null : patientDataIn(udi);
    if (udiPatientData !== null) {
      err('udi', udiPatientData === 'bsn' ? 'LOOKS_LIKE_BSN' : 'LOOKS_LIKE_PATIENT_DATA', `udi ${PATIENT_DATA_MESSAGE[udiPatientData]}; the register takes no patient data`);
    } else if (parsed && !parsed.ok) {
      // the parser quotes the input; receipts are stored, so what came from the input is left out
      err('udi', parsed.error.code, `udi: ${withoutInput(parsed.error.message, udi)} (at character ${parsed.error.position + 1})`);
    } else if (parsed?.ok) {
      const c = { ...parsed.value };
      for (const [part, name] of [['lot', 'lot'], ['serial', 'serial number']] as const) {
        const found = c[part] === null ? null : patientDataIn(c[part]!);
        // a BSN-shaped number on the label is a lot or serial number (see `code` above); a date or a name is not
        if (found !== null && !(found === 'bsn' && /^\d{8,9}$/.test(c[part]!))) {
          err('udi', found === 'bsn' ? 'LOOKS_LIKE_BSN' : 'LOOKS_LIKE_PATIENT_DATA', `the ${name} in udi ${PATIENT_DATA_MESSAGE[found]}; the register takes no patient data`);
          c[part] = null;
        }
      }
      carrier = c;
    }
  }
  lot = code('lot', typedLot, carrier?.lot ?? null);
  serial = code('serial', typedSerial, carrier?.serial ?? null);
  if (carrier) {
    const c = carrier;
    udiIssuer = c.issuer;
    const agree = (field: 'udiDi' | 'lot' | 'serial' | 'expiryDate' | 'manufactureDate', given: string | null, fromCarrier: string | null) => {
      if (given !== null && fromCarrier !== null && given !== fromCarrier) {
        err(field, 'UDI_MISMATCH', `${field} disagrees with the ${field} in the scanned udi`);
      }
      return given ?? fromCarrier;
    };
    udiDi = agree('udiDi', udiDi, c.udiDi);
    lot = agree('lot', lot, typedLot !== null && lot === null ? null : c.lot);
    serial = agree('serial', serial, typedSerial !== null && serial === null ? null : c.serial);
    expiryDate = agree('expiryDate', expiryDate, c.expiryDate);
    manufactureDate = agree('manufactureDate', manufactureDate, c.manufactureDate);
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
    // the refused date is not repeated: the receipt is stored, and a date out of order may be a birth date
    if (explantDate !== null && explantDate < implantDate) err('explantDate', 'DATE_ORDER', `explantDate is before implantDate ${implantDate}`);
    if (deathDate !== null && deathDate < implantDate) err('deathDate', 'DATE_ORDER', `deathDate is before implantDate ${implantDate}`);
    if (manufactureDate !== null && manufactureDate > implantDate) err('manufactureDate', 'DATE_ORDER', `manufactureDate is after implantDate ${implantDate}`);
    if (followUpDate !== null && followUpDate < implantDate) err('followUpDate', 'DATE_ORDER', `followUpDate is before implantDate ${implantDate}`);
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
