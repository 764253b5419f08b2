// Acceptance test of issue 5's privacy promise (DESIGN.md §2): records delivered through every
// channel — REST, FHIR transaction and batch Bundles, CSV and NDJSON files, and the TTP — with
// BSN-like numbers, names and birth dates planted in every field an attacker could use are
// rejected; afterwards a scan of the whole database (every table, every column), of the logs, of
// the TTP audit file and of the import receipts finds no BSN, name or birth date.
//
// What the register cannot tell apart, and therefore stores (documented in the last describe, on a
// register of its own that is not scanned): a real calendar date in a date field (a birth date
// sent as implantDate looks like any implant date), and a single word or an 8-digit number in a
// field that is opaque by design (providerRecordRef, lot, serial, a non-GS1 udiDi): "Jansen" and
// "19870314" are valid lot codes and provider references; and a lot or serial number of 8 or 9 digits
// that happens to pass the 11-proef when it comes from a scanned UDI carrier (one numeric serial in
// eleven does: refusing it would make that implant undeliverable; typed by hand it is refused).

import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { useTempSecretFile } from '../auth/helpers.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { importFile } from '../../src/register/file-import.js';
import { PSEUDONYM_PATTERN } from '../../src/domain/identifiers.js';
import { scanDatabase, scanText, type Needles } from './scan-database.js';

useTempSecretFile();

// ---------- the planted values ----------
/** Valid BSNs (11-proef), an 8-digit one (left-padded 012345672), and formatted ones. */
const BSNS = ['111222333', '123456782', '12345672', '1234.56.782', '111 222 333'];
const NAMES = ['Jansen', 'Maria de Vries'];
/** 14 March 1987 in the forms an EHR export writes it. */
const DATES = ['1987-03-14', '14-03-1987', '14/03/1987', '19870314'];
const PLANTED = [...BSNS, ...NAMES, ...DATES];

/** What the scans look for: every planted value in every form. */
const NEEDLES: Needles = {
  words: ['jansen', 'de vries', 'maria de'],
  digits: ['111222333', '123456782', '12345672', '19870314', '14031987'],
};

const NOW = () => new Date('2026-06-15T10:00:00Z');
const MIDWIFE_KVK = '87654321';
const PSEUDONYM = 'ttp-v1:Ab3De5Gh7Jk9Mn2Pq4St6V';

const TEXT_FIELDS = [
  'providerRecordRef', 'patientPseudonym', 'udi', 'udiDi', 'lot', 'serial', 'implantType', 'bodySite', 'laterality',
  'procedureCode', 'professionalRole', 'explantReason', 'closesRecordId', 'weeksPostpartum', 'breastfeeding',
  'ultrasoundCheck', 'previousExpulsion', 'providerKvk', 'action',
] as const;
const DATE_FIELDS = ['implantDate', 'explantDate', 'deathDate', 'expiryDate', 'manufactureDate', 'followUpDate'] as const;
const OPAQUE_FIELDS = new Set(['providerRecordRef', 'lot', 'serial', 'udiDi']);

/** Values a field cannot refuse without refusing real data (see the header); kept out of the scanned register. */
function indistinguishable(field: string, value: string): boolean {
  if ((DATE_FIELDS as readonly string[]).includes(field)) return value === '1987-03-14';
  if (field === 'carrier') return value === 'Jansen' || value === '19870314' || /^\d{8,9}$/.test(value);
  if (OPAQUE_FIELDS.has(field)) return value === 'Jansen' || value === '19870314';
  return false;
}

const base = (ref: string): Record<string, unknown> => ({
  providerKvk: MIDWIFE_KVK,
  providerRecordRef: ref,
  udiDi: COPPER_IUD,
  lot: 'LOT-1',
  implantDate: '2026-06-01',
});

interface Attack {
  label: string;
  record: Record<string, unknown>;
}

