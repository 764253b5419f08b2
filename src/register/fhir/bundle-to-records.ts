// The FHIR channel's translation: a transaction or batch Bundle on the nl-core profiles → register
// records (one per DeviceUseStatement), each with a map from record field to the FHIRPath of the
// element it came from, so that every issue of the one intake pipeline can be reported at its
// place in the Bundle. Pure: no I/O (the look-ups a Bundle needs — a provider by AGB, a record by
// id for `PUT DeviceUseStatement/<id>` — are listed for the caller to do; see bundle-deliver.ts).
//
// What the register takes from each resource (docs/fhir.md has the table):
//   Patient            identifier (TTP pseudonym only) → patientPseudonym; deceasedDateTime → deathDate.
//                      Anything else about the patient is refused (issue type `security`), also
//                      meta.tag/security; on Device, Procedure and DeviceUseStatement a note, the
//                      patient's display text in DeviceUseStatement.subject or Device.patient, and
//                      a Device.patient identifier other than the TTP pseudonym.
//   Organization       identifier KvK → providerKvk; AGB when there is no KvK (looked up).
//   Procedure          code (SNOMED CT) → procedureCode; performedDateTime | performedPeriod.start →
//                      implantDate when the DeviceUseStatement has no timingPeriod; bodySite (when the
//                      DeviceUseStatement has none); performer.function → professionalRole.
//   Device             udiCarrier[0].carrierAIDC (base64) | carrierHRF → udi; deviceIdentifier → udiDi;
//                      lotNumber, serialNumber, expirationDate, manufactureDate; type (implant-type) →
//                      implantType.
//   DeviceUseStatement identifier (provider-record-ref) → providerRecordRef; subject, device, derivedFrom;
//                      timingPeriod.start/end → implantDate/explantDate; bodySite + laterality; the
//                      iud-placement and explant-reason extensions; status entered-in-error → withdraw.

import type { RecordField } from '../../domain/record.js';
import { PROFESSIONAL_ROLES } from '../../domain/record.js';
import { dateOf, isValidIsoDate } from '../../domain/dates.js';
import { isBsn } from '../../domain/identifiers.js';
import { EXTENSIONS, LATERALITY_EXTENSION, SYSTEMS, patientIdOf } from '../../http/fhir/model.js';
import { dedupeIssues, type FhirIssue, type IssueType } from '../../http/fhir/operation-outcome.js';
import { MEDICAL_DEVICE_LOCATION_EXTENSION } from './record-to-resources.js';

export const SUPPORTED_RESOURCE_TYPES = ['Patient', 'Organization', 'Procedure', 'Device', 'DeviceUseStatement'] as const;
export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

/** More entries than this in one Bundle are refused (413); use $deliver-bundles for large loads. */
export const MAX_BUNDLE_ENTRIES = 50_000;

/** AGB identifier systems accepted on an Organization (the NamingSystem and its OID form). */
export const AGB_SYSTEMS: readonly string[] = [SYSTEMS.agb, 'urn:oid:2.16.840.1.113883.2.4.6.1'];

/**
 * performer.function codes the register maps to its professional roles. Our own CodeSystem
 * (SYSTEMS.professionalRole) carries the role names themselves; from SNOMED CT a small set of
 * occupations (descendants of 14679004 |Occupation|).
 */
export const SNOMED_PROFESSIONAL_ROLES: Readonly<Record<string, (typeof PROFESSIONAL_ROLES)[number]>> = {
  '83685006': 'gynaecologist', // Gynecologist
  '11935004': 'gynaecologist', // Obstetrician (in the Netherlands one specialty: gynaecoloog)
  '62247001': 'gp', // Family medicine specialist (huisarts)
  '309453006': 'midwife', // Registered midwife
  '304292004': 'surgeon', // Surgeon
  '17561000': 'cardiologist', // Cardiologist
};

/** A place in the Bundle: the entry and the FHIRPath of the element. */
export interface Where {
  entry: number;
  expression: string;
}

export interface EntryPlan {
  index: number;
  resourceType: string | null;
  method: string | null;
  /** Problems found in this entry by the translation (errors refuse the entry and every record that uses it). */
  issues: FhirIssue[];
  /** Records (indexes into TranslatedBundle.records) this entry is part of. */
  records: number[];
  /** HTTP status for an entry refused on its own account (400, or 405 for a method). */
  refusedStatus?: number;
  /** Patient: the pseudonym (for the response location). */
  pseudonym?: string;
  /** Organization: its KvK number (for the response location), when it gave one. */
  kvk?: string;
}

export interface RecordDraft {
  /** Entry index of the DeviceUseStatement. */
  entry: number;
  /** The record as intake takes it (RecordInput field names). */
  input: Record<string, unknown>;
  /** Record field → where it came from (or where it belongs when missing). */
  where: Map<RecordField | 'udi', Where>;
  /** Every other entry this record is made of (Patient, Organization, Procedure, Device). */
  parts: number[];
  /** `PUT DeviceUseStatement/<id>`: the register id the sender expects this record to have. */
  expectedId?: { id: string; where: Where };
  /** The provider is named by AGB only: intake needs its KvK, looked up by the caller. */
  providerAgb?: { agb: string; where: Where; organizationEntry: number };
  /** The translation found an error in this record or in an entry it uses. */
  failed: boolean;
}

export interface TranslatedBundle {
  type: 'transaction' | 'batch';
  entries: EntryPlan[];
  records: RecordDraft[];
}

export type TranslateResult =
  | { ok: true; bundle: TranslatedBundle }
  /** The request is not a Bundle the register can process at all. */
  | { ok: false; status: number; issues: FhirIssue[] };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function issue(severity: FhirIssue['severity'], code: IssueType, errorCode: string, diagnostics: string, expression?: string): FhirIssue {
  return { severity, code, errorCode, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}

/** A FHIR date or dateTime as the register's calendar date: the date part, or the Dutch date of an instant. */
export function fhirDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  const m = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(v);
  if (m) {
    const t = Date.parse(v);
    return Number.isNaN(t) || !isValidIsoDate(m[1]!) ? m[1] : dateOf(new Date(t));
  }
  return v;
}

// ---------- free text about the patient outside the Patient resource ----------

