// Sign-in to the portal over real HTTP handling (inject): passwords, TOTP enrolment and codes,
// session cookies, CSRF, lockout, timeouts; and that a session carries its user's role into the API.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { useTempSecretFile } from './helpers.js';
import { buildApp } from '../../src/http/app.js';
import { createUser, disableUser, LOCKOUT_MINUTES, MAX_FAILED_ATTEMPTS, resetTotp, unlockUser } from '../../src/auth/users.js';
import { base32Decode, totp } from '../../src/auth/totp.js';
import { IDLE_SESSION_MINUTES, MAX_SESSION_HOURS } from '../../src/auth/sessions.js';
import { LOGIN_RATE_PER_MINUTE } from '../../src/http/portal/login-routes.js';

useTempSecretFile();
const PASSWORD = 'Zeer-geheim wachtwoord 2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A browser in miniature: a cookie jar (honouring Max-Age=0) over inject. */
class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}
  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async request(method: 'GET' | 'POST', url: string, opts: { form?: Record<string, string>; headers?: Record<string, string>; payload?: unknown } = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...(this.jar.size ? { cookie: this.cookieHeader } : {}), ...(opts.form ? FORM : {}), ...(opts.headers ?? {}) },
      ...(opts.form ? { payload: new URLSearchParams(opts.form).toString() } : opts.payload !== undefined ? { payload: opts.payload as string } : {}),
    });
    const set = res.headers['set-cookie'];
    for (const c of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair] = c.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (/Max-Age=0/.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
  static csrf(html: string): string {
    return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }
  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    const page = await this.request('GET', '/login');
    return this.request('POST', '/login', { form: { _csrf: Browser.csrf(page.body), username, password } });
  }
}