/** Every planted value in every record field, plus unknown fields (names and values) and nesting. */
function recordAttacks(prefix: string): Attack[] {
  const out: Attack[] = [];
  let n = 0;
  for (const field of [...TEXT_FIELDS, ...DATE_FIELDS]) {
    for (const value of PLANTED) {
      if (indistinguishable(field, value)) continue;
      const record = base(`${prefix}-${n++}`);
      record[field] = value;
      // closing records: the placement fields need an implantation, the closing dates none
      if (field === 'explantDate' || field === 'deathDate') delete record.implantDate;
      out.push({ label: `${field}=${JSON.stringify(value)}`, record });
    }
  }
  // a GS1 carrier with the planted value as its lot or serial (AI 10 / 21)
  for (const value of PLANTED) {
    if (indistinguishable('carrier', value)) continue;
    const r1 = base(`${prefix}-${n++}`);
    delete r1.lot;
    r1.udi = `(01)${COPPER_IUD}(10)${value}`;
    out.push({ label: `udi lot=${JSON.stringify(value)}`, record: r1 });
    const r2 = base(`${prefix}-${n++}`);
    delete r2.lot;
    r2.udi = `(01)${COPPER_IUD}(21)${value}`;
    out.push({ label: `udi serial=${JSON.stringify(value)}`, record: r2 });
  }
  // unknown fields: the planted value as the field's NAME and as its value
  for (const value of PLANTED) {
    out.push({ label: `field named ${JSON.stringify(value)}`, record: { ...base(`${prefix}-${n++}`), [value]: 'x' } });
  }
  for (const name of ['bsn', 'name', 'birthDate', 'geboortedatum', 'comment', 'note', 'patient', 'address']) {
    out.push({ label: `unknown field ${name}`, record: { ...base(`${prefix}-${n++}`), [name]: 'Maria de Vries, 1234.56.782, 14-03-1987' } });
  }
  out.push({
    label: 'nested patient object',
    record: { ...base(`${prefix}-${n++}`), patient: { bsn: '111222333', name: { family: 'Jansen', given: ['Maria'] }, birthDate: '1987-03-14' } },
  });
  return out;
}

// ---------- FHIR ----------
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SYS = {
  kvk: 'http://fhir.nl/fhir/NamingSystem/kvk',
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
  pseudonym: 'https://fhir.implantatenregister.nl/NamingSystem/patient-pseudonym',
  ref: 'https://fhir.implantatenregister.nl/NamingSystem/provider-record-ref',
};

