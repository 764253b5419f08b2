// Sign-in to the portal: password, then (for two-factor roles) a TOTP code or the enrolment of an
// authenticator; sign-out; the signed-in home page. Every POST checks the origin and a CSRF token:
// before sign-in the double-submit token of the form, after it the session's own token.

import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import bwipjs from 'bwip-js';
import type { Services } from '../../register/services.js';
import { confirmTotp, signInWithPassword, LOCKOUT_MINUTES, MAX_FAILED_ATTEMPTS } from '../../auth/users.js';
import { advanceSession, endSession, resumeSession, startSession, type Session } from '../../auth/sessions.js';
import { newTotpSecret, otpauthUri } from '../../auth/totp.js';
import { clearCookie, isSameOrigin, tokensEqual, LOGIN_COOKIE, readCookies, SESSION_COOKIE, setCookie } from './cookies.js';
import { codePage, enrolPage, homePage, loginPage, PORTAL_CSS, sendPage } from './pages.js';

/** Sign-in attempts per minute from one network address, whatever the username. */
export const LOGIN_RATE_PER_MINUTE = 20;
const FORM_LIMIT = 4096;

type Form = Record<string, string | undefined>;

const lockedMessage = (until?: string) =>
  `Sign-in for this account is locked after ${MAX_FAILED_ATTEMPTS} failed attempts in a row` +
  (until ? `, until ${new Date(until).toISOString().slice(11, 16)} UTC` : ` for ${LOCKOUT_MINUTES} minutes`) + '. Ask your administrator if you cannot wait.';

