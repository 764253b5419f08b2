// FHIR delivery, the refusals: personal data about the patient, a BSN, missing or unresolvable
// parts, methods and Bundle types the register does not take, malformed bodies, another provider's
// KvK — each an OperationOutcome with severity, issue type, our code and the FHIRPath of the
// offending element; a transaction stores nothing, a batch stores what it can.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { buildApp } from '../../src/http/app.js';
import { translateBundle } from '../../src/register/fhir/bundle-to-records.js';
import { fhirBody, fixture, issues, post, statuses, storedRefs, type Json, type WriteContext, writeContext } from './write-helpers.js';

/** The implantation fixture (hospital) under another reference, so each test stands alone. */
function implantation(ref: string): Json {
  const b = fixture('implantation');
  b.entry[4].resource.identifier[0].value = ref;
  b.entry[4].request = { method: 'POST', url: 'DeviceUseStatement' };
  return b;
}

for (const database of DATABASES) {
  describe(`FHIR delivery refusals on ${database.name}`, () => {
    let ctx: WriteContext;
    beforeAll(async () => {
      ctx = await writeContext(database);
    });
    afterAll(() => ctx.close());

    const refused = async (bundle: unknown, ref: string, token = ctx.tokens.hospital) => {
      const { status, body } = await post(ctx, bundle, token);
      expect(body.resourceType).toBe('OperationOutcome');
      expect(await storedRefs(ctx, token)).not.toContain(ref);
      return { status, list: issues(body) };
    };

    it.each([
      ['name', [{ family: 'Jansen', given: ['Anna'] }]],
      ['address', [{ city: 'Utrecht', postalCode: '3511AB' }]],
      ['telecom', [{ system: 'phone', value: '0612345678' }]],
      ['birthDate', '1980-04-02'],
      ['photo', [{ contentType: 'image/png', data: 'iVBORw0KGgo=' }]],
      ['contact', [{ relationship: [{ text: 'partner' }], name: { family: 'Jansen' } }]],
      ['gender', 'female'],
    ])('Patient.%s is refused as personal data (security), nothing stored', async (element, value) => {
      const ref = `OK-PII-${element}`;
      const bundle = implantation(ref);
      bundle.entry[1].resource[element] = value;
      const { status, list } = await refused(bundle, ref);
      expect(status).toBe(400);
      expect(list).toEqual([expect.objectContaining({ severity: 'error', code: 'security', errorCode: 'PERSONAL_DATA', expression: `Bundle.entry[1].resource.${element}`, diagnostics: expect.stringMatching(/personal data/) })]);
    });

    it('a BSN identifier is refused (by system, and any value passing the 11-proef), without repeating it', async () => {
      const bySystem = implantation('OK-BSN-1');
      bySystem.entry[1].resource.identifier = [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }];
      const a = await refused(bySystem, 'OK-BSN-1');
      expect(a.status).toBe(400);
      expect(a.list).toEqual([expect.objectContaining({ code: 'security', errorCode: 'BSN_NOT_ALLOWED', expression: 'Bundle.entry[1].resource.identifier[0]' })]);
      expect(JSON.stringify(a.list)).not.toContain('999911120');

      const byValue = implantation('OK-BSN-2');
      byValue.entry[1].resource.identifier.push({ system: 'https://fhir.implantatenregister.nl/NamingSystem/patient-pseudonym', value: '111222333' });
      const b = await refused(byValue, 'OK-BSN-2');
      expect(b.list).toEqual([expect.objectContaining({ code: 'security', errorCode: 'BSN_NOT_ALLOWED', expression: 'Bundle.entry[1].resource.identifier[1]' })]);

      const logical = implantation('OK-BSN-3');
      logical.entry[4].resource.subject = { identifier: { system: 'urn:oid:2.16.840.1.113883.2.4.6.3', value: '999911120' } };
      const c = await refused(logical, 'OK-BSN-3');
      expect(c.list).toContainEqual(expect.objectContaining({ code: 'security', errorCode: 'BSN_NOT_ALLOWED', expression: 'Bundle.entry[4].resource.subject.identifier' }));
    });

    it('a hospital patient number and deceasedBoolean are refused too', async () => {
      const bundle = implantation('OK-MRN-1');
      bundle.entry[1].resource.identifier = [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.8.1', value: 'MRN-0001234' }];
      bundle.entry[1].resource.deceasedBoolean = true;
      const { list } = await refused(bundle, 'OK-MRN-1');
      expect(list.map((i) => [i.errorCode, i.code, i.expression])).toEqual([
        ['IDENTIFIER_NOT_ALLOWED', 'security', 'Bundle.entry[1].resource.identifier[0]'],
        ['REQUIRED', 'required', 'Bundle.entry[1].resource.deceasedBoolean'],
      ]);
    });

    it('a DeviceUseStatement without the provider-record-ref identifier is refused', async () => {
      const bundle = implantation('unused');
      bundle.entry[4].resource.identifier = [{ system: 'urn:oid:1.2.3', value: 'x' }];
      const { status, list } = await refused(bundle, 'unused');
      expect(status).toBe(400);
      expect(list).toEqual([expect.objectContaining({ code: 'required', errorCode: 'REQUIRED', expression: 'Bundle.entry[4].resource.identifier' })]);
    });

    it('a reference to a resource that is not in the Bundle is refused at the reference', async () => {
      const bundle = implantation('OK-REF-1');
      bundle.entry[4].resource.device = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000999' };
      bundle.entry[4].resource.derivedFrom = [{ reference: 'Procedure/elsewhere-1' }];
      const { status, list } = await refused(bundle, 'OK-REF-1');
      expect(status).toBe(400);
      expect(list.map((i) => [i.code, i.errorCode, i.expression])).toEqual([
        ['not-found', 'UNRESOLVED_REFERENCE', 'Bundle.entry[4].resource.device.reference'],
        ['not-found', 'UNRESOLVED_REFERENCE', 'Bundle.entry[4].resource.derivedFrom[0].reference'],
        // the Procedure and Device entries are now used by no record
        ['informational', 'NOT_REFERENCED', 'Bundle.entry[2].resource'],
        ['informational', 'NOT_REFERENCED', 'Bundle.entry[3].resource'],
      ]);
    });

    it('methods other than POST and PUT are refused per entry (405 in a batch)', async () => {
      const bundle = implantation('OK-DEL-1');
      bundle.entry[3].request = { method: 'DELETE', url: 'Device/123' };
      const t = await refused(bundle, 'OK-DEL-1');
      expect(t.status).toBe(400);
      expect(t.list).toContainEqual(expect.objectContaining({ code: 'not-supported', errorCode: 'METHOD_NOT_ALLOWED', expression: 'Bundle.entry[3].request.method' }));

      bundle.type = 'batch';
      bundle.entry.push({ request: { method: 'GET', url: 'Device?udi-di=08712345000042' } });
      const { status, body } = await post(ctx, bundle);
      expect(status).toBe(200);
      // the record is made of the refused Device entry, so it is refused with it; so are its other parts
      expect(statuses(body)).toEqual(['400 Bad Request', '400 Bad Request', '400 Bad Request', '405 Method Not Allowed', '400 Bad Request', '405 Method Not Allowed']);
      expect(issues(body.entry[4].response.outcome)).toEqual([expect.objectContaining({ errorCode: 'NOT_STORED', diagnostics: expect.stringMatching(/entry 3\)/) })]);
      expect(issues(body.entry[5].response.outcome)).toEqual([expect.objectContaining({ code: 'not-supported', errorCode: 'METHOD_NOT_ALLOWED', expression: 'Bundle.entry[5].request.method' })]);
    });

    it('a conditional PUT must name the DeviceUseStatement identifier; PUT DeviceUseStatement/<id> must be your record', async () => {
      const wrong = implantation('OK-PUT-1');
      wrong.entry[4].request = { method: 'PUT', url: 'DeviceUseStatement?identifier=https://fhir.implantatenregister.nl/NamingSystem/provider-record-ref|OTHER' };
      const a = await refused(wrong, 'OK-PUT-1');
      expect(a.list).toEqual([expect.objectContaining({ errorCode: 'URL_MISMATCH', expression: 'Bundle.entry[4].request.url' })]);

      const unknown = implantation('OK-PUT-2');
      unknown.entry[4].request = { method: 'PUT', url: 'DeviceUseStatement/0b7f9c52-1c1f-4d0a-9a57-3f0a7c1e0001' };
      const b = await refused(unknown, 'OK-PUT-2');
      expect(b.list).toEqual([expect.objectContaining({ code: 'not-found', errorCode: 'NOT_FOUND', expression: 'Bundle.entry[4].request.url' })]);

      const conditional = implantation('OK-PUT-3');
      conditional.entry[4].request.ifNoneExist = 'identifier=x';
      const c = await refused(conditional, 'OK-PUT-3');
      expect(c.list).toEqual([expect.objectContaining({ code: 'not-supported', errorCode: 'CONDITIONAL_NOT_SUPPORTED', expression: 'Bundle.entry[4].request.ifNoneExist' })]);
    });

    it('resource types the register does not take are refused', async () => {
      const bundle = implantation('OK-PRAC-1');
      bundle.entry.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000077', resource: { resourceType: 'Practitioner', name: [{ family: 'Arts' }] }, request: { method: 'POST', url: 'Practitioner' } });
      const { list } = await refused(bundle, 'OK-PRAC-1');
      expect(list).toEqual([expect.objectContaining({ code: 'not-supported', errorCode: 'UNSUPPORTED_RESOURCE', expression: 'Bundle.entry[5].resource' })]);
    });

    it('a Patient with a date of death that no DeviceUseStatement uses is refused (the death would be lost)', async () => {
      const bundle = implantation('OK-ORPHAN-1');
      bundle.entry.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000078', resource: { resourceType: 'Patient', identifier: [{ system: 'https://fhir.implantatenregister.nl/NamingSystem/patient-pseudonym', value: 'ttp-v1:Zz9Yy8Xx7Ww6Vv5Uu4Tt3S' }], deceasedDateTime: '2026-06-01' }, request: { method: 'POST', url: 'Patient' } });
      const { list } = await refused(bundle, 'OK-ORPHAN-1');
      expect(list).toEqual([expect.objectContaining({ code: 'required', errorCode: 'NOT_REFERENCED', expression: 'Bundle.entry[5].resource' })]);
    });

    it('not a Bundle, a wrong Bundle type, malformed JSON, an empty body: 400 OperationOutcome', async () => {
      const patient = await refused({ resourceType: 'Patient', identifier: [] }, 'none');
      expect(patient.status).toBe(400);
      expect(patient.list).toEqual([expect.objectContaining({ code: 'invalid', errorCode: 'NOT_A_BUNDLE' })]);

      for (const type of ['collection', 'document', 'message', undefined]) {
        const bundle = implantation('OK-TYPE-1');
        bundle.type = type;
        const { status, list } = await refused(bundle, 'OK-TYPE-1');
        expect(status).toBe(400);
        expect(list).toEqual([expect.objectContaining({ code: 'not-supported', errorCode: 'BUNDLE_TYPE', expression: 'Bundle.type' })]);
      }
      const headers = { authorization: `Bearer ${ctx.tokens.hospital}`, 'content-type': 'application/fhir+json' };
      const malformed = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers, payload: '{"resourceType":"Bundle","type":' });
      expect(malformed.statusCode).toBe(400);
      expect(issues(fhirBody(malformed))).toEqual([expect.objectContaining({ code: 'structure', errorCode: 'INVALID_JSON' })]);
      const empty = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers, payload: '' });
      expect(empty.statusCode).toBe(400);
      expect(issues(fhirBody(empty))[0]!.errorCode).toBe('EMPTY_BODY');
      const noEntries = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers, payload: JSON.stringify({ resourceType: 'Bundle', type: 'batch' }) });
      expect(issues(fhirBody(noEntries))[0]!.errorCode).toBe('EMPTY_BUNDLE');
      const plain = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'hello' });
      expect(plain.statusCode).toBe(415);
      expect(issues(fhirBody(plain))[0]!.code).toBe('not-supported');
      // application/json and a fhirVersion parameter are accepted
      const json = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(implantation('OK-JSON-1')) });
      expect(json.statusCode).toBe(200);
      const versioned = await ctx.app.inject({ method: 'POST', url: '/fhir/R4/', headers: { ...headers, 'content-type': 'application/fhir+json; fhirVersion=4.0' }, payload: JSON.stringify(implantation('OK-JSON-2')) });
      expect(versioned.statusCode).toBe(200);
    });

    it('a body over the limit is 413 too-long; more entries than the maximum 413 too-costly', async () => {
      const small = await buildApp(ctx.reg.services, { bodyLimit: 1024 });
      try {
        const res = await small.inject({ method: 'POST', url: '/fhir/R4', headers: { authorization: `Bearer ${ctx.tokens.hospital}`, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(implantation('OK-BIG-1')) });
        expect(res.statusCode).toBe(413);
        expect(issues(fhirBody(res))).toEqual([expect.objectContaining({ code: 'too-long', errorCode: 'BODY_TOO_LARGE' })]);
      } finally {
        await small.close();
      }
      const many = translateBundle(implantation('OK-MANY-1'), { maxEntries: 4 });
      expect(many).toMatchObject({ ok: false, status: 413, issues: [{ code: 'too-costly', errorCode: 'TOO_MANY_ENTRIES', expression: ['Bundle.entry'] }] });
    });

    it('no token, an unknown token, another role, an unknown route: OperationOutcome 401 / 403 / 404', async () => {
      for (const authorization of [undefined, 'Bearer not-a-real-token-at-all']) {
        const res = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers: { 'content-type': 'application/fhir+json', ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(implantation('OK-AUTH')) });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(issues(fhirBody(res))).toEqual([expect.objectContaining({ code: 'login', errorCode: 'UNAUTHORIZED' })]);
      }
      const inspector = await ctx.app.inject({ method: 'POST', url: '/fhir/R4', headers: { authorization: `Bearer ${ctx.tokens.inspector}`, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(implantation('OK-AUTH')) });
      expect(inspector.statusCode).toBe(403);
      expect(issues(fhirBody(inspector))[0]!.code).toBe('forbidden');
      const unknown = await ctx.app.inject({ url: '/fhir/R4/Nothing/here' });
      expect(unknown.statusCode).toBe(404);
      expect(issues(fhirBody(unknown))[0]!.errorCode).toBe('NOT_FOUND');
    });

    it('a transaction with one bad record stores nothing: 422 with every issue at its expression', async () => {
      const bundle = implantation('OK-TX-1');
      bundle.entry[4].resource.timingPeriod.start = '2026-07-01';
      const second = structuredClone(bundle.entry.slice(3, 5)) as Json[];
      second[0]!.fullUrl = 'urn:uuid:00000000-0000-4000-8000-0000000000d2';
      delete second[0]!.resource.lotNumber;
      second[1]!.fullUrl = 'urn:uuid:00000000-0000-4000-8000-0000000000d3';
      second[1]!.resource.identifier[0].value = 'OK-TX-2';
      second[1]!.resource.device.reference = second[0]!.fullUrl;
      second[1]!.resource.timingPeriod.start = '2026-06-02';
      bundle.entry.push(...second);
      const { status, body } = await post(ctx, bundle);
      expect(status).toBe(422);
      expect(issues(body).map((i) => [i.severity, i.code, i.errorCode, i.expression])).toEqual([
        ['error', 'business-rule', 'FUTURE_DATE', 'Bundle.entry[4].resource.timingPeriod.start'],
        ['error', 'required', 'REQUIRED', 'Bundle.entry[5].resource.lotNumber'],
      ]);
      const refs = await storedRefs(ctx, ctx.tokens.hospital);
      expect(refs).not.toContain('OK-TX-1');
      expect(refs).not.toContain('OK-TX-2');
    });

    it("a provider's token delivering another KvK's Organization is refused at the Organization", async () => {
      const bundle = implantation('OK-FOREIGN-1');
      bundle.entry[0].resource.identifier = [{ system: 'http://fhir.nl/fhir/NamingSystem/kvk', value: '87654321' }];
      const { status, list } = await refused(bundle, 'OK-FOREIGN-1');
      expect(status).toBe(422);
      expect(list).toEqual([expect.objectContaining({ severity: 'error', code: 'security', errorCode: 'FOREIGN_PROVIDER', expression: 'Bundle.entry[0].resource.identifier[0]' })]);
      expect(await storedRefs(ctx, ctx.tokens.midwife)).not.toContain('OK-FOREIGN-1');
    });

    it('a batch stores the good records and answers each entry: 201, 400 (refused by the translation), 422 (by intake)', async () => {
      const { status, body } = await post(ctx, fixture('batch-mixed'), ctx.tokens.midwife);
      expect(status).toBe(200);
      expect(body.type).toBe('batch-response');
      expect(statuses(body)).toEqual([
        '200 OK', // Organization
        '200 OK', // Patient of records 1 and 3
        '201 Created',
        '201 Created', // record 1
        '400 Bad Request', // Patient with a name
        '400 Bad Request', // its Device
        '400 Bad Request', // record 2
        '422 Unprocessable Entity', // Device of record 3
        '422 Unprocessable Entity', // record 3: implanted in the future
      ]);
      expect(issues(body.entry[4].response.outcome)).toEqual([expect.objectContaining({ code: 'security', errorCode: 'PERSONAL_DATA', expression: 'Bundle.entry[4].resource.name' })]);
      expect(issues(body.entry[6].response.outcome)).toEqual([expect.objectContaining({ errorCode: 'NOT_STORED', diagnostics: expect.stringMatching(/entry 4/) })]);
      expect(issues(body.entry[8].response.outcome)).toEqual([expect.objectContaining({ code: 'business-rule', errorCode: 'FUTURE_DATE', expression: 'Bundle.entry[8].resource.timingPeriod.start' })]);
      const refs = await storedRefs(ctx, ctx.tokens.midwife);
      expect(refs).toContain('VK-B-1');
      expect(refs).not.toContain('VK-B-2');
      expect(refs).not.toContain('VK-B-3');
    });
  });
}
