import { describe, expect, it } from 'vitest';
import { hibcCheckCharacter, parseUdi, parseUdiGroup, type UdiParse, type UdiResult } from '../../src/udi/index.js';

function ok(r: UdiParse): UdiResult {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}
function err(r: UdiParse): { code: string; position: number } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return { code: r.error.code, position: r.error.position };
}

/*
 * Check characters verified by hand with the M43 values (0–9 = 0–9, A–Z = 10–35, - 36, . 37,
 * space 38, $ 39, / 40, + 41, % 42):
 *
 * Nictiz pacemaker `+A99912345/$$52001510X3/16D20111212/S77DEFG45` + `7`:
 *   + 41, A 10, 9 9 9 1 2 3 4 5 → 93; / 40 → 133; $ $ 78 → 211; 5 2 0 0 1 5 → 224; 1 0 → 225;
 *   X 33 → 258; 3 → 261; / 40 → 301; 1 6 → 308; D 13 → 321; 2 0 1 1 1 2 1 2 → 331; / 40 → 371;
 *   S 28 → 399; 7 7 → 413; D E F G 13+14+15+16 → 471; 4 5 → 480. 480 = 11·43 + 7 → `7`. ✓
 * ANSI/HIBC 2.6 figure 1 `+A123BJC5D6E71` + `G`:
 *   41 + 10 + 1+2+3 = 57; B J C 5 D 6 E 7 = 11+19+12+5+13+6+14+7 = 87 → 144; 1 → 145;
 *   145 = 3·43 + 16 → `G`. ✓
 * `+H216040835` + `1`: 41+17+2+1+6+0+4+0+8+3+5 = 87 = 2·43 + 1 → `1`. ✓
 * Secondary `+$$52001510X3` + link `G` + `D`: 41+39+39+5+2+0+0+1+5+1+0+33+3 = 169; G 16 → 185;
 *   185 = 4·43 + 13 → `D`. ✓   With link `H` (17): 186 → 14 → `E`.
 * HL7/FHIR example `+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202`:
 *   sum 834 = 19·43 + 17 → `H`; the published string ends in `C` (reference §0.3: published
 *   example strings carry a wrong HIBC check character).
 */

describe('HIBC check character', () => {
  it('computes the modulo-43 check character', () => {
    expect(hibcCheckCharacter('+A123BJC5D6E71')).toBe('G');
    expect(hibcCheckCharacter('+A99912345/$$52001510X3/16D20111212/S77DEFG45')).toBe('7');
    expect(hibcCheckCharacter('+$$52001510X3G')).toBe('D');
  });
});

describe('HIBC parsing', () => {
  it('parses the Nictiz pacemaker example (concatenated primary, $$5 secondary, /16D and /S)', () => {
    const r = ok(parseUdi('+A99912345/$$52001510X3/16D20111212/S77DEFG457'));
    expect(r).toMatchObject({
      issuer: 'HIBCC',
      udiDi: 'A99912345', // LIC A999 + PCN 1234 + U/M 5, no '+' and no check character
      lot: '10X3',
      serial: '77DEFG45',
      expiryDate: '2020-01-15', // YYJJJ 20015
      manufactureDate: '2011-12-12',
      partial: false,
      warnings: [],
    });
    expect(r.elements).toEqual([
      { id: 'LIC', value: 'A999', position: 1 },
      { id: 'PCN', value: '1234', position: 5 },
      { id: 'UOM', value: '5', position: 9 },
      { id: 'EXPIRY_YYJJJ', value: '20015', position: 14 },
      { id: 'LOT', value: '10X3', position: 19 },
      { id: 'MANUFACTURE_YYYYMMDD', value: '20111212', position: 27 },
      { id: 'SERIAL', value: '77DEFG45', position: 37 },
      { id: 'CHECK', value: '7', position: 45 },
    ]);
  });

  it('parses the ANSI/HIBC 2.6 primary example, also with caption delimiters and symbology IDs', () => {
    for (const [input, offset] of [['+A123BJC5D6E71G', 0], ['*+A123BJC5D6E71G*', 1], [']d1+A123BJC5D6E71G', 3], [']zB+A123BJC5D6E71G', 3]] as const) {
      const r = ok(parseUdi(input));
      expect(r).toMatchObject({ udiDi: 'A123BJC5D6E71', lot: null, partial: true });
      expect(r.elements.find((e) => e.id === 'PCN')).toEqual({ id: 'PCN', value: 'BJC5D6E7', position: 5 + offset });
    }
    expect(ok(parseUdi('+H2160408351')).udiDi).toBe('H216040835');
  });

  it('parses 1-D primary and secondary symbols read together (BarcodeParserBuilder fixtures)', () => {
    expect(ok(parseUdi('+A123BJC5D6E71G+$$52001510X3GD'))).toMatchObject({
      udiDi: 'A123BJC5D6E71', lot: '10X3', expiryDate: '2020-01-15', partial: false,
    });
    expect(ok(parseUdi('+A123BJC5D6E71G+$$+52001510X3GB'))).toMatchObject({ serial: '10X3', lot: null });
    expect(ok(parseUdi('+A123BJC5D6E71G+$$710X3G7'))).toMatchObject({ lot: '10X3', expiryDate: null });
    // legacy secondary (YYJJJ without flag) and a +S supplemental symbol
    expect(ok(parseUdi('+J123AQ3451T+25330BC34567T2+S4012TJ'))).toMatchObject({
      udiDi: 'J123AQ3451', lot: 'BC34567', serial: '4012', expiryDate: '2025-11-26',
    });
    // link character '+' and a space as check character: never trimmed
    expect(ok(parseUdi('+A123BJCMD6E79++$$52001510X3+ '))).toMatchObject({ udiDi: 'A123BJCMD6E79', lot: '10X3' });
  });

  it('reads MMYY expiry as the end of the month, with a warning', () => {
    const r = ok(parseUdi('+J123AQ3451/$$1125BC34567/S4012L'));
    expect(r).toMatchObject({ expiryDate: '2025-11-30', lot: 'BC34567', serial: '4012' });
    expect(r.warnings.some((w) => w.startsWith('HIBC_MONTH_PRECISION:'))).toBe(true);
    expect(ok(parseUdi('+J123AQ3451/$$0125BC34567/S4012K')).expiryDate).toBe('2025-01-31');
  });

  it('parses the Julian expiry of another BarcodeParserBuilder fixture (day 250 of 2020)', () => {
    expect(ok(parseUdi('+A99912345/$$52025010X3/16D20111212/S77DEFG458')).expiryDate).toBe('2020-09-06');
  });

  it('rejects the HL7/FHIR example when scanned and accepts it with a warning when typed', () => {
    const s = '+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202C';
    expect(err(parseUdi(s))).toEqual({ code: 'HIBC_CHECK_CHARACTER', position: 86 });
    const r = ok(parseUdi(s, { typed: true }));
    expect(r).toMatchObject({
      udiDi: 'H123PARTNO1234567890120',
      lot: 'LOT123456789012345',
      serial: 'XYZ456789012345678',
      expiryDate: '2020-02-02', // $$4 YYMMDDHH 20020216
      manufactureDate: '2013-02-02',
    });
    expect(r.warnings.some((w) => w.startsWith('HIBC_CHECK_TYPED:'))).toBe(true);
  });
});

