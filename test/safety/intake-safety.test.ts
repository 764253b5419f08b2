// The scan-time safety check: certificate status on the implant date and recalls of the unit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR, type Caller } from '../../src/auth/caller.js';
import { saveCertificate } from '../../src/catalogue/certificates.js';
import { BONE_ANCHOR, loadSafetyData } from './fixtures.js';

const H = '12345678';
const M = '87654321';

const iud = (ref: string, implantDate: string, extra: Record<string, unknown> = {}) => ({ providerKvk: M, providerRecordRef: ref, udiDi: COPPER_IUD, lot: 'CU-1', implantDate, ...extra });
const hip = (ref: string, lot: string, extra: Record<string, unknown> = {}) => ({ providerKvk: H, providerRecordRef: ref, udiDi: HIP_CUP, lot, implantDate: '2022-06-01', ...extra });
const pacemaker = (ref: string, serial: string) => ({ providerKvk: H, providerRecordRef: ref, udiDi: PACEMAKER, serial, implantDate: '2025-06-01' });

/** The codes this check is about (LATE_DELIVERY and the like are other checks). */
const SAFETY = ['CERTIFICATE_SUSPENDED', 'CERTIFICATE_WITHDRAWN', 'LOT_RECALLED', 'SERIAL_RECALLED', 'DEVICE_RECALLED'];