/**
 * Elements of a Device, Procedure or DeviceUseStatement that can only say who the patient is: a
 * note (free text), the display text of a reference to the patient, and a Device.patient identifier
 * other than the TTP pseudonym. The register reads none of them, and refuses them so that a sender
 * learns that they must not be sent.
 */
function refusePatientText(resource: Json, type: string, root: string, issues: FhirIssue[]): void {
  const security = (element: string, what: string) =>
    issues.push(issue('error', 'security', 'PERSONAL_DATA', `${type}.${element} is refused: ${what}; the register takes no personal data about a patient`, `${root}.${element}`));
  if (resource.note !== undefined) security('note', 'free text could describe the patient');
  // Procedure.subject is not read at all; the examples give it a display text saying so
  const patientRef = type === 'Device' ? 'patient' : type === 'DeviceUseStatement' ? 'subject' : undefined;
  const ref = patientRef ? resource[patientRef] : undefined;
  if (patientRef && isObject(ref)) {
    if (ref.display !== undefined) security(`${patientRef}.display`, 'a display text of the patient is a name');
    if (type === 'Device' && ref.identifier !== undefined && !(isObject(ref.identifier) && ref.identifier.system === SYSTEMS.pseudonym)) {
      security('patient.identifier', 'the patient is identified by the TTP pseudonym only');
    }
  }
}

// ---------- Patient: the pseudonym and the date of death, nothing else ----------

/** Patient elements the register accepts; every other one is refused as personal data. */
const PATIENT_ALLOWED = new Set(['resourceType', 'id', 'meta', 'implicitRules', 'language', 'identifier', 'active', 'deceasedDateTime', 'deceasedBoolean']);

const PATIENT_ELEMENT_REASON: Record<string, string> = {
  name: 'a name',
  address: 'an address',
  telecom: 'a phone number or e-mail address',
  birthDate: 'a birth date',
  photo: 'a photo',
  contact: 'contact persons',
  gender: 'the sex',
  maritalStatus: 'the marital status',
  multipleBirthBoolean: 'multiple birth',
  multipleBirthInteger: 'multiple birth',
  communication: 'the language',
  generalPractitioner: 'the general practitioner',
  managingOrganization: 'the managing organization',
  link: 'links to other patient records',
  text: 'narrative text',
  extension: 'extensions',
  contained: 'contained resources',
};

interface PatientPart {
  pseudonym?: { value: string; where: Where };
  deceased?: { value: unknown; where: Where };
}

function translatePatient(resource: Json, root: string, entry: number, issues: FhirIssue[]): PatientPart {
  const part: PatientPart = {};
  const security = (errorCode: string, diagnostics: string, expression: string) => issues.push(issue('error', 'security', errorCode, diagnostics, expression));
  for (const key of Object.keys(resource)) {
    if (PATIENT_ALLOWED.has(key)) continue;
    const name = /^_?[A-Za-z][A-Za-z0-9]{0,40}$/.test(key) ? key : null;
    const what = name ? PATIENT_ELEMENT_REASON[name.replace(/^_/, '')] : undefined;
    security(
      'PERSONAL_DATA',
      `Patient.${name ?? '(element)'} is refused: the register takes no personal data about a patient${what ? ` (this is ${what})` : ''}; send only the TTP pseudonym as identifier and, for a death, deceasedDateTime`,
      `${root}${name ? '.' + name : ''}`,
    );
  }
  if (isObject(resource.meta)) {
    for (const key of ['tag', 'security']) {
      if (resource.meta[key] !== undefined) security('PERSONAL_DATA', `Patient.meta.${key} is refused: the register takes no labels on a patient`, `${root}.meta.${key}`);
    }
  }
  if (typeof resource.id === 'string' && isBsn(resource.id.trim())) {
    security('BSN_NOT_ALLOWED', 'the Patient id looks like a BSN (8 or 9 digits passing the 11-proef); use an id that does not identify the patient, such as a urn:uuid fullUrl', `${root}.id`);
  }
  const identifiers = resource.identifier;
  if (identifiers !== undefined && !Array.isArray(identifiers)) {
    issues.push(issue('error', 'structure', 'INVALID_TYPE', 'Patient.identifier must be an array', `${root}.identifier`));
  }
  arrayOf(identifiers).forEach((id, k) => {
    const at = `${root}.identifier[${k}]`;
    if (!isObject(id)) {
      issues.push(issue('error', 'structure', 'INVALID_TYPE', 'an identifier must be an object', at));
      return;
    }
    for (const key of Object.keys(id)) {
      if (!['system', 'value', 'use', 'type', 'period', 'id'].includes(key)) {
        const name = /^[A-Za-z]{1,40}$/.test(key) ? key : null;
        security('PERSONAL_DATA', `Patient.identifier.${name ?? '(element)'} is refused: the register takes only the TTP pseudonym's system and value`, name ? `${at}.${name}` : at);
      }
    }
    const pseudonym = patientIdentifier(str(id.system), str(id.value), at, entry, issues);
    if (!pseudonym) return;
    if (part.pseudonym) issues.push(issue('error', 'business-rule', 'MULTIPLE_PSEUDONYMS', 'a Patient carries at most one TTP pseudonym', at));
    else part.pseudonym = pseudonym;
  });
  if (resource.deceasedDateTime !== undefined) {
    part.deceased = { value: fhirDate(resource.deceasedDateTime), where: { entry, expression: `${root}.deceasedDateTime` } };
  } else if (resource.deceasedBoolean === true) {
    issues.push(issue('error', 'required', 'REQUIRED', 'the register records the date of death (Besluit art. 2 i): send deceasedDateTime instead of deceasedBoolean', `${root}.deceasedBoolean`));
  }
  return part;
}

/**
 * One identifier of a Patient (in a Patient resource or a logical reference): the TTP pseudonym is
 * taken; a BSN (by system, or any value passing the 11-proef) or any other identifier is refused.
 */
