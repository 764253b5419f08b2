// A register record as FHIR R4 resources on the nl-core profiles (the read path; the write path
// is its mirror in bundle-*.ts). One record R gives
//   DeviceUseStatement/R (nl-core-MedicalDevice)        always
//   Device/R             (nl-core-MedicalDevice.Product) when the record carries any device data
//   Procedure/R          (nl-core-Procedure-event)       for an implantation or explantation
//   Patient/<patientIdOf(pseudonym)> (nl-core-Patient)   when the record has a pseudonym
// Without a pseudonym the DeviceUseStatement contains its Patient (`#patient`), which carries the
// date of death of a death record; Procedure.subject is then a display-only reference.
// Pure: no I/O. Mapping table in docs/fhir.md.

import type { CodeableConcept, Device, DeviceUseStatement, Extension, Identifier, Organization, Patient, Procedure, Reference } from '@medplum/fhirtypes';
import { findImplantType } from '../../catalogue/implant-types.js';
import type { ExplantReason, ProfessionalRole } from '../../domain/record.js';
import { EXTENSIONS, LATERALITY_EXTENSION, PROFILES, SYSTEMS, organizationIdOf, patientIdOf } from '../../http/fhir/model.js';
import type { RecordView, VersionView } from '../records-repository.js';

export interface RecordResources {
  deviceUseStatement: DeviceUseStatement;
  device?: Device;
  procedure?: Procedure;
  patient?: Patient;
}

/** Resource types a record is served as, and the ones with a version history. */
export const RECORD_RESOURCE_TYPES = ['DeviceUseStatement', 'Device', 'Procedure'] as const;
export type RecordResourceType = (typeof RECORD_RESOURCE_TYPES)[number];

export const EXPLANT_REASON_DISPLAY: Record<ExplantReason, string> = {
  'end-of-use': 'Planned removal at the end of use',
  replacement: 'Replaced by a new device',
  malfunction: 'Device failure',
  expulsion: 'Expulsion',
  perforation: 'Perforation',
  infection: 'Infection',
  'pain-or-complaints': 'Pain or other complaints',
  pregnancy: 'Pregnancy with the device in place',
  'pregnancy-wish': 'Wish to become pregnant',
  recall: 'Recall or field safety notice',
  'patient-request': 'At the patient’s request',
  death: 'Removal after death',
  other: 'Other reason',
};

export const PROFESSIONAL_ROLE_DISPLAY: Record<ProfessionalRole, string> = {
  gynaecologist: 'Gynaecologist',
  gp: 'General practitioner (huisarts)',
  midwife: 'Midwife (verloskundige)',
  surgeon: 'Surgeon',
  cardiologist: 'Cardiologist',
  'abortion-doctor': 'Doctor in an abortion clinic',
  other: 'Other',
};

const LATERALITY_DISPLAY: Record<string, string> = { '7771000': 'Left', '24028007': 'Right', '51440002': 'Right and left' };

export const ISSUER_SYSTEM: Record<'GS1' | 'HIBCC' | 'ICCBBA', string> = { GS1: SYSTEMS.gs1, HIBCC: SYSTEMS.hibcc, ICCBBA: SYSTEMS.iccbba };

/** The id of the contained Patient of a record without pseudonym. */
export const CONTAINED_PATIENT_ID = 'patient';

/** nl-core-MedicalDevice extension:location, "the healthcare provider where the device was implanted" (zib NL-CM:10.1.8). */
export const MEDICAL_DEVICE_LOCATION_EXTENSION = 'http://nictiz.nl/fhir/StructureDefinition/ext-MedicalDevice.Location';

export function organizationReference(kvk: string): Reference<Organization> {
  return { reference: `Organization/${organizationIdOf(kvk)}`, identifier: { system: SYSTEMS.kvk, value: kvk } };
}

export function patientReference(pseudonym: string): Reference<Patient> {
  return { reference: `Patient/${patientIdOf(pseudonym)}`, identifier: { system: SYSTEMS.pseudonym, value: pseudonym } };
}

