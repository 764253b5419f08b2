import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR, type Caller } from '../../src/auth/caller.js';
import { affectedPopulation, parseAffectedFilter, type AffectedPopulationFilter } from '../../src/register/affected-population.js';

const H = '12345678';
const M = '87654321';
const P = (n: number) => `ttp1:Patient${String(n).padStart(12, '0')}`;

// A register small enough to count by hand. Each line: who, whom, what, when.
const RECORDS = [
  { providerKvk: H, providerRecordRef: 'R1', patientPseudonym: P(1), udiDi: PACEMAKER, serial: 'S1', implantDate: '2024-03-01' },
  { providerKvk: H, providerRecordRef: 'R2', patientPseudonym: P(2), udiDi: PACEMAKER, serial: 'S2', implantDate: '2025-05-01' },
  { providerKvk: H, providerRecordRef: 'R3', udiDi: PACEMAKER, serial: 'S3', implantDate: '2025-07-01', explantDate: '2026-01-01' },
  { providerKvk: M, providerRecordRef: 'R4', patientPseudonym: P(3), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2025-01-10' },
  { providerKvk: M, providerRecordRef: 'R5', patientPseudonym: P(3), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-02-01' },
  { providerKvk: M, providerRecordRef: 'R6', patientPseudonym: P(4), udiDi: COPPER_IUD, lot: 'L2', implantDate: '2025-06-01' },
  { providerKvk: H, providerRecordRef: 'R7', patientPseudonym: P(4), udiDi: COPPER_IUD, lot: 'L2', implantDate: '2024-06-01' },
  { providerKvk: H, providerRecordRef: 'R8', patientPseudonym: P(5), udiDi: HIP_CUP, lot: 'H1', implantDate: '2023-05-05' },
  { providerKvk: H, providerRecordRef: 'R8-DEATH', patientPseudonym: P(5), deathDate: '2026-03-01' },
  { providerKvk: M, providerRecordRef: 'R9', patientPseudonym: P(6), udiDi: COPPER_IUD, lot: 'L1', implantDate: '2025-02-02' },
  { providerKvk: M, providerRecordRef: 'R9', action: 'withdraw' },
];

for (const database of DATABASES) {
  describe(`affected population on ${database.name}`, () => {
    let reg: TestRegister;
    const ask = (f: AffectedPopulationFilter, caller: Caller = OPERATOR) => affectedPopulation(reg.db, caller, f, reg.services.implantTypes);

    beforeAll(async () => {
      reg = await testRegister(database);
      const r = await reg.services.intake.deliver({ records: RECORDS, mode: 'transaction', channel: 'rest', caller: OPERATOR });
      expect(r.status).toBe('accepted');
    });
    afterAll(() => reg.close());

    it('counts implants and distinct patients of one device, per provider and year', async () => {
      expect(await ask({ udiDi: [PACEMAKER] })).toEqual({
        implants: 3,
        patients: 3, // P1, P2 and the record without pseudonym
        providers: [{ kvk: H, name: 'Test Ziekenhuis', implants: 3, patients: 3 }],
        byYear: [
          { year: 2024, implants: 1, patients: 1 },
          { year: 2025, implants: 2, patients: 2 },
        ],
      });
    });

    it('leaves out explanted implants when asked for those still implanted', async () => {
      expect(await ask({ udiDi: [PACEMAKER], stillImplanted: true })).toMatchObject({ implants: 2, patients: 2 });
    });

    it('finds a lot, without withdrawn records, counting a patient with two IUDs once', async () => {
      expect(await ask({ lots: ['L1'] })).toMatchObject({
        implants: 2,
        patients: 1,
        byYear: [
          { year: 2025, implants: 1, patients: 1 },
          { year: 2026, implants: 1, patients: 1 },
        ],
      });
    });

    it('matches manufacturer case-insensitively and splits per provider', async () => {
      const r = await ask({ manufacturer: 'cuprum' });
      expect(r).toMatchObject({ implants: 4, patients: 2 });
      expect(r.providers).toEqual([
        { kvk: M, name: 'Verloskundigen Test', implants: 3, patients: 2 },
        { kvk: H, name: 'Test Ziekenhuis', implants: 1, patients: 1 },
      ]);
    });

    it('takes an implant category with every type below it', async () => {
      expect(await ask({ implantType: '13' })).toMatchObject({ implants: 4, patients: 2 });
      expect(await ask({ implantType: '01' })).toMatchObject({ implants: 1, patients: 1 });
      expect(await ask({ implantType: '01', stillImplanted: true })).toMatchObject({ implants: 0, patients: 0, providers: [], byYear: [] });
    });

    it('combines a date window with serial numbers', async () => {
      expect(await ask({ implantedFrom: '2025-01-01', implantedTo: '2025-12-31' })).toMatchObject({ implants: 4, patients: 4 });
      expect(await ask({ serials: ['S1', 'S2'], implantedFrom: '2025-01-01' })).toMatchObject({ implants: 1, patients: 1 });
      expect(await ask({ productName: 'DUALBEAT', manufacturer: 'cardio' })).toMatchObject({ implants: 3 });
    });

    it('is the inspectorate’s query: a provider may not ask it', async () => {
      await expect(ask({ lots: ['L1'] }, { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: H })).rejects.toThrow(/inspector/);
    });

  });
}

describe('affected-population filter validation', () => {
  it('names each bad field', () => {
    const r = parseAffectedFilter({ lots: 'L1', udiDi: [1], implantedFrom: '2025-13-01', stillImplanted: 'yes', patientName: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path).sort()).toEqual(['/implantedFrom', '/patientName', '/stillImplanted', '/udiDi']);
  });
  it('accepts a single lot as a string', () => {
    expect(parseAffectedFilter({ lots: 'L1' })).toEqual({ ok: true, filter: { lots: ['L1'] } });
  });
});
