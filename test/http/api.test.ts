import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';

const record = (ref: string, extra: Record<string, unknown> = {}) => ({
  providerKvk: '87654321',
  providerRecordRef: ref,
  udiDi: COPPER_IUD,
  lot: 'LOT-1',
  implantDate: '2026-06-01',
  ...extra,
});

for (const database of DATABASES) {
  describe(`REST API on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    const tokens = { midwife: '', hospital: '', inspector: '', admin: '' };
    const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services, { bodyLimit: 256 * 1024 });
      tokens.midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 't' })).token;
      tokens.hospital = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token;
      tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
      tokens.admin = (await createToken(reg.db, { role: 'registry-admin', label: 't' })).token;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('serves the landing page, the OpenAPI document and the docs page', async () => {
      expect((await app.inject('/')).headers['content-type']).toMatch(/text\/html/);
      const spec = (await app.inject('/api/v1/openapi.json')).json();
      expect(spec.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/records', '/api/v1/records/{id}', '/api/v1/records/{id}/history', '/api/v1/queries/affected-population']));
      const docs = await app.inject('/api/docs/');
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toMatch(/swagger/i);
    });

    it('answers 401 problem+json without a valid token', async () => {
      for (const headers of [{}, { authorization: 'Bearer not-a-real-token-at-all' }, { authorization: 'Basic abc' }]) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/records', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      }
    });

    it('accepts one record and answers with a receipt', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('midwife'), payload: record('API-1') });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', counts: { created: 1 }, items: [{ outcome: 'created', version: 1 }] });
    });

    it('rejects a bad transaction with 422, JSON pointers per item, and stores nothing', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/records?mode=transaction',
        headers: as('midwife'),
        payload: [record('API-T1'), record('API-T2', { implantDate: '2026-13-01', providerKvk: '1234' })],
      });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const body = res.json();
      expect(body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/1/implantDate', '/1/providerKvk']);
      expect(body.receipt.items[0].outcome).toBe('rolled-back');
      const list = await app.inject({ method: 'GET', url: '/api/v1/records', headers: as('midwife') });
      expect(list.json().items.map((r: { providerRecordRef: string }) => r.providerRecordRef)).not.toContain('API-T1');
    });

    it('refuses malformed, deeply nested, oversized and non-JSON bodies with a clear problem', async () => {
      const bad = await app.inject({ method: 'POST', url: '/api/v1/records', headers: { ...as('midwife'), 'content-type': 'application/json' }, payload: '{"providerRecordRef": "x",' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'INVALID_JSON' });
      const deep = await app.inject({ method: 'POST', url: '/api/v1/records', headers: { ...as('midwife'), 'content-type': 'application/json' }, payload: '['.repeat(100) + ']'.repeat(100) });
      expect(deep.statusCode).toBe(400);
      expect(deep.json()).toMatchObject({ code: 'TOO_DEEP' });
      const big = await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('midwife'), payload: Array.from({ length: 3000 }, (_, i) => record(`BIG-${i}`)) });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
      const text = await app.inject({ method: 'POST', url: '/api/v1/records', headers: { ...as('midwife'), 'content-type': 'text/plain' }, payload: 'hello' });
      expect(text.statusCode).toBe(415);
      const scalar = await app.inject({ method: 'POST', url: '/api/v1/records', headers: { ...as('midwife'), 'content-type': 'application/json' }, payload: '42' });
      expect(scalar.statusCode).toBe(400);
      const empty = await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('midwife'), payload: [] });
      expect(empty.statusCode).toBe(400);
      const mode = await app.inject({ method: 'POST', url: '/api/v1/records?mode=all', headers: as('midwife'), payload: record('M') });
      expect(mode.json()).toMatchObject({ status: 400, errors: [{ pointer: 'mode' }] });
    });

    it('reads a record and its history; another provider gets 404', async () => {
      const created = (await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('midwife'), payload: record('API-H') })).json();
      await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('midwife'), payload: record('API-H', { lot: 'LOT-2' }) });
      const id = created.items[0].recordId;
      const own = await app.inject({ url: `/api/v1/records/${id}`, headers: as('midwife') });
      expect(own.json()).toMatchObject({ id, lot: 'LOT-2', version: 2, deviceResolved: true, implantType: '13.01' });
      const history = await app.inject({ url: `/api/v1/records/${id}/history`, headers: as('midwife') });
      expect(history.json().versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      for (const url of [`/api/v1/records/${id}`, `/api/v1/records/${id}/history`]) {
        expect((await app.inject({ url, headers: as('hospital') })).statusCode).toBe(404);
      }
      expect((await app.inject({ url: '/api/v1/records/not-a-uuid', headers: as('midwife') })).statusCode).toBe(404);
      expect((await app.inject({ url: `/api/v1/records/${id}`, headers: as('inspector') })).statusCode).toBe(200);
      expect((await app.inject({ url: `/api/v1/records/${id}`, headers: as('admin') })).statusCode).toBe(403);
    });

    it('pages through a provider’s records with a cursor', async () => {
      await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('hospital'), payload: Array.from({ length: 5 }, (_, i) => record(`PG-${i}`, { providerKvk: '12345678' })) });
      const seen: string[] = [];
      let url = '/api/v1/records?limit=2';
      for (let guard = 0; guard < 10; guard++) {
        const page = (await app.inject({ url, headers: as('hospital') })).json();
        seen.push(...page.items.map((r: { providerRecordRef: string }) => r.providerRecordRef));
        if (!page.next) break;
        url = `/api/v1/records?limit=2&cursor=${page.next}`;
      }
      expect(seen.sort()).toEqual(['PG-0', 'PG-1', 'PG-2', 'PG-3', 'PG-4']);
      expect((await app.inject({ url: '/api/v1/records?cursor=garbage', headers: as('hospital') })).statusCode).toBe(400);
      expect((await app.inject({ url: '/api/v1/records?limit=5000', headers: as('hospital') })).statusCode).toBe(400);
    });

    it('lists receipts with their issues for the provider', async () => {
      const r = (await app.inject({ method: 'POST', url: '/api/v1/records', headers: as('hospital'), payload: [record('RC-1', { providerKvk: '12345678' }), record('RC-2', { providerKvk: '12345678', lot: undefined })] })).json();
      const list = (await app.inject({ url: '/api/v1/deliveries', headers: as('hospital') })).json();
      // the test clock is fixed, so find it by id rather than by position
      expect(list.items.find((d: { id: string }) => d.id === r.deliveryIds[0])).toMatchObject({ channel: 'rest', counts: { total: 2, created: 1, rejected: 1 } });
      const one = (await app.inject({ url: `/api/v1/deliveries/${r.deliveryIds[0]}`, headers: as('hospital') })).json();
      expect(one.issues).toEqual([expect.objectContaining({ item: 1, code: 'REQUIRED', path: '/lot', providerRecordRef: 'RC-2' })]);
      expect((await app.inject({ url: `/api/v1/deliveries/${r.deliveryIds[0]}`, headers: as('midwife') })).statusCode).toBe(404);
      // the registry administrator sees the counts, not the issue list that names records
      const adminView = (await app.inject({ url: `/api/v1/deliveries/${r.deliveryIds[0]}`, headers: as('admin') })).json();
      expect(adminView.counts).toMatchObject({ total: 2, created: 1, rejected: 1 });
      expect(adminView.issues).toBeUndefined();
    });

    it('queues concurrent deliveries and reads without losing any', async () => {
      const posts = Array.from({ length: 25 }, (_, i) =>
        app.inject({ method: 'POST', url: '/api/v1/records', headers: as(i % 2 ? 'hospital' : 'midwife'), payload: [record(`CC-${i}`, { providerKvk: i % 2 ? '12345678' : '87654321' })] }),
      );
      const reads = Array.from({ length: 10 }, () => app.inject({ url: '/api/v1/records?limit=5', headers: as('inspector') }));
      const all = await Promise.all([...posts, ...reads]);
      expect(all.map((r) => r.statusCode)).toEqual(Array(35).fill(200));
      const q = (await app.inject({ method: 'POST', url: '/api/v1/queries/affected-population', headers: as('inspector'), payload: { lots: ['LOT-1'] } })).json();
      const cc = (await app.inject({ url: '/api/v1/records?limit=1000', headers: as('inspector') })).json().items.filter((r: { providerRecordRef: string }) => r.providerRecordRef.startsWith('CC-'));
      expect(cc).toHaveLength(25);
      expect(q.implants).toBeGreaterThanOrEqual(25);
    });

    it('answers the affected-population query for the inspector only', async () => {
      const q = { udiDi: [COPPER_IUD], stillImplanted: true };
      const res = await app.inject({ method: 'POST', url: '/api/v1/queries/affected-population', headers: as('inspector'), payload: q });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.implants).toBeGreaterThan(0);
      expect(body.providers.reduce((s: number, p: { implants: number }) => s + p.implants, 0)).toBe(body.implants);
      expect((await app.inject({ method: 'POST', url: '/api/v1/queries/affected-population', headers: as('midwife'), payload: q })).statusCode).toBe(403);
      const invalid = await app.inject({ method: 'POST', url: '/api/v1/queries/affected-population', headers: as('inspector'), payload: { lots: 5 } });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.json().errors).toEqual([expect.objectContaining({ pointer: '/lots' })]);
    });
  });
}
