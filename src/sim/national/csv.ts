// CSV output: records.csv in the `lir import` format (docs/csv-format.md), providers.csv and
// catalogue.csv (the `lir catalogue import` lir column set).

import type { SimDevice } from './catalogue.js';
import type { SimProvider } from './providers.js';
import type { SimFields } from './records.js';

/** [CSV column, record field] in the order of records.csv. */
export const RECORD_COLUMNS: readonly (readonly [string, string])[] = [
  ['provider_kvk', 'providerKvk'],
  ['provider_record_ref', 'providerRecordRef'],
  ['patient_pseudonym', 'patientPseudonym'],
  ['udi', 'udi'],
  ['udi_di', 'udiDi'],
  ['lot', 'lot'],
  ['serial', 'serial'],
  ['expiry_date', 'expiryDate'],
  ['implant_type', 'implantType'],
  ['implant_date', 'implantDate'],
  ['explant_date', 'explantDate'],
  ['explant_reason', 'explantReason'],
  ['death_date', 'deathDate'],
  ['body_site', 'bodySite'],
  ['laterality', 'laterality'],
  ['procedure_code', 'procedureCode'],
  ['professional_role', 'professionalRole'],
  ['weeks_postpartum', 'weeksPostpartum'],
  ['breastfeeding', 'breastfeeding'],
  ['ultrasound_check', 'ultrasoundCheck'],
  ['previous_expulsion', 'previousExpulsion'],
  ['follow_up_date', 'followUpDate'],
  ['action', 'action'],
];
const FIELDS = RECORD_COLUMNS.map(([, f]) => f);

export const RECORDS_HEADER = RECORD_COLUMNS.map(([c]) => c).join(',') + '\n';

/** RFC 4180 quoting, only when needed (generated values rarely need it). */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line of records.csv (with its LF). */
export function recordLine(r: SimFields): string {
  let line = '';
  for (let i = 0; i < FIELDS.length; i++) {
    const v = r[FIELDS[i]!];
    if (i > 0) line += ',';
    if (v !== undefined) line += typeof v === 'string' ? (NEEDS_QUOTE.test(v) ? csvField(v) : v) : String(v);
  }
  return line + '\n';
}
const NEEDS_QUOTE = /[",\r\n]/;

export function providersCsv(providers: readonly SimProvider[]): string {
  return 'kvk,agb,name,type,region\n' + providers.map((p) => [p.kvk, p.agb ?? '', p.name, p.type, p.region].map(csvField).join(',') + '\n').join('');
}

export function catalogueCsv(devices: readonly SimDevice[]): string {
  return (
    'udi_di,issuer,manufacturer,product_name,model,implant_type\n' +
    devices
      .filter((d) => d.inCatalogue)
      .map((d) => [d.udiDi, d.issuer, d.manufacturer, d.productName, d.model ?? '', d.implantType].map(csvField).join(',') + '\n')
      .join('')
  );
}
