// The TTP's keys and pseudonyms without HTTP: the 11-proef, stable labelled pseudonyms, the key file
// (0600, versioned), rotation.

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PSEUDONYM_PATTERN } from '../../src/domain/identifiers.js';
import { checkBsn, readOrCreateTtpKeyFile, rotateTtpKey, TtpKeyStore } from '../../src/privacy/ttp/keys.js';
import { TtpService } from '../../src/privacy/ttp/service.js';

const tempKeyFile = () => join(mkdtempSync(join(tmpdir(), 'lir-ttp-')), 'ttp-key.json');

describe('BSN check', () => {
  it('accepts 11-proef numbers and pads 8 digits', () => {
    expect(checkBsn('111222333')).toEqual({ ok: true, bsn: '111222333' });
    expect(checkBsn('999911120')).toEqual({ ok: true, bsn: '999911120' });
    expect(checkBsn('12345672')).toEqual({ ok: true, bsn: '012345672' });
  });
  it.each([['111222334'], ['12345'], ['1112223330'], ['abcdefghi'], ['000000000'], [' 111222333'], [111222333], [null]])('refuses %s without repeating it', (input) => {
    const r = checkBsn(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('INVALID_BSN');
      expect(r.message).not.toContain(String(input).trim());
    }
  });
});

describe('TTP keys', () => {
  it('creates a versioned 32-byte key file with mode 0600 on first use', () => {
    const file = tempKeyFile();
    const content = readOrCreateTtpKeyFile(file);
    expect(content.current).toBe('v1');
    expect(Buffer.from(content.keys.v1!, 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateTtpKeyFile(file)).toEqual(content);
  });

  it('gives stable pseudonyms matching the pattern, labelled with the key version', () => {
    const file = tempKeyFile();
    const svc = new TtpService(new TtpKeyStore(file));
    const a = svc.pseudonymise(['111222333', '999911120', '12345672', '012345672', '111222333']).results;
    const ps = a.map((r) => ('pseudonym' in r ? r.pseudonym : ''));
    for (const p of ps) {
      expect(p).toMatch(PSEUDONYM_PATTERN);
      expect(p.startsWith('ttpv1:')).toBe(true);
    }
    expect(ps[0]).toBe(ps[4]);
    expect(ps[2]).toBe(ps[3]);
    expect(new Set(ps.slice(0, 3)).size).toBe(3);
    // stable across processes: a new store on the same file gives the same pseudonym
    const again = new TtpService(new TtpKeyStore(file)).pseudonymise(['111222333']).results[0];
    expect(again).toEqual({ index: 0, pseudonym: ps[0] });
    // a different key gives a different pseudonym
    const other = new TtpService(new TtpKeyStore(tempKeyFile())).pseudonymise(['111222333']).results[0];
    expect(other).not.toEqual(again);
  });

  it('rotation adds a version, changes the label and keeps the old key for re-keying', () => {
    const file = tempKeyFile();
    const store = new TtpKeyStore(file);
    const svc = new TtpService(store);
    expect(svc.rekey(['111222333'])).toBeUndefined();
    const before = svc.pseudonymise(['111222333']).results[0] as { pseudonym: string };
    expect(rotateTtpKey(file)).toEqual({ current: 'v2', previous: 'v1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const after = svc.pseudonymise(['111222333']).results[0] as { pseudonym: string };
    expect(after.pseudonym.startsWith('ttpv2:')).toBe(true);
    expect(after.pseudonym).not.toBe(before.pseudonym);
    const r = svc.rekey(['111222333', 'x'])!;
    expect(r.from).toBe('v1');
    expect(r.to).toBe('v2');
    expect(r.results[0]).toEqual({ index: 0, old: before.pseudonym, new: after.pseudonym });
    expect(r.results[1]).toMatchObject({ index: 1, error: { code: 'INVALID_BSN' } });
    const file2 = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(file2.keys)).toEqual(['v1', 'v2']);
  });
});
