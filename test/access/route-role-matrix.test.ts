// Issue 5 part 3: every route × every caller, allowed or denied (DESIGN §1). The routes are read
// from Fastify itself, so a new route fails this test until its policy is written down here.
// Another provider's record or delivery answers 404 with the same body as a truly missing id.
// Callers come by every way in: legacy bearer token, OAuth access token, and a portal session
// cookie (with its CSRF token on API writes) for people — manufacturer, association and log
// manager sign in only that way.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { basic, tokenRequest, useTempSecretFile } from '../auth/helpers.js';
import { listRoutes } from './route-list.js';
import { patientIdOf } from '../../src/http/fhir/model.js';
import { createUser } from '../../src/auth/users.js';
import { startSession } from '../../src/auth/sessions.js';
import { SESSION_COOKIE } from '../../src/http/portal/cookies.js';

useTempSecretFile();
const ttpDir = mkdtempSync(join(tmpdir(), 'lir-access-ttp-'));
process.env.LIR_TTP_KEY_FILE = join(ttpDir, 'ttp-key.json');
process.env.LIR_TTP_AUDIT_FILE = join(ttpDir, 'ttp-audit.jsonl');

const CALLERS = ['anonymous', 'providerA', 'providerA-oauth', 'providerA-session', 'providerB', 'inspector', 'registry-admin', 'manufacturer', 'association', 'log-manager'] as const;
const SESSION_CALLERS = ['providerA-session', 'manufacturer', 'association', 'log-manager'] as const;
type SessionCaller = (typeof SESSION_CALLERS)[number];
const isSessionCaller = (c: CallerName): c is SessionCaller => (SESSION_CALLERS as readonly string[]).includes(c);
type CallerName = (typeof CALLERS)[number];

/**
 * allow: 2xx, or a 4xx that is about the input, not access (400, 404 of a truly unknown thing, 409, 422).
 * hidden-404: another provider's object; 404 with the body a missing id gets.
 */
type Outcome = 'allow' | 'deny-401' | 'deny-403' | 'hidden-404';
const everyone = (o: Outcome): Record<CallerName, Outcome> => Object.fromEntries(CALLERS.map((c) => [c, o])) as Record<CallerName, Outcome>;
const PUBLIC = everyone('allow');

interface Ctx {
  recordA: string;
  patientA: string;
  recordB: string;
  deliveryA: string;
  certificateId: string;
  client: { id: string; secret: string };
}
interface Req {
  url: string;
  /** The same request on an id that does not exist (for hidden-404 comparisons). */
  missingUrl?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}
interface Row {
  route: string; // "METHOD /path" as Fastify knows it
  request: (c: Ctx, who: CallerName) => Req;
  expect: Record<CallerName, Outcome>;
  /** Where the code departs from DESIGN §1, and why it is kept (reported on issue 5). */
  note?: string;
}

/**
 * Shorthand: the expectation for anonymous, provider A (token), provider A (OAuth), provider B,
 * inspector, registry-admin; provider A by portal session gets what provider A gets; manufacturer,
 * association and log-manager are denied (403) unless `more` says otherwise.
 */
const ex = (anon: Outcome, pA: Outcome, pAo: Outcome, pB: Outcome, insp: Outcome, admin: Outcome, more: Partial<Record<CallerName, Outcome>> = {}): Record<CallerName, Outcome> => ({
  anonymous: anon, providerA: pA, 'providerA-oauth': pAo, 'providerA-session': pA, providerB: pB, inspector: insp, 'registry-admin': admin,
  manufacturer: 'deny-403', association: 'deny-403', 'log-manager': 'deny-403', ...more,
});
/** Reference data (catalogue, implant types, UDI parsing, who am I): every signed-in role. */
const EVERY_ROLE = { manufacturer: 'allow', association: 'allow', 'log-manager': 'allow' } as const;
const A = 'allow', D1 = 'deny-401', D3 = 'deny-403', H = 'hidden-404';