function patientIdentifier(system: string | undefined, rawValue: string | undefined, at: string, entry: number, issues: FhirIssue[]): { value: string; where: Where } | undefined {
  const value = rawValue?.trim();
  if (system === SYSTEMS.bsn) {
    issues.push(issue('error', 'security', 'BSN_NOT_ALLOWED', `a BSN identifier (system ${SYSTEMS.bsn}) may not be sent to the register; ask the TTP service for the patient's pseudonym and send that (system ${SYSTEMS.pseudonym})`, at));
    return undefined;
  }
  if (value !== undefined && isBsn(value.replace(/[\s.-]/g, ''))) {
    issues.push(issue('error', 'security', 'BSN_NOT_ALLOWED', 'this identifier value looks like a BSN (8 or 9 digits passing the 11-proef); the register accepts only the TTP pseudonym', at));
    return undefined;
  }
  if (system !== SYSTEMS.pseudonym) {
    issues.push(issue('error', 'security', 'IDENTIFIER_NOT_ALLOWED', `a Patient identifier other than the TTP pseudonym (system ${SYSTEMS.pseudonym}) is refused: it would identify the patient at your organisation`, at));
    return undefined;
  }
  return { value: value ?? '', where: { entry, expression: `${at}.value` } };
}

// ---------- Organization: the provider by KvK (or AGB) ----------

interface OrganizationPart {
  kvk?: { value: string; where: Where };
  agb?: { value: string; where: Where };
}

function translateOrganization(resource: Json, root: string, entry: number, issues: FhirIssue[]): OrganizationPart {
  const part: OrganizationPart = {};
  arrayOf(resource.identifier).forEach((id, k) => {
    if (!isObject(id)) return;
    const system = str(id.system);
    const value = str(id.value)?.trim() ?? '';
    const where = { entry, expression: `${root}.identifier[${k}]` };
    if (system === SYSTEMS.kvk) {
      if (part.kvk && part.kvk.value !== value) issues.push(issue('error', 'business-rule', 'MULTIPLE_PROVIDERS', 'an Organization carries one KvK number', where.expression));
      else part.kvk = { value, where };
    } else if (system && AGB_SYSTEMS.includes(system)) {
      if (!part.agb) part.agb = { value, where };
    }
  });
  if (!part.kvk && !part.agb) {
    issues.push(issue('error', 'required', 'REQUIRED', `the Organization needs a KvK number (system ${SYSTEMS.kvk}) or an AGB code (system ${SYSTEMS.agb})`, `${root}.identifier`));
  } else if (!part.kvk && part.agb && !/^\d{8}$/.test(part.agb.value)) {
    issues.push(issue('error', 'value', 'INVALID_FORMAT', 'an AGB code is 8 digits', part.agb.where.expression));
  }
  return part;
}

// ---------- Procedure ----------

interface ProcedurePart {
  code?: { value: string; where: Where };
  date?: { value: unknown; where: Where };
  bodySite?: { value: string; where: Where };
  laterality?: { value: string; where: Where };
  role?: { value: string; where: Where };
  /** performer.actor / performer.onBehalfOf references, resolved later. */
  organizations: { ref: Json; at: string }[];
}

interface CodingAt {
  system?: string;
  code?: string;
  at: string;
}

function codingsOf(concept: unknown, at: string): CodingAt[] {
  if (!isObject(concept)) return [];
  return arrayOf(concept.coding).flatMap((c, k) => (isObject(c) ? [{ system: str(c.system), code: str(c.code)?.trim(), at: `${at}.coding[${k}]` }] : []));
}

function bodySiteOf(concept: unknown, at: string, entry: number): { bodySite?: { value: string; where: Where }; laterality?: { value: string; where: Where } } {
  const out: ReturnType<typeof bodySiteOf> = {};
  if (!isObject(concept)) return out;
  const site = codingsOf(concept, at).find((c) => c.system === SYSTEMS.snomed && c.code);
  if (site) out.bodySite = { value: site.code!, where: { entry, expression: at } };
  arrayOf(concept.extension).forEach((ext, k) => {
    if (!isObject(ext) || ext.url !== LATERALITY_EXTENSION) return;
    const extAt = `${at}.extension[${k}]`;
    const coding = codingsOf(ext.valueCodeableConcept, `${extAt}.valueCodeableConcept`).find((c) => c.code) ?? (isObject(ext.valueCoding) ? { code: str(ext.valueCoding.code) } : undefined);
    out.laterality = { value: coding?.code ?? '', where: { entry, expression: extAt } };
  });
  return out;
}

function translateProcedure(resource: Json, root: string, entry: number, issues: FhirIssue[]): ProcedurePart {
  const part: ProcedurePart = { organizations: [] };
  const codings = codingsOf(resource.code, `${root}.code`);
  const snomed = codings.find((c) => c.system === SYSTEMS.snomed && c.code);
  if (snomed) part.code = { value: snomed.code!, where: { entry, expression: `${root}.code` } };
  else if (codings.length > 0) {
    issues.push(issue('warning', 'informational', 'CODE_NOT_STORED', 'the procedure code is not stored: the register keeps SNOMED CT procedure codes only', `${root}.code`));
  }
  if (resource.performedDateTime !== undefined) {
    part.date = { value: fhirDate(resource.performedDateTime), where: { entry, expression: `${root}.performedDateTime` } };
  } else if (isObject(resource.performedPeriod) && resource.performedPeriod.start !== undefined) {
    part.date = { value: fhirDate(resource.performedPeriod.start), where: { entry, expression: `${root}.performedPeriod.start` } };
  }
  const sites = arrayOf(resource.bodySite);
  if (sites.length > 0) Object.assign(part, bodySiteOf(sites[0], `${root}.bodySite[0]`, entry));
  arrayOf(resource.performer).forEach((p, k) => {
    if (!isObject(p)) return;
    const at = `${root}.performer[${k}]`;
    for (const key of ['actor', 'onBehalfOf'] as const) if (isObject(p[key])) part.organizations.push({ ref: p[key] as Json, at: `${at}.${key}` });
    if (part.role || !isObject(p.function)) return;
    const codes = codingsOf(p.function, `${at}.function`);
    const own = codes.find((c) => c.system === SYSTEMS.professionalRole);
    const sct = codes.find((c) => c.system === SYSTEMS.snomed && c.code && SNOMED_PROFESSIONAL_ROLES[c.code]);
    if (own) part.role = { value: own.code ?? '', where: { entry, expression: `${at}.function` } };
    else if (sct) part.role = { value: SNOMED_PROFESSIONAL_ROLES[sct.code!]!, where: { entry, expression: `${at}.function` } };
    else if (codes.length > 0) {
      issues.push(
        issue('warning', 'informational', 'CODE_NOT_STORED', `the performer's function is not stored: use a code of ${SYSTEMS.professionalRole} (${PROFESSIONAL_ROLES.join(', ')}) or one of the SNOMED CT occupations listed in docs/fhir.md`, `${at}.function`),
      );
    }
  });
  return part;
}

