// Secrets (OAuth client secrets, account passwords): stored only as an scrypt hash with its own salt.
// Verification recomputes the hash with the stored parameters and compares in constant time.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PREFIX = 'lirs_';
const SECRET_BYTES = 32;
const SALT_BYTES = 16;
const KEY_LENGTH = 32;
/** N = 2^14, r = 8, p = 1: 16 MiB and some tens of milliseconds per hash. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const MAX_MEMORY = 64 * 1024 * 1024;

function scryptAsync(secret: string, salt: Buffer, keyLength: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export function generateSecret(): string {
  return PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, KEY_LENGTH, { ...PARAMS, maxmem: MAX_MEMORY });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of a random secret, verified against when the client is unknown (same cost either way). */
let dummyHash: Promise<string> | undefined;

/**
 * Whether `secret` matches `stored`. With `stored` undefined (unknown client) it spends the same
 * work on a dummy hash and answers false, so response time does not tell which client ids exist.
 */
export async function verifySecret(secret: string, stored: string | undefined | null): Promise<boolean> {
  const hash = stored ?? (await (dummyHash ??= hashSecret(generateSecret())));
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16 || secret.length > 512) return false;
  const actual = await scryptAsync(secret, salt, expected.length, { N, r, p, maxmem: MAX_MEMORY });
  return timingSafeEqual(actual, expected) && stored !== undefined && stored !== null;
}
