// The curation queue on every database, against records counted by hand, and its end: importing
// the missing device resolves the waiting records.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { AccessDenied, OPERATOR, type Caller } from '../../src/auth/caller.js';
import { unresolvedDevices } from '../../src/catalogue/catalogue-curation.js';
import { importCatalogue } from '../../src/catalogue/catalogue-import.js';
import { RecordsRepository } from '../../src/register/records-repository.js';

// Not in the test catalogue. Check digits by hand (weights 3, 1, 3, … from the right):
// 0871234560007 → 0+8+21+1+6+3+12+5+18+0+0+0+21 = 95 → (10 − 5) mod 10 = 5
const NEW_IUD = '08712345600075';
// 0871234560008 → 0+8+21+1+6+3+12+5+18+0+0+0+24 = 98 → (10 − 8) mod 10 = 2
const NEW_CUP = '08712345600082';

for (const database of DATABASES) {
  describe(`catalogue curation queue on ${database.name}`, () => {
    let reg: TestRegister;
    let dir: string;
    let clock = new Date('2026-06-10T09:00:00Z');
    let hospital: Caller;
    let midwife: Caller;
    const inspector: Caller = { role: 'inspector', subject: 'igj' };
    const admin: Caller = { role: 'registry-admin', subject: 'cibg' };
    const deliver = async (caller: Caller, records: unknown[]) => {
      const r = await reg.services.intake.deliver({ records, mode: 'batch', channel: 'rest', caller });
      expect(r.counts.rejected, JSON.stringify(r.items.flatMap((i) => i.errors))).toBe(0);
      return r;
    };

    beforeAll(async () => {
      reg = await testRegister(database, () => clock);
      hospital = { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      midwife = { role: 'provider', subject: 't', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
      dir = await mkdtemp(join(tmpdir(), 'lir-curation-'));

      // Hand count. NEW_IUD: hospital 2 implantations + midwife 1 implantation and 1 explant-only
      // record = 4 records, 2 providers, implanted 2026-05-20 … 2026-06-05, first received 06-10 09:00.
      // NEW_CUP: hospital 1 implantation (a 2nd one is withdrawn and does not count) = 1 record.
      // COPPER_IUD is in the catalogue: not in the queue.
      const implant = (ref: string, udiDi: string, implantDate: string, implantType: string, providerKvk: string, extra: Record<string, unknown> = {}) => ({
        providerKvk, providerRecordRef: ref, udiDi, lot: 'L-1', implantDate, implantType, ...extra,
      });
      await deliver(hospital, [
        implant('H-1', NEW_IUD, '2026-05-20', '13.02', '12345678'),
        implant('H-2', NEW_IUD, '2026-06-02', '13.02', '12345678'),
        implant('H-3', COPPER_IUD, '2026-06-03', '13.01', '12345678'),
      ]);
      clock = new Date('2026-06-12T14:30:00Z');
      await deliver(midwife, [
        implant('M-1', NEW_IUD, '2026-06-05', '13.02', '87654321'),
        { providerKvk: '87654321', providerRecordRef: 'M-EX', udiDi: NEW_IUD, implantType: '13.02', explantDate: '2026-06-11' },
      ]);
      clock = new Date('2026-06-13T08:00:00Z');
      await deliver(hospital, [implant('H-4', NEW_CUP, '2026-06-01', '01.01.01', '12345678'), implant('H-5', NEW_CUP, '2026-06-04', '01.01.01', '12345678')]);
      await deliver(hospital, [{ providerRecordRef: 'H-5', action: 'withdraw' }]);
    });
    afterAll(async () => {
      await reg.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('lists the UDI-DIs records wait for, most waiting records first, with hand-counted figures', async () => {
      const queue = await unresolvedDevices(reg.db, inspector);
      expect(queue).toEqual({
        devices: 2,
        records: 5,
        items: [
          { udiDi: NEW_IUD, issuer: 'GS1', records: 4, providers: 2, firstImplantDate: '2026-05-20', lastImplantDate: '2026-06-05', firstReceivedAt: '2026-06-10T09:00:00.000Z' },
          { udiDi: NEW_CUP, issuer: 'GS1', records: 1, providers: 1, firstImplantDate: '2026-06-01', lastImplantDate: '2026-06-01', firstReceivedAt: '2026-06-13T08:00:00.000Z' },
        ],
      });
      expect((await unresolvedDevices(reg.db, admin, { limit: 1 })).items.map((i) => i.udiDi)).toEqual([NEW_IUD]);
      expect((await unresolvedDevices(reg.db, OPERATOR)).devices).toBe(2);
    });

    it('refuses a care provider', async () => {
      await expect(unresolvedDevices(reg.db, midwife)).rejects.toBeInstanceOf(AccessDenied);
    });

    it('empties the device’s place when its catalogue row is imported, and resolves its records with the catalogue’s type', async () => {
      const file = join(dir, 'hormona.csv');
      await writeFile(file, `udi_di,issuer,manufacturer,product_name,model,implant_type\n${NEW_IUD},GS1,Hormona Pharma B.V.,LevoSpiraal mini 19.5 mg,LSM19,13.02\n`);
      const r = await importCatalogue(reg.db, file, { implantTypes: reg.services.implantTypes });
      expect(r).toMatchObject({ inserted: 1, rejected: 0 });
      expect(await unresolvedDevices(reg.db, inspector)).toEqual({
        devices: 1,
        records: 1,
        items: [expect.objectContaining({ udiDi: NEW_CUP, records: 1 })],
      });
      const list = await new RecordsRepository(reg.db, OPERATOR).list({ limit: 1000, cursor: null, udiDi: NEW_IUD });
      expect(list.items).toHaveLength(4);
      for (const rec of list.items) {
        expect(rec).toMatchObject({ deviceResolved: true, implantType: '13.02', device: { manufacturer: 'Hormona Pharma B.V.', productName: 'LevoSpiraal mini 19.5 mg', model: 'LSM19' } });
      }
    });
  });
}