export async function loginRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { db, auth } = services;
  const now = () => new Date(auth.now());

  await app.register(async (portal) => {
    portal.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    const session = async (req: FastifyRequest) => {
      const value = readCookies(req).get(SESSION_COOKIE);
      return value ? resumeSession(db, value, now()) : undefined;
    };
    const begin = (reply: FastifyReply, cookieValue: string, to: string) => {
      setCookie(reply, SESSION_COOKIE, cookieValue);
      return reply.code(303).redirect(to);
    };
    const freshLoginForm = (reply: FastifyReply, status: number, opts: { username?: string; error?: string } = {}) => {
      const loginToken = randomBytes(32).toString('base64url');
      setCookie(reply, LOGIN_COOKIE, loginToken, 600);
      return sendPage(reply, 'Inloggen', loginPage({ loginToken, ...opts }), status);
    };
    /** A POST from another site, or without the right token, changes nothing. */
    const forged = (req: FastifyRequest, expected: string | undefined): boolean => !isSameOrigin(req) || !tokensEqual((req.body as Form | undefined)?._csrf, expected);
    const forbidden = (reply: FastifyReply) =>
      sendPage(reply, 'Geweigerd', '<h1>Request refused</h1><p class="error">The form was not sent from this site, or it expired. <a href="/login">Sign in again</a>.</p>', 403);
    const form = (req: FastifyRequest): Form => (req.body && typeof req.body === 'object' ? (req.body as Form) : {});

    portal.get('/portal/portal.css', { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(PORTAL_CSS));

    portal.get('/login', { schema: { hide: true } }, async (req, reply) => {
      const s = await session(req);
      if (s?.session.stage === 'active') return reply.code(303).redirect('/portal');
      return freshLoginForm(reply, 200);
    });

    portal.post('/login', { schema: { hide: true } }, async (req, reply) => {
      if (forged(req, readCookies(req).get(LOGIN_COOKIE))) return forbidden(reply);
      const rate = auth.takeRate(`login:${req.ip}`, LOGIN_RATE_PER_MINUTE);
      if (!rate.ok) {
        reply.header('Retry-After', String(rate.retryAfterSeconds));
        return freshLoginForm(reply, 429, { error: `Too many sign-in attempts from your network address; try again in ${rate.retryAfterSeconds} s.` });
      }
      const { username = '', password = '' } = form(req);
      if (!username || !password) return freshLoginForm(reply, 400, { username, error: 'Enter your username and password.' });
      const result = await signInWithPassword(db, username, password, now());
      if (!result.ok) {
        req.log.info({ event: 'login-failed', reason: result.reason }, 'sign-in refused');
        return result.reason === 'locked'
          ? freshLoginForm(reply, 403, { username, error: lockedMessage(result.lockedUntil) })
          : freshLoginForm(reply, 401, { username, error: `Username or password is wrong. After ${MAX_FAILED_ATTEMPTS} failed attempts in a row, sign-in is locked for ${LOCKOUT_MINUTES} minutes.` });
      }
      clearCookie(reply, LOGIN_COOKIE);
      const old = readCookies(req).get(SESSION_COOKIE);
      if (old) {
        const s = await resumeSession(db, old, now());
        if (s) await endSession(db, s.session.idHash);
      }
      if (result.next === 'done') return begin(reply, (await startSession(db, result.user.id, 'active', now())).cookieValue, '/portal');
      if (result.next === 'totp') return begin(reply, (await startSession(db, result.user.id, 'totp', now())).cookieValue, '/login/code');
      const started = await startSession(db, result.user.id, 'enrol', now(), { pendingTotpSecret: newTotpSecret() });
      return begin(reply, started.cookieValue, '/login/enrol');
    });

    const secondFactor = (stage: 'totp' | 'enrol') => async (req: FastifyRequest, reply: FastifyReply) => {
      const s = await session(req);
      if (!s || s.session.stage !== stage) return reply.code(303).redirect('/login');
      if (req.method === 'GET') return renderSecondFactor(reply, s.session, s.user.username, 200);
      if (forged(req, s.session.csrfToken)) return forbidden(reply);
      const code = form(req).code ?? '';
      const result = await confirmTotp(db, s.user.id, code, now(), stage === 'enrol' ? s.session.pendingTotpSecret! : undefined);
      if (result.ok) return begin(reply, (await advanceSession(db, s.session, 'active', now())).cookieValue, '/portal');
      req.log.info({ event: 'login-failed', reason: result.reason, factor: 'totp' }, 'sign-in refused');
      if (result.reason === 'locked') {
        await endSession(db, s.session.idHash);
        clearCookie(reply, SESSION_COOKIE);
        return freshLoginForm(reply, 403, { error: lockedMessage(result.lockedUntil) });
      }
      return renderSecondFactor(reply, s.session, s.user.username, 401, 'That code is not right (or was used already). Wait for the next code and try again.');
    };

    const renderSecondFactor = (reply: FastifyReply, s: Session, username: string, status: number, error?: string) => {
      if (s.stage === 'totp') return sendPage(reply, 'Code', codePage({ csrf: s.csrfToken, ...(error ? { error } : {}) }), status);
      const secret = s.pendingTotpSecret!;
      const qrSvg = bwipjs.toSVG({ bcid: 'qrcode', text: otpauthUri(secret, username), scale: 3 });
      return sendPage(reply, 'Authenticator', enrolPage({ csrf: s.csrfToken, secret, qrSvg, ...(error ? { error } : {}) }), status);
    };

    portal.get('/login/code', { schema: { hide: true } }, secondFactor('totp'));
    portal.post('/login/code', { schema: { hide: true } }, secondFactor('totp'));
    portal.get('/login/enrol', { schema: { hide: true } }, secondFactor('enrol'));
    portal.post('/login/enrol', { schema: { hide: true } }, secondFactor('enrol'));

    portal.post('/logout', { schema: { hide: true } }, async (req, reply) => {
      // another site must not even clear the cookie (it arrives without it, SameSite=Strict)
      if (!isSameOrigin(req)) return forbidden(reply);
      const s = await session(req);
      if (s) {
        if (forged(req, s.session.csrfToken)) return forbidden(reply);
        await endSession(db, s.session.idHash);
      }
      if (readCookies(req).has(SESSION_COOKIE)) clearCookie(reply, SESSION_COOKIE);
      return reply.code(303).redirect('/login');
    });

    portal.get('/portal', { schema: { hide: true } }, async (req, reply) => {
      const s = await session(req);
      if (!s || s.session.stage !== 'active') return reply.code(303).redirect('/login');
      const { user } = s;
      return sendPage(reply, 'Portaal', homePage({ csrf: s.session.csrfToken, username: user.username, role: user.role, organisation: user.organisation, twoFactor: user.totpEnrolled }));
    });
  });
}
