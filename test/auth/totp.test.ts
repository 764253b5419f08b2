// TOTP against the published test vectors: RFC 4226 Appendix D (HOTP), RFC 6238 Appendix B (TOTP,
// HMAC-SHA-1 rows), RFC 4648 §10 (base32).

import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, newTotpSecret, otpauthUri, totp, verifyTotp } from '../../src/auth/totp.js';

const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');

describe('base32 (RFC 4648 §10)', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  it.each(vectors)('%j ↔ %s', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded)!.toString()).toBe(plain);
  });
  it('decodes lower case, spaces and padding; refuses other characters', () => {
    expect(base32Decode('mzxw 6ytb oi======')!.toString()).toBe('foobar');
    expect(base32Decode('MZXW1')).toBeUndefined();
  });
});

describe('HOTP (RFC 4226 Appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it.each(expected.map((v, i) => [i, v] as const))('count %i → %s', (count, value) => {
    expect(hotp(RFC_KEY, count)).toBe(value);
  });
});

describe('TOTP (RFC 6238 Appendix B, SHA-1, 8 digits)', () => {
  const rows: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  it.each(rows)('T = %i s → %s', (seconds, value) => {
    expect(totp(RFC_KEY, seconds * 1000, 8)).toBe(value);
  });
});

describe('verifyTotp', () => {
  const secret = base32Encode(RFC_KEY);
  const t = 1111111111_000; // step 37037037
  it('accepts the current code and one step of drift either way, not two', () => {
    expect(verifyTotp(secret, totp(RFC_KEY, t), t)).toBe(37037037);
    expect(verifyTotp(secret, totp(RFC_KEY, t - 30_000), t)).toBe(37037036);
    expect(verifyTotp(secret, totp(RFC_KEY, t + 30_000), t)).toBe(37037038);
    expect(verifyTotp(secret, totp(RFC_KEY, t - 60_000), t)).toBeUndefined();
    expect(verifyTotp(secret, totp(RFC_KEY, t + 60_000), t)).toBeUndefined();
  });
  it('accepts a code once: not again for the same or an earlier step', () => {
    const code = totp(RFC_KEY, t);
    expect(verifyTotp(secret, code, t, 37037037)).toBeUndefined();
    expect(verifyTotp(secret, totp(RFC_KEY, t - 30_000), t, 37037037)).toBeUndefined();
    expect(verifyTotp(secret, totp(RFC_KEY, t + 30_000), t, 37037037)).toBe(37037038);
  });
  it('refuses malformed codes and secrets', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(verifyTotp(secret, code, t)).toBeUndefined();
    expect(verifyTotp('not base32!', '123456', t)).toBeUndefined();
  });
  it('makes 160-bit secrets and otpauth URIs an authenticator app reads', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(s)!.length).toBe(20);
    const uri = new URL(otpauthUri(s, 'j.jansen@igj.nl'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/LIR:j.jansen@igj.nl');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: s, issuer: 'LIR', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
