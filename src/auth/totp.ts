// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 30-second steps, six
// digits — what every authenticator app (and the otpauth:// URI format) expects by default.
// Our own few lines rather than a package: the algorithm is small and fixed, and the RFC's test
// vectors pin it (test/auth/totp.test.ts).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive, spaces and padding ignored); undefined when not base32. */
export function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new shared secret: 20 random bytes (160 bits, RFC 4226 §4's recommendation), 32 base32 characters. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** HOTP value for `counter` (RFC 4226 §5.3: dynamic truncation), left-padded to `digits`. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step that `unixMs` falls in. */
export function totpStep(unixMs: number): number {
  return Math.floor(unixMs / 1000 / TOTP_STEP_SECONDS);
}

export function totp(key: Uint8Array, unixMs: number, digits = TOTP_DIGITS): string {
  return hotp(key, totpStep(unixMs), digits);
}

/**
 * The step a code is valid for, allowing one step of clock drift either way (RFC 6238 §5.2), or
 * undefined. A code for a step at or before `lastUsedStep` is refused: each code works once.
 */
export function verifyTotp(secretBase32: string, code: string, unixMs: number, lastUsedStep: number | null = null): number | undefined {
  const key = base32Decode(secretBase32);
  if (!key || key.length === 0 || !/^[0-9]{6}$/.test(code)) return undefined;
  const now = totpStep(unixMs);
  let found: number | undefined;
  // compare against every candidate, so timing does not say which step matched
  for (const step of [now - 1, now, now + 1]) {
    const ok = timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(code));
    if (ok && (lastUsedStep === null || step > lastUsedStep) && found === undefined) found = step;
  }
  return found;
}

/** The otpauth:// URI an authenticator app reads from a QR code (Key URI Format). */
export function otpauthUri(secretBase32: string, account: string, issuer = 'LIR'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret: secretBase32, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
