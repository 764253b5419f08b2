// FHIR output: one transaction Bundle per record, in the shape docs/fhir.md describes and
// src/register/fhir/bundle-to-records.ts reads (Organization by KvK, Patient with only the
// pseudonym and date of death, Procedure, Device, DeviceUseStatement with the register's
// extensions). Written as NDJSON for `POST /fhir/R4/$deliver-bundles`, or posted one by one.
// `recordsBundle` puts several records of one provider into one batch Bundle (`lir simulate
// --bundle-size N`): one Organization for all, one Patient per pseudonym (and date of death),
// and each record's Procedure, Device and DeviceUseStatement with their own fullUrls.

import type { SimFields } from './records.js';

const REF = 'https://fhir.implantatenregister.nl/NamingSystem/provider-record-ref';
const PSEUDONYM = 'https://fhir.implantatenregister.nl/NamingSystem/patient-pseudonym';
const KVK = 'http://fhir.nl/fhir/NamingSystem/kvk';
const SCT = 'http://snomed.info/sct';
const ROLE = 'https://fhir.implantatenregister.nl/CodeSystem/professional-role';
const TYPE = 'https://fhir.implantatenregister.nl/CodeSystem/implant-type';
const REASON = 'https://fhir.implantatenregister.nl/CodeSystem/explant-reason';
const ISSUER: Record<string, string> = { GS1: 'https://www.gs1.org/gtin', HIBCC: 'urn:oid:2.16.840.1.113883.6.40' };
const LATERALITY: Record<string, string> = { left: '7771000', right: '24028007', bilateral: '51440002' };

type Json = Record<string, unknown>;

const fullUrl = (n: number, i: number) => `urn:uuid:5a1e0000-0000-4000-8000-${n.toString(16).padStart(11, '0')}${i}`;

