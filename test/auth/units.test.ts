// The parts without a database: rate limiter, secret hashing, scopes, client keys, the signing-key
// file and access-token verification across a key rotation.

import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from 'jose';
import { RateLimiter } from '../../src/auth/rate-limit.js';
import { generateSecret, hashSecret, verifySecret } from '../../src/auth/secret-hash.js';
import { parsePublicKeys, parseScopes } from '../../src/auth/oauth-clients.js';
import { RETIRED_KEY_RETENTION_MS, rotateSigningKey, SigningKeyStore, defaultSecretFile } from '../../src/auth/signing-key.js';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/access-tokens.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lir-auth-unit-'));
const CLIENT = '7d0e3f4a-1b2c-4d5e-8f90-0123456789ab';

describe('rate limiter (token bucket)', () => {
  it('lets a burst of one minute’s allowance through, then refills at the steady rate', () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now });
    for (let i = 0; i < 60; i++) expect(rl.take('a', 60).ok).toBe(true);
    const refused = rl.take('a', 60);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(rl.take('b', 60).ok).toBe(true); // buckets are per key
    now += 1000;
    expect(rl.take('a', 60).ok).toBe(true);
    expect(rl.take('a', 60).ok).toBe(false);
  });

  it('says how long to wait for a slow bucket', () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now });
    expect(rl.take('t', 2).ok).toBe(true);
    expect(rl.take('t', 2).ok).toBe(true);
    expect(rl.take('t', 2)).toEqual({ ok: false, retryAfterSeconds: 30 });
    now += 29_000;
    expect(rl.take('t', 2)).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(rl.take('t', 2).ok).toBe(true);
  });

  it('keeps memory bounded', () => {
    let now = 0;
    const rl = new RateLimiter({ now: () => now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) rl.take(`k${i}`, 10);
    expect(rl.size).toBeLessThanOrEqual(100);
    now += 60_000;
    for (let i = 0; i < 1000; i++) rl.take(`n${i}`, 10);
    expect(rl.size).toBeLessThanOrEqual(100);
  });
});

describe('client secrets', () => {
  it('are 32 random bytes, hashed with scrypt and a salt of their own, verified in constant time', async () => {
    const secret = generateSecret();
    expect(Buffer.from(secret.slice(5), 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
    const h1 = await hashSecret(secret);
    const h2 = await hashSecret(secret);
    expect(h1).not.toBe(h2);
    expect(h1).not.toContain(secret.slice(5));
    expect(await verifySecret(secret, h1)).toBe(true);
    expect(await verifySecret(secret, h2)).toBe(true);
    expect(await verifySecret(secret + 'x', h1)).toBe(false);
    expect(await verifySecret('', h1)).toBe(false);
    expect(await verifySecret(secret, undefined)).toBe(false);
    expect(await verifySecret(secret, 'scrypt$1$1$1$x$y')).toBe(false);
    expect(await verifySecret(secret, 'plain')).toBe(false);
  });
});

describe('scopes', () => {
  it('knows read, write and both', () => {
    expect(parseScopes('system/*.read')).toEqual(['system/*.read']);
    expect(parseScopes('system/*.write  system/*.read')).toEqual(['system/*.read', 'system/*.write']);
    expect(parseScopes('system/*.*')).toEqual(['system/*.read', 'system/*.write']);
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes('system/Patient.read')).toBeUndefined();
    expect(parseScopes('openid system/*.read')).toBeUndefined();
  });
});

describe('client public keys', () => {
  it('accepts EC and RSA public keys as JWK, JWK Set or PEM and names them by thumbprint', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = ec.publicKey.export({ format: 'jwk' });
    const one = await parsePublicKeys(JSON.stringify(jwk));
    expect(one.keys).toEqual([{ ...jwk, kid: await calculateJwkThumbprint(jwk as never) }]);
    const pem = await parsePublicKeys(ec.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    expect(pem.keys[0]!.kid).toBe(one.keys[0]!.kid);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const set = await parsePublicKeys(JSON.stringify({ keys: [{ ...rsa, kid: 'r1', alg: 'RS384' }, { ...p384, kid: 'e1', use: 'sig' }] }));
    expect(set.keys.map((k) => [k.kid, k.kty])).toEqual([['r1', 'RSA'], ['e1', 'EC']]);
  });

  it('refuses private keys, weak or unsupported keys, and inconsistent members', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const bad: Array<[string, RegExp]> = [
      [JSON.stringify(ec.privateKey.export({ format: 'jwk' })), /private key material/],
      [ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /private key/],
      [JSON.stringify(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), /2048 bits/],
      [JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })), /not supported/],
      [JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'jwk' })), /not supported/],
      [JSON.stringify({ ...ec.publicKey.export({ format: 'jwk' }), alg: 'RS256' }), /does not fit/],
      [JSON.stringify({ ...ec.publicKey.export({ format: 'jwk' }), use: 'enc' }), /"use" must be "sig"/],
      [JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }), /cannot be used/],
      [JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }), /private key material/],
      ['{ not json', /neither JSON/],
      [JSON.stringify({ keys: [] }), /one to ten/],
    ];
    for (const [text, message] of bad) await expect(parsePublicKeys(text), text.slice(0, 40)).rejects.toThrow(message);
  });
});