describe('HIBC primary + secondary as separate scans', () => {
  it('combines them and verifies the link character', () => {
    const r = ok(parseUdiGroup(['+A123BJC5D6E71G', '+$$52001510X3GD']));
    expect(r).toMatchObject({ udiDi: 'A123BJC5D6E71', lot: '10X3', expiryDate: '2020-01-15', partial: false });
  });

  it('rejects a secondary whose link character belongs to another primary', () => {
    const secondary = '+$$52001510X3HE'; // valid own check character, link H ≠ G
    expect(ok(parseUdi(secondary))).toMatchObject({ udiDi: null, lot: '10X3', partial: true });
    const r = parseUdiGroup(['+A123BJC5D6E71G', secondary]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'HIBC_LINK_CHARACTER', position: 13, input: 1 });
  });

  it('rejects combining two different primaries', () => {
    const r = parseUdiGroup(['+A123BJC5D6E71G', '+H2160408351']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('UDI_CONFLICT');
  });
});

describe('HIBC errors: code and position', () => {
  const typed = { typed: true }; // check character ignored, so each test targets one rule
  it.each([
    ['+A123BJC5D6E71H', {}, 'HIBC_CHECK_CHARACTER', 14],
    ['+A99912345/$$52001510X3/16D20111212/S77DEFG458', {}, 'HIBC_CHECK_CHARACTER', 45],
    ['+a123BJC5D6E71G', {}, 'HIBC_INVALID_CHARACTER', 1],
    ['+A123BJC5D6E71G+$$52001510x3GD', {}, 'HIBC_INVALID_CHARACTER', 26],
    ['+A99912345/$$52136610X3/16D20111212/S77DEFG457', typed, 'HIBC_INVALID_DATE', 14], // day 366 of 2021
    ['+A99912345/$$52001510X3/16D20111312/S77DEFG457', typed, 'HIBC_INVALID_DATE', 27], // month 13
    ['+A99912345/$$3210230LOT/S1X', typed, 'HIBC_INVALID_DATE', 14], // 2021-02-30
    ['+A99912345/$$52001', typed, 'HIBC_INVALID_DATE', 14], // truncated date
    ['+A12X', typed, 'HIBC_TOO_SHORT', 4],
    ['+A99912345/$LOT4567890123456789X/S1X', typed, 'HIBC_VALUE_TOO_LONG', 30], // lot of 19
    ['+A991234567890123456789012X', typed, 'HIBC_VALUE_TOO_LONG', 23], // PCN of 19
    ['+A99912345/X1234X', typed, 'HIBC_PARSE', 11], // unknown secondary flag
    ['+1999123457', typed, 'HIBC_INVALID_DATE', 1], // "+digit" = legacy secondary: day 912
    ['+/ABC', {}, 'UDI_UNSUPPORTED', 0], // Provider Applications Standard
  ])('%j → %s at %i', (input, opts, code, position) => {
    expect(err(parseUdi(input, opts))).toEqual({ code, position });
  });
});
