// Bearer authentication for a route prefix (/api/v1, /fhir/R4): OAuth access tokens of systems
// (JWTs signed by the register, src/auth/access-tokens.ts) and the legacy opaque tokens
// (src/auth/tokens.ts). Both yield a Caller; access tokens also carry scopes, which are checked
// here, after the caller's rate limit. How a failure is written is the caller's choice (`render`):
// problem+json by default, an OperationOutcome for FHIR.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../auth/caller.js';
import type { Queryable } from '../../db/types.js';
import type { Scope } from '../../auth/oauth-clients.js';
import { authServiceFor } from '../../auth/oauth-service.js';
import type { BearerAuthenticator } from '../../auth/bearer-authenticator.js';
import { problem, sendProblem } from '../problem.js';
import { resumeSession } from '../../auth/sessions.js';
import { callerOfUser } from '../../auth/users.js';
import { isSameOrigin, readCookies, SESSION_COOKIE, tokensEqual } from '../portal/cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    /** The scopes of the caller's access token; null for a legacy token (all its role allows). */
    authScopes: Scope[] | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs from an access token; default: read for GET/HEAD, write otherwise. */
    scope?: Scope;
  }
}

export interface AuthFailure {
  /** 401: no or bad token; 403: the token lacks the scope, or a session request lacks its CSRF token; 429: rate limit. */
  status: 401 | 403 | 429;
  code: 'UNAUTHORIZED' | 'INSUFFICIENT_SCOPE' | 'RATE_LIMITED' | 'CSRF_REJECTED';
  /** A sentence a person can act on. Never contains the token. */
  message: string;
  /** For 429: seconds until a request will be accepted (also in the Retry-After header). */
  retryAfterSeconds?: number;
  /** For 403: the scope the route needs. */
  requiredScope?: Scope;
}

export interface BearerAuthOptions {
  /**
   * Writes the failure response. The status and the WWW-Authenticate / Retry-After headers are
   * set already; send a body (and a content type). Default: application/problem+json.
   */
  render?: (failure: AuthFailure, req: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;
  /** The scope a request needs; default: the route's `config.scope`, else read for GET/HEAD/OPTIONS and write for the rest. */
  requiredScope?: (req: FastifyRequest) => Scope | null;
}

/** The default rendering: RFC 9457 problem details, as every /api/v1 error. */
export function renderProblem(failure: AuthFailure, _req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, problem(failure.status, failure.code, failure.message));
}

export function defaultRequiredScope(req: FastifyRequest): Scope {
  const configured = req.routeOptions.config?.scope;
  if (configured) return configured;
  return req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' ? 'system/*.read' : 'system/*.write';
}

/** A header parameter value: printable ASCII without quotes or backslashes. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, "'");

/**
 * Every route of `app` (an encapsulated plugin scope) needs a bearer token; the caller travels with
 * the request as `req.caller`. Pass the Services (or, as before, their db: the AuthService that
 * servicesFor made for it is used), so every scope counts a client's requests in the same bucket.
 */
export function registerBearerAuth(app: FastifyInstance, source: { auth: BearerAuthenticator } | Queryable, opts: BearerAuthOptions = {}): void {
  const auth: BearerAuthenticator = 'auth' in source ? source.auth : authServiceFor(source);
  const render = opts.render ?? renderProblem;
  const requiredScope = opts.requiredScope ?? defaultRequiredScope;
  if (!app.hasRequestDecorator('caller')) app.decorateRequest('caller', null as never);
  if (!app.hasRequestDecorator('authScopes')) app.decorateRequest('authScopes', null);

  const fail = (req: FastifyRequest, reply: FastifyReply, failure: AuthFailure) => {
    reply.code(failure.status);
    return render(failure, req, reply);
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const sessionCookie = header === '' && auth.sessions ? readCookies(req).get(SESSION_COOKIE) : undefined;
    if (sessionCookie !== undefined) return sessionAuth(req, reply, sessionCookie);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      reply.header('WWW-Authenticate', 'Bearer realm="lir"');
      return fail(req, reply, { status: 401, code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <token> (an access token from /oauth/token)' });
    }
    const result = await auth.authenticateBearer(m[1]!);
    if (!result.ok) {
      reply.header('WWW-Authenticate', `Bearer realm="lir", error="invalid_token", error_description="${headerSafe(result.message)}"`);
      return fail(req, reply, { status: 401, code: 'UNAUTHORIZED', message: result.message });
    }
    const rate = auth.takeRate(result.rate.key, result.rate.perMinute);
    if (!rate.ok) {
      reply.header('Retry-After', String(rate.retryAfterSeconds));
      return fail(req, reply, {
        status: 429,
        code: 'RATE_LIMITED',
        message: `more than ${result.rate.perMinute} requests per minute; try again in ${rate.retryAfterSeconds} s`,
        retryAfterSeconds: rate.retryAfterSeconds,
      });
    }
    if (result.scopes) {
      const needed = requiredScope(req);
      if (needed && !result.scopes.includes(needed)) {
        reply.header('WWW-Authenticate', `Bearer realm="lir", error="insufficient_scope", scope="${needed}"`);
        return fail(req, reply, { status: 403, code: 'INSUFFICIENT_SCOPE', message: `this request needs an access token with scope ${needed}; yours has ${result.scopes.join(' ')}`, requiredScope: needed });
      }
    }
    req.caller = { ...result.caller, sourceAddress: req.ip };
    req.authScopes = result.scopes;
  });

  /**
   * A person signed in to the portal (session cookie instead of a bearer token). Reads need the
   * session only; anything else also needs the session's CSRF token in X-CSRF-Token and a
   * same-origin request, so another site cannot act with the user's cookie.
   */
  async function sessionAuth(req: FastifyRequest, reply: FastifyReply, cookie: string) {
    const sessions = auth.sessions!;
    const s = await resumeSession(sessions.db, cookie, new Date(auth.now()));
    if (!s || s.session.stage !== 'active') {
      return fail(req, reply, { status: 401, code: 'UNAUTHORIZED', message: 'your portal session has ended or is not complete; sign in again at /login' });
    }
    const rate = auth.takeRate(`user:${s.user.id}`, sessions.ratePerMinute);
    if (!rate.ok) {
      reply.header('Retry-After', String(rate.retryAfterSeconds));
      return fail(req, reply, { status: 429, code: 'RATE_LIMITED', message: `too many requests; try again in ${rate.retryAfterSeconds} s`, retryAfterSeconds: rate.retryAfterSeconds });
    }
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (!safe) {
      const token = req.headers['x-csrf-token'];
      if (!isSameOrigin(req) || !tokensEqual(typeof token === 'string' ? token : undefined, s.session.csrfToken)) {
        return fail(req, reply, { status: 403, code: 'CSRF_REJECTED', message: 'a change made with a portal session needs the header X-CSRF-Token with the session’s token, from a page of this site' });
      }
    }
    req.caller = { ...callerOfUser(s.user), sourceAddress: req.ip };
    req.authScopes = null;
  }
}
