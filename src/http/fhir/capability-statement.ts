// GET /fhir/R4/metadata: what the register's FHIR endpoint supports, exactly. Keep in step with
// the routes: the write side (transaction, batch, $deliver-bundles: this directory) and the read
// side (read-*.ts, search-*.ts).

import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SUPPORTED_RESOURCE_TYPES } from '../../register/fhir/bundle-to-records.js';
import { LIR_FHIR_BASE, PROFILES, SYSTEMS } from './model.js';
import { capabilitySearchParams, READ_INTERACTIONS } from './search-params.js';

export const FHIR_PATH = '/fhir/R4';
export const TOKEN_PATH = '/oauth/token';

/** Canonical of the bulk delivery operation (system level, `POST [base]/$deliver-bundles`). */
export const DELIVER_BUNDLES_OPERATION = `${LIR_FHIR_BASE}/OperationDefinition/deliver-bundles`;

/** The SMART App Launch extension that names the OAuth endpoints (http://hl7.org/fhir/smart-app-launch). */
export const OAUTH_URIS_EXTENSION = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

const STARTED = new Date().toISOString();

const WRITE_NOTE = 'Delivered only inside transaction or batch Bundles POSTed to the base (and NDJSON files of them to $deliver-bundles).';

const sp = (name: string, type: NonNullable<CapabilityStatementRestResource['searchParam']>[number]['type'], documentation: string, definition?: string) => ({
  name,
  type,
  ...(definition ? { definition } : {}),
  documentation,
});

const COUNT = sp('_count', 'number', 'page size; the answer links to the next page');

export function capabilityStatement(baseUrl: string): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = [
    {
      type: 'DeviceUseStatement',
      profile: PROFILES.deviceUseStatement,
      documentation: `One register record (implantation, explantation or death), identified by your own reference (identifier system ${SYSTEMS.providerRecordRef}). ${WRITE_NOTE} A correction re-delivers the same identifier; status entered-in-error withdraws the record.`,
      // read side generated from the routes' own tables, so the statement cannot drift from them
      interaction: READ_INTERACTIONS.DeviceUseStatement.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      updateCreate: false,
      conditionalUpdate: true,
      searchParam: [...capabilitySearchParams('DeviceUseStatement'), COUNT],
    },
    {
      type: 'Device',
      profile: PROFILES.device,
      documentation: `The implanted unit of a record (same id as its DeviceUseStatement). ${WRITE_NOTE}`,
      interaction: READ_INTERACTIONS.Device.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      searchParam: [...capabilitySearchParams('Device'), COUNT],
    },
    {
      type: 'Procedure',
      profile: PROFILES.procedure,
      documentation: `The implantation or explantation procedure of a record (same id as its DeviceUseStatement). ${WRITE_NOTE}`,
      interaction: READ_INTERACTIONS.Procedure.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      searchParam: [...capabilitySearchParams('Procedure'), COUNT],
    },
    {
      type: 'Patient',
      profile: PROFILES.patient,
      documentation: `Only the TTP pseudonym (identifier system ${SYSTEMS.pseudonym}) and deceasedDateTime are accepted; a BSN, name, address, telecom, birth date or any other personal element is refused. ${WRITE_NOTE}`,
      interaction: READ_INTERACTIONS.Patient.map((code) => ({ code })),
    },
    {
      type: 'Organization',
      profile: PROFILES.organization,
      documentation: `The care provider, by KvK number (${SYSTEMS.kvk}) or AGB code (${SYSTEMS.agb}); it must be the provider your client is registered for. ${WRITE_NOTE}`,
    },
  ];
  // every resource type a Bundle may carry is listed, and nothing else
  if (resources.map((r) => r.type).sort().join() !== [...SUPPORTED_RESOURCE_TYPES].sort().join()) throw new Error('capability statement out of step with bundle-to-records');

  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: STARTED,
    publisher: 'CIBG — Landelijk Implantatenregister',
    kind: 'instance',
    software: { name: 'LIR register' },
    implementation: { description: 'Landelijk Implantatenregister (LIR): FHIR R4 delivery and read-back of implant records on the nl-core profiles', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Deliver implantation, explantation and death records as transaction (all or nothing) or batch (per record) Bundles POSTed to the base; read and search your own records. Every answer to a problem is an OperationOutcome with an expression per issue.',
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth', display: 'OAuth' }] }],
          description: `OAuth 2.0 client credentials (client secret or private_key_jwt) at ${TOKEN_PATH}; send the access token as Authorization: Bearer <token>. A client delivers and reads for the one provider it is registered for.`,
          extension: [{ url: OAUTH_URIS_EXTENSION, extension: [{ url: 'token', valueUri: new URL(TOKEN_PATH, baseUrl).toString() }] }],
        },
        resource: resources,
        interaction: [
          { code: 'transaction', documentation: 'all or nothing: any error answers 400/422 with an OperationOutcome and stores nothing' },
          { code: 'batch', documentation: 'per record: the batch-response gives a status and an OperationOutcome per entry' },
        ],
        operation: [
          {
            name: 'deliver-bundles',
            definition: DELIVER_BUNDLES_OPERATION,
            documentation:
              'POST [base]/$deliver-bundles with an application/fhir+ndjson body, one transaction Bundle per line (a history load). The answer streams application/fhir+ndjson: per input line the transaction-response (or the OperationOutcome), then a Parameters resource with the totals.',
          },
        ],
      },
    ],
  };
}
