// The bearer-auth plugin as another route family (the FHIR routes) uses it: its own prefix, its own
// rendering of failures (an OperationOutcome), the same callers and the same rate-limit buckets.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { registerBearerAuth, type AuthFailure } from '../../src/http/plugins/auth.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { basic, tokenRequest, useTempSecretFile } from './helpers.js';

useTempSecretFile();

const outcome = (f: AuthFailure) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: f.status === 429 ? 'throttled' : f.status === 403 ? 'forbidden' : 'login', diagnostics: f.message }],
});

for (const database of DATABASES) {
  describe(`bearer auth with a custom rendering on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let fhir: FastifyInstance;

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      fhir = Fastify();
      await fhir.register(
        async (scope) => {
          registerBearerAuth(scope, reg.services, {
            render: (failure, _req, reply) => reply.type('application/fhir+json').send(outcome(failure)),
          });
          scope.get('/Device', async (req) => ({ resourceType: 'Bundle', caller: req.caller, scopes: req.authScopes }));
          scope.post('/_search', { config: { scope: 'system/*.read' } }, async () => ({ resourceType: 'Bundle' }));
          scope.post('/', async () => ({ resourceType: 'Bundle', type: 'transaction-response' }));
        },
        { prefix: '/fhir/R4' },
      );
    });
    afterAll(async () => {
      await fhir.close();
      await app.close();
      await reg.close();
    });

    it('yields the same caller and renders failures as the route family wants', async () => {
      const { client, secret } = await createClient(reg.db, { providerId: reg.hospital.id, ratePerMinute: 4 });
      const read = (await tokenRequest(app, { grant_type: 'client_credentials', scope: 'system/*.read' }, { authorization: basic(client.id, secret!) })).json().access_token;

      const ok = await fhir.inject({ url: '/fhir/R4/Device', headers: { authorization: `Bearer ${read}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({
        resourceType: 'Bundle',
        caller: { role: 'provider', providerId: reg.hospital.id, providerKvk: '12345678', subject: `client:${client.id}`, sourceAddress: '127.0.0.1' },
        scopes: ['system/*.read'],
      });

      const none = await fhir.inject({ url: '/fhir/R4/Device' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['content-type']).toMatch(/application\/fhir\+json/);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="lir"');
      expect(none.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });

      // a POST that only reads (route config) is allowed with a read scope; a write is not
      expect((await fhir.inject({ method: 'POST', url: '/fhir/R4/_search', headers: { authorization: `Bearer ${read}` } })).statusCode).toBe(200);
      const write = await fhir.inject({ method: 'POST', url: '/fhir/R4/', headers: { authorization: `Bearer ${read}` } });
      expect(write.statusCode).toBe(403);
      expect(write.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden', diagnostics: expect.stringMatching(/system\/\*\.write/) }] });

      // the client's bucket is shared with /api/v1: 4 per minute in all, across both apps
      // (so far 3 requests passed authentication here; the 401 had no client)
      expect((await app.inject({ url: '/api/v1/records', headers: { authorization: `Bearer ${read}` } })).statusCode).toBe(200);
      const limited = await fhir.inject({ url: '/fhir/R4/Device', headers: { authorization: `Bearer ${read}` } });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
    });
  });
}
