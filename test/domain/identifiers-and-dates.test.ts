import { describe, expect, it } from 'vitest';
import { isAgb, isBsn, isKvk, isPseudonym, isSctid } from '../../src/domain/identifiers.js';
import { addOneMonth, dateOf, deliveryDeadline, isLate, isValidIsoDate } from '../../src/domain/dates.js';
import { validateProvider } from '../../src/catalogue/reference-data.js';

describe('BSN 11-proef', () => {
  // 111222333: 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3−1·3 = 66 = 6·11 (elfproef README example)
  // 999911120: 81+72+63+54+5+4+3+4−0 = 286 = 26·11 (Nictiz/RIVO test BSN)
  it('accepts the published examples and refuses near misses', () => {
    expect(isBsn('111222333')).toBe(true);
    expect(isBsn('999911120')).toBe(true);
    expect(isBsn('123456789')).toBe(false); // 9+16+21+24+25+24+21+16−9 = 147, 147 mod 11 = 4
    expect(isBsn('000000000')).toBe(false); // sum 0
    expect(isBsn('11222333')).toBe(false); // padded 011222333: 0+8+7+12+10+8+9+6−3 = 57, 57 mod 11 = 2
    expect(isBsn('12345678a')).toBe(false);
  });
});

describe('KvK, AGB and pseudonyms', () => {
  it('wants exactly eight digits', () => {
    expect(isKvk('12345678')).toBe(true);
    expect(isKvk('1234567')).toBe(false);
    expect(isKvk('123456789')).toBe(false);
    expect(isAgb('06010001')).toBe(true);
    expect(isAgb('0601000A')).toBe(false);
  });
  it('refuses a provider with a bad AGB code', () => {
    expect(() => validateProvider({ kvk: '12345678', agb: '123', name: 'X', type: 'hospital', region: null })).toThrow(/agb must be exactly 8 digits/);
    expect(() => validateProvider({ kvk: '12345678', agb: null, name: 'X', type: 'pharmacy' as never, region: null })).toThrow(/type must be one of/);
  });
  it('knows a TTP pseudonym from a bare number', () => {
    expect(isPseudonym('ttp1:AbCdEfGh12345678')).toBe(true);
    expect(isPseudonym('999911120')).toBe(false);
    expect(isPseudonym('ttp1:short')).toBe(false);
  });
});

describe('SNOMED CT identifiers', () => {
  // concept ids from the nl-core examples: left, right, both, pacemaker, body site
  it.each(['7771000', '24028007', '51440002', '14106009', '9454009'])('accepts %s', (id) => expect(isSctid(id)).toBe(true));
  it.each(['7771001', '24028008', '123', '0771000'])('refuses %s', (id) => expect(isSctid(id)).toBe(false));
});

describe('deadlines', () => {
  it('adds one calendar month, clamped to the month end', () => {
    expect(addOneMonth('2024-01-31')).toBe('2024-02-29');
    expect(addOneMonth('2023-01-31')).toBe('2023-02-28');
    expect(addOneMonth('2024-12-15')).toBe('2025-01-15');
    expect(deliveryDeadline('2024-03-31')).toBe('2024-04-30');
  });
  it('uses the Dutch calendar date for "today" and lateness', () => {
    expect(dateOf(new Date('2024-06-30T22:30:00Z'))).toBe('2024-07-01'); // 00:30 CEST
    expect(dateOf(new Date('2024-01-31T22:59:00Z'))).toBe('2024-01-31'); // 23:59 CET
    expect(isLate('2024-01-31', new Date('2024-02-29T22:00:00Z'))).toBe(false); // 23:00 on the deadline day
    expect(isLate('2024-01-31', new Date('2024-02-29T23:30:00Z'))).toBe(true); // 00:30 the day after
  });
  it('validates calendar dates', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2023-02-29')).toBe(false);
    expect(isValidIsoDate('2024-2-01')).toBe(false);
  });
});
