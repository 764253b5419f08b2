// The FHIR shape of a register record, shared by the write path (Bundle → records) and the read
// path (records → resources). One register record R (an implantation, explantation or death) is:
//   DeviceUseStatement/R  (nl-core-MedicalDevice)        — the record itself; identifier = providerRecordRef
//   Device/R              (nl-core-MedicalDevice.Product) — UDI carrier, DI, lot, serial, expiry, type
//   Procedure/R           (nl-core-Procedure-event)       — procedure code, date, performer role
// and refers to
//   Patient/<patientId(pseudonym)> — only the TTP pseudonym as identifier (plus deceasedDateTime)
//   Organization/<organizationId(kvk)> — the provider, KvK and AGB identifiers
// The same id R across resource types is valid FHIR (ids are unique per type).

import { createHash } from 'node:crypto';

/** Canonical base of the register's own FHIR artefacts (extensions, naming systems). */
export const LIR_FHIR_BASE = 'https://fhir.implantatenregister.nl';

export const SYSTEMS = {
  /** KvK number (Handelsregister); the register identifies the provider by it (Regeling art. 3(1)(a)). */
  kvk: 'http://fhir.nl/fhir/NamingSystem/kvk',
  agb: 'http://fhir.nl/fhir/NamingSystem/agb-z',
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
  /** TTP pseudonyms (label:value). */
  pseudonym: `${LIR_FHIR_BASE}/NamingSystem/patient-pseudonym`,
  /** The provider's own record reference; the identifier's `assigner` is the provider. */
  providerRecordRef: `${LIR_FHIR_BASE}/NamingSystem/provider-record-ref`,
  gs1: 'https://www.gs1.org/gtin',
  hibcc: 'urn:oid:2.16.840.1.113883.6.40',
  iccbba: 'urn:oid:2.16.840.1.113883.6.18',
  snomed: 'http://snomed.info/sct',
  implantType: `${LIR_FHIR_BASE}/CodeSystem/implant-type`,
  professionalRole: `${LIR_FHIR_BASE}/CodeSystem/professional-role`,
  explantReason: `${LIR_FHIR_BASE}/CodeSystem/explant-reason`,
} as const;

/** nl-core profile canonicals (Nictiz zib2020 R4). */
export const PROFILES = {
  deviceUseStatement: 'http://nictiz.nl/fhir/StructureDefinition/nl-core-MedicalDevice',
  device: 'http://nictiz.nl/fhir/StructureDefinition/nl-core-MedicalDevice.Product',
  procedure: 'http://nictiz.nl/fhir/StructureDefinition/nl-core-Procedure-event',
  patient: 'http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient',
  organization: 'http://nictiz.nl/fhir/StructureDefinition/nl-core-HealthcareProvider-Organization',
} as const;

/** nl-core laterality extension on the body site (AnatomicalLocation). */
export const LATERALITY_EXTENSION = 'http://nictiz.nl/fhir/StructureDefinition/ext-AnatomicalLocation.Laterality';

/** The register's extensions for the IUD placement fields the inspectorate asked for. */
export const EXTENSIONS = {
  iudPlacement: `${LIR_FHIR_BASE}/StructureDefinition/iud-placement`,
  // sub-extensions of iud-placement (url relative inside the complex extension)
  weeksPostpartum: 'weeksPostpartum',
  breastfeeding: 'breastfeeding',
  ultrasoundCheck: 'ultrasoundCheck',
  previousExpulsion: 'previousExpulsion',
  followUpDate: 'followUpDate',
  explantReason: `${LIR_FHIR_BASE}/StructureDefinition/explant-reason`,
} as const;

/** A FHIR id for a pseudonym: not the pseudonym itself (ids end up in URLs and logs). */
export function patientIdOf(pseudonym: string): string {
  return 'p' + createHash('sha256').update(pseudonym).digest('hex').slice(0, 40);
}

export function organizationIdOf(kvk: string): string {
  return `kvk-${kvk}`;
}
