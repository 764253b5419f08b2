import { describe, expect, it } from 'vitest';
import { aiLengthForPrefix, allAis, lookupAi, predefinedLengthForPrefix } from '../../src/udi/gs1-ais.js';
import { gmnCheckPair, isValidGmn, isbtBasicUdiDiChecksum, isValidGtin, udiReport } from '../../src/udi/index.js';

describe('GS1 AI table (transcribed from the Barcode Syntax Dictionary)', () => {
  it('agrees with the AI length by prefix for every AI (syntax engine test_ai_AItableVsPrefixLength)', () => {
    for (const def of allAis()) expect(def.ai.length, def.ai).toBe(aiLengthForPrefix(def.ai.slice(0, 2)));
  });

  it('marks exactly the predefined-length prefixes as needing no GS (test_ai_AItableVsIsFNC1required)', () => {
    for (const def of allAis()) {
      expect(def.predefined, def.ai).toBe(predefinedLengthForPrefix(def.ai.slice(0, 2)) !== null);
      if (def.predefined) expect(def.maxLength, def.ai).toBe(predefinedLengthForPrefix(def.ai.slice(0, 2)));
    }
  });

  it('has the AI lengths of test_ai_checkAIlengthByPrefix', () => {
    const expected: Record<string, number> = { '00': 2, '01': 2, '10': 2, '17': 2, '21': 2, '22': 2, '23': 3, '24': 3, '25': 3, '30': 2, '31': 4, '36': 4, '37': 2, '39': 4, '40': 3, '41': 3, '42': 3, '43': 4, '70': 4, '71': 3, '72': 4, '80': 4, '81': 4, '82': 4, '90': 2, '99': 2 };
    for (const [prefix, len] of Object.entries(expected)) expect(aiLengthForPrefix(prefix), prefix).toBe(len);
    for (const prefix of ['26', '38', '44', '50', '83', 'AB', '1']) expect(aiLengthForPrefix(prefix), prefix).toBeNull();
  });

  it('has the device AIs of shared/reference/udi-parsing.md §2.3 with their formats and pairing', () => {
    expect(lookupAi('01')).toMatchObject({ predefined: true, minLength: 14, maxLength: 14, ex: ['255', '37'] });
    expect(lookupAi('10')).toMatchObject({ predefined: false, minLength: 1, maxLength: 20 });
    expect(lookupAi('21')).toMatchObject({ maxLength: 20, req: [['01', '03', '8006']], ex: ['235'] });
    expect(lookupAi('17')?.components[0]?.linters).toEqual(['yymmd0']);
    expect(lookupAi('7003')).toMatchObject({ predefined: false, minLength: 10, maxLength: 10 });
    expect(lookupAi('8012')).toMatchObject({ maxLength: 20, req: [['01', '03', '8006']] });
    expect(lookupAi('8013')?.components[0]?.linters).toEqual(['csumalpha']);
    expect(lookupAi('250')?.req).toEqual([['01', '03', '8006'], ['21']]);
    for (const ai of ['240', '241', '243', '251', '22', '235', '7020', '7021', '7022', '7240', '8004', '7023', '8017', '8018', '8019', '713']) expect(lookupAi(ai), ai).toBeDefined();
    for (const ai of ['3106', '3109', '23', '04', '8014x']) expect(lookupAi(ai), ai).toBeUndefined();
  });

  it('validates GTINs of the syntax engine parity tests (test_ai_validateParity)', () => {
    // 24012345678905: 0·3+9+8·3+7+6·3+5+4·3+3+2·3+1+0·3+4+2·3 = 95 → 5 ✓; 2112233789657: 5·3+6+9·3+8+7·3+3+3·3+2+2·3+1+1·3+2 = 103 → 7 ✓
    // 416000336108: 0·3+1+6·3+3+3·3+0+0·3+0+6·3+1+4·3 = 62 → 8 ✓; 02345680: 8·3+6+5·3+4+3·3+2+0·3 = 60 → 0 ✓
    for (const g of ['24012345678905', '2112233789657', '416000336108', '02345680']) expect(isValidGtin(g), g).toBe(true);
    for (const g of ['24012345678909', '2112233789658', '416000336107', '02345689']) expect(isValidGtin(g), g).toBe(false);
  });
});

describe('check characters of Basic UDI-DIs', () => {
  it('computes the GS1 alphanumeric check pair of a GMN (gs1-syntax-dictionary src/lint_csumalpha.c tests)', () => {
    // 00000! → 13·(3 + 5 + 7 + 11 + 13) + 0·2 = 507; 507 >> 5 = 15 → H, 507 & 31 = 27 → V
    expect(gmnCheckPair('00000!')).toBe('HV');
    expect(gmnCheckPair('1987654Ad4X4bL5ttr2310c')).toBe('2K');
    expect(gmnCheckPair('')).toBe('22');
    for (const g of ['1987654Ad4X4bL5ttr2310c2K', '12345678901234567890123NT', '12345_ABCDEFGHIJKLMCP', '7907665Bm8v2AB', '23956qk1&dB!23', '57453Uq3qA<H67', '99999zzzzzzzzzzzzzzzzzzT2']) {
      expect(isValidGmn(g), g).toBe(true);
    }
    for (const g of ['1987654Ad4X4bL5ttr2310cXK', '1987654Ad4X4bL5ttr2310c2X', '33', '12345678901234567890123 T', 'A']) expect(isValidGmn(g), g).toBe(false);
  });

  it('computes the ISBT 128 Basic UDI-DI checksum (ST-017 Appendix 1 worked example)', () => {
    // Σ vᵢ·2ⁿ = 1,211,040; mod 37 = 30; (38 − 30) mod 37 = 8 → "08"
    expect(isbtBasicUdiDiChecksum('A9990ABC123T0480')).toBe('08');
    expect(() => isbtBasicUdiDiChecksum('a9990')).toThrow(RangeError);
  });
});

describe('udiReport (what the CLI prints and the API answers)', () => {
  it('prefixes the message with the failing string when several were given', () => {
    expect(udiReport(['(01)08023279277098', '(10)A B'])).toEqual({
      ok: false,
      error: { code: 'GS1_INVALID_CHARACTER', message: expect.stringMatching(/^string 2: AI \(10\)/) as string, position: 5 },
      input: 1,
    });
    const single = udiReport(['(01)08023279277099']);
    expect(single.ok ? null : single.error.message).not.toMatch(/^string/);
  });
});
