import { describe, expect, it } from 'vitest';
import { gtinCheckDigit, isValidGtin, parseUdi, parseUdiGroup, type UdiParse, type UdiResult } from '../../src/udi/index.js';

const GS = '\u001d';
const REF = { referenceDate: new Date('2026-01-15T00:00:00Z') };

function ok(r: UdiParse): UdiResult {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}
function err(r: UdiParse): { code: string; position: number } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return { code: r.error.code, position: r.error.position };
}

describe('GS1 check digit', () => {
  it('computes the mod-10 check digit of published GTINs', () => {
    // GS1 General Specifications 7.9.1 worked example: 629104150021 → 3.
    expect(gtinCheckDigit('629104150021')).toBe(3);
    // EAN-13 4006381333931, UPC-A 036000291452, EAN-8 73513537 (widely published examples).
    expect(gtinCheckDigit('400638133393')).toBe(1);
    expect(gtinCheckDigit('03600029145')).toBe(2);
    expect(gtinCheckDigit('7351353')).toBe(7);
    // GS1 Digital Link standard example GTIN 09506000134352 (0·3+9+5·3+0+6·3+0+0+0+1·3+3+4·3+3+5·3 = 78 → 2).
    expect(gtinCheckDigit('0950600013435')).toBe(2);
  });

  it('validates GTIN-8/12/13/14', () => {
    for (const g of ['73513537', '036000291452', '4006381333931', '09506000134352', '08023279277098', '00643169001763']) {
      expect(isValidGtin(g)).toBe(true);
    }
    expect(isValidGtin('09506000134353')).toBe(false);
    expect(isValidGtin('0950600013435')).toBe(false); // 13 digits but wrong check
    expect(isValidGtin('123456789')).toBe(false); // no GTIN length
    expect(isValidGtin('0950600013435X')).toBe(false);
  });

  it('rejects non-digit bodies', () => {
    expect(() => gtinCheckDigit('12A')).toThrow(RangeError);
  });
});

describe('GS1 human-readable form', () => {
  it('parses the Nictiz zib2020 example', () => {
    const r = ok(parseUdi('(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101', REF));
    expect(r).toMatchObject({
      issuer: 'GS1',
      udiDi: '08023279277098',
      lot: '1234AB',
      serial: '12345XYZ',
      expiryDate: '2022-12-31',
      manufactureDate: '2001-01-01',
      partial: false,
      warnings: [],
    });
    expect(r.elements).toEqual([
      { id: '01', value: '08023279277098', position: 0 },
      { id: '17', value: '221231', position: 18 },
      { id: '10', value: '1234AB', position: 28 },
      { id: '21', value: '12345XYZ', position: 38 },
      { id: '11', value: '010101', position: 50 },
    ]);
  });

  it('rejects the AccessGUDID parse_udi fixture (01)00208851107345, whose check digit is wrong', () => {
    // AccessGUDID does not verify check digits (reference §2.7). By hand: body 0020885110734,
    // from the right 4·3+3+7·3+0+1·3+1+5·3+8+8·3+0+2·3+0+0 = 93 → check digit 7, not 5.
    expect(err(parseUdi('(01)00208851107345(17)150331', REF))).toEqual({ code: 'GS1_CHECK_DIGIT', position: 17 });
    // The rest of the response (expiry 150331 → 2015-03-31) with a corrected DI:
    const r = ok(parseUdi('(01)00208851107347(17)150331', REF));
    expect(r).toMatchObject({ udiDi: '00208851107347', expiryDate: '2015-03-31', lot: null, serial: null, manufactureDate: null });
  });

  it('parses the HL7 v2 PRT-10 GS1 example', () => {
    const r = ok(parseUdi('(01)00643169001763(17)160712(21)21A11F4855', REF));
    expect(r).toMatchObject({ udiDi: '00643169001763', expiryDate: '2016-07-12', serial: '21A11F4855', partial: false });
  });

  it('honours \\( as a literal parenthesis in data', () => {
    const r = ok(parseUdi('(01)08023279277098(10)AB\\(12)', REF));
    expect(r.lot).toBe('AB(12)');
  });

  it('tolerates spaces around AIs with a warning', () => {
    const r = ok(parseUdi('(01) 08023279277098 (17) 221231', REF));
    expect(r.expiryDate).toBe('2022-12-31');
    expect(r.warnings.some((w) => w.startsWith('GS1_HRI_SPACES:'))).toBe(true);
  });

  it('marks DI-only and PI-only carriers as partial', () => {
    expect(ok(parseUdi('(01)08023279277098', REF)).partial).toBe(true);
    const pi = ok(parseUdi('(17)221231(10)1234AB', REF));
    expect(pi).toMatchObject({ udiDi: null, lot: '1234AB', partial: true });
  });
});

