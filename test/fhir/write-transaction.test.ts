// FHIR delivery, the happy paths: each nl-core profile in a transaction or batch Bundle becomes the
// register record it describes; corrections, explantation, death and withdrawal are re-deliveries
// of the same DeviceUseStatement identifier; every answer validates against the R4 definitions.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, UNKNOWN_DI } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { OPERATOR } from '../../src/auth/caller.js';
import { saveCertificate } from '../../src/catalogue/certificates.js';
import { IUD_CERTIFICATE } from '../safety/fixtures.js';
import { FIXTURES, fhirBody, fixture, historyOf, issues, post, recordAt, statuses, type Json, type WriteContext, writeContext } from './write-helpers.js';

const DUS_LOCATION = /^DeviceUseStatement\/[0-9a-f-]{36}\/_history\/\d+$/;

for (const database of DATABASES) {
  describe(`FHIR delivery on ${database.name}`, () => {
    let ctx: WriteContext;
    beforeAll(async () => {
      ctx = await writeContext(database);
    });
    afterAll(() => ctx.close());

    it('the fixture Bundles are valid FHIR R4 themselves', () => {
      for (const name of ['implantation', 'correction', 'explantation', 'death', 'iud-placement', 'carrier-hrf', 'carrier-aidc', 'batch-mixed']) validateFhir(fixture(name));
      const lines = readFileSync(`${FIXTURES}bulk.ndjson`, 'utf8').split('\n');
      for (const line of [lines[0], lines[2], lines[4]]) validateFhir(JSON.parse(line!));
    });

    it('GET /fhir/R4/metadata: a CapabilityStatement of exactly what is supported, without a token', async () => {
      const res = await ctx.app.inject('/fhir/R4/metadata');
      expect(res.statusCode).toBe(200);
      const cs = fhirBody(res);
      expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] });
      const rest = cs.rest[0];
      expect(rest.interaction.map((i: Json) => i.code)).toEqual(['transaction', 'batch']);
      expect(rest.operation).toEqual([expect.objectContaining({ name: 'deliver-bundles' })]);
      expect(rest.security.service[0].coding[0].code).toBe('OAuth');
      const oauth = rest.security.extension.find((e: Json) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
      expect(oauth.extension).toEqual([{ url: 'token', valueUri: 'http://localhost/oauth/token' }]);
      const byType = Object.fromEntries(rest.resource.map((r: Json) => [r.type, r]));
      expect(Object.keys(byType).sort()).toEqual(['Device', 'DeviceUseStatement', 'Organization', 'Patient', 'Procedure']);
      const codes = (t: string) => (byType[t].interaction ?? []).map((i: Json) => i.code);
      const params = (t: string) => (byType[t].searchParam ?? []).map((p: Json) => p.name);
      expect(codes('DeviceUseStatement')).toEqual(['read', 'vread', 'history-instance', 'search-type']);
      expect(params('DeviceUseStatement')).toEqual(['_id', '_lastUpdated', 'identifier', 'patient', 'subject', 'device', '_count']);
      expect(codes('Device')).toEqual(['read', 'vread', 'history-instance', 'search-type']);
      expect(params('Device')).toEqual(['_id', '_lastUpdated', 'udi-di', 'patient', '_count']);
      expect(codes('Procedure')).toEqual(['read', 'vread', 'history-instance', 'search-type']);
      expect(params('Procedure')).toEqual(['_id', '_lastUpdated', 'patient', 'subject', '_count']);
      expect(codes('Patient')).toEqual(['read']);
      expect(codes('Organization')).toEqual([]);
      expect(cs.implementation.url).toBe('http://localhost/fhir/R4');
      expect(byType.DeviceUseStatement.profile).toBe('http://nictiz.nl/fhir/StructureDefinition/nl-core-MedicalDevice');
    });

    let hipRecordId = '';

    it('an implantation with every resource: 201/200 per entry, locations, and the record as translated', async () => {
      const { status, body } = await post(ctx, fixture('implantation'));
      expect(status).toBe(200);
      expect(body.type).toBe('transaction-response');
      expect(statuses(body)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created', '201 Created']);
      const [org, patient, procedure, device, dus] = body.entry.map((e: Json) => e.response);
      expect(dus.location).toMatch(DUS_LOCATION);
      expect(dus.etag).toBe('W/"1"');
      hipRecordId = dus.location.split('/')[1];
      expect(org.location).toBe('Organization/kvk-12345678');
      expect(patient.location).toMatch(/^Patient\/p[0-9a-f]{40}$/);
      expect(procedure.location).toBe(`Procedure/${hipRecordId}`);
      expect(device.location).toBe(`Device/${hipRecordId}`);
      expect(body.entry.every((e: Json) => e.response.outcome === undefined)).toBe(true);
      expect(body.identifier.value).toMatch(/^[0-9a-f-]{36}$/); // the receipt in the register
      expect(await recordAt(ctx, dus.location)).toMatchObject({
        providerKvk: '12345678',
        providerRecordRef: 'OK-2026-0001',
        patientPseudonym: 'ttp-v1:Hq3kPz9xT2mWcR7vLb5nYd',
        kind: 'implantation',
        udiDi: HIP_CUP,
        lot: 'LOT-HIP-1',
        expiryDate: '2029-12-31',
        implantType: '01.01.01',
        implantDate: '2026-06-01',
        bodySite: '24136001',
        laterality: '7771000',
        procedureCode: '52734007',
        professionalRole: 'surgeon',
        version: 1,
        status: 'active',
      });
      const receipt = await ctx.app.inject({ url: `/api/v1/deliveries/${body.identifier.value}`, headers: { authorization: `Bearer ${ctx.tokens.hospital}` } });
      expect(receipt.json()).toMatchObject({ channel: 'fhir', mode: 'transaction' });
    });

    it('delivering the same Bundle again answers 200 everywhere and stores no new version', async () => {
      const { status, body } = await post(ctx, fixture('implantation'));
      expect(status).toBe(200);
      expect(statuses(body)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK', '200 OK']);
      expect(body.entry[4].response.location).toBe(`DeviceUseStatement/${hipRecordId}/_history/1`);
      expect(body.entry[4].response.lastModified).toBeUndefined();
      expect(await historyOf(ctx, hipRecordId)).toEqual([1]);
    });

    it('a correction (another lot) is a new version of the same record', async () => {
      const { body } = await post(ctx, fixture('correction'));
      expect(statuses(body)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK', '200 OK']);
      expect(body.entry[4].response.location).toBe(`DeviceUseStatement/${hipRecordId}/_history/2`);
      expect(await recordAt(ctx, body.entry[4].response.location)).toMatchObject({ lot: 'LOT-HIP-2', version: 2 });
    });

    it('an explantation re-delivers the DeviceUseStatement with timingPeriod.end and the reason', async () => {
      const { body } = await post(ctx, fixture('explantation'));
      expect(body.entry[4].response).toMatchObject({ status: '200 OK', location: `DeviceUseStatement/${hipRecordId}/_history/3` });
      expect(await recordAt(ctx, body.entry[4].response.location)).toMatchObject({ kind: 'implantation', implantDate: '2026-06-01', explantDate: '2026-06-10', explantReason: 'infection', lot: 'LOT-HIP-2', explantedOn: '2026-06-10' });
      expect(await historyOf(ctx, hipRecordId)).toEqual([1, 2, 3]);
    });

    it('a death: Patient.deceasedDateTime on a re-delivered record', async () => {
      const alive = fixture('death');
      delete alive.entry[1].resource.deceasedDateTime;
      const first = await post(ctx, alive);
      expect(statuses(first.body)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created']);
      const { body } = await post(ctx, fixture('death'));
      expect(statuses(body)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK']);
      const record = await recordAt(ctx, body.entry[3].response.location);
      expect(record).toMatchObject({ kind: 'implantation', implantDate: '2026-05-20', deathDate: '2026-06-12', deceasedOn: '2026-06-12', serial: 'PM-77001', version: 2 });
    });

    it('an IUD placement with the placement extensions; the implant date from Procedure.performedDateTime', async () => {
      const { status, body } = await post(ctx, fixture('iud-placement'), ctx.tokens.midwife);
      expect(status).toBe(200);
      expect(body.entry.every((e: Json) => e.response.outcome === undefined)).toBe(true);
      expect(await recordAt(ctx, body.entry[4].response.location, ctx.tokens.midwife)).toMatchObject({
        providerKvk: '87654321',
        udiDi: COPPER_IUD,
        lot: 'CU-2026-11',
        implantType: '13.01',
        implantDate: '2026-06-03',
        procedureCode: '65200003',
        professionalRole: 'midwife',
        bodySite: '35039007',
        weeksPostpartum: 10,
        breastfeeding: true,
        ultrasoundCheck: false,
        previousExpulsion: false,
        followUpDate: '2026-06-14',
      });
    });

    it('a scanned GS1 carrier in carrierHRF (batch; provider by AGB; contained Patient without pseudonym)', async () => {
      const { status, body } = await post(ctx, fixture('carrier-hrf'));
      expect(status).toBe(200);
      expect(body.type).toBe('batch-response');
      expect(statuses(body)).toEqual(['200 OK', '201 Created', '201 Created', '201 Created']);
      expect(body.entry[0].response.location).toBe('Organization/kvk-12345678');
      expect(await recordAt(ctx, body.entry[3].response.location)).toMatchObject({
        providerKvk: '12345678',
        patientPseudonym: null,
        udi: '(01)08712345000011(17)281231(10)CU-HRF-3',
        udiIssuer: 'GS1',
        udiDi: COPPER_IUD,
        lot: 'CU-HRF-3',
        expiryDate: '2028-12-31',
        implantDate: '2026-06-05',
        professionalRole: 'gynaecologist',
      });
    });

    it('a scanned GS1 carrier in carrierAIDC: the bytes as scanned, GS separator and symbology prefix included', async () => {
      const { body } = await post(ctx, fixture('carrier-aidc'), ctx.tokens.midwife);
      expect(statuses(body)).toEqual(['200 OK', '201 Created', '201 Created']);
      expect(await recordAt(ctx, body.entry[2].response.location, ctx.tokens.midwife)).toMatchObject({
        udi: ']d20108712345000011172812311' + '0CU-AIDC-7\u001d21SN0042',
        udiDi: COPPER_IUD,
        lot: 'CU-AIDC-7',
        serial: 'SN0042',
        expiryDate: '2028-12-31',
        patientPseudonym: 'ttp-v1:Pz2Qw7Er4Ty9Ui3Op6As1D', // from the logical reference DeviceUseStatement.subject.identifier
      });
    });

    it('status entered-in-error withdraws the record', async () => {
      const bundle = fixture('iud-placement');
      bundle.entry[4].resource.status = 'entered-in-error';
      const { body } = await post(ctx, bundle, ctx.tokens.midwife);
      expect(body.entry[4].response).toMatchObject({ status: '200 OK', location: expect.stringMatching(/\/_history\/2$/) });
      expect(await recordAt(ctx, body.entry[4].response.location, ctx.tokens.midwife)).toMatchObject({ status: 'withdrawn', version: 2 });
      const again = await post(ctx, bundle, ctx.tokens.midwife);
      expect(again.body.entry[4].response.location).toMatch(/\/_history\/2$/);
    });

    it('PUT DeviceUseStatement/<register id> updates that record', async () => {
      const bundle = fixture('correction');
      bundle.entry[3].resource.lotNumber = 'LOT-HIP-3';
      bundle.entry[4].resource.timingPeriod = { start: '2026-06-01', end: '2026-06-10' };
      bundle.entry[4].request = { method: 'PUT', url: `DeviceUseStatement/${hipRecordId}` };
      const { status, body } = await post(ctx, bundle);
      expect(status).toBe(200);
      expect(body.entry[4].response.location).toBe(`DeviceUseStatement/${hipRecordId}/_history/4`);
    });

    it('warnings (unknown UDI-DI, late delivery) are stored and answered per entry with their expression', async () => {
      const bundle = fixture('implantation');
      bundle.entry[3].resource.udiCarrier[0].deviceIdentifier = UNKNOWN_DI;
      bundle.entry[4].resource.identifier[0].value = 'OK-2026-LATE';
      bundle.entry[4].request = { method: 'POST', url: 'DeviceUseStatement' };
      bundle.entry[4].resource.timingPeriod.start = '2026-04-01';
      const { status, body } = await post(ctx, bundle);
      expect(status).toBe(200);
      expect(statuses(body)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created', '201 Created']);
      expect(issues(body.entry[3].response.outcome)).toEqual([
        expect.objectContaining({ severity: 'warning', code: 'not-found', errorCode: 'UNRESOLVED_UDI_DI', expression: 'Bundle.entry[3].resource.udiCarrier[0].deviceIdentifier' }),
      ]);
      expect(issues(body.entry[4].response.outcome)).toEqual([
        expect.objectContaining({ severity: 'warning', code: 'business-rule', errorCode: 'LATE_DELIVERY', expression: 'Bundle.entry[4].resource', diagnostics: expect.stringMatching(/2026-05-01/) }),
      ]);
      expect(await recordAt(ctx, body.entry[4].response.location)).toMatchObject({ deviceResolved: false, late: true });
    });

    // last: the certificate changes the catalogue for every later copper IUD
    it('a suspended certificate on the implant date is a warning at the UDI-DI', async () => {
      await ctx.reg.db.transaction((tx) => saveCertificate(tx, OPERATOR, IUD_CERTIFICATE, 'merge'));
      const bundle = fixture('iud-placement');
      bundle.entry[4].resource.identifier[0].value = 'VK-IUD-2021';
      bundle.entry[2].resource.performedDateTime = '2021-08-01';
      delete bundle.entry[4].resource.extension[0].extension[4]; // no follow-up date in 2026
      bundle.entry[4].resource.extension[0].extension.length = 4;
      const { body } = await post(ctx, bundle, ctx.tokens.midwife);
      expect(body.entry[4].response.status).toBe('201 Created');
      expect(issues(body.entry[3].response.outcome)).toEqual([
        expect.objectContaining({ severity: 'warning', code: 'business-rule', errorCode: 'CERTIFICATE_SUSPENDED', expression: 'Bundle.entry[3].resource.udiCarrier[0].deviceIdentifier' }),
      ]);
      expect(issues(body.entry[4].response.outcome).map((i) => i.errorCode)).toEqual(['LATE_DELIVERY']);
    });
  });
}
