// The portal's sign-in in a real browser: Debian's chromium driven by playwright-core. It proves what
// inject cannot (test/auth/portal-login.test.ts covers the server's side of the same flow): that a
// browser stores the `__Host-` cookies, keeps them from page JavaScript, renders the pages under
// their Content-Security-Policy without a complaint, and does not send the session with a form
// posted from another site. Runs on PGlite only: the browser side does not depend on the database.
//
// Chromium: LIR_CHROMIUM, else chromium on the PATH (scripts/test.sh installs the Debian package).

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { useTempSecretFile } from '../auth/helpers.js';
import { buildApp } from '../../src/http/app.js';
import { createUser } from '../../src/auth/users.js';
import { base32Decode, totp } from '../../src/auth/totp.js';

useTempSecretFile();
const PASSWORD = 'Zeer-geheim wachtwoord 2026';
const INSPECTOR = 'browser.inspecteur@igj.nl';
const PROVIDER = 'browser.medewerker';

/** LIR_CHROMIUM, else `chromium` on the PATH (the Debian package that scripts/test.sh installs). */
const CHROMIUM = process.env.LIR_CHROMIUM || (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chromium')).find((p) => existsSync(p));
if (!CHROMIUM || !existsSync(CHROMIUM)) {
  throw new Error('no chromium found: install the Debian package (apt-get install chromium, or run scripts/test.sh as root) or set LIR_CHROMIUM to a Chromium binary');
}

/** The little of the page's globals used below: those functions run in chromium (the project's lib has no DOM). */
interface InPage {
  document: { cookie: string; body: { dataset: Record<string, string | undefined>; append(node: unknown): void }; createElement(tag: 'script'): { textContent: string } };
  getComputedStyle(element: unknown): { color: string };
}
const h1Color = (h: unknown) => (globalThis as unknown as InPage).getComputedStyle(h).color;

const pglite = DATABASES.find((d) => d.name === 'pglite')!;

/** What the server saw of one request: whether the session cookie came along, and the answer. */
interface Seen {
  method: string;
  url: string;
  status: number;
  sessionCookie: boolean;
  secFetchSite: string | undefined;
}

describe('portal sign-in in chromium', () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  let attacker: Server;
  let browser: Browser;
  let base: string;
  let attackerPort: number;
  // The register's clock runs with real time, plus what the test adds to reach the next TOTP step
  // without waiting for it.
  let offset = 0;
  const now = () => Date.now() + offset;
  const seen: Seen[] = [];
  let key: Buffer;
  let enrolmentCode: string;

  beforeAll(async () => {
    reg = await testRegister(pglite, () => new Date(now()), { auth: { now } });
    await createUser(reg.db, { username: INSPECTOR, role: 'inspector', password: PASSWORD, createdBy: 'test' });
    await createUser(reg.db, { username: PROVIDER, role: 'provider', providerId: reg.hospital.id, password: PASSWORD, createdBy: 'test' });
    app = await buildApp(reg.services);
    app.addHook('onResponse', async (req, reply) => {
      seen.push({ method: req.method, url: req.url, status: reply.statusCode, sessionCookie: /(^|;\s*)__Host-lir-session=/.test(req.headers.cookie ?? ''), secFetchSite: req.headers['sec-fetch-site'] as string | undefined });
    });
    // 'localhost' binds every address the name resolves to, so chromium reaches it whichever it tries
    await app.listen({ port: 0, host: 'localhost' });
    base = `http://localhost:${(app.server.address() as AddressInfo).port}`;

    // Another site: serves pages whose script posts a form to the register at once.
    attacker = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const action = `${base}${u.searchParams.get('to') ?? '/logout'}`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Win a prize</title>
<form method="post" action="${action}"><input type="hidden" name="_csrf" value="guessed"><input type="hidden" name="providerRecordRef" value="FORGED-1"></form>
<script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await app?.close();
    await reg?.close();
  });

  /** A fresh browser profile whose pages must not log a single console error or page error. */
  async function newPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // chromium asks every site for /favicon.ico by itself; the register has none (a 404)
      if (m.location().url.endsWith('/favicon.ico')) return;
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} (${m.location().url || page.url()})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message} (${page.url()})`));
    return { context, page, problems };
  }

  async function signInWithPassword(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await submit(page, 'Inloggen');
  }

  const path = (page: Page) => new URL(page.url()).pathname;
  /** Clicks a button and waits until the page it leads to has loaded. */
  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button }).click()]);
  }
  /** The page the browser shows, explained by its text when it is not the expected one. */
  async function expectAt(page: Page, expected: string): Promise<void> {
    const where = path(page);
    if (where !== expected) expect(where, `expected ${expected}, the browser shows ${where}: ${await page.locator('body').innerText()}`).toBe(expected);
  }
  const sessionsOf = async (username: string) =>
    (await reg.db.query('SELECT 1 FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1', [username])).length;

  it('an inspector enrols an authenticator at first sign-in; the session cookie is host-only, Secure, HttpOnly, SameSite=Strict and hidden from page script; no CSP complaint', async () => {
    const { context, page, problems } = await newPage();
    await signInWithPassword(page, INSPECTOR);
    await expectAt(page, '/login/enrol');
    // the stylesheet loaded under the CSP (style-src 'self'), and the QR code is drawn
    expect(await page.locator('h1').evaluate(h1Color)).toBe('rgb(1, 104, 155)');
    expect(await page.locator('.qr svg').count()).toBe(1);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    key = base32Decode(secret)!;

    // the form checks the code's shape before anything is sent
    await page.getByLabel('Code').fill('12ab');
    expect(await page.getByLabel('Code').evaluate((i) => (i as { validity: { valid: boolean } }).validity.valid)).toBe(false);

    enrolmentCode = totp(key, now());
    await page.getByLabel('Code').fill(enrolmentCode);
    await submit(page, 'Bevestigen');
    await expectAt(page, '/portal');
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain(`Signed in as ${INSPECTOR}`);
    expect(await page.locator('h1').evaluate(h1Color)).toBe('rgb(1, 104, 155)');

    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === '__Host-lir-session');
    expect(session).toMatchObject({ domain: 'localhost', path: '/', httpOnly: true, secure: true, sameSite: 'Strict', expires: -1 });
    // the sign-in form's double-submit cookie is gone once it has done its work
    expect(cookies.map((c) => c.name)).toEqual(['__Host-lir-session']);
    // page JavaScript cannot read it (it runs here through the debugging protocol: the page's own CSP allows no script at all)
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.cookie)).toBe('');
    // and the page's CSP really does stop script: an injected inline script does not run
    await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      const s = document.createElement('script');
      s.textContent = 'document.body.dataset.ran = "yes"';
      document.body.append(s);
    });
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.body.dataset.ran)).toBeUndefined();
    const cspComplaints = problems.filter((p) => /Content Security Policy/i.test(p));
    expect(cspComplaints.length, problems.join('\n')).toBe(1); // the one we just provoked
    expect(problems.filter((p) => !cspComplaints.includes(p)), problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('signs out to the sign-in page, after which /portal sends the browser back to /login', async () => {
    const { context, page, problems } = await newPage();
    await signInWithPassword(page, PROVIDER);
    await expectAt(page, '/portal');
    expect(await page.getByTestId('signed-in').textContent()).toContain(`Signed in as ${PROVIDER}`);
    const before = await sessionsOf(PROVIDER);
    await submit(page, 'Uitloggen · Sign out');
    await expectAt(page, '/login');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Inloggen · Sign in');
    expect((await context.cookies(base)).some((c) => c.name === '__Host-lir-session')).toBe(false);
    expect(await sessionsOf(PROVIDER)).toBe(before - 1);
    await page.goto(`${base}/portal`);
    expect(path(page)).toBe('/login');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('a second sign-in asks for the code: a used or wrong code shows the error, the next one signs in', async () => {
    const { context, page, problems } = await newPage();
    await signInWithPassword(page, INSPECTOR);
    await expectAt(page, '/login/code');
    // the code of the enrolment, still current, is refused as a replay
    await page.getByLabel('Code').fill(enrolmentCode);
    await submit(page, 'Bevestigen');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right (or was used already)');
    expect(path(page)).toBe('/login/code');
    // a code from ten minutes ahead is simply wrong
    await page.getByLabel('Code').fill(totp(key, now() + 600_000));
    await submit(page, 'Bevestigen');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right');
    // the authenticator's next code (the register's clock moves on one step instead of the test waiting)
    offset += 30_000;
    await page.getByLabel('Code').fill(totp(key, now()));
    await submit(page, 'Bevestigen');
    await expectAt(page, '/portal');
    expect(await page.getByTestId('signed-in').textContent()).toContain(`Signed in as ${INSPECTOR}`);
    expect(await page.locator('body').textContent()).toContain('Two-factor: on');
    // the wrong codes were answered 401: chromium reports each failed document load, and nothing else
    expect(problems.filter((p) => !/status of 401/.test(p)), problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('refuses forms posted from another site: the session survives', async () => {
    const { context, page } = await newPage();
    await signInWithPassword(page, PROVIDER);
    await expectAt(page, '/portal');
    const cookieBefore = (await context.cookies(base)).find((c) => c.name === '__Host-lir-session')!.value;
    const sessionsBefore = await sessionsOf(PROVIDER);
    const stillSignedIn = async () => {
      expect((await context.cookies(base)).find((c) => c.name === '__Host-lir-session')?.value, 'the browser still holds its session cookie').toBe(cookieBefore);
      await page.goto(`${base}/portal`);
      expect(path(page)).toBe('/portal');
      expect(await page.getByTestId('signed-in').textContent()).toContain(`Signed in as ${PROVIDER}`);
      expect(await sessionsOf(PROVIDER)).toBe(sessionsBefore);
    };
    const lastPost = (url: string) => seen.filter((s) => s.method === 'POST' && s.url === url).at(-1)!;

    // Same site, other origin (http://localhost:<other port>): SameSite lets the cookie through,
    // the origin check and the CSRF token stop the request.
    seen.length = 0;
    await page.goto(`http://localhost:${attackerPort}/?to=/logout`);
    await page.waitForURL(`${base}/logout`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Request refused');
    expect(lastPost('/logout')).toMatchObject({ status: 403, sessionCookie: true, secFetchSite: 'same-site' });
    await stillSignedIn();

    seen.length = 0;
    await page.goto(`http://localhost:${attackerPort}/?to=/api/v1/records`);
    await page.waitForURL(`${base}/api/v1/records`);
    expect(lastPost('/api/v1/records')).toMatchObject({ status: 403, sessionCookie: true });
    await stillSignedIn();

    // Another site (http://127.0.0.1:<port>): SameSite=Strict keeps the cookie home.
    seen.length = 0;
    await page.goto(`http://127.0.0.1:${attackerPort}/?to=/api/v1/records`);
    await page.waitForURL(`${base}/api/v1/records`);
    expect(lastPost('/api/v1/records')).toMatchObject({ sessionCookie: false, secFetchSite: 'cross-site' });
    expect(lastPost('/api/v1/records').status).toBeGreaterThanOrEqual(400);
    await stillSignedIn();

    seen.length = 0;
    await page.goto(`http://127.0.0.1:${attackerPort}/?to=/logout`);
    await page.waitForURL(new RegExp(`^${base}/(logout|login)$`));
    expect(lastPost('/logout')).toMatchObject({ sessionCookie: false, secFetchSite: 'cross-site' });
    await stillSignedIn();

    const forged = await reg.db.query("SELECT 1 FROM records WHERE provider_record_ref = 'FORGED-1'");
    expect(forged).toEqual([]);
    await context.close();
  });
});