describe('signing key file', () => {
  it('defaults to <LIR_DATA_DIR or ./data>/lir-signing-key.json unless LIR_SECRET_FILE names one', () => {
    expect(defaultSecretFile({ LIR_SECRET_FILE: '/etc/lir/key.json' })).toBe('/etc/lir/key.json');
    expect(defaultSecretFile({ LIR_DATA_DIR: '/var/lib/lir' })).toBe('/var/lib/lir/lir-signing-key.json');
    expect(defaultSecretFile({})).toBe(join(process.cwd(), 'data', 'lir-signing-key.json'));
  });

  it('is created on first use with mode 0600, and two processes starting at once agree on one key', async () => {
    const file = join(tmp(), 'nested', 'key.json');
    const stores = Array.from({ length: 5 }, () => new SigningKeyStore(file));
    const keys = await Promise.all(stores.map((s) => s.get()));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content.current).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: keys[0]!.kid, d: expect.any(String) });
    expect((await new SigningKeyStore(file).get()).kid).toBe(keys[0]!.kid);
    expect(keys[0]!.jwks().keys).toEqual([expect.not.objectContaining({ d: expect.anything() })]);
  });

  it('tightens a key file that others can read', async () => {
    const file = join(tmp(), 'key.json');
    await new SigningKeyStore(file).get();
    chmodSync(file, 0o644);
    await new SigningKeyStore(file).get();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a broken key file without showing its content', async () => {
    const file = join(tmp(), 'key.json');
    writeFileSync(file, '{"current": {"d": "TOPSECRET"', { mode: 0o600 });
    await expect(new SigningKeyStore(file).get()).rejects.toThrow(/is not valid JSON/);
    await expect(new SigningKeyStore(file).get()).rejects.not.toThrow(/TOPSECRET/);
  });

  it('rotates: tokens of the old key verify until retention ends, a running process picks up the new key', async () => {
    const file = join(tmp(), 'key.json');
    const store = new SigningKeyStore(file);
    const opts = { issuer: 'urn:nl:lir', audience: 'urn:nl:lir:register' };
    const old = await store.get();
    const oldToken = (await issueAccessToken(old, { ...opts, clientId: CLIENT, providerKvk: '12345678', scopes: ['system/*.read'] })).token;
    expect(await verifyAccessToken(store, oldToken, opts)).toMatchObject({ ok: true, clientId: CLIENT, kvk: '12345678', scopes: ['system/*.read'] });

    const rotatedAt = new Date();
    const { kid, previousKid } = await rotateSigningKey(file, rotatedAt);
    expect(previousKid).toBe(old.kid);
    // another process (a fresh store) signs with the new key; this one verifies it by re-reading the file
    const fresh = await new SigningKeyStore(file).get();
    expect(fresh.kid).toBe(kid);
    const newToken = (await issueAccessToken(fresh, { ...opts, clientId: CLIENT, providerKvk: '12345678', scopes: ['system/*.write'] })).token;
    expect(await verifyAccessToken(store, newToken, opts)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(store, oldToken, opts)).toMatchObject({ ok: true });
    expect(fresh.jwks().keys.map((k) => k.kid)).toEqual([kid, old.kid]);
    // after the retention the old key is gone from the JWKS
    expect(fresh.jwks(rotatedAt.getTime() + RETIRED_KEY_RETENTION_MS + 1).keys.map((k) => k.kid)).toEqual([kid]);
    // a second rotation long after drops it from the file
    await rotateSigningKey(file, new Date(rotatedAt.getTime() + RETIRED_KEY_RETENTION_MS + 1));
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content.previous.map((k: { kid: string }) => k.kid)).toEqual([kid]);
  });
});