const record = (ref: string, kvk: string, udiDi: string) => ({ providerKvk: kvk, providerRecordRef: ref, udiDi, lot: 'LOT-1', implantDate: '2026-06-01' });
const fhirRead = (type: string): Row[] => [
  { route: `GET /fhir/R4/${type}`, request: () => ({ url: `/fhir/R4/${type}` }), expect: ex(D1, A, A, A, A, D3) },
  { route: `GET /fhir/R4/${type}/:id`, request: (c) => ({ url: `/fhir/R4/${type}/${c.recordA}`, missingUrl: `/fhir/R4/${type}/${randomUUID()}` }), expect: ex(D1, A, A, H, A, D3) },
  { route: `GET /fhir/R4/${type}/:id/_history`, request: (c) => ({ url: `/fhir/R4/${type}/${c.recordA}/_history`, missingUrl: `/fhir/R4/${type}/${randomUUID()}/_history` }), expect: ex(D1, A, A, H, A, D3) },
  { route: `GET /fhir/R4/${type}/:id/_history/:vid`, request: (c) => ({ url: `/fhir/R4/${type}/${c.recordA}/_history/1`, missingUrl: `/fhir/R4/${type}/${randomUUID()}/_history/1` }), expect: ex(D1, A, A, H, A, D3) },
];

