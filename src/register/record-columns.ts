// One mapping between the domain record and the `records` table, used to build every statement
// that writes records, so a new field is added in one place.

import type { RegisterRecord } from '../domain/record.js';

type Getter = (r: RegisterRecord) => unknown;

/** [column, SQL type, value from the validated record] */
export const CONTENT_COLUMNS: ReadonlyArray<readonly [string, string, Getter]> = [
  ['kind', 'text', (r) => r.kind],
  ['patient_pseudonym', 'text', (r) => r.patientPseudonym],
  ['udi_carrier', 'text', (r) => r.udi],
  ['udi_issuer', 'text', (r) => r.udiIssuer],
  ['udi_di', 'text', (r) => r.udiDi],
  ['lot', 'text', (r) => r.lot],
  ['serial', 'text', (r) => r.serial],
  ['expiry_date', 'date', (r) => r.expiryDate],
  ['manufacture_date', 'date', (r) => r.manufactureDate],
  ['implant_type', 'text', (r) => r.implantType],
  ['implant_date', 'date', (r) => r.implantDate],
  ['explant_date', 'date', (r) => r.explantDate],
  ['explant_reason', 'text', (r) => r.explantReason],
  ['death_date', 'date', (r) => r.deathDate],
  ['closes_record_id', 'uuid', (r) => r.closesRecordId],
  ['body_site', 'text', (r) => r.bodySite],
  ['laterality', 'text', (r) => r.laterality],
  ['procedure_code', 'text', (r) => r.procedureCode],
  ['professional_role', 'text', (r) => r.professionalRole],
  ['weeks_postpartum', 'integer', (r) => r.weeksPostpartum],
  ['breastfeeding', 'boolean', (r) => r.breastfeeding],
  ['ultrasound_check', 'boolean', (r) => r.ultrasoundCheck],
  ['previous_expulsion', 'boolean', (r) => r.previousExpulsion],
  ['follow_up_date', 'date', (r) => r.followUpDate],
];

/** Columns set by the register, not the provider. */
export const REGISTER_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['patient_key', 'text'],
  ['id', 'uuid'],
  ['provider_id', 'uuid'],
  ['provider_record_ref', 'text'],
  ['version', 'integer'],
  ['status', 'text'],
  ['device_resolved', 'boolean'],
  ['content_hash', 'text'],
  ['first_received_at', 'timestamptz'],
  ['last_received_at', 'timestamptz'],
  ['deadline', 'date'],
  ['late', 'boolean'],
];

export const ALL_COLUMNS = [...REGISTER_COLUMNS, ...CONTENT_COLUMNS.map(([c, t]) => [c, t] as const)];

/** `x(col type, …)` for jsonb_to_recordset. */
export const RECORDSET_TYPE = `x(${ALL_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`;

export function contentRow(r: RegisterRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [col, , get] of CONTENT_COLUMNS) row[col] = get(r);
  return row;
}
