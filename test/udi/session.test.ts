import { describe, expect, it } from 'vitest';
import { combineUdi, parseUdi, parseUdiGroup, type UdiParse, type UdiResult } from '../../src/udi/index.js';

const GS = '\u001d';
const REF = { referenceDate: new Date('2026-01-15T00:00:00Z') };

function ok(r: UdiParse): UdiResult {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}
function err(r: UdiParse): { code: string; position: number; input?: number } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return { code: r.error.code, position: r.error.position, ...(r.error.input !== undefined ? { input: r.error.input } : {}) };
}
const codes = (r: UdiResult) => r.warnings.map((w) => w.split(':')[0]);

/*
 * HIBC check characters used below (mod 43, values 0–9, A–Z = 10–35, - 36, . 37, space 38, $ 39,
 * / 40, + 41, % 42):
 *   +A123BJC5D6E71 → Σ 145 = 3·43 + 16 → G (ANSI/HIBC 2.6 fig. 1)
 *   +$$52001510X3 + link G → Σ 185 = 4·43 + 13 → D;  with link H (17) → Σ 186 → E
 *   +$10X3 + link G: 41 + 39 + 1 + 0 + 33 + 3 + 16 = 133 = 3·43 + 4 → 4
 *   +S77DEFG45 + link G: 41 + 28 + 7 + 7 + 13 + 14 + 15 + 16 + 4 + 5 + 16 = 166 = 3·43 + 37 → .
 *   +$$+52001510X3 + link G → Σ 226 = 5·43 + 11 → B
 *   +A99912345: 41 + 10 + 9 + 9 + 9 + 1 + 2 + 3 + 4 + 5 = 93 = 2·43 + 7 → 7
 */
describe('scan session: HIBC primary and secondary as separate symbols', () => {
  it('combines primary + secondary, verifying the link character over the session', () => {
    const r = ok(parseUdiGroup(['+A123BJC5D6E71G', '+$$52001510X3GD'], REF));
    expect(r).toMatchObject({ issuer: 'HIBCC', udiDi: 'A123BJC5D6E71', lot: '10X3', expiryDate: '2020-01-15', partial: false, warnings: [] });
    expect(r.elements.map((e) => e.id)).toEqual(['LIC', 'PCN', 'UOM', 'CHECK', 'EXPIRY_YYJJJ', 'LOT', 'LINK', 'CHECK']);
  });

  it('does not depend on the scan order', () => {
    const a = ok(parseUdiGroup(['+A123BJC5D6E71G', '+$$+52001510X3GB'], REF));
    const b = ok(parseUdiGroup(['+$$+52001510X3GB', '+A123BJC5D6E71G'], REF));
    for (const r of [a, b]) expect(r).toMatchObject({ udiDi: 'A123BJC5D6E71', serial: '10X3', lot: null, expiryDate: '2020-01-15', partial: false });
  });

  it('takes a lot secondary and a serial supplemental symbol in three scans', () => {
    const r = ok(parseUdiGroup(['+A123BJC5D6E71G', '+$10X3G4', '+S77DEFG45G.'], REF));
    expect(r).toMatchObject({ udiDi: 'A123BJC5D6E71', lot: '10X3', serial: '77DEFG45', partial: false });
  });

  it('rejects a secondary whose link character belongs to another primary, naming the scan', () => {
    expect(err(parseUdiGroup(['+A123BJC5D6E71G', '+$$52001510X3HE'], REF))).toEqual({ code: 'HIBC_LINK_CHARACTER', position: 13, input: 1 });
    expect(err(parseUdiGroup(['+$$52001510X3HE', '+A123BJC5D6E71G'], REF))).toEqual({ code: 'HIBC_LINK_CHARACTER', position: 13, input: 0 });
  });

  it('keeps a secondary without primary partial, with the link unverified', () => {
    const r = ok(parseUdiGroup(['+$$52001510X3GD'], REF));
    expect(r).toMatchObject({ udiDi: null, lot: '10X3', partial: true });
    expect(codes(r)).toContain('HIBC_LINK_UNVERIFIED');
    // parseUdi (one carrier, not a session) reports the same data without that warning
    expect(codes(ok(parseUdi('+$$52001510X3GD', REF)))).not.toContain('HIBC_LINK_UNVERIFIED');
  });

  it('accepts the concatenated 2-D symbol and the 1-D pair of the same device together', () => {
    const r = ok(parseUdiGroup(['+A99912345/$$52001510X3/16D20111212/S77DEFG457', '+A999123457'], REF));
    expect(r).toMatchObject({ udiDi: 'A99912345', lot: '10X3', serial: '77DEFG45' });
  });

  it('rejects two different primaries and two different lots', () => {
    expect(err(parseUdiGroup(['+A123BJC5D6E71G', '+H2160408351'], REF))).toMatchObject({ code: 'UDI_CONFLICT', input: 1 });
    expect(err(parseUdiGroup(['+A123BJC5D6E71G', '+$$52001510X3GD', '+$10X4G5'], REF))).toMatchObject({ code: 'UDI_CONFLICT', input: 2 });
  });
});

