// Suite step (a): a raw COPY of the generated rows (DIR/records.csv) into the register's `records`
// table, in a freshly migrated database with the providers and catalogue loaded. The reference for
// this machine: no validation, no versions, no receipts — only the table and its indexes.
//   node --import tsx bench/steps/copy-load.ts --target JSON --dir DIR --result FILE
// Each CSV row becomes one `records` row the way bench/synthetic-records.ts forms them (provider
// KvK → provider id, UDI carrier parsed for its DI, kind from the dates, patient key = pseudonym or
// the new id). Values the database would refuse (impossible dates, unknown implant types, unknown
// providers: the generator's deliberately invalid rows) are set to null or the row is skipped, and
// counted.

import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { csvLine } from '../../src/db/types.js';
import { loadImplantTypes } from '../../src/catalogue/reference-data.js';
import { readCsv } from '../../src/register/csv-reader.js';
import { parseCarrier } from '../../src/register/carrier.js';
import { argv, decodeTarget, loadReference, openTarget, ownPeakRssMiB, writeJson } from './common.js';

const a = argv();
const target = decodeTarget(a.need('target'));
const dir = a.need('dir');
const resultFile = a.need('result');

const COPY_COLUMNS = [
  'patient_key', 'id', 'provider_id', 'provider_record_ref', 'version', 'status', 'kind', 'patient_pseudonym', 'udi_carrier', 'udi_issuer', 'udi_di',
  'device_resolved', 'lot', 'serial', 'expiry_date', 'manufacture_date', 'implant_type', 'implant_date', 'explant_date', 'explant_reason', 'death_date',
  'body_site', 'laterality', 'procedure_code', 'professional_role', 'weeks_postpartum', 'breastfeeding', 'ultrasound_check', 'previous_expulsion',
  'follow_up_date', 'closed_explant_date', 'closed_death_date', 'content_hash', 'first_received_at', 'last_received_at', 'late',
] as const;

const DATE = /^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = (s: string | undefined) => (s && DATE.test(s) && !Number.isNaN(Date.parse(s)) ? s : null);
const bool = (s: string | undefined) => (s === 'true' || s === 'false' ? s : null);
const str = (s: string | undefined) => (s ? s : null);

const db = await openTarget(target);
const ref = await loadReference(db, dir);
const implantTypes = await loadImplantTypes(db);
const catalogue = new Map((await db.query<{ udi_di: string; implant_type: string }>('SELECT udi_di, implant_type FROM devices')).map((r) => [r.udi_di, r.implant_type]));

let rows = 0;
let skipped = 0;
let nulled = 0;
const now = new Date().toISOString();

async function* chunks(): AsyncGenerator<string> {
  let header: string[] | undefined;
  let chunk = '';
  for await (const row of readCsv(createReadStream(join(dir, 'records.csv')))) {
    if (!header) {
      header = row.fields.map((f) => f.trim());
      continue;
    }
    if (row.error || row.fields.length !== header.length) {
      skipped++;
      continue;
    }
    const r: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) r[header[i]!] = row.fields[i]!.trim();
    const providerId = ref.providers.get(r.provider_kvk ?? '');
    if (!providerId || !r.provider_record_ref) {
      skipped++;
      continue;
    }
    let udiDi = str(r.udi_di);
    let lot = str(r.lot);
    let serial = str(r.serial);
    let issuer: string | null = null;
    if (r.udi) {
      const c = parseCarrier(row.fields[header.indexOf('udi')]!);
      if (c.ok) {
        udiDi ??= c.value.udiDi;
        lot ??= c.value.lot ?? null;
        serial ??= c.value.serial ?? null;
        issuer = c.value.issuer;
      } else nulled++;
    }
    let type = str(r.implant_type);
    if (type && !implantTypes.has(type)) {
      type = null;
      nulled++;
    }
    const implantDate = date(r.implant_date);
    const explantDate = date(r.explant_date);
    const deathDate = date(r.death_date);
    const id = randomUUID();
    const pseudonym = str(r.patient_pseudonym);
    const resolved = udiDi !== null && catalogue.has(udiDi);
    const weeks = r.weeks_postpartum && /^\d{1,4}$/.test(r.weeks_postpartum) ? r.weeks_postpartum : null;
    const values: Record<(typeof COPY_COLUMNS)[number], unknown> = {
      patient_key: pseudonym ?? id, id, provider_id: providerId, provider_record_ref: r.provider_record_ref.slice(0, 64), version: 1,
      status: r.action === 'withdraw' ? 'withdrawn' : 'active',
      kind: implantDate || (!explantDate && !deathDate) ? 'implantation' : explantDate ? 'explantation' : 'death',
      patient_pseudonym: pseudonym, udi_carrier: str(r.udi), udi_issuer: issuer, udi_di: udiDi, device_resolved: resolved, lot, serial,
      expiry_date: date(r.expiry_date), manufacture_date: date(r.manufacture_date), implant_type: resolved ? catalogue.get(udiDi!) : type,
      implant_date: implantDate, explant_date: explantDate, explant_reason: str(r.explant_reason), death_date: deathDate,
      body_site: str(r.body_site), laterality: str(r.laterality), procedure_code: str(r.procedure_code), professional_role: str(r.professional_role),
      weeks_postpartum: weeks, breastfeeding: bool(r.breastfeeding), ultrasound_check: bool(r.ultrasound_check), previous_expulsion: bool(r.previous_expulsion),
      follow_up_date: date(r.follow_up_date), closed_explant_date: explantDate, closed_death_date: deathDate, content_hash: 'x',
      first_received_at: now, last_received_at: now, late: false,
    };
    chunk += csvLine(COPY_COLUMNS.map((c) => values[c] ?? null));
    rows++;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
      if (process.stderr.isTTY) process.stderr.write(`\rCOPY ${rows.toLocaleString('en')} rows`);
    }
  }
  if (chunk) yield chunk;
}

const t0 = performance.now();
await db.copyFrom('records', COPY_COLUMNS, chunks());
const seconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
await db.query('VACUUM ANALYZE records');
const vacuumSeconds = (performance.now() - t1) / 1000;
await db.close();
if (process.stderr.isTTY) process.stderr.write('\n');
process.stderr.write(`COPY: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds).toLocaleString('en')} rows/s)\n`);
writeJson(resultFile, {
  rows, skipped, valuesNulled: nulled, seconds: +seconds.toFixed(2), recordsPerSecond: Math.round(rows / seconds),
  vacuumAnalyzeSeconds: +vacuumSeconds.toFixed(2), referenceLoadSeconds: +ref.seconds.toFixed(2), providers: ref.providers.size, catalogueDevices: ref.devices,
  stepPeakRssMiB: ownPeakRssMiB(),
});
