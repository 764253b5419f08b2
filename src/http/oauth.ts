// /oauth/token (client credentials for systems) and /oauth/jwks.json (the register's public keys),
// at the root, outside /api/v1. Thin: the protocol lives in src/auth/oauth-token.ts. Errors are
// RFC 6749 §5.2 JSON here, not problem+json. docs/oauth.md.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../register/services.js';
import { tokenEndpoint, type OAuthErrorCode } from '../auth/oauth-token.js';
import type { AuthService } from '../auth/oauth-service.js';

const TOKEN_PATH = '/oauth/token';
const BODY_LIMIT = 64 * 1024;

function oauthError(reply: FastifyReply, status: number, error: OAuthErrorCode, description: string): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').header('Pragma', 'no-cache').type('application/json').send({ error, error_description: description });
}

/**
 * The URLs a client assertion's aud may name: LIR_PUBLIC_URL's token endpoint when configured,
 * else the URL this request came to (either scheme; with and without a default port), and the
 * issuer identifier (RFC 7523 §3 allows it).
 */
export function tokenEndpointUrls(req: FastifyRequest, auth: AuthService): string[] {
  if (auth.publicUrl) return [`${auth.publicUrl}${TOKEN_PATH}`, auth.issuer];
  const host = req.host;
  const urls: string[] = [];
  if (/^[A-Za-z0-9.\-[\]:]{1,300}$/.test(host)) {
    const bare = host.replace(/:(80|443)$/, '');
    const first = `${req.protocol}://${bare}${TOKEN_PATH}`;
    urls.push(first);
    for (const scheme of ['https', 'http']) for (const h of new Set([bare, host])) urls.push(`${scheme}://${h}${TOKEN_PATH}`);
  }
  urls.push(auth.issuer);
  return [...new Set(urls)];
}

export async function oauthRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // The key file is created when the server starts listening (inject() in tests does not listen).
  app.addHook('onListen', async () => {
    try {
      await services.auth.keys.get();
    } catch (err) {
      app.log.error({ err: { message: (err as Error).message } }, 'the access-token signing key could not be loaded; /oauth/token will fail until it can');
    }
  });

  await app.register(async (scope) => {
    // Only the raw text: the handler parses the form itself (repeated parameters are an error).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: { code?: string; statusCode?: number; message?: string }, req, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return oauthError(reply, 413, 'invalid_request', `the request body is larger than ${BODY_LIMIT} bytes`);
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return oauthError(reply, 400, 'invalid_request', 'the request could not be read; send application/x-www-form-urlencoded');
      req.log.error({ err: { message: err.message, code: err.code } }, 'token endpoint failed');
      return oauthError(reply, 503, 'temporarily_unavailable', 'the register cannot issue tokens right now; try again shortly');
    });

    scope.post(
      TOKEN_PATH,
      {
        // The access log of this route stays quiet (a client might put a secret in the URL, which
        // is refused); one line per request with client id and outcome is written below instead.
        logLevel: 'warn',
        bodyLimit: BODY_LIMIT,
        schema: {
          summary: 'OAuth 2.0 client credentials: an access token for a system',
          description:
            'RFC 6749 §4.4. Client authentication: HTTP Basic (client_secret_basic), client_id + client_secret in the body (client_secret_post), ' +
            'or a client assertion (private_key_jwt, RFC 7523). Answers an access token (a JWT valid for 300 s). See docs/oauth.md.',
          tags: ['oauth'],
          security: [],
          consumes: ['application/x-www-form-urlencoded'],
          body: {
            type: 'object',
            required: ['grant_type'],
            properties: {
              grant_type: { type: 'string', enum: ['client_credentials'] },
              scope: { type: 'string', example: 'system/*.read system/*.write' },
              client_id: { type: 'string' },
              client_secret: { type: 'string' },
              client_assertion_type: { type: 'string', enum: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'] },
              client_assertion: { type: 'string' },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, scope: { type: 'string' } },
            },
          },
        },
      },
      async (req, reply) => {
        const url = req.url;
        const q = url.indexOf('?');
        const res = await tokenEndpoint(services.auth, {
          contentType: req.headers['content-type'],
          body: typeof req.body === 'string' ? req.body : undefined,
          authorization: req.headers.authorization,
          query: q < 0 ? '' : url.slice(q + 1),
          endpointUrls: tokenEndpointUrls(req, services.auth),
          remoteAddress: req.ip,
        });
        app.log.info({ reqId: req.id, clientId: res.log.clientId, outcome: res.log.outcome, statusCode: res.status }, 'token request');
        return (reply as FastifyReply).code(res.status).headers(res.headers).type('application/json').send(res.body);
      },
    );

    scope.get(
      '/oauth/jwks.json',
      {
        schema: { summary: 'The public keys that sign access tokens (JWK Set)', tags: ['oauth'], security: [] },
        onSend: async (_req, reply, payload) => {
          reply.header('Cache-Control', 'public, max-age=300');
          return payload;
        },
      },
      async () => (await services.auth.keys.get()).jwks(services.auth.now()),
    );
  });
}
