// End to end with a FHIR client library we did not write (fhir-kit-client 2.0.3) against the real
// app listening on a random localhost port: an OAuth 2.0 client-credentials token from
// /oauth/token, delivery with the client's transaction and batch, then read, vread, search (with
// paging) and history of the caller's records.

import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client, type FhirResource } from 'fhir-kit-client';
import type { Bundle, BundleEntry, Device, DeviceUseStatement } from '@medplum/fhirtypes';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { EXTENSIONS, SYSTEMS, patientIdOf } from '../../src/http/fhir/model.js';
import { fhirTestApp } from './read-app.js';
import { Clock, PSEUDONYM_A, PSEUDONYM_B } from './read-fixtures.js';

process.env.LIR_SECRET_FILE = join(mkdtempSync(join(tmpdir(), 'lir-fhir-client-')), 'lir-signing-key.json');

/** fhir-kit-client types resources as plain records. */
const asFhir = (resource: object): FhirResource => resource as unknown as FhirResource;

/** A transaction (or batch) Bundle: one Organization and Patient, and per record a Device and a DeviceUseStatement. */
function implantations(
  kvk: string,
  pseudonym: string,
  records: { ref: string; di: string; lot: string; date: string; end?: string; reason?: string }[],
  type: 'transaction' | 'batch' = 'transaction',
): Bundle {
  const org = `urn:uuid:${randomUUID()}`;
  const patient = `urn:uuid:${randomUUID()}`;
  const entry: BundleEntry[] = [
    { fullUrl: org, resource: { resourceType: 'Organization', identifier: [{ system: SYSTEMS.kvk, value: kvk }] }, request: { method: 'POST', url: 'Organization' } },
    { fullUrl: patient, resource: { resourceType: 'Patient', identifier: [{ system: SYSTEMS.pseudonym, value: pseudonym }] }, request: { method: 'POST', url: 'Patient' } },
  ];
  for (const r of records) {
    const device = `urn:uuid:${randomUUID()}`;
    entry.push(
      { fullUrl: device, resource: { resourceType: 'Device', udiCarrier: [{ deviceIdentifier: r.di, issuer: SYSTEMS.gs1 }], lotNumber: r.lot }, request: { method: 'POST', url: 'Device' } },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'DeviceUseStatement',
          identifier: [{ system: SYSTEMS.providerRecordRef, value: r.ref, assigner: { reference: org } }],
          status: r.end ? 'completed' : 'active',
          subject: { reference: patient },
          device: { reference: device },
          timingPeriod: { start: r.date, ...(r.end ? { end: r.end } : {}) },
          ...(r.reason
            ? { extension: [{ url: EXTENSIONS.explantReason, valueCodeableConcept: { coding: [{ system: SYSTEMS.explantReason, code: r.reason }] } }] }
            : {}),
        },
        request: { method: 'POST', url: 'DeviceUseStatement' },
      },
    );
  }
  const bundle: Bundle = { resourceType: 'Bundle', type, entry };
  validateFhir(bundle);
  return bundle;
}

/** The record ids in a transaction-response / batch-response, in order. */
function locations(response: Bundle): string[] {
  return (response.entry ?? []).flatMap((e) => {
    const m = /^DeviceUseStatement\/([0-9a-f-]{36})/.exec(e.response?.location ?? '');
    return m ? [m[1]!] : [];
  });
}