function meta(r: RecordView, profile: string): { versionId: string; lastUpdated: string; profile: string[] } {
  return { versionId: String(r.version), lastUpdated: r.lastReceivedAt, profile: [profile] };
}

export function hasDeviceData(r: RecordView): boolean {
  return Boolean(r.udi || r.udiDi || r.lot || r.serial || r.expiryDate || r.manufactureDate || r.implantType || r.device);
}

/** A record's own or effective explant date (an implantation closed by a linked explantation). */
function explantDateOf(r: RecordView): string | null {
  return r.explantDate ?? r.explantedOn ?? null;
}

function deathDateOf(r: RecordView): string | null {
  return r.deathDate ?? r.deceasedOn ?? null;
}

export function deviceUseStatementStatus(r: RecordView): DeviceUseStatement['status'] {
  if (r.status === 'withdrawn') return 'entered-in-error';
  if (explantDateOf(r) || deathDateOf(r) || r.kind !== 'implantation') return 'completed';
  return 'active';
}

function bodySite(r: RecordView): CodeableConcept | undefined {
  if (!r.bodySite && !r.laterality) return undefined;
  return {
    ...(r.laterality
      ? {
          extension: [
            {
              url: LATERALITY_EXTENSION,
              valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: r.laterality, ...(LATERALITY_DISPLAY[r.laterality] ? { display: LATERALITY_DISPLAY[r.laterality] } : {}) }] },
            },
          ],
        }
      : {}),
    ...(r.bodySite ? { coding: [{ system: SYSTEMS.snomed, code: r.bodySite }] } : {}),
  };
}

function iudPlacementExtension(r: RecordView): Extension | undefined {
  const parts: Extension[] = [];
  if (r.weeksPostpartum !== null) parts.push({ url: EXTENSIONS.weeksPostpartum, valueInteger: r.weeksPostpartum });
  if (r.breastfeeding !== null) parts.push({ url: EXTENSIONS.breastfeeding, valueBoolean: r.breastfeeding });
  if (r.ultrasoundCheck !== null) parts.push({ url: EXTENSIONS.ultrasoundCheck, valueBoolean: r.ultrasoundCheck });
  if (r.previousExpulsion !== null) parts.push({ url: EXTENSIONS.previousExpulsion, valueBoolean: r.previousExpulsion });
  if (r.followUpDate !== null) parts.push({ url: EXTENSIONS.followUpDate, valueDate: r.followUpDate });
  return parts.length > 0 ? { url: EXTENSIONS.iudPlacement, extension: parts } : undefined;
}

function explantReasonExtension(r: RecordView): Extension | undefined {
  if (!r.explantReason) return undefined;
  return {
    url: EXTENSIONS.explantReason,
    valueCodeableConcept: { coding: [{ system: SYSTEMS.explantReason, code: r.explantReason, display: EXPLANT_REASON_DISPLAY[r.explantReason] }] },
  };
}

/** The subject of every resource of the record: the pseudonymised Patient, or the contained one. */
function subjectOf(r: RecordView): { dus: Reference<Patient>; other: Reference<Patient> | undefined } {
  if (r.patientPseudonym) {
    const ref = patientReference(r.patientPseudonym);
    return { dus: ref, other: ref };
  }
  return { dus: { reference: `#${CONTAINED_PATIENT_ID}` }, other: undefined };
}

/** The Patient of a pseudonymised record (death date from this record only). */
export function patientOf(r: RecordView): Patient | undefined {
  if (!r.patientPseudonym) return undefined;
  return patientResource(r.patientPseudonym, deathDateOf(r));
}

export function patientResource(pseudonym: string, deceased: string | null): Patient {
  return {
    resourceType: 'Patient',
    id: patientIdOf(pseudonym),
    meta: { profile: [PROFILES.patient] },
    identifier: [{ system: SYSTEMS.pseudonym, value: pseudonym }],
    ...(deceased ? { deceasedDateTime: deceased } : {}),
  };
}

