// Shared by the OAuth tests: token requests, client assertions, key pairs.

import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const TOKEN_URL = 'http://localhost/oauth/token';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A fresh signing-key file location for this test file (the real file, never ./data). */
export function useTempSecretFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lir-oauth-'));
  const file = join(dir, 'lir-signing-key.json');
  process.env.LIR_SECRET_FILE = file;
  return file;
}

export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

export function tokenRequest(app: FastifyInstance, params: Record<string, string>, headers: Record<string, string> = {}, url = '/oauth/token') {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(params).toString(),
  });
}

export interface ClientKey {
  alg: 'ES256' | 'ES384' | 'RS256' | 'RS384';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: ClientKey['alg'] = 'ES256', kid = `k-${randomUUID().slice(0, 8)}`): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

/** A client assertion (RFC 7523) for `clientId`; override any claim with `claims`. */
export async function assertion(
  key: ClientKey,
  clientId: string,
  opts: { aud?: string | string[]; exp?: number; jti?: string; iss?: string; sub?: string; kid?: string | null } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; kid?: string } = { alg: key.alg };
  if (opts.kid !== null) header.kid = opts.kid ?? key.publicJwk.kid!;
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(opts.iss ?? clientId)
    .setSubject(opts.sub ?? clientId)
    .setAudience(opts.aud ?? TOKEN_URL)
    .setIssuedAt(now)
    .setExpirationTime(opts.exp ?? now + 60)
    .setJti(opts.jti ?? randomUUID())
    .sign(key.privateKey);
}

export function jwtParams(clientAssertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, ...extra };
}
