// Defaults every route gets, so a new route cannot forget them (issue 5, part 6):
// - security headers on every response;
// - a body-size limit: SMALL_BODY_LIMIT unless the route is a delivery (`config.largeBody`), which
//   gets the server's limit (bulk Bundles, record batches);
// - a rate limit per network address in front of everything, on top of the per-client limits of
//   /api/v1, /fhir/R4, /oauth/token, /ttp/v1 and the sign-in form.

import type { FastifyInstance } from 'fastify';
import type { BearerAuthenticator } from '../../auth/bearer-authenticator.js';
import { problem, sendProblem } from '../problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A delivery route: the server's body limit instead of SMALL_BODY_LIMIT. */
    largeBody?: boolean;
  }
}

export const SMALL_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_ADDRESS_RATE_PER_MINUTE = 3000;

export interface HardeningOptions {
  /** Requests per minute from one network address, all routes together. */
  addressRatePerMinute?: number;
}

export function registerHardening(app: FastifyInstance, auth: Pick<BearerAuthenticator, 'takeRate'>, opts: HardeningOptions = {}): void {
  const perMinute = opts.addressRatePerMinute ?? DEFAULT_ADDRESS_RATE_PER_MINUTE;

  app.addHook('onRoute', (route) => {
    if (route.bodyLimit === undefined && !route.config?.largeBody) route.bodyLimit = SMALL_BODY_LIMIT;
  });

  app.addHook('onRequest', async (req, reply) => {
    const rate = auth.takeRate(`address:${req.ip}`, perMinute);
    if (rate.ok) return;
    reply.header('Retry-After', String(rate.retryAfterSeconds));
    return sendProblem(reply, problem(429, 'RATE_LIMITED', `more than ${perMinute} requests per minute from your network address; try again in ${rate.retryAfterSeconds} s`));
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form
    // posts, which the CSRF origin check must refuse; nothing is sent to other sites either way
    reply.header('Referrer-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // JSON and FHIR answers are data, never documents: nothing in them may run or load
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });
}
