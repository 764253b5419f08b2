// OAuth 2.0 client credentials end to end, on every database: /oauth/token with client_secret_basic,
// client_secret_post and private_key_jwt; the access tokens at /api/v1; revocation, scopes, the
// provider binding, rate limits.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type CryptoKey } from 'jose';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { servicesFor } from '../../src/register/services.js';
import { createClient, revokeClient, type OAuthClient } from '../../src/auth/oauth-clients.js';
import { createToken } from '../../src/auth/tokens.js';
import { assertion, basic, clientKey, jwtParams, TOKEN_URL, tokenRequest, useTempSecretFile, type ClientKey } from './helpers.js';

const secretFile = useTempSecretFile();

const record = (ref: string, kvk: string, extra: Record<string, unknown> = {}) => ({
  providerKvk: kvk,
  providerRecordRef: ref,
  udiDi: COPPER_IUD,
  lot: 'LOT-1',
  implantDate: '2026-06-01',
  ...extra,
});

for (const database of DATABASES) {
  describe(`OAuth client credentials on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let hospital: { client: OAuthClient; secret: string };
    let midwife: { client: OAuthClient; secret: string };
    let readOnly: { client: OAuthClient; secret: string };
    let es256: ClientKey;
    let rs256: ClientKey;
    let jwtClient: OAuthClient;
    let rsaClient: OAuthClient;

    const secretClient = async (providerId: string, extra: Parameters<typeof createClient>[1] extends infer T ? Partial<T> : never = {}) => {
      const r = await createClient(reg.db, { providerId, ...extra });
      return { client: r.client, secret: r.secret! };
    };
    const tokenFor = async (c: { client: OAuthClient; secret: string }, params: Record<string, string> = {}) => {
      const res = await tokenRequest(app, { grant_type: 'client_credentials', ...params }, { authorization: basic(c.client.id, c.secret) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().access_token as string;
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      hospital = await secretClient(reg.hospital.id);
      midwife = await secretClient(reg.midwife.id);
      readOnly = await secretClient(reg.hospital.id, { scopes: ['system/*.read'] });
      es256 = await clientKey('ES256');
      rs256 = await clientKey('RS256');
      jwtClient = (await createClient(reg.db, { providerId: reg.hospital.id, publicJwks: { keys: [es256.publicJwk] } })).client;
      rsaClient = (await createClient(reg.db, { providerId: reg.midwife.id, publicJwks: { keys: [rs256.publicJwk] } })).client;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    describe('token endpoint', () => {
      it('issues a signed 5-minute access token for client_secret_basic', async () => {
        const res = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(hospital.client.id, hospital.secret) });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers.pragma).toBe('no-cache');
        const body = res.json();
        expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300, scope: 'system/*.read system/*.write' });
        const header = decodeProtectedHeader(body.access_token);
        const claims = decodeJwt(body.access_token);
        expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
        expect(claims).toMatchObject({ iss: 'urn:nl:lir', aud: 'urn:nl:lir:register', sub: hospital.client.id, client_id: hospital.client.id, kvk: '12345678', role: 'provider', scope: 'system/*.read system/*.write' });
        expect(claims.exp! - claims.iat!).toBe(300);
        expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(10);
        expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

        const jwks = await app.inject('/oauth/jwks.json');
        expect(jwks.statusCode).toBe(200);
        expect(jwks.headers['cache-control']).toBe('public, max-age=300');
        const keys = jwks.json().keys as Array<Record<string, string>>;
        expect(keys.map((k) => k.kid)).toContain(header.kid);
        for (const k of keys) {
          expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
          expect(k).not.toHaveProperty('d');
        }

        const list = await app.inject({ url: '/api/v1/records', headers: bearer(body.access_token) });
        expect(list.statusCode).toBe(200);
      });

      it('issues a token for client_secret_post, with the scope asked for', async () => {
        const res = await tokenRequest(app, { grant_type: 'client_credentials', client_id: midwife.client.id, client_secret: midwife.secret, scope: 'system/*.read' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/*.read' });
        expect(decodeJwt(res.json().access_token)).toMatchObject({ sub: midwife.client.id, kvk: '87654321', scope: 'system/*.read' });
        const all = await tokenRequest(app, { grant_type: 'client_credentials', client_id: midwife.client.id, client_secret: midwife.secret, scope: 'system/*.*' });
        expect(all.json().scope).toBe('system/*.read system/*.write');
      });

      it('refuses a wrong secret, an unknown client and a revoked client with invalid_client 401', async () => {
        const revoked = await secretClient(reg.hospital.id);
        const first = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(revoked.client.id, revoked.secret) });
        expect(first.statusCode).toBe(200);
        expect(await revokeClient(reg.db, revoked.client.id)).toBe(true);
        const attempts: Array<{ headers: Record<string, string>; params: Record<string, string> }> = [
          { headers: { authorization: basic(hospital.client.id, midwife.secret) }, params: {} },
          { headers: {}, params: { client_id: hospital.client.id, client_secret: hospital.secret.slice(0, -1) + (hospital.secret.endsWith('A') ? 'B' : 'A') } },
          { headers: { authorization: basic(randomUUID(), hospital.secret) }, params: {} },
          { headers: {}, params: { client_id: 'no-such-client', client_secret: 'x' } },
          { headers: { authorization: basic(revoked.client.id, revoked.secret) }, params: {} },
          { headers: {}, params: { client_id: revoked.client.id, client_secret: revoked.secret } },
          // a secret for a client that authenticates with its key
          { headers: { authorization: basic(jwtClient.id, hospital.secret) }, params: {} },
          // no client authentication at all
          { headers: {}, params: {} },
          { headers: { authorization: 'Basic !!!' }, params: {} },
        ];
        for (const [i, a] of attempts.entries()) {
          const res = await tokenRequest(app, { grant_type: 'client_credentials', ...a.params }, a.headers);
          expect(res.statusCode, `attempt ${i}`).toBe(401);
          expect(res.headers['www-authenticate'], `attempt ${i}`).toMatch(/^Basic realm="lir"/);
          expect(res.json(), `attempt ${i}`).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
        }
        const revokedAnswer = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(revoked.client.id, revoked.secret) });
        expect(revokedAnswer.json().error_description).toMatch(/revoked/);
      });

      it('answers invalid_request, unsupported_grant_type and invalid_scope as RFC 6749 §5.2 JSON', async () => {
        const auth = { authorization: basic(hospital.client.id, hospital.secret) };
        const cases: Array<{ res: Awaited<ReturnType<typeof tokenRequest>>; status: number; error: string }> = [
          { res: await tokenRequest(app, {}, auth), status: 400, error: 'invalid_request' },
          { res: await tokenRequest(app, { grant_type: 'password' }, auth), status: 400, error: 'unsupported_grant_type' },
          { res: await tokenRequest(app, { grant_type: 'authorization_code', code: 'x' }, auth), status: 400, error: 'unsupported_grant_type' },
          { res: await tokenRequest(app, { grant_type: 'client_credentials', scope: 'system/*.delete' }, auth), status: 400, error: 'invalid_scope' },
          { res: await tokenRequest(app, { grant_type: 'client_credentials', scope: 'openid' }, auth), status: 400, error: 'invalid_scope' },
          // a read-only client asking for write
          { res: await tokenRequest(app, { grant_type: 'client_credentials', scope: 'system/*.write' }, { authorization: basic(readOnly.client.id, readOnly.secret) }), status: 400, error: 'invalid_scope' },
          // two authentication methods at once
          { res: await tokenRequest(app, { grant_type: 'client_credentials', client_id: hospital.client.id, client_secret: hospital.secret }, auth), status: 400, error: 'invalid_request' },
          // client_secret without client_id
          { res: await tokenRequest(app, { grant_type: 'client_credentials', client_secret: hospital.secret }), status: 400, error: 'invalid_request' },
          // an assertion type that is not jwt-bearer
          { res: await tokenRequest(app, { grant_type: 'client_credentials', client_assertion_type: 'urn:other', client_assertion: 'a.b.c' }), status: 400, error: 'invalid_request' },
          // credentials in the URL
          { res: await tokenRequest(app, { grant_type: 'client_credentials' }, auth, `/oauth/token?client_secret=${hospital.secret}`), status: 400, error: 'invalid_request' },
          // JSON instead of a form
          {
            res: await app.inject({ method: 'POST', url: '/oauth/token', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'client_credentials' }) }),
            status: 400,
            error: 'invalid_request',
          },
          // no body at all
          { res: await app.inject({ method: 'POST', url: '/oauth/token', headers: auth }), status: 400, error: 'invalid_request' },
          // a repeated parameter
          {
            res: await app.inject({ method: 'POST', url: '/oauth/token', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&grant_type=client_credentials' }),
            status: 400,
            error: 'invalid_request',
          },
          // far too large
          {
            res: await app.inject({ method: 'POST', url: '/oauth/token', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&scope=${'x'.repeat(100_000)}` }),
            status: 413,
            error: 'invalid_request',
          },
          // garbage in every field
          {
            res: await app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: 'Basic ' + Buffer.from('%zz:%zz').toString('base64'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, payload: '%%%&grant_type=client_credentials' }),
            status: 401,
            error: 'invalid_client',
          },
        ];
        for (const [i, c] of cases.entries()) {
          expect(c.res.statusCode, `case ${i}: ${c.res.body}`).toBe(c.status);
          expect(c.res.headers['content-type'], `case ${i}`).toMatch(/^application\/json/);
          expect(c.res.json(), `case ${i}`).toEqual({ error: c.error, error_description: expect.any(String) });
        }
      });

      it('issues a token for private_key_jwt (ES256 and RS256) and accepts the assertion only once', async () => {
        const a = await assertion(es256, jwtClient.id);
        const res = await tokenRequest(app, jwtParams(a));
        expect(res.statusCode, res.body).toBe(200);
        expect(decodeJwt(res.json().access_token)).toMatchObject({ sub: jwtClient.id, kvk: '12345678' });
        expect((await app.inject({ url: '/api/v1/records', headers: bearer(res.json().access_token) })).statusCode).toBe(200);

        const replay = await tokenRequest(app, jwtParams(a));
        expect(replay.statusCode).toBe(401);
        expect(replay.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/used already/) });

        // client_id may accompany the assertion; the RSA client, audience as an array, aud = issuer
        const rsa = await tokenRequest(app, jwtParams(await assertion(rs256, rsaClient.id, { aud: ['https://elsewhere.example/token', TOKEN_URL] }), { client_id: rsaClient.id }));
        expect(rsa.statusCode, rsa.body).toBe(200);
        expect(decodeJwt(rsa.json().access_token)).toMatchObject({ sub: rsaClient.id, kvk: '87654321' });
        expect((await tokenRequest(app, jwtParams(await assertion(rs256, rsaClient.id, { aud: 'urn:nl:lir' })))).statusCode).toBe(200);
        expect((await tokenRequest(app, jwtParams(await assertion(rs256, rsaClient.id, { aud: 'http://localhost:80/oauth/token' })))).statusCode).toBe(200);
      });

      it('refuses an assertion replayed through another register process (the jti is in the database)', async () => {
        const other = await servicesFor(reg.db);
        const app2 = await buildApp(other);
        try {
          const a = await assertion(es256, jwtClient.id);
          expect((await tokenRequest(app, jwtParams(a))).statusCode).toBe(200);
          expect((await tokenRequest(app2, jwtParams(a))).statusCode).toBe(401);
          const jtis = await reg.db.query<{ n: number }>('SELECT count(*)::int AS n FROM oauth_assertion_jtis WHERE client_id = $1', [jwtClient.id]);
          expect(jtis[0]!.n).toBeGreaterThan(0);
        } finally {
          await app2.close();
        }
      });

      it('refuses assertions with a wrong aud, expired, too long-lived, wrongly signed or naming another client', async () => {
        const now = Math.floor(Date.now() / 1000);
        const stranger = await clientKey('ES256', es256.publicJwk.kid);
        const cases: Array<[string, string, RegExp]> = [
          ['wrong aud', await assertion(es256, jwtClient.id, { aud: 'https://other-register.example/oauth/token' }), /aud/],
          ['expired', await assertion(es256, jwtClient.id, { exp: now - 120 }), /expired/],
          ['exp too far ahead', await assertion(es256, jwtClient.id, { exp: now + 3600 }), /at most 300 seconds/],
          ['foreign key', await assertion(stranger, jwtClient.id), /not signed by a key registered/],
          ['iss differs from sub', await assertion(es256, jwtClient.id, { iss: rsaClient.id }), /iss and sub/],
          ['another client', await assertion(es256, rsaClient.id), /not signed by a key registered|failed/],
          ['a secret client', await assertion(es256, hospital.client.id), /failed/],
          ['unknown client', await assertion(es256, randomUUID()), /failed/],
          ['not a JWT', 'not-a-jwt', /not a JWT/],
        ];
        for (const [name, a, message] of cases) {
          const res = await tokenRequest(app, jwtParams(a));
          expect(res.statusCode, `${name}: ${res.body}`).toBe(401);
          expect(res.json(), name).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(message) });
        }
        // an unsigned assertion (alg none)
        const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: jwtClient.id, sub: jwtClient.id, aud: TOKEN_URL, exp: now + 60, jti: 'n' })).toString('base64url')}.`;
        expect((await tokenRequest(app, jwtParams(none))).statusCode).toBe(401);
        // client_id that differs from the assertion
        expect((await tokenRequest(app, jwtParams(await assertion(es256, jwtClient.id), { client_id: rsaClient.id }))).statusCode).toBe(401);
      });
    });

    describe('access tokens at /api/v1', () => {
      const realKey = async (): Promise<{ kid: string; key: CryptoKey }> => {
        const file = JSON.parse(readFileSync(secretFile, 'utf8')) as { current: { kid: string } };
        return { kid: file.current.kid, key: (await importJWK(file.current, 'ES256')) as CryptoKey };
      };
      const sign = async (key: CryptoKey, kid: string, claims: Record<string, unknown>, exp: number, opts: { iss?: string; aud?: string; typ?: string } = {}) =>
        new SignJWT({ client_id: hospital.client.id, kvk: '12345678', role: 'provider', scope: 'system/*.read system/*.write', ...claims })
          .setProtectedHeader({ alg: 'ES256', kid, typ: opts.typ ?? 'at+jwt' })
          .setIssuer(opts.iss ?? 'urn:nl:lir')
          .setAudience(opts.aud ?? 'urn:nl:lir:register')
          .setSubject(hospital.client.id)
          .setIssuedAt(exp - 300)
          .setExpirationTime(exp)
          .setJti(randomUUID())
          .sign(key);

      it('accepts a token signed with the real key and refuses it once expired', async () => {
        await tokenFor(hospital); // the key file exists after the first token
        const { kid, key } = await realKey();
        const now = Math.floor(Date.now() / 1000);
        const fresh = await sign(key, kid, {}, now + 200);
        expect((await app.inject({ url: '/api/v1/records', headers: bearer(fresh) })).statusCode).toBe(200);
        // within the clock skew (30 s) still accepted, beyond it refused
        expect((await app.inject({ url: '/api/v1/records', headers: bearer(await sign(key, kid, {}, now - 5)) })).statusCode).toBe(200);
        const expired = await app.inject({ url: '/api/v1/records', headers: bearer(await sign(key, kid, {}, now - 120)) });
        expect(expired.statusCode).toBe(401);
        expect(expired.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(expired.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED', detail: expect.stringMatching(/expired/) });
        expect(expired.headers['www-authenticate']).toMatch(/^Bearer realm="lir", error="invalid_token"/);
      });

      it('refuses tokens signed by a foreign key, tampered with, or made for another issuer, audience or type', async () => {
        const { kid, key } = await realKey();
        const now = Math.floor(Date.now() / 1000);
        const foreign = (await generateKeyPair('ES256')).privateKey;
        const good = await tokenFor(hospital);
        const [h, p, s] = good.split('.') as [string, string, string];
        const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(good), kvk: '87654321' })).toString('base64url')}.${s}`;
        const cases: Array<[string, string, RegExp]> = [
          ['foreign key, our kid', await sign(foreign, kid, {}, now + 200), /not signed by this register/],
          ['foreign key, its own kid', await sign(foreign, 'someone-else', {}, now + 200), /not signed by this register/],
          ['tampered payload', tampered, /not signed by this register/],
          ['other issuer', await sign(key, kid, {}, now + 200, { iss: 'https://other.example' }), /iss/],
          ['other audience', await sign(key, kid, {}, now + 200, { aud: 'https://other.example/api' }), /aud/],
          ['not an access token', await sign(key, kid, {}, now + 200, { typ: 'JWT' }), /malformed|typ/],
          ['not a provider token', await sign(key, kid, { role: 'inspector' }, now + 200), /malformed/],
          ['kvk of another provider', await sign(key, kid, { kvk: '87654321' }, now + 200), /does not match/],
          ['garbage', `${h}.${p}`, /unknown or revoked/],
        ];
        for (const [name, token, message] of cases) {
          const res = await app.inject({ url: '/api/v1/records', headers: bearer(token) });
          expect(res.statusCode, name).toBe(401);
          expect(res.json(), name).toMatchObject({ code: 'UNAUTHORIZED', detail: expect.stringMatching(message) });
        }
      });

      it('refuses the tokens of a revoked client', async () => {
        const c = await secretClient(reg.hospital.id);
        const token = await tokenFor(c);
        await revokeClient(reg.db, c.client.id);
        const res = await app.inject({ url: '/api/v1/records', headers: bearer(token) });
        expect(res.statusCode).toBe(401);
        expect(res.json().detail).toMatch(/revoked/);
      });

      it('notices a revocation within the client cache time, and not later', async () => {
        let clock = Date.now();
        const services = await servicesFor(reg.db, undefined, { auth: { secretFile, now: () => clock, clientCacheMs: 5_000 } });
        const app2 = await buildApp(services);
        try {
          const c = await secretClient(reg.hospital.id);
          const res = await tokenRequest(app2, { grant_type: 'client_credentials' }, { authorization: basic(c.client.id, c.secret) });
          const token = res.json().access_token as string;
          expect((await app2.inject({ url: '/api/v1/records', headers: bearer(token) })).statusCode).toBe(200);
          await revokeClient(reg.db, c.client.id);
          clock += 5_001;
          expect((await app2.inject({ url: '/api/v1/records', headers: bearer(token) })).statusCode).toBe(401);
        } finally {
          await app2.close();
        }
      });

      it('yields the provider caller: a client of provider A cannot deliver for provider B', async () => {
        const token = await tokenFor(hospital);
        const own = await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(token), payload: record('OAUTH-1', '12345678') });
        expect(own.statusCode, own.body).toBe(200);
        expect(own.json()).toMatchObject({ status: 'accepted', counts: { created: 1 } });

        const foreign = await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(token), payload: record('OAUTH-2', '87654321') });
        expect(foreign.statusCode).toBe(422);
        expect(foreign.json().errors).toEqual([expect.objectContaining({ code: 'FOREIGN_PROVIDER', pointer: '/providerKvk' })]);

        // the midwife's client does not see the hospital's record
        const id = own.json().items[0].recordId as string;
        expect((await app.inject({ url: `/api/v1/records/${id}`, headers: bearer(token) })).statusCode).toBe(200);
        expect((await app.inject({ url: `/api/v1/records/${id}`, headers: bearer(await tokenFor(midwife)) })).statusCode).toBe(404);
        const deliveries = (await app.inject({ url: '/api/v1/deliveries', headers: bearer(token) })).json();
        expect(deliveries.items.length).toBeGreaterThan(0);
      });

      it('enforces the token scope: read-only tokens cannot deliver', async () => {
        const token = await tokenFor(readOnly);
        expect((await app.inject({ url: '/api/v1/records', headers: bearer(token) })).statusCode).toBe(200);
        const post = await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(token), payload: record('OAUTH-RO', '12345678') });
        expect(post.statusCode).toBe(403);
        expect(post.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
        expect(post.headers['www-authenticate']).toBe('Bearer realm="lir", error="insufficient_scope", scope="system/*.write"');
        const narrowed = await tokenFor(hospital, { scope: 'system/*.read' });
        expect((await app.inject({ method: 'POST', url: '/api/v1/records', headers: bearer(narrowed), payload: record('OAUTH-RO', '12345678') })).statusCode).toBe(403);
      });

      it('still accepts the legacy opaque tokens', async () => {
        const { token } = await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'legacy' });
        expect((await app.inject({ url: '/api/v1/records', headers: bearer(token) })).statusCode).toBe(200);
      });
    });

    describe('rate limits', () => {
      it('answers 429 with Retry-After when a client exceeds its rate', async () => {
        const slow = await secretClient(reg.hospital.id, { ratePerMinute: 3 });
        const token = await tokenFor(slow);
        const codes = [];
        for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/api/v1/records?limit=1', headers: bearer(token) })).statusCode);
        expect(codes).toEqual([200, 200, 200, 429]);
        const res = await app.inject({ url: '/api/v1/records?limit=1', headers: bearer(token) });
        expect(res.statusCode).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(20);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
        // another client is not affected
        expect((await app.inject({ url: '/api/v1/records?limit=1', headers: bearer(await tokenFor(hospital)) })).statusCode).toBe(200);
      });

      it('limits the token endpoint per client', async () => {
        const c = await secretClient(reg.midwife.id, { tokenRatePerMinute: 2 });
        const auth = { authorization: basic(c.client.id, c.secret) };
        expect((await tokenRequest(app, { grant_type: 'client_credentials' }, auth)).statusCode).toBe(200);
        expect((await tokenRequest(app, { grant_type: 'client_credentials' }, auth)).statusCode).toBe(200);
        const third = await tokenRequest(app, { grant_type: 'client_credentials' }, auth);
        expect(third.statusCode).toBe(429);
        expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(third.json()).toMatchObject({ error: 'temporarily_unavailable' });
      });

      it('limits legacy tokens and unknown callers of the token endpoint too', async () => {
        let clock = Date.now();
        const services = await servicesFor(reg.db, undefined, { auth: { secretFile, now: () => clock, legacyTokenRatePerMinute: 2, anonymousTokenRatePerMinute: 2 } });
        const app2 = await buildApp(services);
        try {
          const { token } = await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'legacy' });
          const codes = [];
          for (let i = 0; i < 3; i++) codes.push((await app2.inject({ url: '/api/v1/records?limit=1', headers: bearer(token) })).statusCode);
          expect(codes).toEqual([200, 200, 429]);
          clock += 30_000; // refills one request per 30 s
          expect((await app2.inject({ url: '/api/v1/records?limit=1', headers: bearer(token) })).statusCode).toBe(200);
          const unknown = [];
          for (let i = 0; i < 3; i++) unknown.push((await tokenRequest(app2, { grant_type: 'client_credentials', client_id: randomUUID(), client_secret: 'guess' })).statusCode);
          expect(unknown).toEqual([401, 401, 429]);
        } finally {
          await app2.close();
        }
      });
    });

    it('keeps the signing key out of the database and client secrets only as scrypt hashes', async () => {
      const key = JSON.parse(readFileSync(secretFile, 'utf8')) as { current: { d: string } };
      const tables = await reg.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
      expect(tables.map((t) => t.table_name)).toContain('oauth_clients');
      for (const { table_name } of tables) {
        const rows = await reg.db.query<{ t: string }>(`SELECT t::text AS t FROM ${table_name} t`);
        const dump = rows.map((r) => r.t).join('\n');
        expect(dump, table_name).not.toContain(key.current.d);
        for (const s of [hospital.secret, midwife.secret, readOnly.secret]) expect(dump, table_name).not.toContain(s);
      }
      const [row] = await reg.db.query<{ secret_hash: string }>('SELECT secret_hash FROM oauth_clients WHERE id = $1', [hospital.client.id]);
      expect(row!.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    });
  });
}
