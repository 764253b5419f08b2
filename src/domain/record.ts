// The register record: the nine legal items of Besluit registratie implantaten art. 2 (a–i),
// the provider's own reference, the TTP pseudonym, UDI details and the IUD placement fields.
// Pure types; validation lives in record-validation.ts.

export const PROFESSIONAL_ROLES = [
  'gynaecologist',
  'gp',
  'midwife',
  'surgeon',
  'cardiologist',
  'abortion-doctor',
  'other',
] as const;
export type ProfessionalRole = (typeof PROFESSIONAL_ROLES)[number];

/** SNOMED CT laterality qualifiers used by the nl-core AnatomicalLocation profile. */
export const LATERALITY = {
  left: '7771000',
  right: '24028007',
  bilateral: '51440002',
} as const;
export type LateralityCode = (typeof LATERALITY)[keyof typeof LATERALITY];

/** Why an implant came out; a closed list, because free text could carry patient identity. */
export const EXPLANT_REASONS = [
  'end-of-use',
  'replacement',
  'malfunction',
  'expulsion',
  'perforation',
  'infection',
  'pain-or-complaints',
  'pregnancy',
  'pregnancy-wish',
  'recall',
  'patient-request',
  'death',
  'other',
] as const;
export type ExplantReason = (typeof EXPLANT_REASONS)[number];

export const RECORD_ACTIONS = ['upsert', 'withdraw'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** What a record reports: an implantation, or an explantation or death whose implantation is elsewhere. */
export type RecordKind = 'implantation' | 'explantation' | 'death';

/**
 * A record as delivered (REST/NDJSON camelCase; CSV uses the snake_case names). Every value may
 * arrive as a string from CSV; validation turns this into a `RegisterRecord`.
 */
export interface RecordInput {
  providerKvk?: unknown;
  providerRecordRef?: unknown;
  patientPseudonym?: unknown;
  udi?: unknown;
  udiDi?: unknown;
  lot?: unknown;
  serial?: unknown;
  expiryDate?: unknown;
  manufactureDate?: unknown;
  implantType?: unknown;
  implantDate?: unknown;
  explantDate?: unknown;
  explantReason?: unknown;
  deathDate?: unknown;
  closesRecordId?: unknown;
  bodySite?: unknown;
  laterality?: unknown;
  procedureCode?: unknown;
  professionalRole?: unknown;
  weeksPostpartum?: unknown;
  breastfeeding?: unknown;
  ultrasoundCheck?: unknown;
  previousExpulsion?: unknown;
  followUpDate?: unknown;
  action?: unknown;
}

export const RECORD_FIELDS = [
  'providerKvk',
  'providerRecordRef',
  'patientPseudonym',
  'udi',
  'udiDi',
  'lot',
  'serial',
  'expiryDate',
  'manufactureDate',
  'implantType',
  'implantDate',
  'explantDate',
  'explantReason',
  'deathDate',
  'closesRecordId',
  'bodySite',
  'laterality',
  'procedureCode',
  'professionalRole',
  'weeksPostpartum',
  'breastfeeding',
  'ultrasoundCheck',
  'previousExpulsion',
  'followUpDate',
  'action',
] as const satisfies readonly (keyof RecordInput)[];
export type RecordField = (typeof RECORD_FIELDS)[number];

/** camelCase field → CSV column name. */
export function csvColumnOf(field: RecordField): string {
  return field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** A validated record, normalised; dates are 'YYYY-MM-DD'. Absent values are null. */
export interface RegisterRecord {
  providerKvk: string;
  providerRecordRef: string;
  patientPseudonym: string | null;
  kind: RecordKind;
  udi: string | null;
  udiIssuer: 'GS1' | 'HIBCC' | 'ICCBBA' | null;
  udiDi: string | null;
  lot: string | null;
  serial: string | null;
  expiryDate: string | null;
  manufactureDate: string | null;
  implantType: string | null;
  implantDate: string | null;
  explantDate: string | null;
  explantReason: ExplantReason | null;
  deathDate: string | null;
  closesRecordId: string | null;
  bodySite: string | null;
  laterality: LateralityCode | null;
  procedureCode: string | null;
  professionalRole: ProfessionalRole | null;
  weeksPostpartum: number | null;
  breastfeeding: boolean | null;
  ultrasoundCheck: boolean | null;
  previousExpulsion: boolean | null;
  followUpDate: string | null;
}

/** The fields whose change makes a new version (everything but the key). */
export const CONTENT_FIELDS = [
  'patientPseudonym',
  'kind',
  'udi',
  'udiIssuer',
  'udiDi',
  'lot',
  'serial',
  'expiryDate',
  'manufactureDate',
  'implantType',
  'implantDate',
  'explantDate',
  'explantReason',
  'deathDate',
  'closesRecordId',
  'bodySite',
  'laterality',
  'procedureCode',
  'professionalRole',
  'weeksPostpartum',
  'breastfeeding',
  'ultrasoundCheck',
  'previousExpulsion',
  'followUpDate',
] as const satisfies readonly (keyof RegisterRecord)[];

export const IUD_PLACEMENT_FIELDS = [
  'weeksPostpartum',
  'breastfeeding',
  'ultrasoundCheck',
  'previousExpulsion',
  'followUpDate',
] as const satisfies readonly (keyof RegisterRecord)[];

/** An issue found in one delivered record. `path` is a JSON pointer into the record. */
export interface Issue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  path: string;
}
