// FHIR read, vread, history and search of the caller's own records over HTTP (inject).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Bundle, DeviceUseStatement, OperationOutcome } from '@medplum/fhirtypes';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { createToken } from '../../src/auth/tokens.js';
import { SYSTEMS, patientIdOf } from '../../src/http/fhir/model.js';
import { ISSUE_CODE_SYSTEM } from '../../src/http/fhir/operation-outcome.js';
import { Clock, deliver, deliverSamples, PSEUDONYM_A, PSEUDONYM_B, PSEUDONYM_C, type SampleIds } from './read-fixtures.js';
import { fhirTestApp } from './read-app.js';

const BASE = '/fhir/R4';

for (const database of DATABASES) {
  describe(`FHIR read and search on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let ids: SampleIds;
    const clock = new Clock();
    const tokens = { midwife: '', hospital: '', inspector: '', admin: '' };
    const get = async (url: string, who: keyof typeof tokens = 'hospital', headers: Record<string, string> = {}) => {
      const res = await app.inject({ method: 'GET', url: url.startsWith('http') ? url : BASE + url, headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });
      const body = res.body ? res.json() : undefined;
      if (body?.resourceType) validateFhir(body); // every resource the server returns is valid R4
      return { status: res.statusCode, headers: res.headers, body };
    };
    const refs = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => (e.resource as DeviceUseStatement).identifier?.[0]?.value ?? e.resource?.id);
    const ERROR_CODE: Record<string, string> = { 'not-found': 'NOT_FOUND', forbidden: 'FORBIDDEN', 'not-supported': 'UNKNOWN_PARAMETER', value: 'INVALID_PARAMETER', invalid: 'INVALID_PARAMETER' };
    const expectOutcome = (body: OperationOutcome, code: string, expression?: string, errorCode = ERROR_CODE[code]) => {
      expect(body.resourceType).toBe('OperationOutcome');
      expect(body.issue[0]).toMatchObject({ severity: 'error', code, details: { coding: [{ system: ISSUE_CODE_SYSTEM, code: errorCode }] } });
      if (expression) expect(body.issue[0]!.expression).toEqual([expression]);
      expect(body.issue[0]!.diagnostics).toBeTruthy();
    };

    beforeAll(async () => {
      reg = await testRegister(database, clock.now);
      ids = await deliverSamples(reg, clock);
      app = await fhirTestApp(reg.services);
      tokens.midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 't' })).token;
      tokens.hospital = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token;
      tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
      tokens.admin = (await createToken(reg.db, { role: 'registry-admin', label: 't' })).token;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    describe('read', () => {
      it('serves the three resources of an own record as FHIR JSON with ETag and Last-Modified', async () => {
        for (const type of ['DeviceUseStatement', 'Device', 'Procedure']) {
          const res = await get(`/${type}/${ids.hip}`);
          expect(res.status).toBe(200);
          expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
          expect(res.headers.etag).toBe('W/"2"');
          expect(res.headers['last-modified']).toBe('Sun, 14 Jun 2026 09:00:00 GMT');
          expect(res.body).toMatchObject({ resourceType: type, id: ids.hip, meta: { versionId: '2' } });
        }
      });

      it('answers 404 OperationOutcome for another provider’s record, an unknown id and a malformed id', async () => {
        for (const type of ['DeviceUseStatement', 'Device', 'Procedure']) {
          for (const [url, who] of [
            [`/${type}/${ids.iud}`, 'hospital'],
            [`/${type}/${ids.hip}`, 'midwife'],
            [`/${type}/00000000-0000-4000-8000-000000000000`, 'hospital'],
            [`/${type}/not-a-register-id`, 'hospital'],
          ] as const) {
            const res = await get(url, who);
            expect(res.status, url).toBe(404);
            expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
            expectOutcome(res.body, 'not-found');
          }
        }
      });

      it('has no Device for a record without device data and no Procedure for a death record', async () => {
        expect((await get(`/Device/${ids.death}`)).status).toBe(404);
        expect((await get(`/Procedure/${ids.death}`)).status).toBe(404);
        expect((await get(`/DeviceUseStatement/${ids.death}`)).status).toBe(200);
      });

      it('lets the inspectorate read every record, and refuses the registry administrator with 403', async () => {
        expect((await get(`/DeviceUseStatement/${ids.iud}`, 'inspector')).status).toBe(200);
        expect((await get(`/Device/${ids.hip}`, 'inspector')).status).toBe(200);
        const admin = await get(`/DeviceUseStatement/${ids.iud}`, 'admin');
        expect(admin.status).toBe(403);
        expectOutcome(admin.body, 'forbidden');
      });

      it('serves the pseudonymised Patient of own records only, with the date of death the records know', async () => {
        const c = await get(`/Patient/${patientIdOf(PSEUDONYM_C)}`);
        expect(c.status).toBe(200);
        expect(c.body).toMatchObject({ resourceType: 'Patient', identifier: [{ system: SYSTEMS.pseudonym, value: PSEUDONYM_C }], deceasedDateTime: '2026-06-04' });
        expect((await get(`/Patient/${patientIdOf(PSEUDONYM_B)}`)).body.deceasedDateTime).toBeUndefined();
        expect((await get(`/Patient/${patientIdOf(PSEUDONYM_B)}`, 'midwife')).status).toBe(404);
        expect((await get(`/Patient/${patientIdOf('ttp1:NOBODYNOBODYNOBODY00')}`)).status).toBe(404);
      });
    });

    describe('history', () => {
      it('lists every version newest first as a history Bundle, and reads each with vread', async () => {
        const res = await get(`/DeviceUseStatement/${ids.hip}/_history`);
        expect(res.status).toBe(200);
        const bundle = res.body as Bundle;
        expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
        expect(bundle.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['2', '1']);
        expect(bundle.entry!.map((e) => e.request)).toEqual([
          { method: 'PUT', url: `DeviceUseStatement/${ids.hip}` },
          { method: 'POST', url: 'DeviceUseStatement' },
        ]);
        expect(bundle.entry![1]!.response).toMatchObject({ status: '201 Created', etag: 'W/"1"', lastModified: '2026-06-02T09:00:00.000Z' });
        expect(bundle.entry!.every((e) => e.fullUrl === `http://localhost:80${BASE}/DeviceUseStatement/${ids.hip}`)).toBe(true);
        const v1 = await get(`/DeviceUseStatement/${ids.hip}/_history/1`);
        expect(v1.status).toBe(200);
        expect(v1.headers.etag).toBe('W/"1"');
        expect(v1.body).toMatchObject({ status: 'active', timingPeriod: { start: '2026-05-28' } });
        expect(v1.body.timingPeriod.end).toBeUndefined();
        expect((await get(`/DeviceUseStatement/${ids.hip}/_history/2`)).body).toEqual((await get(`/DeviceUseStatement/${ids.hip}`)).body);
      });

      it('keeps a withdrawn record’s history: the withdrawal is a version in entered-in-error', async () => {
        const bundle = (await get(`/Device/${ids.withdrawn}/_history`)).body as Bundle;
        expect(bundle.entry!.map((e) => [e.resource!.meta!.versionId, (e.resource as { status: string }).status])).toEqual([
          ['2', 'entered-in-error'],
          ['1', 'active'],
        ]);
        expect((await get(`/Procedure/${ids.withdrawn}/_history/1`)).body.status).toBe('completed');
      });

      it('answers 404 for an unknown version, another provider’s record, and a type the record is not served as', async () => {
        for (const url of [`/DeviceUseStatement/${ids.hip}/_history/3`, `/DeviceUseStatement/${ids.hip}/_history/0`, `/DeviceUseStatement/${ids.hip}/_history/x`, `/Device/${ids.death}/_history`, `/Device/${ids.death}/_history/1`]) {
          const res = await get(url);
          expect(res.status, url).toBe(404);
          expectOutcome(res.body, 'not-found');
        }
        expect((await get(`/DeviceUseStatement/${ids.iud}/_history`, 'hospital')).status).toBe(404);
        expect((await get(`/DeviceUseStatement/${ids.iud}/_history/1`, 'hospital')).status).toBe(404);
      });
    });

    describe('search', () => {
      it('finds Devices by UDI-DI among the caller’s own records only', async () => {
        const hospital = (await get(`/Device?udi-di=${COPPER_IUD}`)).body as Bundle;
        expect(hospital).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
        expect(hospital.entry!.map((e) => e.resource!.id)).toEqual([ids.explantOnly]);
        const midwife = (await get(`/Device?udi-di=${COPPER_IUD}`, 'midwife')).body as Bundle;
        expect(midwife.entry!.map((e) => e.resource!.id)).toEqual([ids.iud]);
        expect(midwife.entry![0]!.fullUrl).toBe(`http://localhost:80${BASE}/Device/${ids.iud}`);
        expect(midwife.entry![0]!.search).toEqual({ mode: 'match' });
        expect(midwife.link).toEqual([{ relation: 'self', url: `http://localhost:80${BASE}/Device?udi-di=${COPPER_IUD}&_count=50` }]);
        const pacemakers = (await get(`/Device?udi-di=${PACEMAKER}`)).body as Bundle;
        expect(pacemakers.entry!.map((e) => e.resource!.id).sort()).toEqual([ids.pacemaker, ids.closedByDeath].sort());
        expect((await get(`/Device?udi-di=${PACEMAKER}`, 'midwife')).body.entry).toEqual([]);
        expect((await get(`/Device?udi-di=${HIP_CUP}`, 'inspector')).body.entry).toHaveLength(2);
      });

      it('finds DeviceUseStatements by patient reference, pseudonym identifier and subject', async () => {
        const byRef = (await get(`/DeviceUseStatement?patient=Patient/${patientIdOf(PSEUDONYM_B)}`)).body as Bundle;
        expect(refs(byRef).sort()).toEqual(['OK-HIP-1', 'OK-UNK-1']);
        const byIdentifier = (await get(`/DeviceUseStatement?patient:identifier=${encodeURIComponent(`${SYSTEMS.pseudonym}|${PSEUDONYM_B}`)}`)).body as Bundle;
        expect(refs(byIdentifier).sort()).toEqual(['OK-HIP-1', 'OK-UNK-1']);
        const bare = (await get(`/DeviceUseStatement?patient:identifier=${encodeURIComponent(PSEUDONYM_B)}`)).body as Bundle;
        expect(refs(bare).sort()).toEqual(['OK-HIP-1', 'OK-UNK-1']);
        const full = (await get(`/DeviceUseStatement?subject=${encodeURIComponent(`http://localhost${BASE}/Patient/${patientIdOf(PSEUDONYM_C)}`)}`)).body as Bundle;
        expect(refs(full).sort()).toEqual(['OK-DEATH-1', 'OK-PM-C']);
        // patient A has records at both providers: each sees its own
        expect(refs((await get(`/DeviceUseStatement?patient=Patient/${patientIdOf(PSEUDONYM_A)}`)).body)).toEqual(['OK-EXPL-1']);
        expect(refs((await get(`/DeviceUseStatement?patient=${patientIdOf(PSEUDONYM_A)}`, 'midwife')).body)).toEqual(['VK-2026-001']);
        const otherSystem = (await get(`/DeviceUseStatement?patient:identifier=${encodeURIComponent(`${SYSTEMS.bsn}|${PSEUDONYM_B}`)}`)).body as Bundle;
        expect(otherSystem.entry).toEqual([]);
        expect(refs((await get(`/Procedure?patient=Patient/${patientIdOf(PSEUDONYM_C)}`)).body)).toEqual([ids.closedByDeath]);
        expect(refs((await get(`/Device?patient=Patient/${patientIdOf(PSEUDONYM_B)}`)).body).sort()).toEqual([ids.hip, ids.unresolved].sort());
      });

      it('finds a DeviceUseStatement by the provider’s record reference', async () => {
        const ok = (await get(`/DeviceUseStatement?identifier=${encodeURIComponent(`${SYSTEMS.providerRecordRef}|OK-PM-1`)}`)).body as Bundle;
        expect(ok.entry!.map((e) => e.resource!.id)).toEqual([ids.pacemaker]);
        expect(refs((await get('/DeviceUseStatement?identifier=OK-PM-1')).body)).toEqual(['OK-PM-1']);
        expect((await get(`/DeviceUseStatement?identifier=${encodeURIComponent('https://example.org/other|OK-PM-1')}`)).body.entry).toEqual([]);
        expect((await get('/DeviceUseStatement?identifier=OK-PM-1', 'midwife')).body.entry).toEqual([]);
        expect(refs((await get(`/DeviceUseStatement?_id=${ids.pacemaker},${ids.hibc}`)).body).sort()).toEqual(['OK-HIBC-1', 'OK-PM-1']);
        expect(refs((await get(`/DeviceUseStatement?device=Device/${ids.hibc}`)).body)).toEqual(['OK-HIBC-1']);
      });

      it('filters on _lastUpdated with every prefix, on dates (Dutch time) and instants', async () => {
        // hospital deliveries: 06-02 (4 records), 06-05 (5), 06-10 (withdrawal of 1), 06-14 (correction of the hip)
        const count = async (q: string) => refs((await get(`/DeviceUseStatement?${q}&_count=1000`)).body).length;
        expect(await count('_lastUpdated=2026-06-02')).toBe(3); // the hip moved on to 06-14
        expect(await count('_lastUpdated=eq2026-06-02')).toBe(3);
        expect(await count('_lastUpdated=ge2026-06-05')).toBe(6);
        expect(await count('_lastUpdated=gt2026-06-05')).toBe(2);
        expect(await count('_lastUpdated=lt2026-06-05')).toBe(3);
        expect(await count('_lastUpdated=le2026-06-05')).toBe(7);
        expect(await count('_lastUpdated=ge2026-06-05&_lastUpdated=lt2026-06-10')).toBe(4);
        expect(await count('_lastUpdated=ge2026-06-05T09:00:00Z&_lastUpdated=lt2026-06-05T09:00:01Z')).toBe(4);
        expect(await count(`_lastUpdated=${encodeURIComponent('gt2026-06-05T11:00:00+02:00')}`)).toBe(2);
        expect(await count(`_lastUpdated=${encodeURIComponent('ge2026-06-05T11:00:00.000+02:00')}`)).toBe(6);
        expect(await count('_lastUpdated=2026-06')).toBe(9);
        expect(await count('_lastUpdated=2026')).toBe(9);
        expect(await count('_lastUpdated=sa2026-06-10')).toBe(1);
        expect(await count('_lastUpdated=eb2026-06-02')).toBe(0);
        // Dutch time: 2026-06-14T00:30 in Amsterdam is 2026-06-13T22:30Z
        expect(await count('_lastUpdated=2026-06-13')).toBe(0);
      });

      it('refuses malformed _lastUpdated values and unsupported prefixes with 400 naming the parameter', async () => {
        for (const v of ['2026-13-01', 'yesterday', 'ap2026-06-01', 'ne2026-06-01', '2026-06-01T10:00', 'xx2026']) {
          const res = await get(`/DeviceUseStatement?_lastUpdated=${v}`);
          expect(res.status, v).toBe(400);
          expectOutcome(res.body, v.startsWith('ap') || v.startsWith('ne') ? 'not-supported' : 'value', '_lastUpdated', 'INVALID_PARAMETER');
        }
      });

      it('pages with _count and opaque next links until every record was seen once', async () => {
        const seen: string[] = [];
        let url: string | undefined = '/DeviceUseStatement?_count=3';
        let pages = 0;
        while (url) {
          const bundle: Bundle = (await get(url)).body;
          expect(bundle.entry!.length).toBeLessThanOrEqual(3);
          seen.push(...bundle.entry!.map((e) => e.resource!.id!));
          url = bundle.link!.find((l) => l.relation === 'next')?.url;
          expect(bundle.total).toBeUndefined();
          pages++;
        }
        expect(pages).toBe(3);
        expect(new Set(seen).size).toBe(9);
        expect(seen).toHaveLength(9);
        // newest first
        const first = (await get('/DeviceUseStatement?_count=1')).body as Bundle;
        expect(first.entry![0]!.resource!.id).toBe(ids.hip);
        const next = first.link!.find((l) => l.relation === 'next')!.url;
        expect(next).toMatch(/^http:\/\/localhost:80\/fhir\/R4\/DeviceUseStatement\?_count=1&_cursor=/);
        expect(first.link!.find((l) => l.relation === 'self')!.url).toBe('http://localhost:80/fhir/R4/DeviceUseStatement?_count=1');
      });

      it('keeps the filters in the next link', async () => {
        const first = (await get(`/DeviceUseStatement?patient=Patient/${patientIdOf(PSEUDONYM_B)}&_count=1`)).body as Bundle;
        const next = first.link!.find((l) => l.relation === 'next')!.url;
        expect(next).toContain(`patient=Patient%2F${patientIdOf(PSEUDONYM_B)}`);
        const second = (await get(next)).body as Bundle;
        expect([...refs(first), ...refs(second)].sort()).toEqual(['OK-HIP-1', 'OK-UNK-1']);
        expect(second.link!.find((l) => l.relation === 'next')).toBeUndefined();
      });

      it('answers totals on request, _count=0 with the total only, and caps _count at 1000', async () => {
        expect((await get('/DeviceUseStatement?_total=accurate&_count=2')).body).toMatchObject({ total: 9 });
        const zero = (await get('/DeviceUseStatement?_count=0')).body as Bundle;
        expect(zero).toMatchObject({ total: 9, entry: [] });
        expect((await get('/Device?_count=0')).body.total).toBe(7); // death records carry no device data
        expect((await get('/Procedure?_count=0')).body.total).toBe(7);
        const capped = (await get('/DeviceUseStatement?_count=5000')).body as Bundle;
        expect(capped.link![0]!.url).toContain('_count=1000');
        expect(capped.entry).toHaveLength(9);
        for (const v of ['-1', 'x', '1.5']) {
          const res = await get(`/DeviceUseStatement?_count=${v}`);
          expect(res.status).toBe(400);
          expectOutcome(res.body, 'value', '_count');
        }
      });

      it('refuses unknown parameters by name unless Prefer: handling=lenient', async () => {
        const strict = await get('/DeviceUseStatement?status=active');
        expect(strict.status).toBe(400);
        expectOutcome(strict.body, 'not-supported', 'status');
        expect(strict.body.issue[0].diagnostics).toMatch(/status is not supported on DeviceUseStatement/);
        const modifier = await get(`/DeviceUseStatement?identifier:text=OK`);
        expect(modifier.status).toBe(400);
        expect(modifier.body.issue[0].diagnostics).toMatch(/modifier :text/);
        expect((await get('/Device?identifier=x')).status).toBe(400); // identifier is a DeviceUseStatement parameter
        const lenient = await get('/DeviceUseStatement?status=active&identifier=OK-PM-1', 'hospital', { prefer: 'handling=lenient' });
        expect(lenient.status).toBe(200);
        const bundle = lenient.body as Bundle;
        expect(refs(bundle)).toEqual(['OK-PM-1']);
        expect(bundle.link![0]!.url).toBe('http://localhost:80/fhir/R4/DeviceUseStatement?identifier=OK-PM-1&_count=50');
        expect(bundle.entry!.at(-1)).toMatchObject({ search: { mode: 'outcome' }, resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', expression: ['status'] }] } });
        const strictPrefer = await get('/DeviceUseStatement?status=active', 'hospital', { prefer: 'handling=strict' });
        expect(strictPrefer.status).toBe(400);
      });

      it('refuses a forged cursor and a repeated single-valued parameter', async () => {
        const forged = await get('/DeviceUseStatement?_cursor=bm90LWEtY3Vyc29y');
        expect(forged.status).toBe(400);
        expectOutcome(forged.body, 'value', '_cursor', 'INVALID_CURSOR');
        const twice = await get('/Device?udi-di=1&udi-di=2');
        expect(twice.status).toBe(400);
        expectOutcome(twice.body, 'invalid', 'udi-di');
      });

      it('sees a new delivery at once, after the records before it', async () => {
        clock.set('2026-06-15T08:00:00Z');
        const [id] = await deliver(reg, reg.hospital, [{ providerRecordRef: 'OK-NEW-1', udiDi: HIP_CUP, lot: 'N-1', implantDate: '2026-06-14' }]);
        const bundle = (await get('/DeviceUseStatement?_lastUpdated=ge2026-06-15T00:00:00Z')).body as Bundle;
        expect(bundle.entry!.map((e) => e.resource!.id)).toEqual([id]);
      });
    });
  });
}