export function deviceUseStatementOf(r: RecordView): DeviceUseStatement {
  const subject = subjectOf(r);
  const org = organizationReference(r.providerKvk);
  const identifier: Identifier = { system: SYSTEMS.providerRecordRef, value: r.providerRecordRef, assigner: org };
  const extension = [{ url: MEDICAL_DEVICE_LOCATION_EXTENSION, valueReference: org }, iudPlacementExtension(r), explantReasonExtension(r)].filter(
    (e): e is Extension => e !== undefined,
  );
  const start = r.implantDate;
  const end = explantDateOf(r);
  const site = bodySite(r);
  const death = deathDateOf(r);
  const contained: Patient[] = r.patientPseudonym
    ? []
    : [{ resourceType: 'Patient', id: CONTAINED_PATIENT_ID, ...(death ? { deceasedDateTime: death } : {}) }];
  return {
    resourceType: 'DeviceUseStatement',
    id: r.id,
    meta: meta(r, PROFILES.deviceUseStatement),
    ...(contained.length > 0 ? { contained } : {}),
    extension,
    identifier: [identifier],
    status: deviceUseStatementStatus(r),
    subject: subject.dus,
    ...(start || end ? { timingPeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    device: hasDeviceData(r) ? { reference: `Device/${r.id}` } : { display: 'device not identified in this record' },
    ...(hasProcedure(r) ? { derivedFrom: [{ reference: `Procedure/${r.id}` }] } : {}),
    ...(site ? { bodySite: site } : {}),
  };
}

export function deviceOf(r: RecordView): Device | undefined {
  if (!hasDeviceData(r)) return undefined;
  const subject = subjectOf(r);
  const issuer = r.udiIssuer ? ISSUER_SYSTEM[r.udiIssuer] : undefined;
  const type = r.implantType ? findImplantType(r.implantType) : undefined;
  const carrier: NonNullable<Device['udiCarrier']>[number] = {};
  if (r.udiDi) carrier.deviceIdentifier = r.udiDi;
  if (issuer) carrier.issuer = issuer;
  if (r.udi) {
    if (isHumanReadable(r.udi)) carrier.carrierHRF = r.udi;
    else carrier.carrierAIDC = Buffer.from(r.udi, 'utf8').toString('base64');
  }
  const names: NonNullable<Device['deviceName']> = [];
  if (r.device?.productName) names.push({ name: r.device.productName, type: 'manufacturer-name' });
  if (r.device?.model) names.push({ name: r.device.model, type: 'model-name' });
  return {
    resourceType: 'Device',
    id: r.id,
    meta: meta(r, PROFILES.device),
    ...(r.udi && issuer && isHumanReadable(r.udi) ? { identifier: [{ system: issuer, value: r.udi }] } : {}),
    ...(Object.keys(carrier).length > 0 ? { udiCarrier: [carrier] } : {}),
    status: r.status === 'withdrawn' ? 'entered-in-error' : explantDateOf(r) || deathDateOf(r) ? 'inactive' : 'active',
    ...(r.device?.manufacturer ? { manufacturer: r.device.manufacturer } : {}),
    ...(r.manufactureDate ? { manufactureDate: r.manufactureDate } : {}),
    ...(r.expiryDate ? { expirationDate: r.expiryDate } : {}),
    ...(r.lot ? { lotNumber: r.lot } : {}),
    ...(r.serial ? { serialNumber: r.serial } : {}),
    ...(names.length > 0 ? { deviceName: names } : {}),
    ...(r.device?.model ? { modelNumber: r.device.model } : {}),
    ...(r.implantType
      ? { type: { coding: [{ system: SYSTEMS.implantType, code: r.implantType, ...(type ? { display: type.nameNl } : {}) }], ...(type ? { text: type.nameEn } : {}) } }
      : {}),
    ...(subject.other ? { patient: subject.other } : {}),
  };
}

function hasProcedure(r: RecordView): boolean {
  return r.kind === 'implantation' || r.kind === 'explantation';
}

export function procedureOf(r: RecordView): Procedure | undefined {
  if (!hasProcedure(r)) return undefined;
  const subject = subjectOf(r);
  const performed = r.kind === 'implantation' ? r.implantDate : r.explantDate;
  const site = bodySite(r);
  return {
    resourceType: 'Procedure',
    id: r.id,
    meta: meta(r, PROFILES.procedure),
    status: r.status === 'withdrawn' ? 'entered-in-error' : 'completed',
    ...(r.procedureCode ? { code: { coding: [{ system: SYSTEMS.snomed, code: r.procedureCode }] } } : {}),
    subject: subject.other ?? { display: `the patient of DeviceUseStatement/${r.id} (no pseudonym)` },
    ...(performed ? { performedDateTime: performed } : {}),
    performer: [
      {
        ...(r.professionalRole
          ? { function: { coding: [{ system: SYSTEMS.professionalRole, code: r.professionalRole, display: PROFESSIONAL_ROLE_DISPLAY[r.professionalRole] }] } }
          : {}),
        actor: organizationReference(r.providerKvk),
      },
    ],
    ...(site ? { bodySite: [site] } : {}),
    ...(hasDeviceData(r) ? { focalDevice: [{ manipulated: { reference: `Device/${r.id}` } }] } : {}),
  };
}

export function recordToResources(r: RecordView): RecordResources {
  const device = deviceOf(r);
  const procedure = procedureOf(r);
  const patient = patientOf(r);
  return {
    deviceUseStatement: deviceUseStatementOf(r),
    ...(device ? { device } : {}),
    ...(procedure ? { procedure } : {}),
    ...(patient ? { patient } : {}),
  };
}

/** The resource of one type that a record is served as, or undefined when it has none. */
export function resourceOf(r: RecordView, type: RecordResourceType): DeviceUseStatement | Device | Procedure | undefined {
  switch (type) {
    case 'DeviceUseStatement':
      return deviceUseStatementOf(r);
    case 'Device':
      return deviceOf(r);
    case 'Procedure':
      return procedureOf(r);
  }
}

/**
 * Every version of a record as a RecordView, oldest first, rebuilt from `record_versions`: the
 * delivered content of each version (a withdrawal keeps the content before it). The newest is the
 * current record itself. Older versions carry only their own closing dates (the effective closure
 * by a linked record is known for the current state only) and the catalogue data of the current
 * UDI-DI when they had the same UDI-DI.
 */
export function versionViews(current: RecordView, versions: readonly VersionView[]): RecordView[] {
  const out: RecordView[] = [];
  let content: Partial<RecordView> = {};
  for (const v of versions) {
    if (v.version === current.version) {
      out.push(current);
      continue;
    }
    const withdrawn = v.action === 'withdraw';
    if (!withdrawn) content = v.content as Partial<RecordView>;
    const sameDi = (content.udiDi ?? null) === current.udiDi;
    out.push({
      ...current,
      ...FIELD_DEFAULTS,
      ...content,
      implantType: (content.implantType ?? null) || (sameDi ? current.implantType : null),
      device: sameDi ? current.device : null,
      version: v.version,
      status: withdrawn ? 'withdrawn' : 'active',
      explantedOn: content.explantDate ?? null,
      deceasedOn: content.deathDate ?? null,
      lastReceivedAt: v.receivedAt,
    });
  }
  return out;
}

/** Content fields a version may omit; absent means null. */
const FIELD_DEFAULTS = {
  patientPseudonym: null,
  udi: null,
  udiIssuer: null,
  udiDi: null,
  lot: null,
  serial: null,
  expiryDate: null,
  manufactureDate: null,
  implantType: null,
  implantDate: null,
  explantDate: null,
  explantReason: null,
  deathDate: null,
  closesRecordId: null,
  bodySite: null,
  laterality: null,
  procedureCode: null,
  professionalRole: null,
  weeksPostpartum: null,
  breastfeeding: null,
  ultrasoundCheck: null,
  previousExpulsion: null,
  followUpDate: null,
} as const satisfies Partial<RecordView>;

/** FHIR strings hold no control characters: a carrier with GS separators or a symbology prefix goes in carrierAIDC. */
function isHumanReadable(udi: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x1f\x7f]/.test(udi) && !udi.startsWith(']');
}
