// JSON Schemas for the OpenAPI document. Request validation itself is ours (record-validation.ts),
// because it gives every error a code and a JSON pointer; these schemas document the contract.

import { RECORD_FIELDS } from '../domain/record.js';
import { EXPLANT_REASONS, PROFESSIONAL_ROLES } from '../domain/record.js';

const date = { type: 'string', format: 'date', description: 'YYYY-MM-DD, not in the future' };

const FIELD_SCHEMAS: Record<(typeof RECORD_FIELDS)[number], Record<string, unknown>> = {
  providerKvk: { type: 'string', pattern: '^[0-9]{8}$', description: 'KvK number of the care provider (Besluit art. 2 a; Regeling art. 3(1)(a))' },
  providerRecordRef: { type: 'string', maxLength: 64, description: 'your own reference for this record, unique per provider; never a BSN' },
  patientPseudonym: { type: 'string', description: 'pseudonym from the TTP service (label:value); links records of one patient across providers' },
  udi: { type: 'string', maxLength: 400, description: 'the scanned UDI carrier, byte for byte (GS1, HIBCC or ICCBBA); DI and PI are taken from it' },
  udiDi: { type: 'string', description: 'UDI device identifier (Besluit art. 2 b–e via the catalogue)' },
  lot: { type: 'string', description: 'lot number (Besluit art. 2 f)' },
  serial: { type: 'string', description: 'serial number (Besluit art. 2 f)' },
  expiryDate: { ...date, description: 'expiry date from the UDI-PI' },
  manufactureDate: { ...date, description: 'manufacture date from the UDI-PI' },
  implantType: { type: 'string', description: 'implant-type code (GET /api/v1/implant-types); the catalogue type wins when the UDI-DI is known' },
  implantDate: { ...date, description: 'implantation date (Besluit art. 2 g)' },
  explantDate: { ...date, description: 'explantation date (Besluit art. 2 h)' },
  explantReason: { type: 'string', enum: [...EXPLANT_REASONS] },
  deathDate: { ...date, description: "the patient's date of death (Besluit art. 2 i)" },
  closesRecordId: { type: 'string', format: 'uuid', description: 'register id of the implantation this explantation or death closes' },
  bodySite: { type: 'string', description: 'SNOMED CT body structure' },
  laterality: { type: 'string', description: 'SNOMED CT 7771000 left, 24028007 right, 51440002 both (or left/right/bilateral)' },
  procedureCode: { type: 'string', description: 'SNOMED CT procedure' },
  professionalRole: { type: 'string', enum: [...PROFESSIONAL_ROLES] },
  weeksPostpartum: { type: 'integer', minimum: 0, description: 'IUD: weeks since delivery at placement' },
  breastfeeding: { type: 'boolean', description: 'IUD: breastfeeding at placement' },
  ultrasoundCheck: { type: 'boolean', description: 'IUD: position checked by ultrasound at placement' },
  previousExpulsion: { type: 'boolean', description: 'IUD: an earlier IUD was expelled' },
  followUpDate: { ...date, description: 'IUD: date of the 6-week follow-up visit' },
  action: { type: 'string', enum: ['upsert', 'withdraw'], default: 'upsert' },
};

export const recordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['providerRecordRef'],
  properties: FIELD_SCHEMAS,
};
