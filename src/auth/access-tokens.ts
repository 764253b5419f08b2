// Access tokens for systems: JWTs (RFC 9068 style, typ at+jwt) signed with the register's ES256
// key, 5 minutes valid. Claims: iss, aud, sub (client id), client_id, kvk, role "provider", scope,
// iat, exp, jti. Verification checks signature, type, issuer, audience and expiry (with a little
// clock skew); whether the client is still active is the caller's check (oauth-service.ts).

import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type CryptoKey, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { SIGNING_ALG, type SigningKeyStore, type SigningKeys } from './signing-key.js';
import { isClientId, parseScopes, type Scope } from './oauth-clients.js';

export const ACCESS_TOKEN_TTL_SECONDS = 300;
/** Tolerated difference between our clocks and the clients' (and between our own processes). */
export const CLOCK_SKEW_SECONDS = 30;
const TOKEN_TYPE = 'at+jwt';

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  client_id: string;
  kvk: string;
  role: 'provider';
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  scope: string;
}

/** Signs an access token for `client` (bound to its provider's KvK) with the current key. */
export async function issueAccessToken(
  keys: SigningKeys,
  opts: { issuer: string; audience: string; clientId: string; providerKvk: string; scopes: readonly Scope[]; now?: number; ttlSeconds?: number },
): Promise<IssuedToken> {
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const ttl = opts.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const scope = opts.scopes.join(' ');
  const token = await new SignJWT({ client_id: opts.clientId, kvk: opts.providerKvk, role: 'provider', scope })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: TOKEN_TYPE, kid: keys.kid })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setSubject(opts.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomUUID())
    .sign(keys.privateKey);
  return { token, expiresIn: ttl, scope };
}

/** Compact JWS shape; the legacy opaque tokens (`lir_…`) contain no dots. */
export const looksLikeJwt = (token: string): boolean => token.length <= 4096 && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

export type VerifiedAccessToken = { ok: true; clientId: string; kvk: string; scopes: Scope[]; jti: string; exp: number } | { ok: false; message: string };

/**
 * Verifies an access token. A kid this process does not know makes it re-read the key file once
 * (another process may have rotated the key), then the token is refused.
 */
export async function verifyAccessToken(
  store: SigningKeyStore,
  token: string,
  opts: { issuer: string; audience: string; now?: number },
): Promise<VerifiedAccessToken> {
  const now = opts.now ?? Date.now();
  const getKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey();
    let keys = await store.get();
    if (!keys.hasKid(header.kid, now)) keys = await store.refresh();
    const key = await keys.verificationKey(header.kid, now);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
  return verifyAccessTokenWith(getKey, token, { ...opts, now });
}

/** The key lookup of a verifier: the register's key store, or a JWK Set (a TTP running apart). */
export type AccessTokenKeys = (header: JWSHeaderParameters) => Promise<CryptoKey | Uint8Array>;

/** Verifies signature, type, issuer, audience, expiry and the claims, with keys from `getKey`. */
export async function verifyAccessTokenWith(getKey: AccessTokenKeys, token: string, opts: { issuer: string; audience: string; now?: number }): Promise<VerifiedAccessToken> {
  const now = opts.now ?? Date.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: [SIGNING_ALG],
      typ: TOKEN_TYPE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, message: 'the access token has expired; ask /oauth/token for a new one' };
    if (err instanceof errors.JWTClaimValidationFailed) return { ok: false, message: `the access token was not issued for this register (${err.claim} claim)` };
    if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return { ok: false, message: 'the access token is not signed by this register' };
    return { ok: false, message: 'the access token is malformed' };
  }
  const claims = payload as Partial<AccessTokenClaims>;
  const scopes = typeof claims.scope === 'string' ? parseScopes(claims.scope) : undefined;
  if (claims.role !== 'provider' || typeof claims.sub !== 'string' || !isClientId(claims.sub) || typeof claims.kvk !== 'string' || !/^[0-9]{8}$/.test(claims.kvk) || !scopes) {
    return { ok: false, message: 'the access token is malformed' };
  }
  return { ok: true, clientId: claims.sub, kvk: claims.kvk, scopes, jti: String(claims.jti), exp: claims.exp! };
}
