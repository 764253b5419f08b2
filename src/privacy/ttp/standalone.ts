// `lir serve --only ttp`: the TTP on its own, with no register routes. Its bearer authentication
// still reads the register's clients and providers tables (oauth_clients, providers, api_tokens) —
// the only use of the database here; see docs/ttp.md.

import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { connect } from '../../db/connect.js';
import { AuthService } from '../../auth/oauth-service.js';
import { jwksAuthFromEnv } from '../../auth/jwks-auth.js';
import type { BearerAuthenticator } from '../../auth/bearer-authenticator.js';
import { problem, sendProblem } from '../../http/problem.js';
import { registerTtpRoutes, type TtpOptions } from './routes.js';
import { TtpKeyStore } from './keys.js';
import { loggerOptions } from '../../http/plugins/request-log.js';
import { registerHardening } from '../../http/plugins/hardening.js';
import { TtpService } from './service.js';

export async function buildTtpApp(auth: BearerAuthenticator, opts: TtpOptions & { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const { logger, ...ttpOpts } = opts;
  const app = Fastify({ logger: loggerOptions(logger ?? false), bodyLimit: 128 * 1024 });
  app.setValidatorCompiler(() => () => true);
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    if (err.statusCode === 413) return sendProblem(reply, problem(413, 'BODY_TOO_LARGE', 'the body is too large; a batch holds at most 1000 BSNs'));
    if (err.statusCode === 415) return sendProblem(reply, problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'));
    // a JSON syntax error: say so without repeating the body
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendProblem(reply, problem(err.statusCode, 'BAD_REQUEST', 'the request body is not valid JSON'));
    req.log.error({ code: err.code }, 'unhandled error');
    return sendProblem(reply, problem(500, 'INTERNAL', 'the TTP could not complete this request'));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
  registerHardening(app, auth);
  app.get('/healthz', async () => ({ status: 'ok', component: 'ttp' }));
  await registerTtpRoutes(app, { auth }, ttpOpts);
  return app;
}

/**
 * Starts the TTP alone on host:port; returns when it listens. It checks access tokens with the
 * register's public keys (LIR_REGISTER_JWKS, or LIR_PUBLIC_URL's /oauth/jwks.json) and then opens no
 * database at all. Without either it falls back to the register's database, and says so.
 */
export async function serveTtpOnly(o: { port: number; host: string }): Promise<void> {
  // the key is created (or read) now, not at the first request, so a bad key file stops the start
  const keys = new TtpKeyStore();
  keys.get();
  const jwks = jwksAuthFromEnv();
  const db = jwks ? undefined : await connect();
  const auth = jwks ?? new AuthService(db!);
  const app = await buildTtpApp(auth, {
    service: new TtpService(keys),
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });
  const shutdown = async () => {
    await app.close();
    await db?.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await app.listen({ port: o.port, host: o.host });
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : o.port;
  const how = jwks ? 'access tokens checked with the register’s public keys; no database' : `WARNING: authenticates with the register’s database (${db!.kind}); set LIR_REGISTER_JWKS or LIR_PUBLIC_URL to run the TTP apart from it`;
  process.stderr.write(`LIR TTP (pseudonymisation only) on http://${o.host}:${actual}/ttp/v1 (${how})\n`);
}
