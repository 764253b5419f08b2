// Authentication for the TTP when it runs on its own (`lir serve --only ttp`): it verifies the
// register's access tokens with the register's public keys (its JWK Set, by URL or file) and never
// touches the register's database (DESIGN §2: the TTP has no access to it). What this gives up:
// a revoked client keeps working until its token expires (5 minutes), and legacy opaque tokens and
// portal sessions are not accepted.

import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet } from 'jose';
import { looksLikeJwt, verifyAccessTokenWith, type AccessTokenKeys } from './access-tokens.js';
import type { BearerAuthenticator } from './bearer-authenticator.js';
import { DEFAULT_AUDIENCE, type BearerResult } from './oauth-service.js';
import { DEFAULT_RATE_PER_MINUTE } from './oauth-clients.js';
import { RateLimiter, type RateDecision } from './rate-limit.js';

export interface JwksAuthOptions {
  /** The register's JWK Set: its URL (`<register>/oauth/jwks.json`), or the set itself. */
  jwks: URL | JSONWebKeySet;
  /** `iss` of the register's access tokens: its public URL, or urn:nl:lir without one. */
  issuer: string;
  audience?: string;
  ratePerMinute?: number;
  /** After a fetch of a remote set, no new fetch for this long (an unknown kid waits for it); default 5 s. */
  refetchCooldownMs?: number;
  now?: () => number;
}

export class JwksAuth implements BearerAuthenticator {
  readonly #keys: AccessTokenKeys;
  readonly #limiter: RateLimiter;
  readonly #opts: JwksAuthOptions;

  constructor(opts: JwksAuthOptions) {
    this.#opts = opts;
    // a remote set is cached and fetched again when a token names a kid it does not know (rotation)
    this.#keys = opts.jwks instanceof URL ? createRemoteJWKSet(opts.jwks, { cooldownDuration: opts.refetchCooldownMs ?? 5_000, cacheMaxAge: 600_000 }) : createLocalJWKSet(opts.jwks);
    this.#limiter = new RateLimiter({ now: () => this.now() });
  }

  now(): number {
    return this.#opts.now ? this.#opts.now() : Date.now();
  }

  async authenticateBearer(token: string): Promise<BearerResult> {
    if (!looksLikeJwt(token)) return { ok: false, message: 'send an access token from the register’s /oauth/token (client credentials)' };
    let v;
    try {
      v = await verifyAccessTokenWith(this.#keys, token, { issuer: this.#opts.issuer, audience: this.#opts.audience ?? DEFAULT_AUDIENCE, now: this.now() });
    } catch {
      return { ok: false, message: 'the register’s public keys could not be fetched; try again shortly' };
    }
    if (!v.ok) return v;
    return {
      ok: true,
      // providerId is the register's row id, which the TTP does not know and does not need
      caller: { role: 'provider', subject: `client:${v.clientId}`, providerId: `kvk:${v.kvk}`, providerKvk: v.kvk },
      scopes: v.scopes,
      rate: { key: `client:${v.clientId}`, perMinute: this.#opts.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE },
    };
  }

  takeRate(key: string, perMinute: number): RateDecision {
    return this.#limiter.take(key, perMinute);
  }
}

/**
 * Where the standalone TTP finds the register's keys: LIR_REGISTER_JWKS (a URL, or a file holding
 * the JWK Set), else <LIR_PUBLIC_URL>/oauth/jwks.json; undefined when neither is set.
 */
export function jwksAuthFromEnv(env: NodeJS.ProcessEnv = process.env): JwksAuth | undefined {
  const publicUrl = env.LIR_PUBLIC_URL?.replace(/\/+$/, '');
  const issuer = publicUrl ?? 'urn:nl:lir';
  const source = env.LIR_REGISTER_JWKS ?? (publicUrl ? `${publicUrl}/oauth/jwks.json` : undefined);
  if (!source) return undefined;
  if (/^https?:\/\//.test(source)) return new JwksAuth({ jwks: new URL(source), issuer });
  return new JwksAuth({ jwks: JSON.parse(readFileSync(source, 'utf8')) as JSONWebKeySet, issuer });
}