/** A transaction Bundle for one record; `n` makes the urn:uuid fullUrls unique and deterministic. */
export function recordBundle(r: SimFields, n: number): Json {
  const entry: Json[] = [];
  recordEntries(r, n, entry, new Map());
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/**
 * One Bundle for several records of the same provider (`lir simulate --bundle-size N`). `first` is
 * the number of the first record (the next ones count on), so fullUrls stay unique in the file.
 * Type `batch` by default: every record is accepted or refused on its own, as in a bulk export
 * where one bad record must not hold back the others; `transaction` makes it all or nothing.
 */
export function recordsBundle(rows: readonly SimFields[], first: number, type: 'batch' | 'transaction' = 'batch'): Json {
  if (rows.length === 0) throw new Error('recordsBundle: no records');
  const kvk = rows[0]!.providerKvk;
  if (rows.some((r) => r.providerKvk !== kvk)) throw new Error('recordsBundle: the records of one Bundle have one provider');
  const entry: Json[] = [];
  const shared = new Map<string, string>();
  rows.forEach((r, k) => recordEntries(r, first + k, entry, shared));
  return { resourceType: 'Bundle', type, entry };
}

/**
 * The entries of one record, appended to `entry`. `shared` maps an Organization (by KvK) or a
 * Patient (by pseudonym and date of death) already in the Bundle to its fullUrl, so that a
 * multi-record Bundle names each once; a Patient with another date of death gets its own entry.
 */
function recordEntries(r: SimFields, n: number, entry: Json[], shared: Map<string, string>): void {
  const url = (i: number) => fullUrl(n, i);
  const add = (i: number, resource: Json) => entry.push({ fullUrl: url(i), resource, request: { method: 'POST', url: resource.resourceType } });
  const once = (key: string, i: number, resource: () => Json): string => {
    const known = shared.get(key);
    if (known !== undefined) return known;
    add(i, resource());
    shared.set(key, url(i));
    return url(i);
  };
  const org = { reference: once(`Organization|${String(r.providerKvk)}`, 0, () => ({ resourceType: 'Organization', identifier: [{ system: KVK, value: r.providerKvk }] })) };

  if (r.action === 'withdraw') {
    add(4, {
      resourceType: 'DeviceUseStatement',
      contained: [{ resourceType: 'Patient', id: 'p' }],
      identifier: [{ system: REF, value: r.providerRecordRef }],
      status: 'entered-in-error',
      subject: { reference: '#p' },
      device: { display: 'withdrawn record' },
    });
    return;
  }

  const dus: Json = { resourceType: 'DeviceUseStatement' };
  const ext: Json[] = [{ url: 'http://nictiz.nl/fhir/StructureDefinition/ext-MedicalDevice.Location', valueReference: org }];
  let subject: Json;
  if (r.patientPseudonym !== undefined) {
    subject = {
      reference: once(`Patient|${String(r.patientPseudonym)}|${String(r.deathDate ?? '')}`, 1, () => {
        const patient: Json = { resourceType: 'Patient', identifier: [{ system: PSEUDONYM, value: r.patientPseudonym }] };
        if (r.deathDate !== undefined) patient.deceasedDateTime = r.deathDate;
        return patient;
      }),
    };
  } else {
    dus.contained = [{ resourceType: 'Patient', id: 'p' }];
    subject = { reference: '#p' };
  }

  const eventDate = (r.implantDate ?? r.explantDate) as string | undefined;
  if (eventDate !== undefined && r.patientPseudonym !== undefined) {
    const proc: Json = { resourceType: 'Procedure', status: 'completed', subject, performedDateTime: eventDate };
    if (r.procedureCode !== undefined) proc.code = { coding: [{ system: SCT, code: r.procedureCode }] };
    if (r.professionalRole !== undefined) proc.performer = [{ function: { coding: [{ system: ROLE, code: r.professionalRole }] }, actor: org }];
    add(2, proc);
    dus.derivedFrom = [{ reference: url(2) }];
  }

  let deviceRef: Json = { display: 'unknown device' };
  if (r.udi !== undefined || r.udiDi !== undefined) {
    const udi = r.udi as string | undefined;
    const di = (r.udiDi as string | undefined) ?? udi!.slice(4, 18);
    const issuer = /^\d{14}$/.test(di) ? 'GS1' : 'HIBCC';
    const carrier: Json = { deviceIdentifier: di, issuer: ISSUER[issuer] };
    if (udi !== undefined) carrier.carrierHRF = udi;
    const device: Json = { resourceType: 'Device', udiCarrier: [carrier] };
    if (r.lot !== undefined) device.lotNumber = r.lot;
    if (r.serial !== undefined) device.serialNumber = r.serial;
    if (r.expiryDate !== undefined) device.expirationDate = r.expiryDate;
    if (r.implantType !== undefined) device.type = { coding: [{ system: TYPE, code: r.implantType }] };
    add(3, device);
    deviceRef = { reference: url(3) };
  }

  if (r.explantReason !== undefined) {
    ext.push({ url: 'https://fhir.implantatenregister.nl/StructureDefinition/explant-reason', valueCodeableConcept: { coding: [{ system: REASON, code: r.explantReason }] } });
  }
  const iud: Json[] = [];
  if (r.weeksPostpartum !== undefined) iud.push({ url: 'weeksPostpartum', valueInteger: r.weeksPostpartum });
  for (const f of ['breastfeeding', 'ultrasoundCheck', 'previousExpulsion'] as const) if (r[f] !== undefined) iud.push({ url: f, valueBoolean: r[f] });
  if (r.followUpDate !== undefined) iud.push({ url: 'followUpDate', valueDate: r.followUpDate });
  if (iud.length > 0) ext.push({ url: 'https://fhir.implantatenregister.nl/StructureDefinition/iud-placement', extension: iud });

  dus.extension = ext;
  dus.identifier = [{ system: REF, value: r.providerRecordRef }];
  dus.status = r.explantDate !== undefined || r.deathDate !== undefined ? 'completed' : 'active';
  dus.subject = subject;
  if (r.implantDate !== undefined || r.explantDate !== undefined) {
    const period: Json = {};
    if (r.implantDate !== undefined) period.start = r.implantDate;
    if (r.explantDate !== undefined) period.end = r.explantDate;
    dus.timingPeriod = period;
  }
  dus.device = deviceRef;
  if (r.bodySite !== undefined) {
    const site: Json = { coding: [{ system: SCT, code: r.bodySite }] };
    if (r.laterality !== undefined) site.extension = [{ url: 'http://nictiz.nl/fhir/StructureDefinition/ext-AnatomicalLocation.Laterality', valueCodeableConcept: { coding: [{ system: SCT, code: LATERALITY[r.laterality as string] }] } }];
    dus.bodySite = site;
  }
  add(4, dus);
}