for (const database of DATABASES) {
  describe(`intake safety check on ${database.name}`, () => {
    let reg: TestRegister;
    const deliver = (records: unknown[], caller: Caller = OPERATOR) => reg.services.intake.deliver({ records, mode: 'batch', channel: 'rest', caller });
    const codes = (w: { code: string }[]) => w.map((x) => x.code).filter((c) => SAFETY.includes(c));

    beforeAll(async () => {
      reg = await testRegister(database);
      await loadSafetyData(reg);
    });
    afterAll(() => reg.close());

    it.each([
      ['2021-07-15', []], // the day before the suspension
      ['2021-07-16', ['CERTIFICATE_SUSPENDED']], // first day of the suspension
      ['2021-09-30', ['CERTIFICATE_SUSPENDED']], // last day
      ['2021-10-01', []], // reinstated
      ['2022-02-28', []],
      ['2022-03-01', ['CERTIFICATE_WITHDRAWN']],
      ['2025-01-01', ['CERTIFICATE_WITHDRAWN']], // past validUntil: still withdrawn
    ])('an IUD implanted on %s gets %j', async (date, expected) => {
      const r = await deliver([iud(`IUD-${date}`, date)]);
      expect(r.items[0]!.outcome).toBe('created');
      expect(codes(r.items[0]!.warnings)).toEqual(expected);
    });

    it('names the notified body, the certificate and since when, at the UDI-DI', async () => {
      const r = await deliver([iud('IUD-MSG-1', '2021-08-01'), iud('IUD-MSG-2', '2022-04-01')]);
      expect(r.items[0]!.warnings.find((w) => w.code === 'CERTIFICATE_SUSPENDED')).toEqual({
        severity: 'warning',
        code: 'CERTIFICATE_SUSPENDED',
        message: `on the implant date 2021-08-01 the certificate of UDI-DI ${COPPER_IUD} was suspended: NB 0459 (GMED), certificate CE-12345 version 3, suspended since 2021-07-16`,
        path: '/udiDi',
      });
      expect(r.items[1]!.warnings.find((w) => w.code === 'CERTIFICATE_WITHDRAWN')?.message).toMatch(/NB 0459 \(GMED\), certificate CE-12345 version 3, withdrawn since 2022-03-01$/);
    });

    it('gives no certificate warning when the certificate was valid, and none for a device without certificates', async () => {
      const r = await deliver([pacemaker('PM-OK', 'PM0500'), { providerKvk: H, providerRecordRef: 'BA-NOCERT', udiDi: BONE_ANCHOR, serial: 'X1', implantDate: '2024-01-01' }]);
      expect(codes(r.items[0]!.warnings)).toEqual([]);
      expect(codes(r.items[1]!.warnings)).toEqual(['DEVICE_RECALLED']); // recalled, but no certificate known
    });

    it('warns about a recalled lot, and not about another lot of the device or the same lot of another device', async () => {
      const r = await deliver([hip('HIP-1', 'H-LOT-9'), hip('HIP-2', 'H-LOT-8'), iud('IUD-LOT', '2021-06-01', { lot: 'H-LOT-9' })]);
      expect(r.items[0]!.warnings.find((w) => w.code === 'LOT_RECALLED')).toEqual({
        severity: 'warning',
        code: 'LOT_RECALLED',
        message: `lot H-LOT-9 of UDI-DI ${HIP_CUP} is subject to recall FSCA-2024-001 of 2024-05-01`,
        path: '/lot',
      });
      expect(codes(r.items[1]!.warnings)).toEqual([]);
      expect(codes(r.items[2]!.warnings)).toEqual([]);
    });

    it.each([
      ['PM0100', true],
      ['PM0150', true],
      ['PM0199', true],
      ['PM0200', false],
      ['PM150', false], // other length
      ['PM00150', false],
      ['PX0150', false],
    ])('pacemaker serial %s is in the recalled range PM0100–PM0199: %s', async (serial, recalled) => {
      const r = await deliver([pacemaker(`PM-${serial}`, serial)]);
      expect(codes(r.items[0]!.warnings)).toEqual(recalled ? ['SERIAL_RECALLED'] : []);
      if (recalled) {
        expect(r.items[0]!.warnings.find((w) => w.code === 'SERIAL_RECALLED')).toMatchObject({
          message: `serial ${serial} of UDI-DI ${PACEMAKER} is in the range PM0100–PM0199 of field safety notice FSN-2025-07 of 2025-02-03`,
          path: '/serial',
        });
      }
    });

    it('warns about a recall of every unit with the recall reference', async () => {
      const r = await deliver([{ providerKvk: H, providerRecordRef: 'BA-1', udiDi: BONE_ANCHOR, lot: 'ANY', implantDate: '2025-06-01' }]);
      expect(r.items[0]!.warnings.find((w) => w.code === 'DEVICE_RECALLED')).toEqual({
        severity: 'warning',
        code: 'DEVICE_RECALLED',
        message: `every unit of UDI-DI ${BONE_ANCHOR} is subject to recall FSCA-2025-100 of 2025-03-01`,
        path: '/udiDi',
      });
    });

    it('combines certificate and recall warnings, points at the scanned UDI, and stores the record anyway', async () => {
      // the hip cup's certificate is suspended since 2023-01-10 and lot H-LOT-9 is recalled
      const r = await deliver([{ providerKvk: H, providerRecordRef: 'HIP-SCAN', udi: `(01)${HIP_CUP}(10)H-LOT-9`, implantDate: '2023-02-01' }]);
      expect(r.items[0]!.outcome).toBe('created');
      expect(codes(r.items[0]!.warnings).sort()).toEqual(['CERTIFICATE_SUSPENDED', 'LOT_RECALLED']);
      expect(r.items[0]!.warnings.filter((w) => SAFETY.includes(w.code)).map((w) => w.path)).toEqual(['/udi', '/udi']);
      const stored = await reg.db.query<{ code: string }>('SELECT code FROM delivery_issues WHERE provider_record_ref = $1 ORDER BY seq', ['HIP-SCAN']);
      expect(stored.map((s) => s.code)).toEqual(expect.arrayContaining(['CERTIFICATE_SUSPENDED', 'LOT_RECALLED']));
    });

    it('does not check explantations, nor warn when a renewed version covers the suspension', async () => {
      const ex = await deliver([{ providerKvk: M, providerRecordRef: 'EX-1', udiDi: COPPER_IUD, lot: 'CU-1', explantDate: '2021-08-01' }]);
      expect(codes(ex.items[0]!.warnings)).toEqual([]);
      // version 4 of the IUD certificate, valid from 2021-08-15, covers the rest of the suspension
      await reg.db.transaction((tx) =>
        saveCertificate(tx, OPERATOR, { udiDis: [COPPER_IUD], nbNumber: '0459', nbName: 'GMED', certificateNumber: 'CE-12345', certificateVersion: '4', validFrom: '2021-08-15', validUntil: '2021-08-31', statusChanges: [] }, 'fail'),
      );
      const r = await deliver([iud('IUD-RENEW-1', '2021-08-10'), iud('IUD-RENEW-2', '2021-08-20'), iud('IUD-RENEW-3', '2021-09-05')]);
      expect(r.items.map((it) => codes(it.warnings))).toEqual([['CERTIFICATE_SUSPENDED'], [], ['CERTIFICATE_SUSPENDED']]);
    });

    it('is set-based: one certificate query and one recall query for a chunk of 2,000 records', async () => {
      const records = Array.from({ length: 2000 }, (_, i) =>
        i % 3 === 0 ? iud(`BULK-${i}`, '2021-08-01') : i % 3 === 1 ? hip(`BULK-${i}`, i % 2 ? 'H-LOT-9' : 'H-LOT-1') : pacemaker(`BULK-${i}`, `PM${String(i % 400).padStart(4, '0')}`),
      );
      const spy = vi.spyOn(reg.db, 'query');
      try {
        const r = await deliver(records);
        expect(r.counts).toMatchObject({ total: 2000, created: 2000, rejected: 0 });
        const sqls = spy.mock.calls.map((c) => String(c[0]));
        expect(sqls.filter((s) => s.includes('FROM certificate_devices cd'))).toHaveLength(1);
        expect(sqls.filter((s) => s.includes('recall_serial_ranges sr'))).toHaveLength(1);
        const count = (code: string) => r.items.filter((it) => it.warnings.some((w) => w.code === code)).length;
        const expected = (pred: (i: number) => boolean) => records.filter((_, i) => pred(i)).length;
        expect(count('CERTIFICATE_SUSPENDED')).toBe(expected((i) => i % 3 === 0)); // IUDs on 2021-08-01; hip cups before their suspension
        expect(count('LOT_RECALLED')).toBe(expected((i) => i % 3 === 1 && i % 2 === 1));
        expect(count('SERIAL_RECALLED')).toBe(expected((i) => i % 3 === 2 && i % 400 >= 100 && i % 400 <= 199));
        expect(count('SERIAL_RECALLED')).toBeGreaterThan(0);
      } finally {
        spy.mockRestore();
      }
    });
  });
}