for (const database of DATABASES) {
  describe(`fhir-kit-client against the listening register on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let origin: string;
    let hospital: InstanceType<typeof Client>;
    let midwife: InstanceType<typeof Client>;
    const clock = new Clock();
    const hipIds: string[] = [];

    /** A real token: client credentials (HTTP Basic) at /oauth/token over HTTP. */
    const tokenFor = async (providerId: string): Promise<string> => {
      const { client, secret } = await createClient(reg.db, { providerId, label: 'fhir-kit-client test' });
      const res = await fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(secret!)}`).toString('base64'),
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; token_type: string };
      expect(body.token_type).toMatch(/^bearer$/i);
      return body.access_token;
    };

    beforeAll(async () => {
      reg = await testRegister(database, clock.now);
      app = await fhirTestApp(reg.services);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
      origin = `http://127.0.0.1:${address.port}`;
      hospital = new Client({ baseUrl: `${origin}/fhir/R4`, bearerToken: await tokenFor(reg.hospital.id) });
      midwife = new Client({ baseUrl: `${origin}/fhir/R4`, bearerToken: await tokenFor(reg.midwife.id) });

      // Delivery with the client: a transaction of five hip cups for one patient, a batch of one IUD
      clock.set('2026-06-02T09:00:00Z');
      const delivered = (await hospital.transaction({
        body: asFhir(implantations(reg.hospital.kvk, PSEUDONYM_B, Array.from({ length: 5 }, (_, i) => ({ ref: `OK-E2E-${i}`, di: HIP_CUP, lot: `L-${i}`, date: '2026-05-28' })))),
      })) as unknown as Bundle;
      validateFhir(delivered);
      expect(delivered.type).toBe('transaction-response');
      hipIds.push(...locations(delivered));
      expect(hipIds).toHaveLength(5);
      const batch = (await midwife.batch({ body: asFhir(implantations(reg.midwife.kvk, PSEUDONYM_A, [{ ref: 'VK-E2E-1', di: COPPER_IUD, lot: 'CU-1', date: '2026-05-20' }], 'batch')) })) as unknown as Bundle;
      validateFhir(batch);
      expect(batch.type).toBe('batch-response');
      expect(batch.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created']);
      // the explantation: the first record again, its period closed
      clock.set('2026-06-10T09:00:00Z');
      const closed = (await hospital.transaction({
        body: asFhir(implantations(reg.hospital.kvk, PSEUDONYM_B, [{ ref: 'OK-E2E-0', di: HIP_CUP, lot: 'L-0', date: '2026-05-28', end: '2026-06-09', reason: 'infection' }])),
      })) as unknown as Bundle;
      expect(locations(closed)).toEqual([hipIds[0]]);
      expect(closed.entry!.at(-1)!.response!.status).toBe('200 OK');
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('reads a DeviceUseStatement, its Device and its Procedure', async () => {
      const dus = (await hospital.read({ resourceType: 'DeviceUseStatement', id: hipIds[0]! })) as unknown as DeviceUseStatement;
      validateFhir(dus);
      expect(dus).toMatchObject({ id: hipIds[0], status: 'completed', meta: { versionId: '2' }, timingPeriod: { start: '2026-05-28', end: '2026-06-09' } });
      const device = (await hospital.read({ resourceType: 'Device', id: dus.device.reference!.split('/')[1]! })) as unknown as Device;
      validateFhir(device);
      expect(device).toMatchObject({ lotNumber: 'L-0', udiCarrier: [{ deviceIdentifier: HIP_CUP }] });
      const procedure = await hospital.read({ resourceType: 'Procedure', id: dus.derivedFrom![0]!.reference!.split('/')[1]! });
      validateFhir(procedure);
      expect(procedure).toMatchObject({ resourceType: 'Procedure', performedDateTime: '2026-05-28' });
    });

    it('searches by UDI-DI and by patient, and follows the next links with nextPage', async () => {
      const byDi = (await hospital.search({ resourceType: 'Device', searchParams: { 'udi-di': HIP_CUP, _count: 2 } })) as unknown as Bundle;
      validateFhir(byDi);
      const ids = byDi.entry!.map((e) => e.resource!.id!);
      let page: Bundle | undefined = byDi;
      while (page?.link?.some((l) => l.relation === 'next')) {
        page = (await hospital.nextPage({ bundle: asFhir(page) as FhirResource & { link: { relation: string; url: string }[] } })) as unknown as Bundle;
        validateFhir(page);
        ids.push(...page.entry!.map((e) => e.resource!.id!));
      }
      expect(ids.sort()).toEqual([...hipIds].sort());

      const byPatient = (await hospital.search({ resourceType: 'DeviceUseStatement', searchParams: { patient: `Patient/${patientIdOf(PSEUDONYM_B)}` } })) as unknown as Bundle;
      validateFhir(byPatient);
      expect(byPatient.entry).toHaveLength(5);
      const byIdentifier = (await midwife.search({ resourceType: 'DeviceUseStatement', searchParams: { 'patient:identifier': `${SYSTEMS.pseudonym}|${PSEUDONYM_A}` } })) as unknown as Bundle;
      expect(byIdentifier.entry!.map((e) => (e.resource as DeviceUseStatement).identifier![0]!.value)).toEqual(['VK-E2E-1']);
      const recent = (await hospital.search({ resourceType: 'DeviceUseStatement', searchParams: { _lastUpdated: 'ge2026-06-10' } })) as unknown as Bundle;
      expect(recent.entry!.map((e) => e.resource!.id)).toEqual([hipIds[0]]);
    });

    it('reads the history and each version', async () => {
      const history = (await hospital.history({ resourceType: 'DeviceUseStatement', id: hipIds[0]! })) as unknown as Bundle;
      validateFhir(history);
      expect(history.type).toBe('history');
      expect(history.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['2', '1']);
      const v1 = (await hospital.vread({ resourceType: 'DeviceUseStatement', id: hipIds[0]!, version: '1' })) as unknown as DeviceUseStatement;
      validateFhir(v1);
      expect(v1).toMatchObject({ status: 'active', timingPeriod: { start: '2026-05-28' } });
    });

    it('keeps each provider to its own records: the client gets a 404 OperationOutcome', async () => {
      const error = await midwife.read({ resourceType: 'DeviceUseStatement', id: hipIds[1]! }).then(
        () => undefined,
        (err: unknown) => err,
      );
      const response = (error as { response?: { status?: number; data?: unknown } }).response;
      expect(response?.status).toBe(404);
      expect(response?.data).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
      validateFhir(response!.data);
      const search = (await midwife.search({ resourceType: 'Device', searchParams: { 'udi-di': HIP_CUP } })) as unknown as Bundle;
      expect(search.entry).toEqual([]);
    });
  });
}
