import { describe, expect, it } from 'vitest';
import { parseUdi, parseUdiGroup, type UdiParse, type UdiResult } from '../../src/udi/index.js';

function ok(r: UdiParse): UdiResult {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}
function err(r: UdiParse): { code: string; position: number } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return { code: r.error.code, position: r.error.position };
}

// AccessGUDID parse_udi example (response recorded in MedicalMundi/php-access-gudid-consumer) and
// the HL7 v2 PRT-10 ICCBBA example (same data, `&` escaped as \T\).
const GUDID = '=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032&,1000000000000XYZ123';

describe('ISBT 128 (ST-017)', () => {
  it('matches the AccessGUDID parse_udi response', () => {
    const r = ok(parseUdi(GUDID));
    expect(r).toMatchObject({
      issuer: 'ICCBBA',
      udiDi: 'A9999XYZ100T0944',
      serial: '000025',
      expiryDate: '2014-02-01',
      manufactureDate: '2013-02-01',
      lot: '000000000000XYZ123',
      partial: false,
      warnings: [],
    });
    expect(r.elements.find((e) => e.id === '001')).toEqual({ id: '001', value: 'A99971312345600', position: 26 });
  });

  it('unescapes HL7 \\T\\ and keeps positions in the escaped input', () => {
    const hl7 = '=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032\\T\\,1000000000000XYZ123';
    const r = ok(parseUdi(hl7));
    expect(r.lot).toBe('000000000000XYZ123');
    expect(r.elements.find((e) => e.id === '035')?.position).toBe(58);
  });

  it('accepts a compound message header and the ]C4 symbology identifier', () => {
    expect(ok(parseUdi(`=+06000${GUDID}`)).udiDi).toBe('A9999XYZ100T0944');
    expect(ok(parseUdi(`]C4${GUDID}`)).serial).toBe('000025');
  });

  it('combines one data structure per symbol', () => {
    const r = ok(parseUdiGroup(['=/A9999XYZ100T0944', '=,000025', '=A99971312345600', '=>014032']));
    expect(r).toMatchObject({ udiDi: 'A9999XYZ100T0944', serial: '000025', expiryDate: '2014-02-01', partial: false });
    const diOnly = ok(parseUdi('=/A9999XYZ100T0944'));
    expect(diOnly.partial).toBe(true);
    expect(diOnly.warnings[0]).toMatch(/^ISBT_INCOMPLETE:/);
  });

  it.each([
    ['=/A9999XYZ100T094', 'ISBT_TRUNCATED', 17],
    ['=/O9999XYZ100T0944', 'ISBT_INVALID_CHARACTER', 2], // no letter O in a FIN
    ['=/A9999XYZ100T0944=>114032', 'ISBT_INVALID_DATE', 20], // century digit 1
    ['=/A9999XYZ100T0944=>014366', 'ISBT_INVALID_DATE', 23], // 2014 has 365 days
    ['=/A9999XYZ100T0944=%12345', 'ISBT_UNKNOWN_STRUCTURE', 18],
    [`=+05000${GUDID}`, 'ISBT_COMPOUND_COUNT', 2],
    ['=+02000=,000025=/A9999XYZ100T0944', 'ISBT_COMPOUND_DI_NOT_FIRST', 7],
    ['=/A9999XYZ100T0944=,000025=,000026', 'ISBT_DUPLICATE_STRUCTURE', 26],
  ])('%j → %s at %i', (input, code, position) => {
    expect(err(parseUdi(input))).toEqual({ code, position });
  });

  it('rejects mixing agencies in one group', () => {
    const r = parseUdiGroup([GUDID, '(01)08023279277098']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'UDI_CONFLICT', input: 1 });
  });
});
