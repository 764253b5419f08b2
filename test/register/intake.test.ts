import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, UNKNOWN_DI, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR, type Caller } from '../../src/auth/caller.js';
import { RecordsRepository } from '../../src/register/records-repository.js';
import { upsertDevices } from '../../src/catalogue/reference-data.js';

const iud = (ref: string, extra: Record<string, unknown> = {}) => ({
  providerKvk: '87654321',
  providerRecordRef: ref,
  patientPseudonym: 'ttp1:PatientAAAAAAAAAAAA01',
  udiDi: COPPER_IUD,
  lot: 'LOT-A1',
  implantDate: '2026-06-01',
  professionalRole: 'midwife',
  weeksPostpartum: 8,
  breastfeeding: true,
  ultrasoundCheck: false,
  previousExpulsion: false,
  ...extra,
});

for (const database of DATABASES) {
  describe(`intake on ${database.name}`, () => {
    let reg: TestRegister;
    let midwifeCaller: Caller;
    const deliver = (records: unknown[], mode: 'batch' | 'transaction' = 'batch', caller: Caller = midwifeCaller) =>
      reg.services.intake.deliver({ records, mode, channel: 'rest', caller });
    const count = async (sql: string, params: unknown[] = []) => (await reg.db.query<{ n: number }>(sql, params))[0]!.n;

    beforeAll(async () => {
      reg = await testRegister(database);
      midwifeCaller = { role: 'provider', subject: 't', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
    });
    afterAll(() => reg.close());

    it('stores a new implantation as version 1 with its deadline', async () => {
      const r = await deliver([iud('IUD-1')]);
      expect(r.status).toBe('accepted');
      expect(r.items[0]).toMatchObject({ outcome: 'created', version: 1, deadline: '2026-07-01', late: false, errors: [], warnings: [] });
      const rec = await new RecordsRepository(reg.db, OPERATOR).get(r.items[0]!.recordId!);
      expect(rec).toMatchObject({ providerKvk: '87654321', kind: 'implantation', implantType: '13.01', deviceResolved: true, weeksPostpartum: 8, breastfeeding: true, status: 'active', version: 1 });
      expect(rec!.device).toEqual({ manufacturer: 'Cuprum Medical', productName: 'CuFlex 380', model: 'CF380' });
    });

    it('treats identical re-delivery as a no-op and changed content as a new version', async () => {
      const again = await deliver([iud('IUD-1')]);
      expect(again.items[0]!.outcome).toBe('unchanged');
      const corrected = await deliver([iud('IUD-1', { lot: 'LOT-A2' })]);
      expect(corrected.items[0]).toMatchObject({ outcome: 'updated', version: 2 });
      const history = await new RecordsRepository(reg.db, OPERATOR).history(corrected.items[0]!.recordId!);
      expect(history!.map((v) => [v.version, v.action, v.content.lot])).toEqual([
        [1, 'create', 'LOT-A1'],
        [2, 'update', 'LOT-A2'],
      ]);
    });

    it('withdraws without deleting, and refuses to withdraw what does not exist', async () => {
      const w = await deliver([{ providerRecordRef: 'IUD-1', action: 'withdraw' }]);
      expect(w.items[0]).toMatchObject({ outcome: 'withdrawn', version: 3 });
      const twice = await deliver([{ providerRecordRef: 'IUD-1', action: 'withdraw' }]);
      expect(twice.items[0]!.outcome).toBe('unchanged');
      const missing = await deliver([{ providerRecordRef: 'NOPE', action: 'withdraw' }]);
      expect(missing.items[0]!.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', path: '/providerRecordRef' })]);
      expect(await count("SELECT count(*)::int AS n FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.provider_record_ref = 'IUD-1'")).toBe(3);
      const rec = await new RecordsRepository(reg.db, OPERATOR).get(w.items[0]!.recordId!);
      expect(rec).toMatchObject({ status: 'withdrawn', lot: 'LOT-A2' });
      // delivering it again reinstates it as a new version
      const back = await deliver([iud('IUD-1', { lot: 'LOT-A2' })]);
      expect(back.items[0]).toMatchObject({ outcome: 'updated', version: 4 });
    });

    it.each([
      [{ implantDate: '2026-07-01' }, 'FUTURE_DATE', '/implantDate'],
      [{ implantDate: '2026-02-30' }, 'INVALID_DATE', '/implantDate'],
      [{ explantDate: '2026-05-01' }, 'DATE_ORDER', '/explantDate'],
      [{ deathDate: '2026-05-31' }, 'DATE_ORDER', '/deathDate'],
      [{ providerKvk: '1234567' }, 'INVALID_FORMAT', '/providerKvk'],
      [{ providerKvk: '1234567a' }, 'INVALID_FORMAT', '/providerKvk'],
      [{ implantType: '99.99' }, 'UNKNOWN_CODE', '/implantType'],
      [{ lot: undefined }, 'REQUIRED', '/lot'],
      [{ udiDi: undefined }, 'REQUIRED', '/udiDi'],
      [{ providerRecordRef: '111222333' }, 'LOOKS_LIKE_BSN', '/providerRecordRef'],
      [{ patientPseudonym: '999911120' }, 'LOOKS_LIKE_BSN', '/patientPseudonym'],
      [{ patientName: 'J. Jansen' }, 'UNKNOWN_FIELD', '/patientName'],
      [{ weeksPostpartum: -1 }, 'OUT_OF_RANGE', '/weeksPostpartum'],
      [{ breastfeeding: 'yes' }, 'INVALID_TYPE', '/breastfeeding'],
      [{ laterality: 'up' }, 'UNKNOWN_CODE', '/laterality'],
      [{ bodySite: '12345' }, 'INVALID_FORMAT', '/bodySite'],
      [{ professionalRole: 'nurse' }, 'UNKNOWN_CODE', '/professionalRole'],
    ])('rejects %j with %s at %s', async (change, code, path) => {
      const before = await count('SELECT count(*)::int AS n FROM record_versions');
      const r = await deliver([iud('BAD-1', change)]);
      expect(r.items[0]!.outcome).toBe('rejected');
      expect(r.items[0]!.errors).toContainEqual(expect.objectContaining({ code, path }));
      expect(await count('SELECT count(*)::int AS n FROM record_versions')).toBe(before);
    });

    it('never echoes a BSN-like reference or an odd field name into the receipt', async () => {
      const r = await deliver([iud('111222333'), { ...iud('OK-REF'), '999911120': 'x' }]);
      expect(r.items[0]!.providerRecordRef).toBeNull();
      expect(r.items[1]!.errors).toContainEqual(expect.objectContaining({ code: 'UNKNOWN_FIELD', path: '' }));
      expect(JSON.stringify(r)).not.toMatch(/111222333|999911120/);
      const stored = await reg.db.query("SELECT * FROM delivery_issues WHERE provider_record_ref = '111222333' OR message LIKE '%999911120%' OR path LIKE '%999911120%'");
      expect(stored).toEqual([]);
    });

    it('checks a typed GTIN’s check digit and refuses closesRecordId on an implantation', async () => {
      const r = await deliver([iud('GT-1', { udiDi: '08712345000012' }), iud('GT-2', { closesRecordId: '00000000-0000-4000-8000-000000000000' })]);
      expect(r.items[0]!.errors).toContainEqual(expect.objectContaining({ code: 'GS1_CHECK_DIGIT', path: '/udiDi' }));
      expect(r.items[1]!.errors).toContainEqual(expect.objectContaining({ code: 'NOT_ALLOWED', path: '/closesRecordId' }));
    });

    it('accepts booleans with surrounding blanks, as CSV cells often have them', async () => {
      const r = await deliver([iud('BOOL-1', { breastfeeding: ' true ', ultrasoundCheck: 'false' })]);
      expect(r.items[0]).toMatchObject({ outcome: 'created', errors: [] });
    });

    it('warns when an explantation cannot be linked to its implantation', async () => {
      const r = await deliver([{ providerKvk: '87654321', providerRecordRef: 'EXP-NOLINK', udiDi: COPPER_IUD, explantDate: '2026-06-01' }]);
      expect(r.items[0]!.warnings).toContainEqual(expect.objectContaining({ code: 'CANNOT_LINK' }));
    });

    it('stays idempotent after the catalogue resolves a record’s device', async () => {
      const first = await deliver([iud('IDEM-1', { udiDi: '08712345777777', implantType: '13.02' })]);
      expect(first.items[0]!.outcome).toBe('created');
      await upsertDevices(reg.db, [{ udiDi: '08712345777777', issuer: 'GS1', manufacturer: 'Hormona', productName: 'LNG', model: null, implantType: '13.02' }]);
      const again = await deliver([iud('IDEM-1', { udiDi: '08712345777777', implantType: '13.02' })]);
      expect(again.items[0]!.outcome).toBe('unchanged');
    });

    it('refuses a record for another provider than the token’s', async () => {
      const r = await deliver([iud('IUD-F', { providerKvk: '12345678' })]);
      expect(r.items[0]!.errors).toContainEqual(expect.objectContaining({ code: 'FOREIGN_PROVIDER', path: '/providerKvk' }));
    });

    it('stores nothing of a transaction with one bad record, and keeps its receipt', async () => {
      const before = await count('SELECT count(*)::int AS n FROM records');
      const r = await deliver([iud('TX-1'), iud('TX-2'), iud('TX-3', { lot: undefined })], 'transaction');
      expect(r.status).toBe('rejected');
      expect(r.items.map((i) => i.outcome)).toEqual(['rolled-back', 'rolled-back', 'rejected']);
      expect(await count('SELECT count(*)::int AS n FROM records')).toBe(before);
      const d = await new RecordsRepository(reg.db, midwifeCaller).delivery(r.deliveryIds[0]!);
      expect(d!.counts).toMatchObject({ total: 3, created: 0, rejected: 3 });
      expect(d!.issues).toEqual([expect.objectContaining({ item: 2, code: 'REQUIRED', path: '/lot' })]);
    });

    it('stores the good records of a batch and rejects the bad ones', async () => {
      const r = await deliver([iud('B-1'), iud('B-2', { implantDate: 'yesterday' }), iud('B-3')]);
      expect(r.status).toBe('partially-accepted');
      expect(r.items.map((i) => i.outcome)).toEqual(['created', 'rejected', 'created']);
      expect(r.counts).toMatchObject({ total: 3, created: 2, rejected: 1 });
    });

    it('applies two versions of one reference in one delivery in order', async () => {
      const r = await deliver([iud('DUP-1'), iud('DUP-1', { lot: 'LOT-Z' })]);
      expect(r.items.map((i) => [i.outcome, i.version])).toEqual([
        ['created', 1],
        ['updated', 2],
      ]);
    });

    it('accepts an unknown UDI-DI with a warning and resolves it when the device is added', async () => {
      const r = await deliver([iud('UNK-1', { udiDi: UNKNOWN_DI, implantType: '13.01' })]);
      expect(r.items[0]!.outcome).toBe('created');
      expect(r.items[0]!.warnings).toContainEqual(expect.objectContaining({ code: 'UNRESOLVED_UDI_DI', path: '/udiDi' }));
      const repo = new RecordsRepository(reg.db, OPERATOR);
      expect((await repo.get(r.items[0]!.recordId!))!.deviceResolved).toBe(false);
      await upsertDevices(reg.db, [{ udiDi: UNKNOWN_DI, issuer: 'GS1', manufacturer: 'Later BV', productName: 'Late IUD', model: null, implantType: '13.01' }]);
      expect((await repo.get(r.items[0]!.recordId!))!.deviceResolved).toBe(true);
    });

    it('flags a delivery more than one month after the implant as late', async () => {
      const r = await deliver([iud('LATE-1', { implantDate: '2026-04-30' })]);
      expect(r.items[0]).toMatchObject({ outcome: 'created', deadline: '2026-05-30', late: true });
      expect(r.items[0]!.warnings).toContainEqual(expect.objectContaining({ code: 'LATE_DELIVERY' }));
      const onTime = await deliver([iud('LATE-2', { implantDate: '2026-05-15' })]);
      expect(onTime.items[0]).toMatchObject({ deadline: '2026-06-15', late: false });
    });

    it('warns about an expired device and IUD fields on a non-IUD', async () => {
      const hospitalCaller: Caller = { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      const r = await deliver(
        [{ providerKvk: '12345678', providerRecordRef: 'HIP-W', udiDi: HIP_CUP, lot: 'H1', implantDate: '2026-06-01', expiryDate: '2026-05-01', breastfeeding: true }],
        'batch',
        hospitalCaller,
      );
      expect(r.items[0]!.outcome).toBe('created');
      expect(r.items[0]!.warnings.map((w) => w.code).sort()).toEqual(['EXPIRED_AT_IMPLANT', 'PLACEMENT_FIELD_NOT_IUD']);
    });

    it('links an explantation by another provider to the implantation, in either order', async () => {
      const hospitalCaller: Caller = { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      const patient = 'ttp1:PatientBBBBBBBBBBBB02';
      const placed = await deliver([iud('LINK-1', { patientPseudonym: patient, implantDate: '2026-05-20' })]);
      const removed = await deliver(
        [{ providerKvk: '12345678', providerRecordRef: 'EXP-1', patientPseudonym: patient, udiDi: COPPER_IUD, explantDate: '2026-06-10', explantReason: 'expulsion' }],
        'batch',
        hospitalCaller,
      );
      expect(removed.items[0]).toMatchObject({ outcome: 'created' });
      const repo = new RecordsRepository(reg.db, OPERATOR);
      expect(await repo.get(removed.items[0]!.recordId!)).toMatchObject({ kind: 'explantation', linkedRecordId: placed.items[0]!.recordId });
      expect(await repo.get(placed.items[0]!.recordId!)).toMatchObject({ explantedOn: '2026-06-10', explantDate: null });

      // explantation first, implantation delivered late afterwards
      const patient2 = 'ttp1:PatientCCCCCCCCCCCC03';
      const early = await deliver(
        [{ providerKvk: '12345678', providerRecordRef: 'EXP-2', patientPseudonym: patient2, udiDi: COPPER_IUD, lot: 'LOT-Q', explantDate: '2026-06-12' }],
        'batch',
        hospitalCaller,
      );
      const lateImplant = await deliver([iud('LINK-2', { patientPseudonym: patient2, lot: 'LOT-Q', implantDate: '2026-03-01' })]);
      expect(await repo.get(early.items[0]!.recordId!)).toMatchObject({ linkedRecordId: lateImplant.items[0]!.recordId });
      expect(await repo.get(lateImplant.items[0]!.recordId!)).toMatchObject({ explantedOn: '2026-06-12' });

      // withdrawing the explantation reopens the implantation
      await deliver([{ providerRecordRef: 'EXP-2', action: 'withdraw' }], 'batch', hospitalCaller);
      expect(await repo.get(lateImplant.items[0]!.recordId!)).toMatchObject({ explantedOn: null });
    });

    it('closes every implantation of a patient whose death is reported', async () => {
      const hospitalCaller: Caller = { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      const patient = 'ttp1:PatientDDDDDDDDDDDD04';
      const pm = await deliver(
        [{ providerKvk: '12345678', providerRecordRef: 'PM-1', patientPseudonym: patient, udiDi: PACEMAKER, serial: 'SN1', implantDate: '2026-01-10' }],
        'batch',
        hospitalCaller,
      );
      const i2 = await deliver([iud('DEATH-IUD', { patientPseudonym: patient, implantDate: '2026-02-01' })]);
      const death = await deliver([{ providerKvk: '12345678', providerRecordRef: 'PM-1', patientPseudonym: patient, udiDi: PACEMAKER, serial: 'SN1', implantDate: '2026-01-10', deathDate: '2026-06-01' }], 'batch', hospitalCaller);
      expect(death.items[0]).toMatchObject({ outcome: 'updated', late: false, deadline: '2026-07-01' });
      const repo = new RecordsRepository(reg.db, OPERATOR);
      expect(await repo.get(pm.items[0]!.recordId!)).toMatchObject({ deceasedOn: '2026-06-01' });
      expect(await repo.get(i2.items[0]!.recordId!)).toMatchObject({ deceasedOn: '2026-06-01' });
      // an implant dated after the reported death is not closed by it (a data error to investigate, not a carrier to drop)
      const after = await deliver([iud('DEATH-AFTER', { patientPseudonym: patient, implantDate: '2026-06-05' })]);
      expect(await repo.get(after.items[0]!.recordId!)).toMatchObject({ deceasedOn: null });
    });

    it('lets concurrent deliveries of the same new reference end in one record', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => deliver([iud('RACE-1')])));
      expect(results.map((r) => r.items[0]!.outcome).sort()).toEqual(['created', ...Array(7).fill('unchanged')]);
      expect(await count("SELECT count(*)::int AS n FROM records WHERE provider_record_ref = 'RACE-1'")).toBe(1);
      expect(await count("SELECT count(*)::int AS n FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.provider_record_ref = 'RACE-1'")).toBe(1);
    });

    it('lets a provider read only its own records: another provider’s is not found', async () => {
      const own = await deliver([iud('OWN-1')]);
      const hospitalCaller: Caller = { role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      expect(await new RecordsRepository(reg.db, hospitalCaller).get(own.items[0]!.recordId!)).toBeUndefined();
      expect(await new RecordsRepository(reg.db, hospitalCaller).history(own.items[0]!.recordId!)).toBeUndefined();
      expect(await new RecordsRepository(reg.db, midwifeCaller).get(own.items[0]!.recordId!)).toBeDefined();
      const page = await new RecordsRepository(reg.db, hospitalCaller).list({ limit: 1000 });
      expect(page.items.every((r) => r.providerKvk === '12345678')).toBe(true);
    });
  });
}
