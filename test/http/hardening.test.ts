// Defaults every route gets (issue 5, part 6): security headers, a body-size limit, a rate limit
// per network address; and no password, session cookie or CSRF token in the logs. Routes come from
// Fastify itself, so a new route is covered without editing this file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { useTempSecretFile } from '../auth/helpers.js';
import { listRoutes } from '../access/route-list.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { SMALL_BODY_LIMIT } from '../../src/http/plugins/hardening.js';
import { safeUrl } from '../../src/http/plugins/request-log.js';

useTempSecretFile();

/** Delivery routes: the server's large limit (bulk Bundles, record batches). */
const LARGE = new Set(['POST /api/v1/records', 'POST /fhir/R4', 'POST /fhir/R4/', 'POST /fhir/R4/$deliver-bundles', 'POST /fhir/R4/:operation']);
const FORM_ROUTES = /^POST \/(login|logout|oauth\/token)/;
const concrete = (path: string) => path.replace(/:udiDi/g, '08712345000011').replace(/:operation/g, '%24deliver-bundles').replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*$/, 'x.css');

describe('safeUrl (what the request log keeps of a URL)', () => {
  it.each([
    ['/api/v1/records?udiDi=111222333&providerKvk=1', '/api/v1/records?udiDi=…&providerKvk=…'],
    ['/api/v1/records/14-03-1987', '/api/v1/records/…'],
    ['/fhir/R4/Patient/111222333/_history', '/fhir/R4/Patient/…/_history'],
    ['/api/v1/records/5b1c0e0a-3f7e-4c52-9b1e-2a7a1c2f9d10/history', '/api/v1/records/5b1c0e0a-3f7e-4c52-9b1e-2a7a1c2f9d10/history'],
    ['/fhir/R4/%24deliver-bundles', '/fhir/R4/%24deliver-bundles'],
    ['/login?next=%2Fportal%3Fx%3D1&Maria%20de%20Vries=1', '/login?next=…&…=…'],
  ])('%s → %s', (url, logged) => {
    expect(safeUrl(url)).toBe(logged);
  });
});

for (const database of DATABASES) describe(`hardening on ${database.name}`, () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  let token: string;
  const { stream, lines } = captureLogs();

  beforeAll(async () => {
    reg = await testRegister(database);
    app = await buildApp(reg.services, { logger: { level: 'trace', stream } });
    token = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token;
  });
  afterAll(async () => {
    await app?.close();
    await reg?.close();
  });

  it('sends the security headers on every route, whatever the answer', async () => {
    const routes = listRoutes(app);
    expect(routes.length).toBeGreaterThan(60);
    for (const route of routes) {
      const [method, path] = route.split(' ') as ['GET' | 'POST', string];
      for (const auth of [{}, { authorization: `Bearer ${token}` }]) {
        const res = await app.inject({ method, url: concrete(path), headers: auth });
        const where = `${route} → ${res.statusCode}`;
        expect(res.statusCode, where).toBeLessThan(500);
        expect(res.headers['x-content-type-options'], where).toBe('nosniff');
        expect(res.headers['x-frame-options'], where).toBe('DENY');
        expect(res.headers['strict-transport-security'], where).toMatch(/max-age=\d{8}/);
        expect(res.headers['referrer-policy'], where).toBe('same-origin');
        expect(res.headers['content-security-policy'], where).toMatch(/default-src 'none'|default-src 'self'/);
        expect(res.headers['cross-origin-opener-policy'], where).toBe('same-origin');
      }
    }
  });

  it(`refuses a body over ${SMALL_BODY_LIMIT} bytes on every route but deliveries, with 413 and a clear error`, async () => {
    const posts = listRoutes(app).filter((r) => r.startsWith('POST '));
    expect(posts.length).toBeGreaterThan(15);
    const big = 'a'.repeat(SMALL_BODY_LIMIT + 1024);
    for (const route of posts) {
      const path = concrete(route.slice(5));
      const form = FORM_ROUTES.test(route);
      const res = await app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${token}`, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
        payload: form ? `x=${big}` : JSON.stringify({ x: big }),
      });
      const where = `${route} → ${res.statusCode} ${res.body.slice(0, 200)}`;
      expect(res.statusCode, where).toBeLessThan(500);
      if (LARGE.has(route)) {
        expect(res.statusCode, where).not.toBe(413);
      } else {
        expect(res.statusCode, where).toBe(413);
        expect(res.body, where).toMatch(/larger than/i);
      }
    }
  });

  it('limits requests per network address over all routes; X-Forwarded-For is not trusted unless configured', async () => {
    const limited = await buildApp(reg.services, { addressRatePerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.inject({ method: 'GET', url: i % 2 ? '/healthz' : '/api/v1/openapi.json', remoteAddress: '192.0.2.7', headers: { 'x-forwarded-for': `198.51.100.${i}` } });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.headers['retry-after']).toMatch(/^\d+$/);
          expect(res.headers['content-type']).toContain('application/problem+json');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // another address has its own allowance
      expect((await limited.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.8' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('never logs a password, a session cookie, or a CSRF token', async () => {
    const password = 'Geheim wachtwoord 4 de test';
    await createUser(reg.db, { username: 'log.test', role: 'provider', providerId: reg.hospital.id, password, createdBy: 'test' });
    const page = await app.inject({ method: 'GET', url: '/login' });
    const loginCookie = /__Host-lir-login=([^;]+)/.exec(String(page.headers['set-cookie']))![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const wrong = await app.inject({ method: 'POST', url: '/login', headers: { cookie: `__Host-lir-login=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, username: 'log.test', password: password + 'x' }).toString() });
    expect(wrong.statusCode).toBe(401);
    const page2 = await app.inject({ method: 'GET', url: '/login' });
    const loginCookie2 = /__Host-lir-login=([^;]+)/.exec(String(page2.headers['set-cookie']))![1]!;
    const csrf2 = /name="_csrf" value="([^"]+)"/.exec(page2.body)![1]!;
    const res = await app.inject({ method: 'POST', url: '/login', headers: { cookie: `__Host-lir-login=${loginCookie2}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf2, username: 'log.test', password }).toString() });
    expect(res.statusCode).toBe(303);
    const session = /__Host-lir-session=([^;]+)/.exec(([] as string[]).concat(res.headers['set-cookie'] as string[]).join('\n'))![1]!;
    const home = await app.inject({ method: 'GET', url: '/portal', headers: { cookie: `__Host-lir-session=${session}` } });
    const sessionCsrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;
    await app.inject({ method: 'POST', url: '/api/v1/udi/parse', headers: { cookie: `__Host-lir-session=${session}`, 'x-csrf-token': sessionCsrf }, payload: { scan: '(01)08712345000011' } });
    await app.inject({ method: 'GET', url: `/api/v1/me?token=${session}`, headers: { cookie: `__Host-lir-session=${session}` } });
    const log = lines.join('');
    expect(log).toContain('sign-in refused');
    expect(log).toContain('"url":"/api/v1/me?token=…"');
    for (const secret of [password, password + 'x', loginCookie, loginCookie2, csrf, csrf2, session, sessionCsrf]) expect(log).not.toContain(secret);
  });
});
