// The Ballerine question: who implanted the device while its certificate was suspended, in whom?
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR } from '../../src/auth/caller.js';
import { implantedWhileSuspended, implantedWhileSuspendedSql, type SuspendedFilter } from '../../src/register/suspended-implants.js';
import { loadSafetyData } from './fixtures.js';

const H = '12345678'; // Test Ziekenhuis
const M = '87654321'; // Verloskundigen Test
const P = (n: number) => `ttp1:Patient${String(n).padStart(12, '0')}`;

// IUD certificate: suspended 2021-07-16 – 2021-09-30, valid again from 2021-10-01, withdrawn from 2022-03-01.
// Hip cup certificate: suspended from 2023-01-10. Pacemaker certificate: always valid.
const RECORDS = [
  { providerKvk: M, providerRecordRef: 'R1', patientPseudonym: P(1), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2021-06-01' }, // before: no
  { providerKvk: M, providerRecordRef: 'R2', patientPseudonym: P(2), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2021-07-16' }, // suspended
  { providerKvk: M, providerRecordRef: 'R3', patientPseudonym: P(3), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2021-08-10', explantDate: '2022-01-01' }, // suspended (explanted later: still counts)
  { providerKvk: M, providerRecordRef: 'R4', patientPseudonym: P(3), udiDi: COPPER_IUD, lot: 'L2', implantDate: '2021-09-30' }, // suspended, same patient
  { providerKvk: M, providerRecordRef: 'R5', udiDi: COPPER_IUD, lot: 'L2', implantDate: '2021-09-01' }, // suspended, no pseudonym
  { providerKvk: H, providerRecordRef: 'R6', patientPseudonym: P(4), udiDi: COPPER_IUD, lot: 'L2', implantDate: '2021-08-01' }, // suspended
  { providerKvk: H, providerRecordRef: 'R7', patientPseudonym: P(2), udiDi: COPPER_IUD, lot: 'L3', implantDate: '2021-10-05' }, // reinstated: no
  { providerKvk: M, providerRecordRef: 'R8', patientPseudonym: P(5), udiDi: COPPER_IUD, lot: 'L3', implantDate: '2022-03-01' }, // withdrawn
  { providerKvk: H, providerRecordRef: 'R9', patientPseudonym: P(5), udiDi: COPPER_IUD, lot: 'L3', implantDate: '2022-05-01' }, // withdrawn, same patient
  { providerKvk: M, providerRecordRef: 'R10', patientPseudonym: P(6), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2021-08-15' }, // withdrawn record: no
  { providerKvk: M, providerRecordRef: 'R10', action: 'withdraw' },
  { providerKvk: H, providerRecordRef: 'R11', patientPseudonym: P(7), udiDi: PACEMAKER, serial: 'PM0900', implantDate: '2021-08-01' }, // valid certificate: no
  { providerKvk: H, providerRecordRef: 'R12', patientPseudonym: P(8), udiDi: HIP_CUP, lot: 'H-LOT-1', implantDate: '2023-02-01' }, // hip suspended
  { providerKvk: H, providerRecordRef: 'R13', patientPseudonym: P(9), udiDi: HIP_CUP, lot: 'H-LOT-1', implantDate: '2023-01-09' }, // the day before: no
];

const IUD_CERT = { notifiedBody: 'NB 0459', nbNumber: '0459', nbName: 'GMED', certificateNumber: 'CE-12345', certificateVersion: '3', validFrom: '2021-02-22', validUntil: '2024-05-26' };
const HIP_CERT = { notifiedBody: 'NB 0344', nbNumber: '0344', nbName: 'DEKRA Certification B.V.', certificateNumber: '3141592', certificateVersion: '1', validFrom: '2019-01-01', validUntil: '2028-12-31' };

for (const database of DATABASES) {
  describe(`implanted while suspended on ${database.name}`, () => {
    let reg: TestRegister;
    const ask = (f: SuspendedFilter = {}) => implantedWhileSuspended(reg.db, OPERATOR, f);

    beforeAll(async () => {
      reg = await testRegister(database);
      await loadSafetyData(reg);
      const r = await reg.services.intake.deliver({ records: RECORDS, mode: 'transaction', channel: 'rest', caller: OPERATOR });
      expect(r.status).toBe('accepted');
    });
    afterAll(() => reg.close());

    it('counts implants and distinct patients per device, period and provider (counted by hand)', async () => {
      const r = await ask();
      expect(r).toEqual({
        implants: 8, // R2 R3 R4 R5 R6 | R8 R9 | R12
        patients: 6, // P2 P3 R5 P4 | P5 | P8
        devices: [
          {
            udiDi: COPPER_IUD,
            manufacturer: 'Cuprum Medical',
            productName: 'CuFlex 380',
            certificate: { id: expect.any(String), ...IUD_CERT },
            status: 'suspended',
            period: { from: '2021-07-16', to: '2021-09-30' },
            since: '2021-07-16',
            reasonCode: 'technical-documentation',
            implants: 5,
            patients: 4,
            providers: [
              { kvk: M, name: 'Verloskundigen Test', implants: 4, patients: 3 }, // R2 R3 R4 R5: P2, P3, R5
              { kvk: H, name: 'Test Ziekenhuis', implants: 1, patients: 1 }, // R6
            ],
          },
          {
            udiDi: COPPER_IUD,
            manufacturer: 'Cuprum Medical',
            productName: 'CuFlex 380',
            certificate: { id: expect.any(String), ...IUD_CERT },
            status: 'withdrawn',
            period: { from: '2022-03-01', to: null },
            since: '2022-03-01',
            reasonCode: 'clinical-evidence',
            implants: 2,
            patients: 1,
            providers: [
              { kvk: H, name: 'Test Ziekenhuis', implants: 1, patients: 1 }, // R9
              { kvk: M, name: 'Verloskundigen Test', implants: 1, patients: 1 }, // R8
            ],
          },
          {
            udiDi: HIP_CUP,
            manufacturer: 'Orthoworks',
            productName: 'Acetabular cup 52',
            certificate: { id: expect.any(String), ...HIP_CERT },
            status: 'suspended',
            period: { from: '2023-01-10', to: '2028-12-31' }, // a suspension ends, at the latest, when the certificate expires
            since: '2023-01-10',
            reasonCode: 'quality-system',
            implants: 1,
            patients: 1,
            providers: [{ kvk: H, name: 'Test Ziekenhuis', implants: 1, patients: 1 }],
          },
        ],
      });
    });

    it('narrows to one device', async () => {
      const r = await ask({ udiDi: [COPPER_IUD] });
      expect(r).toMatchObject({ implants: 7, patients: 5 });
      expect(r.devices.map((d) => d.status)).toEqual(['suspended', 'withdrawn']);
      expect(await ask({ udiDi: [PACEMAKER] })).toEqual({ implants: 0, patients: 0, devices: [] });
    });

    it('counts only implants in the date window, and reports the whole period', async () => {
      const r = await ask({ from: '2021-09-01', to: '2022-12-31' });
      expect(r).toMatchObject({ implants: 4, patients: 3 }); // R4 R5 | R8 R9: P3, R5, P5
      expect(r.devices.map((d) => [d.status, d.period, d.implants, d.patients])).toEqual([
        ['suspended', { from: '2021-07-16', to: '2021-09-30' }, 2, 2],
        ['withdrawn', { from: '2022-03-01', to: null }, 2, 1],
      ]);
      expect(r.devices[0]!.providers).toEqual([{ kvk: M, name: 'Verloskundigen Test', implants: 2, patients: 2 }]);
    });

    it('is the inspectorate’s query: a provider and the registry administrator may not ask it', async () => {
      await expect(implantedWhileSuspended(reg.db, { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: H }, {})).rejects.toThrow(/inspector/);
      await expect(implantedWhileSuspended(reg.db, { role: 'registry-admin', subject: 't' }, {})).rejects.toThrow(/inspector/);
      await expect(implantedWhileSuspended(reg.db, { role: 'inspector', subject: 't' }, {})).resolves.toMatchObject({ implants: 8 });
    });
  });
}

describe('suspended-implants SQL', () => {
  it('takes the windows as three arrays (open end = null) and reads live implantations only', () => {
    const { sql, params } = implantedWhileSuspendedSql([
      { udiDi: 'A', from: '2021-07-16', to: '2021-09-30' },
      { udiDi: 'A', from: '2022-03-01', to: null },
    ]);
    expect(params).toEqual([['A', 'A'], ['2021-07-16', '2022-03-01'], ['2021-09-30', null]]);
    expect(sql).toContain("r.status = 'active' AND r.kind = 'implantation'");
    expect(sql).toContain('r.implant_date >= w.from_date');
  });
});
