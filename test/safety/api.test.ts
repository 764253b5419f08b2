// REST: certificates, status changes, recalls and the suspended-implants query, with roles and problems.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';

const CERT = {
  udiDis: [COPPER_IUD],
  nbNumber: '0459',
  nbName: 'GMED',
  certificateNumber: 'CE-12345',
  certificateVersion: '3',
  validFrom: '2021-02-22',
  validUntil: '2024-05-26',
};

for (const database of DATABASES) {
  describe(`certificates and recalls over REST on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let certId = '';
    const tokens = { midwife: '', hospital: '', inspector: '', admin: '' };
    const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
    const post = (who: keyof typeof tokens, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as object });
    const get = (who: keyof typeof tokens, url: string) => app.inject({ method: 'GET', url, headers: as(who) });
    const pointers = (body: { errors?: { code: string; pointer: string }[] }) => (body.errors ?? []).map((e) => [e.code, e.pointer]);

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      tokens.midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 't' })).token;
      tokens.hospital = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token;
      tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
      tokens.admin = (await createToken(reg.db, { role: 'registry-admin', label: 't' })).token;
      // the midwife placed IUDs of lot CU-7 while the certificate was suspended, the hospital a pacemaker
      const r = await reg.services.intake.deliver({
        records: [
          { providerKvk: '87654321', providerRecordRef: 'IUD-A', patientPseudonym: 'ttp1:PatientAAAAAAAAAAA1', udiDi: COPPER_IUD, lot: 'CU-7', implantDate: '2021-08-02' },
          { providerKvk: '87654321', providerRecordRef: 'IUD-B', patientPseudonym: 'ttp1:PatientAAAAAAAAAAA2', udiDi: COPPER_IUD, lot: 'CU-7', implantDate: '2021-08-03' },
          { providerKvk: '12345678', providerRecordRef: 'PM-A', patientPseudonym: 'ttp1:PatientAAAAAAAAAAA3', udiDi: PACEMAKER, serial: 'PM0150', implantDate: '2025-01-01' },
        ],
        mode: 'transaction',
        channel: 'rest',
        caller: { role: 'operator', subject: 'test' },
      });
      expect(r.status).toBe('accepted');
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('lets the registry administrator register a certificate, once', async () => {
      const res = await post('admin', '/api/v1/certificates', CERT);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      certId = body.id;
      expect(body).toMatchObject({ notifiedBody: 'NB 0459', nbNumber: '0459', certificateNumber: 'CE-12345', udiDis: [COPPER_IUD], history: [{ status: 'valid', effectiveFrom: '2021-02-22', reasonCode: 'issued' }] });
      const again = await post('admin', '/api/v1/certificates', CERT);
      expect(again.statusCode).toBe(409);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(again.json()).toMatchObject({ code: 'CERTIFICATE_EXISTS', id: certId });
    });

    it('refuses certificates from providers and the inspectorate (403), before looking at the body', async () => {
      for (const who of ['midwife', 'inspector'] as const) {
        for (const body of [CERT, { nbNumber: 'x' }]) {
          const res = await post(who, '/api/v1/certificates', body);
          expect(res.statusCode).toBe(403);
          expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
        }
      }
    });

    it('answers bad certificates with 422 and JSON pointers', async () => {
      const res = await post('admin', '/api/v1/certificates', {
        ...CERT,
        certificateNumber: 'CE-2',
        nbNumber: '459',
        validUntil: '2020-01-01',
        statusChanges: [{ status: 'paused', effectiveFrom: '2021-07-16' }, { status: 'suspended', effectiveFrom: '2021-13-01' }],
      });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(pointers(res.json())).toEqual([
        ['INVALID_FORMAT', '/nbNumber'],
        ['DATE_ORDER', '/validUntil'],
        ['UNKNOWN_CODE', '/statusChanges/0/status'],
        ['INVALID_DATE', '/statusChanges/1/effectiveFrom'],
      ]);
    });

    it('takes status changes from the inspectorate and the registry administrator, not from a provider', async () => {
      const url = `/api/v1/certificates/${certId}/status`;
      expect((await post('midwife', url, { status: 'suspended', effectiveFrom: '2021-07-16' })).statusCode).toBe(403);
      const s = await post('inspector', url, { status: 'suspended', effectiveFrom: '2021-07-16', reasonCode: 'technical-documentation' });
      expect(s.statusCode).toBe(201);
      expect(s.json().periods).toContainEqual({ status: 'suspended', from: '2021-07-16', to: '2024-05-26', reasonCode: 'technical-documentation' });
      expect((await post('inspector', url, { status: 'suspended', effectiveFrom: '2021-07-16', reasonCode: 'technical-documentation' })).statusCode).toBe(200); // a repeat: recorded once
      expect((await post('admin', url, { status: 'valid', effectiveFrom: '2021-10-01', reasonCode: 'corrective-action-completed' })).statusCode).toBe(201);
      const bad = await post('inspector', url, { status: 'paused', effectiveFrom: '2021-7-1', note: 'x' });
      expect(bad.statusCode).toBe(422);
      expect(pointers(bad.json())).toEqual([
        ['UNKNOWN_FIELD', '/note'],
        ['UNKNOWN_CODE', '/status'],
        ['INVALID_DATE', '/effectiveFrom'],
      ]);
      const early = await post('inspector', url, { status: 'withdrawn', effectiveFrom: '2020-01-01' });
      expect(early.statusCode).toBe(422);
      expect(pointers(early.json())).toEqual([['DATE_ORDER', '/effectiveFrom']]);
      expect((await post('inspector', '/api/v1/certificates/00000000-0000-4000-8000-000000000000/status', { status: 'withdrawn', effectiveFrom: '2022-01-01' })).statusCode).toBe(404);
    });

    it('lists certificates of a device with the status on a date (inspector, registry administrator; not a provider)', async () => {
      const res = await get('inspector', `/api/v1/certificates?udiDi=${COPPER_IUD}&on=2021-08-01`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([expect.objectContaining({ id: certId, statusOn: { date: '2021-08-01', status: 'suspended' } })]);
      expect((await get('admin', `/api/v1/certificates?udiDi=${COPPER_IUD}`)).statusCode).toBe(200);
      expect((await get('midwife', `/api/v1/certificates?udiDi=${COPPER_IUD}`)).statusCode).toBe(403);
      const bad = await get('inspector', `/api/v1/certificates?udiDi=${COPPER_IUD}&on=2021-02-30`);
      expect(bad.statusCode).toBe(400);
      expect(pointers(bad.json())).toEqual([['INVALID_DATE', 'on']]);
    });

    it('takes recalls from the inspectorate and the registry administrator, with pointers for bad ones', async () => {
      const recall = { reference: 'FSCA-2021-07', kind: 'recall', udiDi: COPPER_IUD, issuedOn: '2021-08-20', lots: ['CU-7'] };
      expect((await post('hospital', '/api/v1/recalls', recall)).statusCode).toBe(403);
      const res = await post('inspector', '/api/v1/recalls', recall);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ reference: 'FSCA-2021-07', kind: 'recall', udiDi: COPPER_IUD, lots: ['CU-7'], allUnits: false, device: { manufacturer: 'Cuprum Medical' } });
      expect((await post('inspector', '/api/v1/recalls', recall)).json()).toMatchObject({ status: 409, code: 'RECALL_EXISTS' });
      const fsn = { reference: 'FSN-2025-07', kind: 'field-safety-notice', udiDi: PACEMAKER, issuedOn: '2025-02-03', serialRanges: [{ from: 'PM0100', to: 'PM0199' }] };
      expect((await post('admin', '/api/v1/recalls', fsn)).statusCode).toBe(201);
      expect((await post('admin', '/api/v1/recalls', { ...fsn, reference: 'OTHER', serialRanges: undefined, lots: ['L-9'] })).statusCode).toBe(201);
      const bad = await post('inspector', '/api/v1/recalls', { reference: 'R', kind: 'warning', udiDi: HIP_CUP, issuedOn: '2025-01-01', serialRanges: [{ from: 'SN100', to: 'SN1000' }], allUnits: true });
      expect(bad.statusCode).toBe(422);
      expect(pointers(bad.json())).toEqual([
        ['UNKNOWN_CODE', '/kind'],
        ['SERIAL_RANGE_MISMATCH', '/serialRanges/0/to'],
      ]);
    });

    it('shows a provider only the recalls that concern units it implanted', async () => {
      const refs = async (who: keyof typeof tokens, q = '') => {
        const res = await get(who, `/api/v1/recalls${q}`);
        expect(res.statusCode).toBe(200);
        return res.json().items.map((r: { reference: string }) => r.reference).sort();
      };
      expect(await refs('inspector')).toEqual(['FSCA-2021-07', 'FSN-2025-07', 'OTHER']);
      expect(await refs('admin', `?udiDi=${PACEMAKER}`)).toEqual(['FSN-2025-07', 'OTHER']);
      expect(await refs('midwife')).toEqual(['FSCA-2021-07']); // lot CU-7
      expect(await refs('hospital')).toEqual(['FSN-2025-07']); // serial PM0150 in PM0100–PM0199; not lot L-9
      expect(await refs('hospital', `?udiDi=${COPPER_IUD}`)).toEqual([]);
    });

    it('answers the suspended-implants query for the inspectorate only', async () => {
      const res = await get('inspector', `/api/v1/queries/implanted-while-suspended?udiDi=${COPPER_IUD}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        implants: 2,
        patients: 2,
        devices: [{ udiDi: COPPER_IUD, certificate: { notifiedBody: 'NB 0459' }, status: 'suspended', period: { from: '2021-07-16', to: '2021-09-30' }, providers: [{ kvk: '87654321', implants: 2, patients: 2 }] }],
      });
      expect((await get('midwife', '/api/v1/queries/implanted-while-suspended')).statusCode).toBe(403);
      expect((await get('admin', '/api/v1/queries/implanted-while-suspended')).statusCode).toBe(403);
      const bad = await get('inspector', '/api/v1/queries/implanted-while-suspended?from=2022-01-01&to=2021-01-01');
      expect(bad.statusCode).toBe(400);
      expect(pointers(bad.json())).toEqual([['DATE_ORDER', 'from']]);
      const empty = await get('inspector', '/api/v1/queries/implanted-while-suspended?from=2021-10-01&to=2021-12-31');
      expect(empty.json()).toEqual({ implants: 0, patients: 0, devices: [] });
    });

    it('puts the new paths in the OpenAPI document', async () => {
      const spec = (await app.inject('/api/v1/openapi.json')).json();
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining(['/api/v1/certificates', '/api/v1/certificates/{id}/status', '/api/v1/recalls', '/api/v1/queries/implanted-while-suspended']),
      );
    });
  });
}
