// The token endpoint: OAuth 2.0 client credentials grant (RFC 6749 §4.4) with client
// authentication by client_secret_basic, client_secret_post (§2.3.1) or private_key_jwt
// (RFC 7523 §2.2, OpenID Connect Core §9). Framework-free: src/http/oauth.ts only translates.
// Every failure is an RFC 6749 §5.2 error object; nothing a client sends causes a 500.

import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { issueAccessToken, ACCESS_TOKEN_TTL_SECONDS, CLOCK_SKEW_SECONDS } from './access-tokens.js';
import { ASSERTION_ALGORITHMS, findClient, isClientId, parseScopes, type OAuthClientCredentials } from './oauth-clients.js';
import { verifySecret } from './secret-hash.js';
import type { AuthService } from './oauth-service.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** A client assertion may be valid for at most this long (exp − now). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'unauthorized_client' | 'temporarily_unavailable';

export interface TokenEndpointRequest {
  contentType: string | undefined;
  /** The raw request body (form-urlencoded text), if any. */
  body: string | undefined;
  authorization: string | undefined;
  /** The query string of the request URL, without '?'. */
  query: string;
  /** The URLs a client may have put in the assertion's aud: the URL this request came to. */
  endpointUrls: readonly string[];
  /** The caller's network address, for the rate limit of unknown clients. */
  remoteAddress: string;
}

export interface TokenEndpointResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** For the log line: which client, and what happened (never a secret). */
  log: { clientId?: string; outcome: string };
}

class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const invalidClient = (message: string) => new OAuthError('invalid_client', message, 401, { 'WWW-Authenticate': 'Basic realm="lir", charset="UTF-8"' });

