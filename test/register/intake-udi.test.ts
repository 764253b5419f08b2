import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR } from '../../src/auth/caller.js';
import { RecordsRepository } from '../../src/register/records-repository.js';

const GS = '\u001d';

for (const database of DATABASES) {
  describe(`intake of scanned UDIs on ${database.name}`, () => {
    let reg: TestRegister;
    const deliver = (records: unknown[]) => reg.services.intake.deliver({ records, mode: 'batch', channel: 'rest', caller: OPERATOR });
    const hip = (ref: string, extra: Record<string, unknown>) => ({ providerKvk: '12345678', providerRecordRef: ref, implantDate: '2026-06-01', ...extra });

    beforeAll(async () => {
      reg = await testRegister(database);
    });
    afterAll(() => reg.close());

    it('takes DI, lot, serial and expiry from a GS1 carrier and stores the scan byte for byte', async () => {
      // raw AIDC as a DataMatrix scanner sends it: symbology identifier ]d2, GS after the variable-length lot
      const scan = `]d201${HIP_CUP}17281231` + `10H1234${GS}21SN0001`;
      const r = await deliver([hip('UDI-1', { udi: scan })]);
      expect(r.items[0]).toMatchObject({ outcome: 'created', errors: [] });
      const rec = await new RecordsRepository(reg.db, OPERATOR).get(r.items[0]!.recordId!);
      expect(rec).toMatchObject({ udi: scan, udiIssuer: 'GS1', udiDi: HIP_CUP, lot: 'H1234', serial: 'SN0001', expiryDate: '2028-12-31', implantType: '01.01.01', deviceResolved: true });
    });

    it('reads the human-readable form with parentheses', async () => {
      const r = await deliver([hip('UDI-2', { udi: `(01)${HIP_CUP}(17)281231(10)H77` })]);
      const rec = await new RecordsRepository(reg.db, OPERATOR).get(r.items[0]!.recordId!);
      expect(rec).toMatchObject({ udiDi: HIP_CUP, lot: 'H77' });
    });

    it('refuses a delivered lot that disagrees with the scan', async () => {
      const r = await deliver([hip('UDI-3', { udi: `(01)${HIP_CUP}(10)H77`, lot: 'H78' })]);
      expect(r.items[0]!.errors).toEqual([expect.objectContaining({ code: 'UDI_MISMATCH', path: '/lot' })]);
      const r2 = await deliver([hip('UDI-4', { udi: `(01)${HIP_CUP}(10)H77`, udiDi: '08712345000011' })]);
      expect(r2.items[0]!.errors).toEqual([expect.objectContaining({ code: 'UDI_MISMATCH', path: '/udiDi' })]);
    });

    it('refuses a scan with a wrong GTIN check digit and says where', async () => {
      const bad = `(01)${HIP_CUP.slice(0, 13)}9(10)H77`;
      const r = await deliver([hip('UDI-5', { udi: bad })]);
      expect(r.items[0]!.outcome).toBe('rejected');
      expect(r.items[0]!.errors[0]).toMatchObject({ code: 'GS1_CHECK_DIGIT', path: '/udi' });
      expect(r.items[0]!.errors[0]!.message).toMatch(/character \d+/);
    });

    it('takes DI and lot from a HIBC carrier', async () => {
      // Nictiz example (pacemaker). Primary +A999 (LIC) 1234 (product) 5 (unit of measure) → DI A99912345;
      // secondary $$5 = expiry as YYJJJ: 20015 = 2020, day 15 → 2020-01-15, then lot 10X3;
      // /16D20111212 = manufactured 2011-12-12; /S77DEFG45 = serial; the final 7 is the mod-43 check.
      const r = await deliver([hip('UDI-6', { udi: '+A99912345/$$52001510X3/16D20111212/S77DEFG457', implantType: '04.01.01' })]);
      expect(r.items[0]!.errors).toEqual([]);
      const rec = await new RecordsRepository(reg.db, OPERATOR).get(r.items[0]!.recordId!);
      expect(rec).toMatchObject({ udiIssuer: 'HIBCC', udiDi: 'A99912345', lot: '10X3', serial: '77DEFG45', expiryDate: '2020-01-15' });
      expect(r.items[0]!.warnings.map((w) => w.code)).toContain('UNRESOLVED_UDI_DI');
    });
  });
}