describe('GS1 raw element strings', () => {
  const raw = `0108023279277098172212311012345AB${GS}2112345XYZ${GS}11010101`;

  it.each([
    [']d2', 'GS1 DataMatrix'],
    [']C1', 'GS1-128'],
    [']Q3', 'GS1 QR'],
    [']e0', 'GS1 DataBar'],
    [GS, 'leading GS instead of a symbology identifier'],
    ['', 'no prefix'],
  ])('parses with prefix %j (%s)', (prefix) => {
    const r = ok(parseUdi(prefix + raw, REF));
    expect(r).toMatchObject({
      udiDi: '08023279277098', expiryDate: '2022-12-31', lot: '12345AB', serial: '12345XYZ', manufactureDate: '2001-01-01',
    });
    expect(r.elements[0]).toEqual({ id: '01', value: '08023279277098', position: prefix.length });
  });

  it('ignores redundant separators and a trailing CR/LF', () => {
    const r = ok(parseUdi(`]d201080232792770981722123110ABC${GS}${GS}${GS}21XYZ${GS}\r\n`, REF));
    expect(r).toMatchObject({ lot: 'ABC', serial: 'XYZ' });
  });

  it('accepts a GS before predefined-length AIs (real labels, biip #253)', () => {
    const r = ok(parseUdi(`]d20108023279277098${GS}17221231${GS}10ABC`, REF));
    expect(r).toMatchObject({ expiryDate: '2022-12-31', lot: 'ABC' });
  });

  it('maps configured keyboard-wedge separators to GS', () => {
    const r = ok(parseUdi('0108023279277098101234AB|2112345XYZ', { ...REF, separators: ['|'] }));
    expect(r).toMatchObject({ lot: '1234AB', serial: '12345XYZ' });
    // without the option `|` is not a separator and not CSET 82 either
    expect(err(parseUdi('0108023279277098101234AB|2112345XYZ', REF))).toEqual({ code: 'GS1_INVALID_CHARACTER', position: 24 });
  });

  it('warns when a variable field is exactly at its maximum and more data follows', () => {
    const r = ok(parseUdi(`]d2010802327927709810ABCDEFGHIJKLMNOPQRST${GS}21X`, REF));
    expect(r.lot).toHaveLength(20);
    expect(r.warnings.some((w) => w.startsWith('GS1_AT_MAX_LENGTH:'))).toBe(true);
  });

  it('reads bare GTINs as DI only', () => {
    const r = ok(parseUdi(']E04006381333931', REF));
    expect(r).toMatchObject({ udiDi: '04006381333931', partial: true });
    expect(r.warnings[0]).toMatch(/^GS1_BARE_GTIN:/);
    expect(ok(parseUdi('09506000134352', REF)).udiDi).toBe('09506000134352');
    expect(ok(parseUdi('73513537', REF)).udiDi).toBe('00000073513537');
    expect(err(parseUdi('4006381333932', REF))).toEqual({ code: 'GS1_CHECK_DIGIT', position: 12 });
    // with a GS1 symbology identifier 8 digits are an element string: (17) only
    expect(ok(parseUdi(']d217221231', REF))).toMatchObject({ udiDi: null, expiryDate: '2022-12-31' });
  });
});

describe('GS1 dates', () => {
  it('reads day 00 as the last day of the month, leap years included, with a warning', () => {
    const r = ok(parseUdi('(01)09506000134352(17)240200', REF));
    expect(r.expiryDate).toBe('2024-02-29');
    expect(r.warnings.some((w) => w.startsWith('GS1_DAY_00:'))).toBe(true);
    expect(ok(parseUdi('(01)09506000134352(17)250200', REF)).expiryDate).toBe('2025-02-28');
  });

  it('applies the GenSpecs 7.12 sliding century window relative to the scan date', () => {
    // scan year 2026: YY − 26 in 51..99 → previous century, otherwise current
    expect(ok(parseUdi('(01)09506000134352(17)751231', REF)).expiryDate).toBe('2075-12-31');
    expect(ok(parseUdi('(01)09506000134352(17)771231', REF)).expiryDate).toBe('1977-12-31');
    // scan year 2099: 01 − 99 = −98 → next century
    const late = { referenceDate: new Date('2099-06-01T00:00:00Z') };
    expect(ok(parseUdi('(01)09506000134352(17)010101', late)).expiryDate).toBe('2101-01-01');
  });

  it('reads (7003) expiry date and time', () => {
    expect(ok(parseUdi('(01)09506000134352(7003)2212312359', REF)).expiryDate).toBe('2022-12-31');
  });
});

