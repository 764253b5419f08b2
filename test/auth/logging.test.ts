// No secret, assertion or token in the logs: the app with a pino logger at trace level writing to
// memory, driven through every token-endpoint path and bearer use, success and failure.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { createToken } from '../../src/auth/tokens.js';
import { assertion, basic, clientKey, jwtParams, tokenRequest, useTempSecretFile } from './helpers.js';

useTempSecretFile();

for (const database of DATABASES) describe(`logs of the OAuth flows on ${database.name}`, () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  const { stream, lines } = captureLogs();

  beforeAll(async () => {
    reg = await testRegister(database);
    app = await buildApp(reg.services, { logger: { level: 'trace', stream } });
  });
  afterAll(async () => {
    await app.close();
    await reg.close();
  });

  it('never writes a client secret, a client assertion or an access token', async () => {
    const { client, secret } = await createClient(reg.db, { providerId: reg.hospital.id });
    const key = await clientKey('ES256');
    const jwtClient = (await createClient(reg.db, { providerId: reg.midwife.id, publicJwks: { keys: [key.publicJwk] } })).client;
    const legacy = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'legacy' })).token;
    const secrets: string[] = [secret!, legacy];

    const basicRes = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(client.id, secret!) });
    expect(basicRes.statusCode).toBe(200);
    const postRes = await tokenRequest(app, { grant_type: 'client_credentials', client_id: client.id, client_secret: secret!, scope: 'system/*.read' });
    expect(postRes.statusCode).toBe(200);
    const a = await assertion(key, jwtClient.id);
    const jwtRes = await tokenRequest(app, jwtParams(a));
    expect(jwtRes.statusCode).toBe(200);
    secrets.push(a, basicRes.json().access_token, postRes.json().access_token, jwtRes.json().access_token);

    // failures: wrong secret, replay, a secret in the URL, garbage
    const wrong = secret!.slice(0, -2) + 'zz';
    secrets.push(wrong);
    expect((await tokenRequest(app, { grant_type: 'client_credentials', client_id: client.id, client_secret: wrong })).statusCode).toBe(401);
    expect((await tokenRequest(app, jwtParams(a))).statusCode).toBe(401);
    expect((await tokenRequest(app, { grant_type: 'client_credentials' }, {}, `/oauth/token?client_id=${client.id}&client_secret=${secret}`)).statusCode).toBe(400);
    expect((await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(client.id, secret!), 'content-type': 'text/plain' })).statusCode).toBe(400);

    // the tokens at the API, accepted and refused
    for (const t of [basicRes.json().access_token, jwtRes.json().access_token, legacy]) {
      expect((await app.inject({ url: '/api/v1/records', headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
    }
    const readOnly = postRes.json().access_token as string;
    expect((await app.inject({ method: 'POST', url: '/api/v1/records', headers: { authorization: `Bearer ${readOnly}` }, payload: {} })).statusCode).toBe(403);
    const tampered = basicRes.json().access_token.slice(0, -4) + 'AAAA';
    secrets.push(tampered);
    expect((await app.inject({ url: '/api/v1/records', headers: { authorization: `Bearer ${tampered}` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/oauth/jwks.json' })).statusCode).toBe(200);

    const log = lines.join('');
    if (process.env.LIR_SHOW_LOG) process.stderr.write(log);
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain('token request');
    expect(log).toContain(client.id); // the client id is logged (who asked), its secret is not
    expect(log).toContain('/api/v1/records'); // requests are logged
    for (const s of secrets) {
      expect(log).not.toContain(s);
      // nor a recognisable part of it (signature, or the secret's random part)
      expect(log).not.toContain(s.split('.').pop()!.slice(0, 20));
    }
    expect(log).not.toMatch(/lirs_/);
    expect(log).not.toMatch(/"d":/);
  });
});