/*
 * GTIN 08023279277098 (Nictiz zib2020 example): body 0802327927709 from the right
 * 9·3+0+7·3+7+2·3+9+7·3+2+3·3+2+0·3+8+0·3 = 112 → 8 ✓.
 */
describe('scan session: a GS1-128 label in two parts', () => {
  const part1 = ']C10108023279277098172212311012345AB';
  const part2 = `]C12112345XYZ${GS}11210101`;

  it('combines the two symbols into one UDI', () => {
    const r = ok(parseUdiGroup([part1, part2], REF));
    expect(r).toMatchObject({
      issuer: 'GS1', udiDi: '08023279277098', expiryDate: '2022-12-31', lot: '12345AB', serial: '12345XYZ', manufactureDate: '2021-01-01', partial: false, warnings: [],
    });
    expect(r.elements.map((e) => [e.id, e.position])).toEqual([['01', 3], ['17', 19], ['10', 27], ['21', 3], ['11', 14]]);
  });

  it('parses each part alone as partial', () => {
    expect(ok(parseUdi(part1, REF))).toMatchObject({ udiDi: '08023279277098', partial: false });
    expect(ok(parseUdi(part2, REF))).toMatchObject({ udiDi: null, serial: '12345XYZ', partial: true });
  });

  it('checks the pairing rules over the combination: a partner in the other symbol satisfies them', () => {
    // (250) needs (21): alone, part B has neither DI nor (21); the session has both.
    const r = ok(parseUdiGroup(['(01)08023279277098(21)12345XYZ', '(250)SEC123'], REF));
    expect(r).toMatchObject({ serial: '12345XYZ', partial: false, warnings: [] });
  });

  it('checks the pairing rules over the combination: a partner missing from every symbol is an error', () => {
    expect(err(parseUdiGroup(['(01)08023279277098(17)221231', '(250)SEC123'], REF))).toEqual({ code: 'GS1_INVALID_PAIRING', position: 0, input: 1 });
    // one carrier holding the DI is a session as well; parseUdi only warns (the partner may be elsewhere)
    expect(err(parseUdiGroup(['(01)08023279277098(250)SEC123'], REF))).toEqual({ code: 'GS1_INVALID_PAIRING', position: 18 });
    expect(codes(ok(parseUdi('(01)08023279277098(250)SEC123', REF)))).toContain('GS1_PAIRING');
  });

  it('rejects AIs that must not occur together even when they are in different symbols', () => {
    expect(err(parseUdiGroup(['(01)08023279277098', '(02)08023279277098(37)10'], REF))).toMatchObject({ code: 'GS1_INVALID_PAIRING' });
    expect(err(parseUdiGroup(['(01)08023279277098(21)A1', '(235)TPX1'], REF))).toMatchObject({ code: 'GS1_INVALID_PAIRING' });
  });

  it('keeps a session without DI partial, with a warning instead of an error', () => {
    const r = ok(parseUdiGroup(['(17)221231(10)1234AB', '(21)12345XYZ'], REF));
    expect(r).toMatchObject({ udiDi: null, lot: '1234AB', serial: '12345XYZ', partial: true });
    expect(codes(r)).toContain('GS1_PAIRING');
  });

  it('allows an AI in both symbols with the same value and rejects different values', () => {
    expect(ok(parseUdiGroup(['(01)08023279277098(10)A', '(01)08023279277098(21)B'], REF))).toMatchObject({ lot: 'A', serial: 'B' });
    expect(err(parseUdiGroup(['(01)08023279277098(10)A', '(10)B'], REF))).toMatchObject({ code: 'UDI_CONFLICT', input: 1 });
    expect(err(parseUdiGroup(['(01)08023279277098(240)X1', '(240)X2'], REF))).toMatchObject({ code: 'GS1_DUPLICATE_AI', input: 1 });
  });

  it('reports an invalid symbol with its index and a position inside that symbol', () => {
    expect(err(parseUdiGroup([part1, `]C12112345XYZ${GS}11211301`], REF))).toEqual({ code: 'GS1_INVALID_DATE', position: 18, input: 1 });
  });

  it('combines already parsed carriers with combineUdi', () => {
    const a = ok(parseUdi(part1, REF));
    const b = ok(parseUdi(part2, REF));
    expect(ok(combineUdi([b, a], REF))).toMatchObject({ udiDi: '08023279277098', serial: '12345XYZ', partial: false });
    expect(err(combineUdi([], REF)).code).toBe('UDI_EMPTY');
  });
});

describe('scan session: other rules', () => {
  it('rejects carriers of different issuing agencies', () => {
    expect(err(parseUdiGroup(['(01)08023279277098', '+$$52001510X3GD'], REF))).toMatchObject({ code: 'UDI_CONFLICT', input: 1 });
  });

  it('combines ISBT 128 structures from separate Code 128 symbols and keeps the completeness warning', () => {
    const r = ok(parseUdiGroup(['=/A9999XYZ100T0476', '=>019032'], REF));
    expect(r).toMatchObject({ udiDi: 'A9999XYZ100T0476', expiryDate: '2019-02-01', partial: false });
    expect(codes(r)).toContain('ISBT_INCOMPLETE');
  });
});
