// NEN 7513 entries as FHIR R4 AuditEvent resources (mapping: ../shared reference §6.1, docs/audit.md).

import type { AuditEntry } from './audit-log.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_CODE_SYSTEM = 'urn:lir:audit-event-code';
const ROLE_SYSTEM = 'urn:lir:role';
const SUBJECT_SYSTEM = 'urn:lir:subject';
const KVK_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/kvk';

const EVENT_TYPES: Record<string, { code: string; display: string }> = {
  'audit-log-read': { code: '110101', display: 'Audit Log Used' },
  'record-search': { code: '110112', display: 'Query' },
  'delivery-search': { code: '110112', display: 'Query' },
  'affected-population': { code: '110112', display: 'Query' },
  'suspended-implants': { code: '110112', display: 'Query' },
  delivery: { code: '110107', display: 'Import' },
};
const PATIENT_RECORD = { code: '110110', display: 'Patient Record' };

export type FhirAuditEvent = Record<string, unknown> & { resourceType: 'AuditEvent'; id: string };

export function toAuditEvent(e: AuditEntry): FhirAuditEvent {
  const type = EVENT_TYPES[e.eventCode] ?? PATIENT_RECORD;
  const agents: Record<string, unknown>[] = [
    {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' }] },
      role: [{ coding: [{ system: ROLE_SYSTEM, code: e.role }] }],
      who: { identifier: { system: SUBJECT_SYSTEM, value: e.userId } },
      requestor: true,
      ...(e.sourceAddress ? { network: { address: e.sourceAddress, type: '2' } } : {}),
      ...(e.purpose ? { purposeOfUse: [{ text: e.purpose }] } : {}),
    },
  ];
  if (e.organisation) {
    agents.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'datacollector', display: 'data collector' }] },
      who: { identifier: { system: KVK_SYSTEM, value: e.organisation } },
      requestor: false,
    });
  }
  if (e.onBehalfOf) {
    agents.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'RESP', display: 'responsible party' }] },
      who: { identifier: { system: SUBJECT_SYSTEM, value: e.onBehalfOf } },
      requestor: true,
    });
  }
  const detail: Record<string, unknown>[] = [
    ...(e.resultCount !== null ? [{ type: 'resultCount', valueString: String(e.resultCount) }] : []),
    { type: 'seq', valueString: String(e.seq) },
    { type: 'prevHash', valueString: e.prevHash },
    { type: 'hash', valueString: e.hash },
  ];
  const entity: Record<string, unknown> = {
    what: e.objectId ? { identifier: { system: `urn:lir:${e.objectType.toLowerCase()}`, value: e.objectId } } : { display: e.objectType },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
    ...(e.query ? { query: Buffer.from(JSON.stringify(e.query), 'utf8').toString('base64') } : {}),
    detail,
  };
  return {
    resourceType: 'AuditEvent',
    id: `audit-${e.seq}`,
    type: { system: DCM, code: type.code, display: type.display },
    subtype: [{ system: EVENT_CODE_SYSTEM, code: e.eventCode }],
    action: e.action,
    recorded: e.recordedAt,
    outcome: '0',
    agent: agents,
    source: {
      site: 'LIR',
      observer: { display: 'Landelijk Implantatenregister' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: [entity],
  };
}