// ---------- Device ----------

interface DevicePart {
  fields: Partial<Record<'udi' | 'udiDi' | 'lot' | 'serial' | 'expiryDate' | 'manufactureDate' | 'implantType', { value: unknown; where: Where }>>;
  /** Where a missing UDI-DI or lot belongs. */
  diAt: string;
}

const UDI_ISSUERS: readonly string[] = [SYSTEMS.gs1, SYSTEMS.hibcc, SYSTEMS.iccbba];

function translateDevice(resource: Json, root: string, entry: number, issues: FhirIssue[]): DevicePart {
  const f: DevicePart['fields'] = {};
  const at = (expression: string): Where => ({ entry, expression });
  const carriers = resource.udiCarrier;
  const list = arrayOf(carriers);
  if (list.length > 1) issues.push(issue('error', 'business-rule', 'MULTIPLE_CARRIERS', 'a Device carries one udiCarrier (nl-core-MedicalDevice.Product): deliver each implanted unit as its own Device', `${root}.udiCarrier[1]`));
  const carrier = list[0];
  if (isObject(carrier)) {
    const c = `${root}.udiCarrier[0]`;
    if (carrier.deviceIdentifier !== undefined) f.udiDi = { value: carrier.deviceIdentifier, where: at(`${c}.deviceIdentifier`) };
    if (typeof carrier.carrierAIDC === 'string') {
      const b64 = carrier.carrierAIDC.replace(/\s+/g, '');
      const text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64) ? decodeUtf8(Buffer.from(b64, 'base64')) : undefined;
      if (text === undefined || text === '') {
        issues.push(issue('error', 'value', 'INVALID_FORMAT', 'carrierAIDC must be the scanned bytes of the carrier in base64', `${c}.carrierAIDC`));
      } else {
        f.udi = { value: text, where: at(`${c}.carrierAIDC`) };
      }
    } else if (carrier.carrierHRF !== undefined) {
      f.udi = { value: carrier.carrierHRF, where: at(`${c}.carrierHRF`) };
    }
  }
  // nl-core ProductID: the full UDI (or a bare GTIN) in Device.identifier with the issuer's system
  arrayOf(resource.identifier).forEach((id, k) => {
    if (!isObject(id) || typeof id.value !== 'string' || !UDI_ISSUERS.includes(str(id.system) ?? '')) return;
    const value = id.value.trim();
    const where = at(`${root}.identifier[${k}]`);
    if (/^\d{14}$/.test(value)) f.udiDi ??= { value, where };
    else f.udi ??= { value: id.value, where };
  });
  if (resource.lotNumber !== undefined) f.lot = { value: resource.lotNumber, where: at(`${root}.lotNumber`) };
  if (resource.serialNumber !== undefined) f.serial = { value: resource.serialNumber, where: at(`${root}.serialNumber`) };
  if (resource.expirationDate !== undefined) f.expiryDate = { value: fhirDate(resource.expirationDate), where: at(`${root}.expirationDate`) };
  if (resource.manufactureDate !== undefined) f.manufactureDate = { value: fhirDate(resource.manufactureDate), where: at(`${root}.manufactureDate`) };
  const types = codingsOf(resource.type, `${root}.type`);
  const implantType = types.find((t) => t.system === SYSTEMS.implantType);
  if (implantType) f.implantType = { value: implantType.code ?? '', where: at(`${root}.type`) };
  // a SNOMED CT product type (the zib's ProductType binding) is accepted; the catalogue supplies the type
  return { fields: f, diAt: `${root}.udiCarrier[0].deviceIdentifier` };
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------- the Bundle ----------

interface Parts {
  Patient: Map<number, PatientPart>;
  Organization: Map<number, OrganizationPart>;
  Procedure: Map<number, ProcedurePart>;
  Device: Map<number, DevicePart>;
}

type Resolved =
  | { kind: 'entry'; entry: number; type: string }
  | { kind: 'contained'; resource: Json; index: number }
  | { kind: 'identifier'; system?: string; value?: string; at: string }
  | { kind: 'register'; type: string; id: string }
  | { kind: 'none' }
  | { kind: 'error' };