describe('GS1 errors: code and position in the original input', () => {
  it.each([
    // bad check digit: position of the check digit
    ['(01)08023279277099(17)221231', 'GS1_CHECK_DIGIT', 17],
    [']d20108023279277099', 'GS1_CHECK_DIGIT', 18],
    // impossible dates: position of the month or day
    ['(01)08023279277098(17)221301', 'GS1_INVALID_DATE', 24],
    ['(01)08023279277098(17)230229', 'GS1_INVALID_DATE', 26],
    ['(01)08023279277098(17)240230', 'GS1_INVALID_DATE', 26],
    ['(01)08023279277098(7003)2212002359', 'GS1_INVALID_DATE', 28], // (7003) has no day 00
    ['(01)08023279277098(7003)2212312460', 'GS1_INVALID_TIME', 30],
    // over-long variable field: first character past the maximum
    ['(01)08023279277098(10)ABCDEFGHIJKLMNOPQRSTU', 'GS1_VALUE_TOO_LONG', 42],
    // lost GS: the lot swallows (21) and its serial
    ['0108023279277098101234AB2112345XYZ123456', 'GS1_VALUE_TOO_LONG', 38],
    // fixed-length AI that needs a GS: (422) followed directly by (10)
    ['010802327927709842252810ABC', 'GS1_MISSING_SEPARATOR', 22],
    // unknown AIs
    ['0108023279277098041234', 'GS1_UNKNOWN_AI', 16],
    ['0108023279277098891234', 'GS1_UNKNOWN_AI', 16],
    ['(01)08023279277098(8999)X', 'GS1_UNKNOWN_AI', 19],
    // characters outside CSET 82 (space, non-ASCII)
    ['(01)08023279277098(10)AB CD', 'GS1_INVALID_CHARACTER', 24],
    ['(01)08023279277098(10)ABé', 'GS1_INVALID_CHARACTER', 24],
    ['(01)0802327927709A', 'GS1_INVALID_CHARACTER', 17],
    // truncated predefined-length data
    ['(01)0802327927709', 'GS1_TRUNCATED', 17],
    [`01080232792770${GS}98`, 'GS1_TRUNCATED', 14],
    [']d2010802327927709817221', 'GS1_TRUNCATED', 24],
    [']d201080232792770981', 'GS1_TRUNCATED', 20],
    // empty variable field
    [`010802327927709810${GS}21X`, 'GS1_EMPTY_VALUE', 18],
    // HRI structure
    ['(01)08023279277098(1)ABC', 'GS1_BAD_HRI', 19],
    ['(01)08023279277098(23)123', 'GS1_BAD_HRI', 19],
    ['(01)08023279277098x', 'GS1_VALUE_TOO_LONG', 18],
    ['01)08023279277098', 'GS1_INVALID_CHARACTER', 2],
    // duplicates and pairing
    ['(01)08023279277098(10)A(10)B', 'GS1_DUPLICATE_AI', 23],
    ['(01)08023279277098(02)08023279277098', 'GS1_INVALID_PAIRING', 18],
    // agency dispatch
    ['https://id.gs1.org/01/09506000134352', 'UDI_UNSUPPORTED', 0],
    ['ABC', 'UDI_UNKNOWN_FORMAT', 0],
    [']d2ABC', 'UDI_UNKNOWN_FORMAT', 3],
    ['', 'UDI_EMPTY', 0],
    [']d2', 'UDI_EMPTY', 3],
  ])('%j → %s at %i', (input, code, position) => {
    expect(err(parseUdi(input, REF))).toEqual({ code, position });
  });

  it('uses positions of the original input with a multi-character separator', () => {
    expect(err(parseUdi('0108023279277098101234AB<GS>21ABC DEF', { ...REF, separators: ['<GS>'] }))).toEqual({
      code: 'GS1_INVALID_CHARACTER',
      position: 33,
    });
  });
});

describe('GS1 label in two parts', () => {
  it('combines DI and PI carriers and checks pairing over the group', () => {
    const r = ok(parseUdiGroup(['(01)08023279277098(17)221231', '(10)1234AB(21)12345XYZ'], REF));
    expect(r).toMatchObject({ udiDi: '08023279277098', lot: '1234AB', serial: '12345XYZ', expiryDate: '2022-12-31', partial: false });
    expect(r.elements.map((e) => e.id)).toEqual(['01', '17', '10', '21']);
    expect(r.warnings).toEqual([]);
  });

  it('rejects two different DIs', () => {
    const r = parseUdiGroup(['(01)08023279277098', '(01)09506000134352(10)A'], REF);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'UDI_CONFLICT', input: 1 });
  });

  it('reports the failing input of a group', () => {
    const r = parseUdiGroup(['(01)08023279277098', '(10)A B'], REF);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'GS1_INVALID_CHARACTER', position: 5, input: 1 });
  });
});