const MATRIX: Row[] = [
  // public
  { route: 'GET /', request: () => ({ url: '/' }), expect: PUBLIC },
  { route: 'GET /healthz', request: () => ({ url: '/healthz' }), expect: PUBLIC },
  { route: 'GET /api/docs', request: () => ({ url: '/api/docs' }), expect: PUBLIC },
  { route: 'GET /api/docs/', request: () => ({ url: '/api/docs/' }), expect: PUBLIC },
  { route: 'GET /api/docs/static/index.html', request: () => ({ url: '/api/docs/static/index.html' }), expect: PUBLIC },
  { route: 'GET /api/docs/static/swagger-initializer.js', request: () => ({ url: '/api/docs/static/swagger-initializer.js' }), expect: PUBLIC },
  { route: 'GET /api/docs/static/*', request: () => ({ url: '/api/docs/static/swagger-ui.css' }), expect: PUBLIC },
  { route: 'GET /api/docs/json', request: () => ({ url: '/api/docs/json' }), expect: PUBLIC },
  { route: 'GET /api/docs/yaml', request: () => ({ url: '/api/docs/yaml' }), expect: PUBLIC },
  { route: 'GET /api/v1/openapi.json', request: () => ({ url: '/api/v1/openapi.json' }), expect: PUBLIC },
  { route: 'GET /fhir/R4/metadata', request: () => ({ url: '/fhir/R4/metadata' }), expect: PUBLIC },
  { route: 'GET /oauth/jwks.json', request: () => ({ url: '/oauth/jwks.json' }), expect: PUBLIC },
  {
    // public: the client authenticates with its own credentials, not a bearer token
    route: 'POST /oauth/token',
    request: (c) => ({
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c.client.id, c.client.secret) },
      payload: 'grant_type=client_credentials',
    }),
    expect: PUBLIC,
  },

  // records and receipts: the provider's own; the inspector everything; the administrator no contents
  { route: 'POST /api/v1/records', request: (_c, who) => ({ url: '/api/v1/records', payload: record(`M-${randomUUID()}`, who === 'providerB' ? '87654321' : '12345678', COPPER_IUD) }), expect: ex(D1, A, A, A, D3, D3) },
  { route: 'GET /api/v1/records', request: () => ({ url: '/api/v1/records' }), expect: ex(D1, A, A, A, A, D3) },
  { route: 'GET /api/v1/records/:id', request: (c) => ({ url: `/api/v1/records/${c.recordA}`, missingUrl: `/api/v1/records/${randomUUID()}` }), expect: ex(D1, A, A, H, A, D3) },
  { route: 'GET /api/v1/records/:id/history', request: (c) => ({ url: `/api/v1/records/${c.recordA}/history`, missingUrl: `/api/v1/records/${randomUUID()}/history` }), expect: ex(D1, A, A, H, A, D3) },
  { route: 'GET /api/v1/deliveries', request: () => ({ url: '/api/v1/deliveries' }), expect: ex(D1, A, A, A, A, A) },
  { route: 'GET /api/v1/deliveries/:id', note: 'registry-admin reads receipts as delivery statistics (records-repository deliveryScope); the issues list carries providerRecordRef and record ids, see the report on issue 5', request: (c) => ({ url: `/api/v1/deliveries/${c.deliveryA}`, missingUrl: `/api/v1/deliveries/${randomUUID()}` }), expect: ex(D1, A, A, H, A, A) },

  // queries: the inspector
  { route: 'POST /api/v1/queries/affected-population', request: () => ({ url: '/api/v1/queries/affected-population', payload: { udiDi: [COPPER_IUD] } }), expect: ex(D1, D3, D3, D3, A, D3) },
  { route: 'GET /api/v1/queries/implanted-while-suspended', request: () => ({ url: '/api/v1/queries/implanted-while-suspended' }), expect: ex(D1, D3, D3, D3, A, D3) },

  // certificates: registry-admin records, inspector and registry-admin read; status by both
  {
    route: 'POST /api/v1/certificates',
    request: () => ({
      url: '/api/v1/certificates',
      payload: { udiDis: [HIP_CUP], nbNumber: '0344', nbName: 'DEKRA', certificateNumber: `C-${randomUUID().slice(0, 8)}`, certificateVersion: '1', validFrom: '2024-01-01', validUntil: '2029-01-01' },
    }),
    expect: ex(D1, D3, D3, D3, D3, A),
  },
  { route: 'POST /api/v1/certificates/:id/status', note: 'inspector may record a status change as well as registry-admin (docs/certificates-and-recalls.md)', request: (c) => ({ url: `/api/v1/certificates/${c.certificateId}/status`, payload: { status: 'valid', effectiveFrom: '2024-01-01' } }), expect: ex(D1, D3, D3, D3, A, A) },
  { route: 'GET /api/v1/certificates', request: () => ({ url: `/api/v1/certificates?udiDi=${COPPER_IUD}` }), expect: ex(D1, D3, D3, D3, A, A) },

  // recalls: inspector and registry-admin record and read; a provider reads those concerning its implants
  {
    route: 'POST /api/v1/recalls',
    request: () => ({ url: '/api/v1/recalls', payload: { reference: `FSCA-${randomUUID().slice(0, 8)}`, kind: 'recall', udiDi: HIP_CUP, issuedOn: '2026-05-01', allUnits: true } }),
    expect: ex(D1, D3, D3, D3, A, A),
  },
  { route: 'GET /api/v1/recalls', note: 'registry-admin reads and records recalls: catalogue data, no record content (docs/certificates-and-recalls.md)', request: () => ({ url: '/api/v1/recalls' }), expect: ex(D1, A, A, A, A, A) },

  // reference data, catalogue, UDI
  { route: 'GET /api/v1/implant-types', request: () => ({ url: '/api/v1/implant-types' }), expect: ex(D1, A, A, A, A, A, EVERY_ROLE) },
  { route: 'GET /api/v1/devices/:udiDi', request: () => ({ url: `/api/v1/devices/${COPPER_IUD}` }), expect: ex(D1, A, A, A, A, A, EVERY_ROLE) },
  { route: 'GET /api/v1/devices/:udiDi/history', request: () => ({ url: `/api/v1/devices/${COPPER_IUD}/history` }), expect: ex(D1, A, A, A, A, A, EVERY_ROLE) },
  { route: 'GET /api/v1/catalogue/unresolved', request: () => ({ url: '/api/v1/catalogue/unresolved' }), expect: ex(D1, D3, D3, D3, A, A) },
  { route: 'GET /api/v1/providers', request: () => ({ url: '/api/v1/providers' }), expect: ex(D1, D3, D3, D3, A, A) },
  { route: 'GET /api/v1/me', request: () => ({ url: '/api/v1/me' }), expect: ex(D1, A, A, A, A, A, EVERY_ROLE) },
  { route: 'POST /api/v1/udi/parse', request: () => ({ url: '/api/v1/udi/parse', payload: { scan: `(01)${COPPER_IUD}(10)LOT-1` } }), expect: ex(D1, A, A, A, A, A, EVERY_ROLE) },

  // the audit log: the log manager only (the inspectorate's own reads are in it)
  { route: 'GET /api/v1/audit-events', request: () => ({ url: '/api/v1/audit-events' }), expect: ex(D1, D3, D3, D3, D3, D3, { 'log-manager': A }) },
  { route: 'GET /api/v1/audit-verification', request: () => ({ url: '/api/v1/audit-verification' }), expect: ex(D1, D3, D3, D3, D3, D3, { 'log-manager': A }) },

  // aggregates: associations (suppressed) and the inspectorate
  { route: 'GET /api/v1/reports/implantations', request: () => ({ url: '/api/v1/reports/implantations?by=region' }), expect: ex(D1, D3, D3, D3, A, D3, { association: A }) },

  // the portal's sign-in: pages are public; every form POST needs its CSRF token (none is sent here)
  { route: 'GET /login', request: () => ({ url: '/login' }), expect: PUBLIC },
  { route: 'GET /portal/portal.css', request: () => ({ url: '/portal/portal.css' }), expect: PUBLIC },
  { route: 'GET /portal', note: 'without a session: a redirect to /login', request: () => ({ url: '/portal' }), expect: PUBLIC },
  { route: 'GET /login/code', note: 'without a pending sign-in: a redirect to /login', request: () => ({ url: '/login/code' }), expect: PUBLIC },
  { route: 'GET /login/enrol', note: 'without a pending sign-in: a redirect to /login', request: () => ({ url: '/login/enrol' }), expect: PUBLIC },
  { route: 'POST /login', request: () => ({ url: '/login', payload: 'username=x&password=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), expect: everyone(D3) },
  { route: 'POST /login/code', note: 'without a pending sign-in: a redirect to /login', request: () => ({ url: '/login/code', payload: 'code=123456', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), expect: PUBLIC },
  { route: 'POST /login/enrol', note: 'without a pending sign-in: a redirect to /login', request: () => ({ url: '/login/enrol', payload: 'code=123456', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), expect: PUBLIC },
  {
    route: 'POST /logout',
    note: 'a session is not ended without the form’s CSRF token; without a session it is a redirect',
    request: () => ({ url: '/logout', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    expect: { ...PUBLIC, ...Object.fromEntries(SESSION_CALLERS.map((c) => [c, D3])) },
  },

  // TTP: care providers only
  { route: 'POST /ttp/v1/pseudonyms', request: () => ({ url: '/ttp/v1/pseudonyms', payload: { bsn: '111222333' } }), expect: ex(D1, A, A, A, D3, D3) },
  { route: 'POST /ttp/v1/pseudonyms/batch', request: () => ({ url: '/ttp/v1/pseudonyms/batch', payload: { bsns: ['111222333'] } }), expect: ex(D1, A, A, A, D3, D3) },
  { route: 'POST /ttp/v1/pseudonyms/rekey', note: 'any provider client may ask for old→new pseudonyms of BSNs it sends (docs/ttp.md); 409 NO_PREVIOUS_KEY before a rotation counts as allowed', request: () => ({ url: '/ttp/v1/pseudonyms/rekey', payload: { bsns: ['111222333'] } }), expect: ex(D1, A, A, A, D3, D3) },

  // FHIR: delivery by providers; read-back of the provider's own resources, the inspector all
  { route: 'POST /fhir/R4', request: () => ({ url: '/fhir/R4', payload: { resourceType: 'Bundle', type: 'batch', entry: [] } }), expect: ex(D1, A, A, A, D3, D3) },
  { route: 'POST /fhir/R4/', request: () => ({ url: '/fhir/R4/', payload: { resourceType: 'Bundle', type: 'batch', entry: [] } }), expect: ex(D1, A, A, A, D3, D3) },
  {
    route: 'POST /fhir/R4/$deliver-bundles',
    request: () => ({ url: '/fhir/R4/$deliver-bundles', payload: '', headers: { 'content-type': 'application/fhir+ndjson' } }),
    expect: ex(D1, A, A, A, D3, D3),
  },
  {
    route: 'POST /fhir/R4/:operation',
    request: () => ({ url: '/fhir/R4/%24deliver-bundles', payload: '', headers: { 'content-type': 'application/fhir+ndjson' } }),
    expect: ex(D1, A, A, A, D3, D3),
  },
  ...fhirRead('DeviceUseStatement'),
  ...fhirRead('Device'),
  ...fhirRead('Procedure'),
  { route: 'GET /fhir/R4/Patient/:id', request: (c) => ({ url: `/fhir/R4/Patient/${c.patientA}`, missingUrl: `/fhir/R4/Patient/p${randomBytes(20).toString('hex')}` }), expect: ex(D1, A, A, H, A, D3) },
];

describe('listRoutes (the guard that every route has a row)', () => {
  it('finds nested, prefixed, parametric and wildcard routes, and leaves out the automatic HEAD', async () => {
    const app = Fastify();
    app.get('/', async () => 'x');
    await app.register(async (api) => {
      api.get('/records', async () => []);
      api.post('/records', async () => []);
      api.get('/records/:id', async () => ({}));
      api.get('/records/:id/history', async () => ({}));
      api.get('/docs/static/a.js', async () => '');
      api.get('/docs/static/*', async () => '');
      api.get('/docs/*', async () => '');
    }, { prefix: '/api/v1' });
    await app.register(async (f) => { f.post('/', async () => ({})); f.get('/Device', async () => ({})); f.get('/DeviceUseStatement/:id', async () => ({})); }, { prefix: '/fhir/R4' });
    await app.ready();
    expect(listRoutes(app)).toEqual([
      'GET /', 'GET /api/v1/docs/*', 'GET /api/v1/docs/static/*', 'GET /api/v1/docs/static/a.js', 'GET /api/v1/records', 'GET /api/v1/records/:id', 'GET /api/v1/records/:id/history',
      'GET /fhir/R4/Device', 'GET /fhir/R4/DeviceUseStatement/:id', 'POST /api/v1/records', 'POST /fhir/R4', 'POST /fhir/R4/',
    ].sort());
    await app.close();
  });
});

// The policy lives in code, not SQL, but the matrix is cheap: run it on every test database.
for (const database of DATABASES) describe(`route × role access matrix on ${database.name}`, () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  let ctx: Ctx;
  const tokens = {} as Record<Exclude<CallerName, 'anonymous' | SessionCaller>, string>;
  const sessions = {} as Record<SessionCaller, { cookie: string; csrf: string }>;

  const credentials = (who: CallerName, method: string): Record<string, string> => {
    if (who === 'anonymous') return {};
    if (isSessionCaller(who)) {
      const s = sessions[who];
      return { cookie: `${SESSION_COOKIE}=${s.cookie}`, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }) };
    }
    return { authorization: `Bearer ${tokens[who]}` };
  };
  const send = (who: CallerName, method: string, r: Req) =>
    app.inject({
      method: method as 'GET',
      url: r.url,
      headers: { ...credentials(who, method), ...(r.headers ?? {}) },
      ...(r.payload !== undefined ? { payload: r.payload as string } : {}),
    });

  beforeAll(async () => {
    reg = await testRegister(database);
    app = await buildApp(reg.services);
    tokens.providerA = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'matrix' })).token;
    tokens.providerB = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 'matrix' })).token;
    tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 'matrix' })).token;
    tokens['registry-admin'] = (await createToken(reg.db, { role: 'registry-admin', label: 'matrix' })).token;
    const c = await createClient(reg.db, { providerId: reg.hospital.id });
    const client = { id: c.client.id, secret: c.secret! };
    const tok = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret) });
    expect(tok.statusCode, tok.body).toBe(200);
    tokens['providerA-oauth'] = tok.json().access_token as string;
    const person = async (who: SessionCaller, role: string, extra: { providerId?: string; organisation?: string } = {}) => {
      const user = await createUser(reg.db, { username: `matrix-${who}`, role, password: 'correct horse battery staple', createdBy: 'test', ...extra });
      const started = await startSession(reg.db, user.id, 'active');
      sessions[who] = { cookie: started.cookieValue, csrf: started.session.csrfToken };
    };
    await person('providerA-session', 'provider', { providerId: reg.hospital.id });
    await person('manufacturer', 'manufacturer', { organisation: 'Cuprum Medical' });
    await person('association', 'association', { organisation: 'NVOG' });
    await person('log-manager', 'log-manager');

    const deliver = async (who: CallerName, body: unknown) => {
      const res = await send(who, 'POST', { url: '/api/v1/records', payload: body });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { deliveryIds: string[]; items: { recordId?: string }[] };
    };
    const ttp = await send('providerA', 'POST', { url: '/ttp/v1/pseudonyms', payload: { bsn: '111222333' } });
    expect(ttp.statusCode, ttp.body).toBe(200);
    const pseudonym = ttp.json().pseudonym as string;
    const a = await deliver('providerA', { ...record('A-1', '12345678', COPPER_IUD), patientPseudonym: pseudonym });
    const b = await deliver('providerB', record('B-1', '87654321', HIP_CUP));
    const idOf = (r: { items: { recordId?: string }[] }) => r.items[0]!.recordId!;
    const cert = await send('registry-admin', 'POST', {
      url: '/api/v1/certificates',
      payload: { udiDis: [COPPER_IUD], nbNumber: '0344', nbName: 'DEKRA', certificateNumber: 'C-A', certificateVersion: '1', validFrom: '2024-01-01', validUntil: '2029-01-01' },
    });
    expect(cert.statusCode, cert.body).toBe(201);
    const recall = await send('inspector', 'POST', { url: '/api/v1/recalls', payload: { reference: 'FSCA-A', kind: 'recall', udiDi: COPPER_IUD, issuedOn: '2026-06-10', lots: ['LOT-1'] } });
    expect(recall.statusCode, recall.body).toBe(201);
    ctx = { recordA: idOf(a), patientA: patientIdOf(pseudonym), recordB: idOf(b), deliveryA: a.deliveryIds[0]!, certificateId: cert.json().id as string, client };
  });
  afterAll(async () => {
    await app?.close();
    await reg?.close();
  });

  it('scopes lists: provider B sees none of A’s records, receipts or recalls, whatever it asks for', async () => {
    const get = async (who: CallerName, url: string) => {
      const res = await send(who, 'GET', { url });
      expect(res.statusCode, res.body).toBe(200);
      return res.body;
    };
    for (const url of ['/api/v1/records', '/api/v1/records?providerKvk=12345678', `/api/v1/records?udiDi=${COPPER_IUD}`, '/api/v1/deliveries', '/fhir/R4/DeviceUseStatement', '/api/v1/recalls']) {
      const body = await get('providerB', url);
      expect(body, url).not.toContain(ctx.recordA);
      expect(body, url).not.toContain(ctx.deliveryA);
      expect(body, url).not.toContain('FSCA-A');
    }
    // B cannot deliver in A's name: rejected, nothing stored
    const forged = await send('providerB', 'POST', { url: '/api/v1/records', payload: record('B-as-A', '12345678', COPPER_IUD) });
    expect(forged.statusCode, forged.body).toBe(422);
    expect(forged.json()).toMatchObject({ code: 'DELIVERY_REJECTED', receipt: { counts: { created: 0 } } });
    expect(await get('inspector', '/api/v1/records')).not.toContain('B-as-A');
    // and A sees its own, the recall concerning its implants included
    expect(await get('providerA', '/api/v1/records')).toContain(ctx.recordA);
    expect(await get('providerA', '/api/v1/deliveries')).toContain(ctx.deliveryA);
    expect(await get('providerA', '/api/v1/recalls')).toContain('FSCA-A');
  });

  it('covers every route the app serves, and nothing else', async () => {
    const served = listRoutes(app);
    // printRoutes is a display format: check that every parsed route is one Fastify really serves
    for (const r of served) {
      const [method, url] = r.split(' ') as [string, string];
      expect(app.hasRoute({ method: method as 'GET', url }), `listRoutes misread ${r}`).toBe(true);
    }
    const covered = MATRIX.map((r) => r.route);
    expect(new Set(covered).size, 'a route is listed twice').toBe(covered.length);
    expect(served.filter((r) => !covered.includes(r)), 'routes without an access policy in MATRIX').toEqual([]);
    expect(covered.filter((r) => !served.includes(r)), 'MATRIX rows for routes that no longer exist').toEqual([]);
    console.log(`access matrix: ${served.length} routes × ${CALLERS.length} callers = ${served.length * CALLERS.length} cases`);
  });

  for (const row of MATRIX) {
    for (const who of CALLERS) {
      const outcome = row.expect[who];
      it(`${row.route} as ${who}: ${outcome}`, async () => {
        const method = row.route.split(' ')[0]!;
        const req = row.request(ctx, who);
        const res = await send(who, method, req);
        const where = `${row.route} as ${who} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        if (process.env.MATRIX_DEBUG) console.log(`MATRIX ${row.route} ${who} ${res.statusCode}`);
        switch (outcome) {
          case 'allow':
            expect(res.statusCode, where).toBeLessThan(500);
            expect([401, 403, 429], where).not.toContain(res.statusCode);
            if (res.statusCode === 404) expect(row.route, where).toMatch(/\/oauth|\/devices/); // only a truly unknown thing may be missing
            break;
          case 'deny-401':
            expect(res.statusCode, where).toBe(401);
            break;
          case 'deny-403':
            expect(res.statusCode, where).toBe(403);
            break;
          case 'hidden-404': {
            expect(res.statusCode, where).toBe(404);
            const missing = await send(who, method, { ...req, url: req.missingUrl! });
            expect(missing.statusCode).toBe(404);
            const strip = (s: string) => s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|p[0-9a-f]{40}/g, '<id>');
            expect(res.headers['content-type']).toBe(missing.headers['content-type']);
            expect(strip(res.body), 'another provider’s object must look exactly like a missing one').toBe(strip(missing.body));
            break;
          }
        }
      });
    }
  }
});