export function translateBundle(body: unknown, opts: { maxEntries?: number } = {}): TranslateResult {
  const bad = (status: number, code: IssueType, errorCode: string, diagnostics: string, expression?: string): TranslateResult => ({
    ok: false,
    status,
    issues: [issue('error', code, errorCode, diagnostics, expression)],
  });
  if (!isObject(body) || body.resourceType !== 'Bundle') {
    return bad(400, 'invalid', 'NOT_A_BUNDLE', 'POST a Bundle of type transaction or batch to the base URL', isObject(body) && 'resourceType' in body ? 'resourceType' : undefined);
  }
  if (body.type !== 'transaction' && body.type !== 'batch') {
    return bad(400, 'not-supported', 'BUNDLE_TYPE', `the register processes Bundles of type transaction (all or nothing) or batch (per entry), not ${typeof body.type === 'string' ? JSON.stringify(body.type.slice(0, 40)) : 'a Bundle without type'}`, 'Bundle.type');
  }
  const rawEntries = body.entry;
  if (rawEntries !== undefined && !Array.isArray(rawEntries)) return bad(400, 'structure', 'INVALID_TYPE', 'Bundle.entry must be an array', 'Bundle.entry');
  const list = arrayOf(rawEntries);
  if (list.length === 0) return bad(400, 'required', 'EMPTY_BUNDLE', 'the Bundle has no entries', 'Bundle.entry');
  const max = opts.maxEntries ?? MAX_BUNDLE_ENTRIES;
  if (list.length > max) return bad(413, 'too-costly', 'TOO_MANY_ENTRIES', `at most ${max} entries per Bundle; deliver larger loads as NDJSON to $deliver-bundles`, 'Bundle.entry');

  const type = body.type;
  const entries: EntryPlan[] = [];
  const resources: (Json | undefined)[] = [];
  const byFullUrl = new Map<string, number>();
  const byTypeId = new Map<string, number>();

  // 1. the envelope of every entry
  list.forEach((raw, i) => {
    const at = `Bundle.entry[${i}]`;
    const plan: EntryPlan = { index: i, resourceType: null, method: null, issues: [], records: [] };
    entries.push(plan);
    const refuse = (code: IssueType, errorCode: string, diagnostics: string, expression: string, status = 400) => {
      plan.issues.push(issue('error', code, errorCode, diagnostics, expression));
      plan.refusedStatus ??= status;
    };
    if (!isObject(raw)) {
      resources.push(undefined);
      refuse('structure', 'INVALID_TYPE', 'a Bundle entry must be an object', at);
      return;
    }
    const resource = isObject(raw.resource) ? raw.resource : undefined;
    const resourceType = resource && typeof resource.resourceType === 'string' ? resource.resourceType : null;
    const request = raw.request;
    if (!isObject(request)) {
      refuse('required', 'REQUIRED', `every entry of a ${type} needs request.method and request.url`, `${at}.request`);
    } else {
      const method = str(request.method);
      plan.method = method ?? null;
      if (method !== 'POST' && method !== 'PUT') {
        refuse('not-supported', 'METHOD_NOT_ALLOWED', `request.method ${method ? method.slice(0, 10) : '(none)'} is not supported: deliver with POST, or PUT (conditional PUT DeviceUseStatement?identifier=${SYSTEMS.providerRecordRef}|<your reference>)`, `${at}.request.method`, 405);
      }
      const url = str(request.url);
      if (url === undefined) refuse('required', 'REQUIRED', 'request.url is required', `${at}.request.url`);
      else if (resourceType && !urlNamesType(url, resourceType)) {
        refuse('invalid', 'URL_MISMATCH', `request.url must name the entry's resource type ${resourceType}`, `${at}.request.url`);
      }
      for (const cond of ['ifNoneMatch', 'ifModifiedSince', 'ifMatch', 'ifNoneExist']) {
        if (request[cond] !== undefined) refuse('not-supported', 'CONDITIONAL_NOT_SUPPORTED', `request.${cond} is not supported: a delivery is keyed by the DeviceUseStatement identifier, and re-delivering the same content changes nothing`, `${at}.request.${cond}`);
      }
    }
    resources.push(resource);
    if (!resource || typeof resource.resourceType !== 'string') {
      // a GET or DELETE has no resource: its method is the reason it is refused
      if (plan.refusedStatus !== 405) refuse('required', 'REQUIRED', 'the entry has no resource', `${at}.resource`);
    } else {
      plan.resourceType = resource.resourceType;
      if (!(SUPPORTED_RESOURCE_TYPES as readonly string[]).includes(resource.resourceType)) {
        refuse('not-supported', 'UNSUPPORTED_RESOURCE', `the register accepts ${SUPPORTED_RESOURCE_TYPES.join(', ')}; not ${resource.resourceType.slice(0, 40)}`, `${at}.resource`);
      }
      if (hasKeyDeep(resource, 'modifierExtension')) {
        refuse('not-supported', 'UNSUPPORTED_ELEMENT', 'modifier extensions are not supported: the register cannot know what they change', `${at}.resource`);
      }
      if (resource.contained !== undefined && resource.resourceType !== 'DeviceUseStatement' && resource.resourceType !== 'Patient') {
        refuse('not-supported', 'UNSUPPORTED_ELEMENT', 'contained resources are not supported here: deliver each resource as its own entry', `${at}.resource.contained`);
      }
    }
    const fullUrl = str(raw.fullUrl);
    if (fullUrl !== undefined) {
      if (byFullUrl.has(fullUrl)) refuse('invalid', 'DUPLICATE_FULLURL', `fullUrl is also used by entry ${byFullUrl.get(fullUrl)}`, `${at}.fullUrl`);
      else byFullUrl.set(fullUrl, i);
      const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(fullUrl);
      if (m && !fullUrl.startsWith('urn:')) byTypeId.set(`${m[1]}/${m[2]}`, i);
    }
    if (resource && typeof resource.resourceType === 'string' && typeof resource.id === 'string') {
      const key = `${resource.resourceType}/${resource.id}`;
      if (!byTypeId.has(key)) byTypeId.set(key, i);
    }
  });

  // 2. every supporting resource once
  const parts: Parts = { Patient: new Map(), Organization: new Map(), Procedure: new Map(), Device: new Map() };
  entries.forEach((plan, i) => {
    const resource = resources[i];
    if (!resource) return;
    const root = `Bundle.entry[${i}].resource`;
    if (plan.resourceType === 'Device' || plan.resourceType === 'Procedure' || plan.resourceType === 'DeviceUseStatement') {
      refusePatientText(resource, plan.resourceType, root, plan.issues);
    }
    switch (plan.resourceType) {
      case 'Patient': {
        const p = translatePatient(resource, root, i, plan.issues);
        parts.Patient.set(i, p);
        if (p.pseudonym) plan.pseudonym = p.pseudonym.value;
        break;
      }
      case 'Organization': {
        const o = translateOrganization(resource, root, i, plan.issues);
        parts.Organization.set(i, o);
        if (o.kvk) plan.kvk = o.kvk.value;
        break;
      }
      case 'Procedure':
        parts.Procedure.set(i, translateProcedure(resource, root, i, plan.issues));
        break;
      case 'Device':
        parts.Device.set(i, translateDevice(resource, root, i, plan.issues));
        break;
    }
  });
  const organizationEntries = [...parts.Organization.keys()];

  /**
   * Resolves a reference inside the Bundle (fullUrl, Type/id), to a contained resource (#id), to a
   * logical identifier, or to one of the register's own ids that the reference itself proves
   * (`Organization/kvk-<KvK>`, `Patient/<id>` with its pseudonym). Anything else is reported on
   * `plan` unless `quietUnless` says the reference is of no interest (a Practitioner the register
   * does not read).
   */
  const resolve = (ref: unknown, at: string, plan: EntryPlan, opts: { contained?: unknown[]; onlyIfType?: string } = {}): Resolved => {
    if (!isObject(ref)) return { kind: 'none' };
    const reference = str(ref.reference);
    if (reference !== undefined) {
      if (reference.startsWith('#')) {
        const index = arrayOf(opts.contained).findIndex((c) => isObject(c) && c.id === reference.slice(1));
        if (index >= 0) return { kind: 'contained', resource: arrayOf(opts.contained)[index] as Json, index };
      } else {
        const hit = byFullUrl.get(reference) ?? byTypeId.get(reference) ?? byTypeId.get(/([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(reference)?.[1] ?? '\u0000');
        if (hit !== undefined) return { kind: 'entry', entry: hit, type: entries[hit]!.resourceType ?? '' };
        const org = /^Organization\/kvk-(\d{8})$/.exec(reference);
        if (org) return { kind: 'register', type: 'Organization', id: org[1]! };
        const patient = /^Patient\/(p[0-9a-f]{40})$/.exec(reference);
        const identifier = isObject(ref.identifier) ? ref.identifier : undefined;
        const pid = str(identifier?.value);
        if (patient && pid && identifier?.system === SYSTEMS.pseudonym && patientIdOf(pid) === patient[1]) {
          return { kind: 'identifier', system: SYSTEMS.pseudonym, value: pid, at: `${at}.identifier` };
        }
      }
      if (opts.onlyIfType) {
        const named = str(ref.type) ?? /^(?:.*\/)?([A-Z][A-Za-z]+)\/[^/]+$/.exec(reference)?.[1];
        if (named !== opts.onlyIfType) return { kind: 'none' };
      }
      plan.issues.push(
        issue('error', 'not-found', 'UNRESOLVED_REFERENCE', 'the reference does not resolve to an entry of this Bundle: give the referenced resource its own entry and refer to its fullUrl (urn:uuid:…)', `${at}.reference`),
      );
      return { kind: 'error' };
    }
    if (isObject(ref.identifier)) return { kind: 'identifier', system: str(ref.identifier.system), value: str(ref.identifier.value), at: `${at}.identifier` };
    return { kind: 'none' };
  };
  const wrongType = (plan: EntryPlan, at: string, expected: string) =>
    plan.issues.push(issue('error', 'invalid', 'REFERENCE_TYPE', `this reference must point to a ${expected}`, `${at}.reference`));

  // 3. one record per DeviceUseStatement
  const records: RecordDraft[] = [];
  entries.forEach((plan, i) => {
    const resource = resources[i];
    if (plan.resourceType !== 'DeviceUseStatement' || !resource) return;
    const root = `Bundle.entry[${i}].resource`;
    const here = (expression: string): Where => ({ entry: i, expression });
    const input: Record<string, unknown> = {};
    const where = new Map<RecordField | 'udi', Where>();
    const used = new Set<number>();
    const set = (field: RecordField | 'udi', value: unknown, at: Where) => {
      input[field] = value;
      where.set(field, at);
    };
    const draft: RecordDraft = { entry: i, input, where, parts: [], failed: false };

    // identifier → providerRecordRef
    const ids = arrayOf(resource.identifier)
      .map((id, k) => ({ id, k }))
      .filter((x): x is { id: Json; k: number } => isObject(x.id) && x.id.system === SYSTEMS.providerRecordRef);
    const ownId = ids[0];
    if (!ownId) {
      plan.issues.push(issue('error', 'required', 'REQUIRED', `the DeviceUseStatement needs an identifier with system ${SYSTEMS.providerRecordRef}: your own reference for this record`, `${root}.identifier`));
      where.set('providerRecordRef', here(`${root}.identifier`));
    } else {
      if (ids.length > 1) plan.issues.push(issue('error', 'business-rule', 'MULTIPLE_IDENTIFIERS', `the DeviceUseStatement carries one identifier with system ${SYSTEMS.providerRecordRef}`, `${root}.identifier[${ids[1]!.k}]`));
      set('providerRecordRef', ownId.id.value ?? null, here(`${root}.identifier[${ownId.k}].value`));
    }

    // request.url of a PUT: conditional on the identifier, or the register id
    const request = (list[i] as Json).request as Json;
    const url = str(request.url);
    if (request.method === 'PUT' && url !== undefined) {
      const urlAt = `Bundle.entry[${i}].request.url`;
      const [path, query] = splitUrl(url.trim());
      if (query !== undefined) {
        const params = new URLSearchParams(query);
        const given = ownId ? `${SYSTEMS.providerRecordRef}|${str(ownId.id.value) ?? ''}` : undefined;
        if ([...params.keys()].some((k) => k !== 'identifier') || params.getAll('identifier').length !== 1) {
          plan.issues.push(issue('error', 'not-supported', 'CONDITIONAL_NOT_SUPPORTED', `a conditional PUT of a DeviceUseStatement is supported on its identifier only: DeviceUseStatement?identifier=${SYSTEMS.providerRecordRef}|<your reference>`, urlAt));
        } else if (params.get('identifier') !== given) {
          plan.issues.push(issue('error', 'invalid', 'URL_MISMATCH', 'the identifier in request.url differs from the DeviceUseStatement identifier', urlAt));
        }
      } else {
        const id = /^DeviceUseStatement\/([A-Za-z0-9\-.]{1,64})$/.exec(path)?.[1];
        if (!id) plan.issues.push(issue('error', 'invalid', 'URL_MISMATCH', 'PUT needs DeviceUseStatement/<register id> or DeviceUseStatement?identifier=<system>|<value>', urlAt));
        else {
          if (typeof resource.id === 'string' && resource.id !== id) plan.issues.push(issue('error', 'invalid', 'URL_MISMATCH', 'the resource id differs from the id in request.url', `${root}.id`));
          draft.expectedId = { id, where: here(urlAt) };
        }
      }
    }

    const withdraw = resource.status === 'entered-in-error';
    if (withdraw) set('action', 'withdraw', here(`${root}.status`));

    // the provider: extension:location, identifier.assigner, source, Procedure.performer, or the Bundle's only Organization
    const providers: { part: OrganizationPart; entry?: number; where: Where }[] = [];
    const addProvider = (ref: unknown, at: string, owner: EntryPlan, onlyIfType?: string) => {
      const r = resolve(ref, at, owner, onlyIfType ? { onlyIfType } : {});
      if (r.kind === 'entry') {
        if (r.type !== 'Organization') {
          if (!onlyIfType) wrongType(owner, at, 'Organization');
          return;
        }
        used.add(r.entry);
        const part = parts.Organization.get(r.entry)!;
        providers.push({ part, entry: r.entry, where: part.kvk?.where ?? part.agb?.where ?? { entry: r.entry, expression: `Bundle.entry[${r.entry}].resource.identifier` } });
      } else if (r.kind === 'register') {
        const w = { entry: owner.index, expression: `${at}.reference` };
        providers.push({ part: { kvk: { value: r.id, where: w } }, where: w });
      } else if (r.kind === 'identifier') {
        const w = { entry: owner.index, expression: r.at };
        const value = r.value?.trim() ?? '';
        if (r.system === SYSTEMS.kvk) providers.push({ part: { kvk: { value, where: w } }, where: w });
        else if (r.system && AGB_SYSTEMS.includes(r.system)) providers.push({ part: { agb: { value, where: w } }, where: w });
      }
    };
    arrayOf(resource.extension).forEach((ext, k) => {
      if (isObject(ext) && ext.url === MEDICAL_DEVICE_LOCATION_EXTENSION) addProvider(ext.valueReference, `${root}.extension[${k}].valueReference`, plan);
    });
    if (ownId && isObject(ownId.id.assigner)) addProvider(ownId.id.assigner, `${root}.identifier[${ownId.k}].assigner`, plan);
    if (isObject(resource.source)) addProvider(resource.source, `${root}.source`, plan, 'Organization');

    // the Patient
    if (isObject(resource.subject)) {
      const at = `${root}.subject`;
      const r = resolve(resource.subject, at, plan, { contained: arrayOf(resource.contained) });
      let patient: PatientPart | undefined;
      if (r.kind === 'entry') {
        if (r.type !== 'Patient') wrongType(plan, at, 'Patient');
        else {
          used.add(r.entry);
          patient = parts.Patient.get(r.entry);
        }
      } else if (r.kind === 'contained') {
        if (r.resource.resourceType !== 'Patient') wrongType(plan, at, 'Patient');
        else patient = translatePatient(r.resource, `${root}.contained[${r.index}]`, i, plan.issues);
      } else if (r.kind === 'identifier') {
        const pseudonym = patientIdentifier(r.system, r.value, r.at, i, plan.issues);
        patient = pseudonym ? { pseudonym } : {};
      }
      if (patient?.pseudonym) set('patientPseudonym', patient.pseudonym.value, patient.pseudonym.where);
      if (patient?.deceased) set('deathDate', patient.deceased.value, patient.deceased.where);
    }
    arrayOf(resource.contained).forEach((c, k) => {
      if (!isObject(c) || c.resourceType !== 'Patient') {
        plan.issues.push(issue('error', 'not-supported', 'UNSUPPORTED_ELEMENT', 'a DeviceUseStatement may contain only its Patient', `${root}.contained[${k}]`));
      } else if (!(isObject(resource.subject) && resource.subject.reference === `#${String(c.id)}`)) {
        // a contained Patient that the subject does not name is still checked: the register must not take personal data
        translatePatient(c, `${root}.contained[${k}]`, i, plan.issues);
      }
    });

    // the Device
    if (isObject(resource.device)) {
      const at = `${root}.device`;
      const r = resolve(resource.device, at, plan);
      if (r.kind === 'entry') {
        if (r.type !== 'Device') wrongType(plan, at, 'Device');
        else {
          used.add(r.entry);
          const d = parts.Device.get(r.entry)!;
          for (const [field, v] of Object.entries(d.fields)) set(field as RecordField | 'udi', v.value, v.where);
          if (!where.has('udiDi')) where.set('udiDi', { entry: r.entry, expression: d.diAt });
          if (!where.has('lot')) where.set('lot', { entry: r.entry, expression: `Bundle.entry[${r.entry}].resource.lotNumber` });
        }
      } else if (r.kind === 'identifier' || r.kind === 'register') {
        plan.issues.push(issue('error', 'not-found', 'UNRESOLVED_REFERENCE', 'the Device must be an entry of this Bundle: the register does not look devices up by identifier', at));
      }
    }
    for (const field of ['udiDi', 'lot', 'serial', 'udi'] as const) if (!where.has(field)) where.set(field, here(`${root}.device`));

    // the Procedure it derives from (the first one counts)
    let procedure: { part: ProcedurePart; plan: EntryPlan } | undefined;
    arrayOf(resource.derivedFrom).forEach((ref, k) => {
      const r = resolve(ref, `${root}.derivedFrom[${k}]`, plan);
      if (r.kind !== 'entry') return;
      used.add(r.entry);
      if (r.type === 'Procedure' && !procedure) procedure = { part: parts.Procedure.get(r.entry)!, plan: entries[r.entry]! };
    });
    if (procedure) {
      // performer.actor is often a Practitioner(Role) outside the Bundle: only an Organization counts
      for (const o of procedure.part.organizations) addProvider(o.ref, o.at, procedure.plan, 'Organization');
      if (procedure.part.code) set('procedureCode', procedure.part.code.value, procedure.part.code.where);
      if (procedure.part.role) set('professionalRole', procedure.part.role.value, procedure.part.role.where);
    }

    // the provider: every reference must name the same one
    if (providers.length === 0 && organizationEntries.length === 1) {
      const only = organizationEntries[0]!;
      const part = parts.Organization.get(only)!;
      used.add(only);
      providers.push({ part, entry: only, where: part.kvk?.where ?? part.agb?.where ?? { entry: only, expression: `Bundle.entry[${only}].resource.identifier` } });
    }
    const named = new Set(providers.map((p) => (p.part.kvk ? `kvk:${p.part.kvk.value}` : p.part.agb ? `agb:${p.part.agb.value}` : '')).filter(Boolean));
    if (named.size > 1) {
      plan.issues.push(issue('error', 'business-rule', 'MULTIPLE_PROVIDERS', 'the DeviceUseStatement, its identifier.assigner and its Procedure name different organisations: one record has one provider', providers.find((p) => p.where.expression !== providers[0]!.where.expression)?.where.expression ?? root));
    }
    const provider = providers.find((p) => p.part.kvk) ?? providers[0];
    if (provider?.part.kvk) set('providerKvk', provider.part.kvk.value, provider.part.kvk.where);
    else if (provider?.part.agb) {
      draft.providerAgb = { agb: provider.part.agb.value, where: provider.part.agb.where, organizationEntry: provider.entry ?? i };
      where.set('providerKvk', provider.part.agb.where);
    } else where.set('providerKvk', here(root));

    // dates: timingPeriod, else the Procedure's date as the implant date
    if (isObject(resource.timingPeriod)) {
      if (resource.timingPeriod.start !== undefined) set('implantDate', fhirDate(resource.timingPeriod.start), here(`${root}.timingPeriod.start`));
      if (resource.timingPeriod.end !== undefined) set('explantDate', fhirDate(resource.timingPeriod.end), here(`${root}.timingPeriod.end`));
    } else if (resource.timingDateTime !== undefined) {
      set('implantDate', fhirDate(resource.timingDateTime), here(`${root}.timingDateTime`));
    }
    if (input.implantDate === undefined && input.explantDate === undefined && procedure?.part.date) set('implantDate', procedure.part.date.value, procedure.part.date.where);
    if (!where.has('implantDate')) where.set('implantDate', here(`${root}.timingPeriod.start`));
    if (!where.has('explantDate')) where.set('explantDate', here(`${root}.timingPeriod.end`));
    if (!where.has('deathDate')) where.set('deathDate', here(`${root}.subject`));

    // body site and laterality: the DeviceUseStatement's, else the Procedure's
    const site = isObject(resource.bodySite) ? bodySiteOf(resource.bodySite, `${root}.bodySite`, i) : {};
    const bodySite = site.bodySite ?? procedure?.part.bodySite;
    const laterality = site.laterality ?? (site.bodySite ? undefined : procedure?.part.laterality);
    if (bodySite) set('bodySite', bodySite.value, bodySite.where);
    if (laterality) set('laterality', laterality.value, laterality.where);

    // the register's extensions
    arrayOf(resource.extension).forEach((ext, k) => {
      if (!isObject(ext)) return;
      const at = `${root}.extension[${k}]`;
      if (ext.url === EXTENSIONS.iudPlacement) {
        arrayOf(ext.extension).forEach((sub, m) => {
          if (!isObject(sub)) return;
          const subAt = `${at}.extension[${m}]`;
          const field = IUD_SUB_EXTENSIONS[str(sub.url) ?? ''];
          if (!field) {
            plan.issues.push(issue('error', 'not-supported', 'UNKNOWN_EXTENSION', `the iud-placement extension has the parts ${Object.keys(IUD_SUB_EXTENSIONS).join(', ')}`, subAt));
            return;
          }
          const value = valueOf(sub);
          set(field, field === 'followUpDate' ? fhirDate(value) : value, here(subAt));
        });
      } else if (ext.url === EXTENSIONS.explantReason) {
        const coding = codingsOf(ext.valueCodeableConcept, `${at}.valueCodeableConcept`).find((c) => c.system === SYSTEMS.explantReason);
        const code = coding?.code ?? (isObject(ext.valueCoding) && ext.valueCoding.system === SYSTEMS.explantReason ? str(ext.valueCoding.code) : str(ext.valueCode));
        if (code === undefined) plan.issues.push(issue('error', 'value', 'UNKNOWN_CODE', `the explant-reason extension needs valueCodeableConcept with a coding of ${SYSTEMS.explantReason}`, at));
        else set('explantReason', code, here(at));
      }
    });

    if (withdraw) {
      // a withdrawal names only the record; the rest of the content is not read
      for (const key of Object.keys(input)) if (!['providerKvk', 'providerRecordRef', 'action'].includes(key)) delete input[key];
    }
    used.delete(i);
    draft.parts = [...used].sort((a, b) => a - b);
    records.push(draft);
    plan.records.push(records.length - 1);
    for (const e of draft.parts) entries[e]!.records.push(records.length - 1);
  });

  // 4. entries no record uses
  for (const plan of entries) {
    if (plan.resourceType === 'DeviceUseStatement' || plan.records.length > 0 || plan.refusedStatus) continue;
    if (!plan.resourceType || !(SUPPORTED_RESOURCE_TYPES as readonly string[]).includes(plan.resourceType)) continue;
    const at = `Bundle.entry[${plan.index}].resource`;
    if (plan.resourceType === 'Patient' && parts.Patient.get(plan.index)?.deceased) {
      plan.issues.push(issue('error', 'required', 'NOT_REFERENCED', 'a death is reported on the DeviceUseStatement of each implant: no DeviceUseStatement in this Bundle has this Patient as subject, so the date of death would be lost', at));
    } else {
      plan.issues.push(issue('warning', 'informational', 'NOT_REFERENCED', `no DeviceUseStatement in this Bundle refers to this ${plan.resourceType}; it is ignored`, at));
    }
  }

  // 5. a record fails when its own entry or any entry it uses has an error
  for (const plan of entries) plan.issues = dedupeIssues(plan.issues);
  for (const r of records) {
    r.failed = [r.entry, ...r.parts].some((e) => entries[e]!.issues.some((is) => is.severity === 'error' || is.severity === 'fatal'));
  }
  return { ok: true, bundle: { type, entries, records } };
}

const IUD_SUB_EXTENSIONS: Record<string, RecordField> = {
  [EXTENSIONS.weeksPostpartum]: 'weeksPostpartum',
  [EXTENSIONS.breastfeeding]: 'breastfeeding',
  [EXTENSIONS.ultrasoundCheck]: 'ultrasoundCheck',
  [EXTENSIONS.previousExpulsion]: 'previousExpulsion',
  [EXTENSIONS.followUpDate]: 'followUpDate',
};

/** The value[x] of an extension, whatever its type. */
function valueOf(ext: Json): unknown {
  for (const [key, v] of Object.entries(ext)) if (key.startsWith('value') && key.length > 5) return v;
  return undefined;
}

function splitUrl(url: string): [string, string | undefined] {
  const q = url.indexOf('?');
  return q < 0 ? [url, undefined] : [url.slice(0, q), url.slice(q + 1)];
}

/** request.url names the resource type: `Type`, `Type/id`, `Type?…` (relative to the base). */
function urlNamesType(url: string, type: string): boolean {
  const [path] = splitUrl(url.trim());
  return path === type || path.startsWith(`${type}/`);
}

function hasKeyDeep(value: unknown, key: string, depth = 0): boolean {
  if (depth > 40 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasKeyDeep(v, key, depth + 1)) return true;
    return false;
  }
  // for…in over parsed JSON (plain objects, own keys only): no entries array per object
  for (const k in value) {
    if (k === key) return true;
    if (hasKeyDeep((value as Record<string, unknown>)[k], key, depth + 1)) return true;
  }
  return false;
}