const OAUTH_PARAMETERS = new Set(['grant_type', 'scope', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type']);
const FORM = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;

/** application/x-www-form-urlencoded → one value per name; a repeated name is an error (§3.2). */
function parseForm(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (out.has(name)) throw new OAuthError('invalid_request', `the parameter ${name} appears more than once`);
    out.set(name, value);
  }
  return out;
}

/** The form-urlencoded decoding RFC 6749 §2.3.1 asks for inside HTTP Basic credentials. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalidClient('the HTTP Basic credentials are not form-urlencoded');
  }
}

function parseBasic(header: string): { id: string; secret: string } {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) throw invalidClient('the Authorization header is not HTTP Basic credentials (Basic base64(client_id:client_secret))');
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('the HTTP Basic credentials hold no colon between client_id and client_secret');
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

type ClientAuth =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string };

function clientAuthentication(form: Map<string, string>, authorization: string | undefined): ClientAuth {
  const basic = authorization !== undefined && authorization !== '' ? parseBasic(authorization) : undefined;
  const postSecret = form.get('client_secret');
  const assertionType = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  const formId = form.get('client_id');
  const methods = [basic, postSecret !== undefined, assertionType !== undefined || assertion !== undefined].filter(Boolean).length;
  if (methods > 1) throw new OAuthError('invalid_request', 'use one client authentication method: HTTP Basic, client_secret in the body, or a client assertion');
  if (basic) {
    if (formId !== undefined && formId !== basic.id) throw new OAuthError('invalid_request', 'client_id in the body differs from the one in the Authorization header');
    return { method: 'client_secret_basic', clientId: basic.id, secret: basic.secret };
  }
  if (postSecret !== undefined) {
    if (formId === undefined) throw new OAuthError('invalid_request', 'client_secret needs client_id');
    return { method: 'client_secret_post', clientId: formId, secret: postSecret };
  }
  if (assertionType !== undefined || assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is missing');
    let sub: unknown;
    let iss: unknown;
    try {
      ({ sub, iss } = decodeJwt(assertion));
    } catch {
      throw invalidClient('client_assertion is not a JWT');
    }
    if (typeof sub !== 'string' || sub !== iss) throw invalidClient('the client assertion must have iss and sub both equal to the client_id');
    if (formId !== undefined && formId !== sub) throw invalidClient('client_id differs from the client assertion’s sub');
    return { method: 'private_key_jwt', clientId: sub, assertion };
  }
  throw invalidClient('authenticate the client: HTTP Basic (client_secret_basic), client_id and client_secret in the body (client_secret_post), or a client assertion (private_key_jwt)');
}

const AUTH_FAILED = 'client authentication failed: unknown client, wrong secret, or a method this client is not registered for';

async function verifyAssertion(auth: AuthService, client: OAuthClientCredentials, assertion: string, endpointUrls: readonly string[]): Promise<void> {
  const now = auth.now();
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.publicJwks!), {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: client.id,
      subject: client.id,
      audience: [...endpointUrls],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw invalidClient('the client assertion has expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'aud') throw invalidClient(`the client assertion's aud must be the token endpoint URL (${endpointUrls[0]})`);
      throw invalidClient(`the client assertion's ${err.claim} claim is not acceptable: ${err.reason}`);
    }
    if (err instanceof errors.JOSEAlgNotAllowed) throw invalidClient(`sign the client assertion with ${ASSERTION_ALGORITHMS.join(', ')}`);
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
      throw invalidClient('the client assertion is not signed by a key registered for this client');
    }
    throw invalidClient('the client assertion is malformed');
  }
  const exp = payload.exp!;
  if (exp - Math.floor(now / 1000) > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw invalidClient(`the client assertion's exp may be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
  }
  const jti = payload.jti!;
  if (typeof jti !== 'string' || jti.length < 1 || jti.length > 200) throw invalidClient('the client assertion needs a jti of 1–200 characters');
  // Single use, across every process: the first insert wins; the row lives until the assertion expires.
  const fresh = await auth.db.query(
    'INSERT INTO oauth_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (client_id, jti) DO NOTHING RETURNING jti',
    [client.id, jti, new Date((exp + CLOCK_SKEW_SECONDS) * 1000).toISOString()],
  );
  if (fresh.length === 0) throw invalidClient('this client assertion has been used already (jti); make a new one for every token request');
  await pruneJtis(auth, now);
}

const lastPrune = new WeakMap<AuthService, number>();
async function pruneJtis(auth: AuthService, now: number): Promise<void> {
  if (now - (lastPrune.get(auth) ?? 0) < 60_000) return;
  lastPrune.set(auth, now);
  await auth.db.query('DELETE FROM oauth_assertion_jtis WHERE expires_at < $1', [new Date(now).toISOString()]);
}

/** Handles one token request. */
export async function tokenEndpoint(auth: AuthService, req: TokenEndpointRequest): Promise<TokenEndpointResponse> {
  let clientId: string | undefined;
  try {
    if ([...new URLSearchParams(req.query).keys()].some((k) => OAUTH_PARAMETERS.has(k))) {
      throw new OAuthError('invalid_request', 'send the parameters in the request body (application/x-www-form-urlencoded), never in the URL');
    }
    if (!req.contentType || !FORM.test(req.contentType)) throw new OAuthError('invalid_request', 'send the request as application/x-www-form-urlencoded');
    const form = parseForm(req.body ?? '');
    const grant = form.get('grant_type');
    if (grant === undefined || grant === '') throw new OAuthError('invalid_request', 'grant_type is missing; use grant_type=client_credentials');
    if (grant !== 'client_credentials') throw new OAuthError('unsupported_grant_type', `grant_type ${grant.slice(0, 60)} is not supported; use client_credentials`);
    const requested = form.get('scope');
    const scopes = requested === undefined ? undefined : parseScopes(requested);
    if (requested !== undefined && (!scopes || scopes.length === 0)) throw new OAuthError('invalid_scope', 'scope must be system/*.read, system/*.write, both (space-separated), or system/*.*');

    const cred = clientAuthentication(form, req.authorization);
    clientId = isClientId(cred.clientId) ? cred.clientId.toLowerCase() : undefined;
    const client = clientId ? await findClient(auth.db, clientId) : undefined;

    // Rate limit before the expensive part (scrypt, signature): per client, or per address.
    const rate = client
      ? auth.takeRate(`token-endpoint:client:${client.id}`, client.tokenRatePerMinute)
      : auth.takeRate(`token-endpoint:address:${req.remoteAddress}`, auth.anonymousTokenRatePerMinute);
    if (!rate.ok) {
      throw new OAuthError('temporarily_unavailable', `too many token requests; try again in ${rate.retryAfterSeconds} s (a token is valid for ${ACCESS_TOKEN_TTL_SECONDS} s: reuse it)`, 429, {
        'Retry-After': String(rate.retryAfterSeconds),
      });
    }

    if (cred.method === 'private_key_jwt') {
      if (!client || client.authMethod !== 'private_key_jwt') throw invalidClient(AUTH_FAILED);
      await verifyAssertion(auth, client, cred.assertion, req.endpointUrls);
    } else {
      const ok = await verifySecret(cred.secret, client?.authMethod === 'client_secret' ? client.secretHash : undefined);
      if (!ok || !client) throw invalidClient(AUTH_FAILED);
    }
    if (client.revokedAt !== null) throw invalidClient('this client has been revoked');

    const granted = scopes ?? client.scopes;
    const refused = granted.filter((s) => !client.scopes.includes(s));
    if (refused.length > 0) throw new OAuthError('invalid_scope', `this client may not have ${refused.join(' ')}; it may have ${client.scopes.join(' ')}`);

    const keys = await auth.keys.get();
    const issued = await issueAccessToken(keys, { issuer: auth.issuer, audience: auth.audience, clientId: client.id, providerKvk: client.providerKvk, scopes: granted, now: auth.now() });
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scope },
      log: { clientId: client.id, outcome: `issued (${cred.method})` },
    };
  } catch (err) {
    if (err instanceof OAuthError) {
      return {
        status: err.status,
        headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...err.headers },
        body: { error: err.error, error_description: err.message },
        log: { ...(clientId ? { clientId } : {}), outcome: err.error },
      };
    }
    throw err;
  }
}