/** A one-implantation Bundle (Organization, Patient, Device, DeviceUseStatement); `change` plants values. */
function bundle(ref: string, type: 'transaction' | 'batch', change: (r: { org: Json; patient: Json; device: Json; dus: Json; bundle: Json }) => void): Json {
  const org: Json = { resourceType: 'Organization', identifier: [{ system: SYS.kvk, value: MIDWIFE_KVK }] };
  const patient: Json = { resourceType: 'Patient', identifier: [{ system: SYS.pseudonym, value: PSEUDONYM }] };
  const device: Json = { resourceType: 'Device', udiCarrier: [{ deviceIdentifier: COPPER_IUD, issuer: 'https://www.gs1.org/gtin' }], lotNumber: 'CU-1' };
  const dus: Json = {
    resourceType: 'DeviceUseStatement',
    identifier: [{ system: SYS.ref, value: ref }],
    status: 'active',
    subject: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000002' },
    timingPeriod: { start: '2026-06-01' },
    device: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000003' },
  };
  const b: Json = {
    resourceType: 'Bundle',
    type,
    entry: [org, patient, device, dus].map((resource, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i + 1}`,
      resource,
      request: { method: 'POST', url: resource.resourceType },
    })),
  };
  change({ org, patient, device, dus, bundle: b });
  return b;
}

interface FhirAttack {
  label: string;
  change: Parameters<typeof bundle>[2];
  /**
   * An element the register does not read and drops (standard FHIR: unknown extensions, display
   * texts of codes, the device's own name, the Bundle's identifier). Delivering it is not an error;
   * the scans below prove that nothing of it is kept.
   */
  ignored: boolean;
}

function fhirAttacks(): FhirAttack[] {
  const out: FhirAttack[] = [];
  const add = (label: string, change: FhirAttack['change'], ignored = false) => out.push({ label, change, ignored });
  add('Patient.identifier BSN system', ({ patient }) => patient.identifier.push({ system: SYS.bsn, value: '111222333' }));
  add('Patient.identifier BSN system, formatted', ({ patient }) => (patient.identifier = [{ system: SYS.bsn, value: '1234.56.782' }]));
  for (const v of PLANTED) {
    add(`Patient.identifier pseudonym system = ${v}`, ({ patient }) => (patient.identifier = [{ system: SYS.pseudonym, value: v }]));
    add(`Patient.identifier other system = ${v}`, ({ patient }) => patient.identifier.push({ system: 'urn:oid:2.16.528.1.1007.3.3.1234567.1', value: v }));
    add(`Patient.identifier without system = ${v}`, ({ patient }) => patient.identifier.push({ value: v }));
  }
  add('Patient.identifier.assigner display', ({ patient }) => (patient.identifier[0].assigner = { display: 'Maria de Vries' }));
  add('Patient.id BSN', ({ patient }) => (patient.id = '111222333'));
  add('Patient.name', ({ patient }) => (patient.name = [{ text: 'Maria de Vries', family: 'de Vries', given: ['Maria'] }]));
  add('Patient.name family only', ({ patient }) => (patient.name = [{ family: 'Jansen' }]));
  for (const d of DATES) add(`Patient.birthDate ${d}`, ({ patient }) => (patient.birthDate = d));
  add('Patient._birthDate', ({ patient }) => (patient._birthDate = { extension: [{ url: 'http://example.org/x', valueString: '14-03-1987' }] }));
  add('Patient.address', ({ patient }) => (patient.address = [{ line: ['Maria de Vries', 'Kerkstraat 1'], city: 'Utrecht', text: '111222333' }]));
  add('Patient.telecom', ({ patient }) => (patient.telecom = [{ system: 'phone', value: '111 222 333' }]));
  add('Patient.extension', ({ patient }) => (patient.extension = [{ url: 'http://example.org/birth', valueDate: '1987-03-14' }, { url: 'http://example.org/bsn', valueString: '123456782' }]));
  add('Patient.text narrative', ({ patient }) => (patient.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Maria de Vries 14-03-1987</div>' }));
  add('Patient.contained', ({ patient }) => (patient.contained = [{ resourceType: 'RelatedPerson', id: 'x', name: [{ family: 'Jansen' }] }]));
  add('Patient.deceasedDateTime formatted', ({ patient }) => (patient.deceasedDateTime = '14-03-1987'));
  add('Patient.meta.tag', ({ patient }) => (patient.meta = { tag: [{ code: '111222333', display: 'Maria de Vries' }] }));
  add('Patient fullUrl BSN', ({ bundle: b }) => {
    b.entry[1].fullUrl = 'urn:uuid:00000000-0000-4000-8000-000111222333';
    b.entry[1].request.url = 'Patient/111222333';
  });
  for (const v of PLANTED) {
    if (!indistinguishable('lot', v)) add(`Device.lotNumber = ${v}`, ({ device }) => (device.lotNumber = v));
    if (!indistinguishable('serial', v)) add(`Device.serialNumber = ${v}`, ({ device }) => (device.serialNumber = v));
    if (!indistinguishable('udiDi', v)) add(`Device.udiCarrier.deviceIdentifier = ${v}`, ({ device }) => (device.udiCarrier[0].deviceIdentifier = v));
    if (!indistinguishable('carrier', v)) {
      add(`Device.udiCarrier.carrierHRF lot = ${v}`, ({ device }) => {
        device.udiCarrier[0].carrierHRF = `(01)${COPPER_IUD}(10)${v}`;
        delete device.lotNumber;
      });
    }
    if (!indistinguishable('providerRecordRef', v)) add(`DeviceUseStatement.identifier = ${v}`, ({ dus }) => (dus.identifier[0].value = v));
    if (!indistinguishable('implantDate', v)) add(`DeviceUseStatement.timingPeriod.start = ${v}`, ({ dus }) => (dus.timingPeriod.start = v));
    if (!indistinguishable('expiryDate', v)) add(`Device.expirationDate = ${v}`, ({ device }) => (device.expirationDate = v));
  }
  add('Device.deviceName', ({ device }) => (device.deviceName = [{ name: 'Maria de Vries', type: 'user-friendly-name' }]), true);
  add('Device.note', ({ device }) => (device.note = [{ text: 'patiënt Jansen, BSN 111222333, geboren 14-03-1987' }]));
  add('Device.patient', ({ device }) => (device.patient = { display: 'Maria de Vries', identifier: { system: SYS.bsn, value: '111222333' } }));
  add('Device.extension', ({ device }) => (device.extension = [{ url: 'http://example.org/owner', valueString: 'Maria de Vries' }]), true);
  add('DeviceUseStatement.note', ({ dus }) => (dus.note = [{ text: 'Maria de Vries, 1234.56.782, 14/03/1987' }]));
  add('DeviceUseStatement.subject.display', ({ dus }) => (dus.subject.display = 'Maria de Vries'));
  add('Procedure.subject.display', ({ bundle: b }) => {
    // Procedure.subject is 1..1 in FHIR and not read by the register; the examples fill it with a display text
    b.entry.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000005', resource: { resourceType: 'Procedure', status: 'completed', subject: { display: 'Maria de Vries' }, performedDateTime: '2026-06-01' }, request: { method: 'POST', url: 'Procedure' } });
    b.entry[3].resource.derivedFrom = [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000005' }];
  }, true);
  add('DeviceUseStatement.subject.identifier BSN', ({ dus }) => (dus.subject = { identifier: { system: SYS.bsn, value: '111222333' } }));
  add('DeviceUseStatement.bodySite code', ({ dus }) => (dus.bodySite = { coding: [{ system: 'http://snomed.info/sct', code: '111222333', display: 'Jansen' }] }));
  add('DeviceUseStatement.bodySite text', ({ dus }) => (dus.bodySite = { text: 'Maria de Vries' }), true);
  add('DeviceUseStatement.extension', ({ dus }) => (dus.extension = [{ url: 'http://example.org/birth', valueString: '14-03-1987' }]), true);
  add('DeviceUseStatement.reasonCode text', ({ dus }) => (dus.reasonCode = [{ text: 'Jansen 19870314' }]), true);
  add('Organization.identifier KvK field = BSN', ({ org }) => (org.identifier[0].value = '111222333'));
  add('Bundle.identifier', ({ bundle: b }) => (b.identifier = { system: 'urn:x', value: 'Maria de Vries 111222333' }), true);
  add('entry.request.url query string', ({ bundle: b }) => (b.entry[3].request.url = 'DeviceUseStatement?patient=111222333&name=Jansen'), true);
  return out;
}

const CSV_COLUMNS = ['provider_record_ref', 'patient_pseudonym', 'udi', 'udi_di', 'lot', 'serial', 'implant_date', 'body_site', 'explant_date'];
const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

for (const database of DATABASES) {
  describe(`privacy: a cross-channel attack on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let midwife: string;
    const logs: string[] = [];
    let dir: string;
    let auditFile: string;
    const receipts: string[] = [];
    const cases = { rest: 0, fhir: 0, csv: 0, ndjson: 0, ttp: 0, query: 0 };
    const bearer = () => ({ authorization: `Bearer ${midwife}` });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lir-privacy-'));
      process.env.LIR_TTP_KEY_FILE = join(dir, 'ttp-key.json');
      auditFile = join(dir, 'ttp-audit.jsonl');
      process.env.LIR_TTP_AUDIT_FILE = auditFile;
      reg = await testRegister(database, NOW);
      // the production logger (lir serve) at the most talkative level, into memory
      const stream = { write: (line: string) => void logs.push(line) };
      app = await buildApp(reg.services, { logger: { level: 'trace', stream, redact: ['req.headers.authorization', 'req.headers.cookie'] } });
      midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 'privacy' })).token;
    });
    afterAll(async () => {
      await app?.close();
      await reg?.close();
    });

    it('accepts a clean record on every channel (the attacks below fail on their planted values, not on the set-up)', async () => {
      const rest = await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(), payload: { ...base('CLEAN-REST'), patientPseudonym: PSEUDONYM } });
      expect(rest.statusCode, rest.body).toBe(200);
      const fhir = await app.inject({ method: 'POST', url: '/fhir/R4', headers: { ...bearer(), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(bundle('CLEAN-FHIR', 'transaction', () => {})) });
      expect(fhir.statusCode, fhir.body).toBe(200);
      const csv = join(dir, 'clean.csv');
      writeFileSync(csv, `${CSV_COLUMNS.join(',')}\r\nCLEAN-CSV,${PSEUDONYM},,${COPPER_IUD},LOT-1,,2026-06-01,,\r\n`);
      expect(await importFile(reg.services, csv, { providerKvk: MIDWIFE_KVK, now: NOW })).toMatchObject({ created: 1, rejected: 0 });
      const ttp = await app.inject({ method: 'POST', url: '/ttp/v1/pseudonyms', headers: bearer(), payload: { bsn: '111222333' } });
      expect(ttp.statusCode, ttp.body).toBe(200);
      expect(JSON.stringify(ttp.json())).toMatch(new RegExp(PSEUDONYM_PATTERN.source.slice(1, -1)));
    });

    it('REST POST /api/v1/records: every planted value in every field is rejected with problem+json', async () => {
      const attacks = recordAttacks('REST');
      const accepted: string[] = [];
      for (const a of attacks) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(), payload: a.record });
        cases.rest++;
        if (res.statusCode !== 422 || !/problem\+json/.test(String(res.headers['content-type']))) accepted.push(`${a.label} → ${res.statusCode}`);
      }
      // the same as one transaction and one batch: all refused together
      for (const mode of ['transaction', 'batch']) {
        const res = await app.inject({ method: 'POST', url: `/api/v1/records?mode=${mode}`, headers: bearer(), payload: recordAttacks(`REST-${mode}`).map((a) => a.record) });
        cases.rest++;
        expect(res.statusCode).toBe(422);
        expect(res.json().receipt.counts.created).toBe(0);
      }
      expect(accepted).toEqual([]);
    });

    it('REST: planted values in query strings and headers are answered without being kept', async () => {
      const requests = [
        { url: '/api/v1/records?udiDi=111222333&providerKvk=87654321', headers: {} },
        { url: '/api/v1/records?cursor=Maria%20de%20Vries', headers: {} },
        { url: '/api/v1/records/14-03-1987', headers: {} },
        { url: '/api/v1/records', headers: { 'x-request-id': '111222333', 'request-id': '1234.56.782', 'user-agent': 'Maria de Vries', 'x-patient-birthdate': '14/03/1987', 'x-forwarded-for': '19870314' } },
        { url: '/fhir/R4/DeviceUseStatement?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|111222333', headers: {} },
        { url: '/fhir/R4/Patient?name=Jansen&birthdate=1987-03-14', headers: {} },
        { url: '/fhir/R4/Patient/111222333', headers: {} },
      ];
      for (const r of requests) {
        const res = await app.inject({ url: r.url, headers: { ...bearer(), ...r.headers } });
        cases.query++;
        expect(res.statusCode, r.url).toBeLessThan(500);
      }
    });

    it('FHIR transaction and batch Bundles: every planted value in every element is refused with an OperationOutcome', async () => {
      const accepted: string[] = [];
      let n = 0;
      let ignored = 0;
      for (const a of fhirAttacks()) {
        for (const type of ['transaction', 'batch'] as const) {
          const b = bundle(`FHIR-${type}-${n++}`, type, a.change);
          const res = await app.inject({ method: 'POST', url: '/fhir/R4', headers: { ...bearer(), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(b) });
          cases.fhir++;
          const body = res.json() as Json;
          if (a.ignored) {
            if (res.statusCode >= 500) accepted.push(`${type} ${a.label} → ${res.statusCode}`);
            ignored++;
          } else if (type === 'transaction') {
            if (res.statusCode < 400 || body.resourceType !== 'OperationOutcome') accepted.push(`${type} ${a.label} → ${res.statusCode}`);
          } else {
            // batch: the DeviceUseStatement entry (and with it the record) must be refused
            const status = String(body.entry?.[3]?.response?.status ?? res.statusCode);
            if (!/^4/.test(status)) accepted.push(`${type} ${a.label} → ${status}`);
          }
        }
      }
      expect(accepted).toEqual([]);
      expect(ignored).toBe(16); // 8 dropped elements × transaction and batch
    });

    it('CSV and NDJSON file import: every planted row is rejected in the receipt', async () => {
      // NDJSON: the same attacks as the REST channel, one per line
      const attacks = recordAttacks('ND');
      const nd = join(dir, 'attack.ndjson');
      writeFileSync(nd, attacks.map((a) => JSON.stringify(a.record)).join('\n') + '\n');
      const ndSummary = await importFile(reg.services, nd, { providerKvk: MIDWIFE_KVK, now: NOW });
      cases.ndjson += attacks.length;
      expect(ndSummary).toMatchObject({ rows: attacks.length, created: 0, updated: 0, rejected: attacks.length });
      receipts.push(ndSummary.receiptPath);

      // CSV: each planted value in each column, and as the name of an extra column
      const rows: string[] = [];
      let n = 0;
      const field = (col: string) => col.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      for (const col of CSV_COLUMNS) {
        for (const v of PLANTED) {
          if (indistinguishable(field(col), v)) continue;
          const cells: Record<string, string> = { provider_record_ref: `CSV-${n++}`, udi_di: COPPER_IUD, lot: 'LOT-1', implant_date: '2026-06-01' };
          cells[col] = v;
          if (col === 'explant_date') delete cells.implant_date;
          rows.push(CSV_COLUMNS.map((c) => csvField(cells[c] ?? '')).join(','));
        }
      }
      const csv = join(dir, 'attack.csv');
      writeFileSync(csv, `${CSV_COLUMNS.join(',')}\r\n${rows.join('\r\n')}\r\n`);
      const csvSummary = await importFile(reg.services, csv, { providerKvk: MIDWIFE_KVK, now: NOW });
      cases.csv += rows.length;
      expect(csvSummary).toMatchObject({ rows: rows.length, created: 0, updated: 0, rejected: rows.length });
      receipts.push(csvSummary.receiptPath);

      // extra columns named after the planted values (the whole file is refused, or every row)
      for (const v of PLANTED) {
        const f = join(dir, `extra-${n++}.csv`);
        writeFileSync(f, `provider_record_ref,udi_di,lot,implant_date,${csvField(v)}\r\nCSV-X-${n},${COPPER_IUD},LOT-1,2026-06-01,${csvField(v)}\r\n`);
        cases.csv++;
        const result = await importFile(reg.services, f, { providerKvk: MIDWIFE_KVK, now: NOW }).then(
          (s) => ({ created: s.created, message: '' }),
          (e: Error) => ({ created: 0, message: e.message }),
        );
        expect(result.created, v).toBe(0);
        logs.push(result.message); // what the CLI would print
        if (existsSync(`${f}.receipt.csv`)) receipts.push(`${f}.receipt.csv`);
      }
    });

    it('TTP /ttp/v1: takes BSNs, answers pseudonyms, and refuses extra personal data', async () => {
      const calls: { url: string; payload: unknown }[] = [
        ...BSNS.map((bsn) => ({ url: '/ttp/v1/pseudonyms', payload: { bsn } })),
        { url: '/ttp/v1/pseudonyms', payload: { bsn: '111222333', name: 'Maria de Vries', birthDate: '1987-03-14' } },
        { url: '/ttp/v1/pseudonyms', payload: { bsn: 'Jansen' } },
        { url: '/ttp/v1/pseudonyms', payload: { bsn: '14-03-1987' } },
        { url: '/ttp/v1/pseudonyms?bsn=123456782', payload: { bsn: '123456782' } },
        { url: '/ttp/v1/pseudonyms/batch', payload: { bsns: [...BSNS, ...NAMES, ...DATES] } },
        { url: '/ttp/v1/pseudonyms/batch', payload: { bsns: ['111222333'], patient: { name: 'Jansen' } } },
      ];
      for (const c of calls) {
        const res = await app.inject({ method: 'POST', url: c.url, headers: { ...bearer(), 'x-request-id': '123456782' }, payload: c.payload as object });
        cases.ttp++;
        expect(res.statusCode).toBeLessThan(500);
        // the answer may carry pseudonyms, never an echo of a name or birth date
        expect(scanText(res.body, { words: NEEDLES.words, digits: ['19870314', '14031987'] }, c.url)).toEqual([]);
      }
    });

    it('the scanner finds a value planted on purpose (sanity check: the scan below can fail)', async () => {
      await reg.db.query('CREATE TABLE privacy_scan_sanity (note text, blob bytea, doc jsonb)');
      try {
        await reg.db.query("INSERT INTO privacy_scan_sanity VALUES ('mevrouw MARIA DE VRIES', convert_to('bsn 1234.56.782', 'UTF8'), '{\"born\": \"14/03/1987\"}')");
        const { findings } = await scanDatabase(reg.db, NEEDLES);
        const here = findings.filter((f) => f.where.endsWith('privacy_scan_sanity.note') || f.where.endsWith('.blob') || f.where.endsWith('.doc'));
        expect(here.map((f) => `${f.where.split('.').pop()}:${f.needle}`).sort()).toEqual(['blob:123456782', 'doc:14031987', 'note:de vries', 'note:maria de']);
      } finally {
        await reg.db.query('DROP TABLE privacy_scan_sanity');
      }
      expect(scanText('{"msg":"x","bsn":"111 222 333"}', NEEDLES, 'log')).toHaveLength(1);
    });

    // Known to fail when this test was written (code outside the intake's validation):
    // - delivery_issues.provider_record_ref: intake.ts refOf() repeats a refused reference such as
    //   1234.56.782 or 14-03-1987 in the stored receipt (it checks only the plain 11-proef);
    // - audit_log.query / audit_log.object_id: the records repository audits a search for
    //   udiDi=111222333 and a read of /records/14-03-1987 with the text as given.
    it('afterwards no BSN, name or birth date is in any table or column of the database', async () => {
      const { columns, cells, findings } = await scanDatabase(reg.db, NEEDLES);
      expect(columns).toBeGreaterThan(50);
      expect(cells).toBeGreaterThan(100);
      expect(findings).toEqual([]);
    });

    // Known to fail when this test was written: Fastify's request log writes req.url with its path
    // and query string (/api/v1/records?udiDi=111222333, /fhir/R4/Patient?name=Jansen…).
    it('nor in the logs', async () => {
      expect(logs.length).toBeGreaterThan(cases.rest);
      expect(logs.flatMap((l, i) => scanText(l, NEEDLES, `log line ${i}`))).toEqual([]);
    });

    it('nor in the TTP audit file', async () => {
      const audit = readFileSync(auditFile, 'utf8');
      expect(audit.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(cases.ttp);
      expect(scanText(audit, NEEDLES, 'ttp audit')).toEqual([]);
    });

    it('nor in the receipts of the file imports', async () => {
      expect(receipts.length).toBeGreaterThan(0);
      const files = [...new Set([...receipts, ...readdirSync(dir).filter((f) => f.includes('receipt')).map((f) => join(dir, f))])].filter(existsSync);
      expect(files.flatMap((f) => scanText(readFileSync(f, 'utf8'), NEEDLES, f))).toEqual([]);
      // every channel was attacked
      expect(Object.values(cases).every((n) => n > 0)).toBe(true);
    });
  });

  describe(`privacy: what the register cannot tell from real data, on ${database.name}`, () => {
    let reg: TestRegister;
    beforeAll(async () => {
      reg = await testRegister(database, NOW);
    });
    afterAll(async () => reg?.close());

    it('stores a real date in a date field and a single word or 8-digit number in an opaque field', async () => {
      const records = [
        { ...base('OPAQUE-1'), lot: 'Jansen' },
        { ...base('OPAQUE-2'), lot: '19870314' },
        { ...base('OPAQUE-3'), lot: undefined, serial: 'Jansen' },
        { ...base('Jansen') },
        { ...base('19870314') },
        { ...base('P-1987-03-14') }, // a date inside a reference (IUD-2021-07-15 style)
        { ...base('OPAQUE-4'), manufactureDate: '1987-03-14' },
        // a manufacturer's serial number that passes the 11-proef, scanned from the label (alone, or typed the same)
        { ...base('OPAQUE-5'), lot: undefined, udi: `(01)${COPPER_IUD}(21)111222333` },
        { ...base('OPAQUE-6'), lot: undefined, udi: `(01)${COPPER_IUD}(21)123456782`, serial: '123456782' },
      ];
      const caller = { role: 'provider', providerId: reg.midwife.id, providerKvk: MIDWIFE_KVK, subject: 't' } as never;
      const receipt = await reg.services.intake.deliver({ records, mode: 'batch', channel: 'rest', caller });
      expect(receipt.items.map((i) => i.outcome)).toEqual(records.map(() => 'created'));
      // typed by hand, or formatted like a BSN, or disagreeing with the carrier, it is refused
      const refused = await reg.services.intake.deliver({
        records: [
          { ...base('TYPED-1'), lot: undefined, serial: '111222333' },
          { ...base('TYPED-2'), lot: undefined, udi: `(01)${COPPER_IUD}(21)1234.56.782` },
          { ...base('TYPED-3'), lot: undefined, udi: `(01)${COPPER_IUD}(21)123456782`, serial: '111222333' },
        ],
        mode: 'batch',
        channel: 'rest',
        caller,
      });
      expect(refused.items.map((i) => [i.outcome, i.errors?.map((e) => e.code)])).toEqual([
        ['rejected', ['LOOKS_LIKE_BSN']],
        ['rejected', ['LOOKS_LIKE_BSN']],
        ['rejected', ['LOOKS_LIKE_BSN']],
      ]);
      expect(JSON.stringify(refused)).not.toContain('111222333');
    });
  });
}
