// GET /api/v1/devices/{udiDi}/history and GET /api/v1/catalogue/unresolved on every database:
// answers, role checks (a provider gets 403 problem+json on the queue) and errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { upsertDevices } from '../../src/catalogue/reference-data.js';

// 0871234560007 → 0+8+21+1+6+3+12+5+18+0+0+0+21 = 95 → check digit 5 (not in the test catalogue)
const NEW_IUD = '08712345600075';

for (const database of DATABASES) {
  describe(`catalogue API on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    const tokens = { midwife: '', inspector: '', admin: '' };
    const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      tokens.midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 't' })).token;
      tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
      tokens.admin = (await createToken(reg.db, { role: 'registry-admin', label: 't' })).token;
      // two records wait for NEW_IUD
      const caller = { role: 'provider' as const, subject: 't', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
      const r = await reg.services.intake.deliver({
        mode: 'batch', channel: 'rest', caller,
        records: ['A-1', 'A-2'].map((ref, i) => ({ providerKvk: '87654321', providerRecordRef: ref, udiDi: NEW_IUD, lot: 'L', implantDate: `2026-06-0${i + 1}`, implantType: '13.01' })),
      });
      expect(r.counts.created).toBe(2);
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('documents both routes in the OpenAPI document', async () => {
      const spec = (await app.inject('/api/v1/openapi.json')).json();
      expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/devices/{udiDi}/history', '/api/v1/catalogue/unresolved']));
    });

    it('serves the curation queue to the inspector and the registry administrator', async () => {
      for (const who of ['inspector', 'admin'] as const) {
        const res = await app.inject({ url: '/api/v1/catalogue/unresolved', headers: as(who) });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
          devices: 1,
          records: 2,
          items: [{ udiDi: NEW_IUD, issuer: 'GS1', records: 2, providers: 1, firstImplantDate: '2026-06-01', lastImplantDate: '2026-06-02', firstReceivedAt: '2026-06-15T10:00:00.000Z' }],
        });
      }
    });

    it('refuses the queue to a care provider with 403 and to no token with 401, as problem+json', async () => {
      const res = await app.inject({ url: '/api/v1/catalogue/unresolved', headers: as('midwife') });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 403, code: 'FORBIDDEN', detail: 'this needs the role inspector or registry-admin; you are provider' });
      expect((await app.inject({ url: '/api/v1/catalogue/unresolved' })).statusCode).toBe(401);
    });

    it('checks limit', async () => {
      const bad = await app.inject({ url: '/api/v1/catalogue/unresolved?limit=0', headers: as('inspector') });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'INVALID_PARAMETER', errors: [{ pointer: 'limit' }] });
      expect((await app.inject({ url: '/api/v1/catalogue/unresolved?limit=1', headers: as('inspector') })).json().items).toHaveLength(1);
    });

    it('serves a device’s history to every role, oldest first; 404 problem for a UDI-DI never in the catalogue', async () => {
      await upsertDevices(reg.db, [{ udiDi: COPPER_IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'CuFlex 380', model: 'CF380-B', implantType: '13.01' }]);
      for (const who of ['midwife', 'inspector', 'admin'] as const) {
        const res = await app.inject({ url: `/api/v1/devices/${COPPER_IUD}/history`, headers: as(who) });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({ udiDi: COPPER_IUD, inCatalogue: true });
        expect(body.items.map((i: { operation: string; source: string; changes: unknown }) => [i.operation, i.source, i.changes])).toEqual([
          ['insert', 'api', { issuer: { old: null, new: 'GS1' }, manufacturer: { old: null, new: 'Cuprum Medical' }, productName: { old: null, new: 'CuFlex 380' }, model: { old: null, new: 'CF380' }, implantType: { old: null, new: '13.01' } }],
          ['update', 'api', { model: { old: 'CF380', new: 'CF380-B' } }],
        ]);
      }
      const missing = await app.inject({ url: `/api/v1/devices/${NEW_IUD}/history`, headers: as('inspector') });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', detail: `UDI-DI ${NEW_IUD} has never been in the catalogue` });
    });

    it('resolves the queue when the device is added', async () => {
      await upsertDevices(reg.db, [{ udiDi: NEW_IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'CuFlex 300', model: null, implantType: '13.01' }]);
      expect((await app.inject({ url: '/api/v1/catalogue/unresolved', headers: as('inspector') })).json()).toEqual({ devices: 0, records: 0, items: [] });
      expect((await app.inject({ url: `/api/v1/devices/${NEW_IUD}/history`, headers: as('inspector') })).json().items).toHaveLength(1);
    });
  });
}