for (const database of DATABASES) describe(`portal sign-in on ${database.name}`, () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  let clock = Date.parse('2026-06-15T10:00:00Z');
  const at = () => new Date(clock);
  const advance = (ms: number) => (clock += ms);

  beforeAll(async () => {
    reg = await testRegister(database, () => new Date(clock), { auth: { now: () => clock } });
    app = await buildApp(reg.services);
    await createUser(reg.db, { username: 'zh.medewerker', role: 'provider', providerId: reg.hospital.id, password: PASSWORD, createdBy: 'test' }, at());
    await createUser(reg.db, { username: 'v.de.inspecteur@igj.nl', role: 'inspector', password: PASSWORD, createdBy: 'test' }, at());
    await createUser(reg.db, { username: 'logbeheer', role: 'log-manager', password: PASSWORD, createdBy: 'test' }, at());
  });
  afterAll(async () => {
    await app?.close();
    await reg?.close();
  });
  // every test starts in a new minute window of the per-address limit, unlocked
  beforeEach(async () => {
    advance(120_000);
    for (const u of ['zh.medewerker', 'v.de.inspecteur@igj.nl', 'logbeheer']) await unlockUser(reg.db, u);
  });

  it('signs a provider in with a password: secure session cookie, home page, API as that provider', async () => {
    const b = new Browser(app);
    const page = await b.request('GET', '/login');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(String(page.headers['set-cookie'])).toMatch(/^__Host-lir-login=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=600$/);
    const res = await b.request('POST', '/login', { form: { _csrf: Browser.csrf(page.body), username: 'ZH.Medewerker', password: PASSWORD } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/portal');
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
    expect(setCookies.find((c) => c.startsWith('__Host-lir-session='))).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const home = await b.request('GET', '/portal');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Signed in as <strong>zh.medewerker</strong>');

    const me = await b.request('GET', '/api/v1/me');
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ role: 'provider', providerKvk: '12345678' });
    // a read needs no CSRF token; a write does, and from this site
    const record = { providerKvk: '12345678', providerRecordRef: 'PORTAL-1', udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-06-01' };
    const noToken = await b.request('POST', '/api/v1/records', { payload: record, headers: { 'content-type': 'application/json' } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ code: 'CSRF_REJECTED' });
    const csrf = Browser.csrf(home.body);
    const crossSite = await b.request('POST', '/api/v1/records', { payload: record, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    const ok = await b.request('POST', '/api/v1/records', { payload: record, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, origin: 'http://localhost:80' } });
    expect(ok.statusCode, ok.body).toBe(200);
    const stored = await reg.db.query<{ n: number }>("SELECT count(*)::int AS n FROM records WHERE provider_record_ref = 'PORTAL-1'");
    expect(stored[0]!.n).toBe(1);
    // the delivery is logged under the person
    const [entry] = await reg.db.query<{ user_id: string }>("SELECT user_id FROM audit_log WHERE event_code = 'delivery' ORDER BY seq DESC LIMIT 1");
    expect(entry!.user_id).toBe('user:zh.medewerker');
  });

  it('refuses a sign-in form that was not ours: no token, a wrong token, or posted from another site', async () => {
    const b = new Browser(app);
    const page = await b.request('GET', '/login');
    const token = Browser.csrf(page.body);
    expect((await b.request('POST', '/login', { form: { username: 'zh.medewerker', password: PASSWORD } })).statusCode).toBe(403);
    expect((await b.request('POST', '/login', { form: { _csrf: token.replace(/^./, token[0] === 'A' ? 'B' : 'A'), username: 'zh.medewerker', password: PASSWORD } })).statusCode).toBe(403);
    expect((await b.request('POST', '/login', { form: { _csrf: token, username: 'zh.medewerker', password: PASSWORD }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
    expect((await b.request('POST', '/login', { form: { _csrf: token, username: 'zh.medewerker', password: PASSWORD }, headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(403);
    // the token is bound to this browser's cookie: another browser's token does not work here
    const other = new Browser(app);
    const otherToken = Browser.csrf((await other.request('GET', '/login')).body);
    expect((await b.request('POST', '/login', { form: { _csrf: otherToken, username: 'zh.medewerker', password: PASSWORD } })).statusCode).toBe(403);
    expect(b.jar.has('__Host-lir-session')).toBe(false);
  });

  it('an inspector must enrol an authenticator at first sign-in, then gives a code every time; a code works once', async () => {
    const b = new Browser(app);
    const first = await b.signIn('v.de.inspecteur@igj.nl', PASSWORD);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/login/enrol');
    // half signed in: no API, no home page
    expect((await b.request('GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await b.request('GET', '/portal')).headers.location).toBe('/login');
    const enrol = await b.request('GET', '/login/enrol');
    expect(enrol.statusCode).toBe(200);
    expect(enrol.body).toContain('<svg');
    const secret = /data-testid="totp-secret">([A-Z2-7]{32})</.exec(enrol.body)![1]!;
    const key = base32Decode(secret)!;
    const csrf = Browser.csrf(enrol.body);
    const wrong = await b.request('POST', '/login/enrol', { form: { _csrf: csrf, code: totp(key, clock + 120_000) } });
    expect(wrong.statusCode).toBe(401);
    const pendingCookie = b.jar.get('__Host-lir-session');
    const right = await b.request('POST', '/login/enrol', { form: { _csrf: csrf, code: totp(key, clock) } });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/portal');
    // a new session id after the second factor (no fixation): the half-way cookie is dead
    expect(b.jar.get('__Host-lir-session')).not.toBe(pendingCookie);
    const stale = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `__Host-lir-session=${pendingCookie}` } });
    expect(stale.statusCode).toBe(401);
    expect((await b.request('GET', '/api/v1/me')).json()).toMatchObject({ role: 'inspector' });
    const usedCode = totp(key, clock);

    // next sign-in asks for a code; the one used at enrolment is refused, the next step's is accepted
    const again = new Browser(app);
    const second = await again.signIn('v.de.inspecteur@igj.nl', PASSWORD);
    expect(second.headers.location).toBe('/login/code');
    const codePage = await again.request('GET', '/login/code');
    const replay = await again.request('POST', '/login/code', { form: { _csrf: Browser.csrf(codePage.body), code: usedCode } });
    expect(replay.statusCode).toBe(401);
    advance(30_000);
    const fresh = await again.request('POST', '/login/code', { form: { _csrf: Browser.csrf(codePage.body), code: totp(key, clock) } });
    expect(fresh.statusCode).toBe(303);
    expect((await again.request('GET', '/portal')).body).toContain('Two-factor: on');

    // the code form needs the session's CSRF token
    const third = new Browser(app);
    await third.signIn('v.de.inspecteur@igj.nl', PASSWORD);
    advance(30_000);
    expect((await third.request('POST', '/login/code', { form: { code: totp(key, clock) } })).statusCode).toBe(403);

    // lost phone: after a reset the inspector enrols again
    await resetTotp(reg.db, 'v.de.inspecteur@igj.nl');
    expect((await again.request('GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await new Browser(app).signIn('v.de.inspecteur@igj.nl', PASSWORD)).headers.location).toBe('/login/enrol');
  });

  it(`locks an account after ${MAX_FAILED_ATTEMPTS} wrong passwords in a row, for ${LOCKOUT_MINUTES} minutes, even for the right password`, async () => {
    const b = new Browser(app);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) {
      const res = await b.signIn('zh.medewerker', `wrong password ${i}!`);
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Username or password is wrong');
    }
    const last = await b.signIn('zh.medewerker', 'wrong password 5!');
    expect(last.statusCode).toBe(403);
    expect(last.body).toContain('locked');
    const right = await b.signIn('zh.medewerker', PASSWORD);
    expect(right.statusCode).toBe(403);
    expect(b.jar.has('__Host-lir-session')).toBe(false);
    advance(LOCKOUT_MINUTES * 60_000 + 1000);
    const after = await b.signIn('zh.medewerker', PASSWORD);
    expect(after.statusCode).toBe(303);
    // a success resets the count: four more failures do not lock
    const c = new Browser(app);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) expect((await c.signIn('zh.medewerker', `wrong again ${i}!`)).statusCode).toBe(401);
    expect((await c.signIn('zh.medewerker', PASSWORD)).statusCode).toBe(303);
  });

  it('wrong TOTP codes count towards the lockout too', async () => {
    const b = new Browser(app);
    await b.signIn('logbeheer', PASSWORD);
    const enrol = await b.request('GET', '/login/enrol');
    const csrf = Browser.csrf(enrol.body);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) expect((await b.request('POST', '/login/enrol', { form: { _csrf: csrf, code: '000000' } })).statusCode).toBe(401);
    const locked = await b.request('POST', '/login/enrol', { form: { _csrf: csrf, code: '000000' } });
    expect(locked.statusCode).toBe(403);
    expect(locked.body).toContain('locked');
    expect((await new Browser(app).signIn('logbeheer', PASSWORD)).statusCode).toBe(403);
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const unknown = await new Browser(app).signIn('niemand.bekend', 'some password 123');
    const wrong = await new Browser(app).signIn('zh.medewerker', 'some password 123');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
    expect(strip(unknown.body).replace('niemand.bekend', 'X')).toBe(strip(wrong.body).replace('zh.medewerker', 'X'));
  });

  it(`limits sign-in attempts to ${LOGIN_RATE_PER_MINUTE} a minute per network address`, async () => {
    const b = new Browser(app);
    const page = await b.request('GET', '/login');
    const token = Browser.csrf(page.body);
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_RATE_PER_MINUTE; i++) {
      const res = await b.request('POST', '/login', { form: { _csrf: b.jar.get('__Host-lir-login') ?? token, username: `nobody${i}`, password: 'x'.repeat(12) } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, LOGIN_RATE_PER_MINUTE).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('ends a session at sign-out (with the form token only), after idle time, at the absolute limit, and when the account is disabled', async () => {
    const b = new Browser(app);
    await b.signIn('zh.medewerker', PASSWORD);
    const home = await b.request('GET', '/portal');
    expect((await b.request('POST', '/logout', { form: {} })).statusCode).toBe(403);
    expect((await b.request('GET', '/api/v1/me')).statusCode).toBe(200);
    const sessionsNow = async () => (await reg.db.query("SELECT 1 FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'zh.medewerker'")).length;
    const before = await sessionsNow();
    const cookie = b.jar.get('__Host-lir-session');
    const out = await b.request('POST', '/logout', { form: { _csrf: Browser.csrf(home.body) } });
    expect(out.statusCode).toBe(303);
    expect(b.jar.has('__Host-lir-session')).toBe(false);
    expect(await sessionsNow()).toBe(before - 1);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `__Host-lir-session=${cookie}` } })).statusCode).toBe(401);

    const idle = new Browser(app);
    await idle.signIn('zh.medewerker', PASSWORD);
    advance((IDLE_SESSION_MINUTES - 1) * 60_000);
    expect((await idle.request('GET', '/api/v1/me')).statusCode).toBe(200); // activity restarts the idle timer
    advance((IDLE_SESSION_MINUTES - 1) * 60_000);
    expect((await idle.request('GET', '/api/v1/me')).statusCode).toBe(200);
    advance((IDLE_SESSION_MINUTES + 1) * 60_000);
    expect((await idle.request('GET', '/api/v1/me')).statusCode).toBe(401);

    const busy = new Browser(app);
    await busy.signIn('zh.medewerker', PASSWORD);
    for (let h = 0; h < MAX_SESSION_HOURS * 3; h++) {
      advance(20 * 60_000);
      const res = await busy.request('GET', '/api/v1/me');
      expect(res.statusCode, `after ${(h + 1) * 20} minutes`).toBe(h + 1 < MAX_SESSION_HOURS * 3 ? 200 : 401);
    }

    const d = new Browser(app);
    await d.signIn('zh.medewerker', PASSWORD);
    await disableUser(reg.db, 'zh.medewerker', at());
    expect((await d.request('GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await new Browser(app).signIn('zh.medewerker', PASSWORD)).statusCode).toBe(401);
  });
});
