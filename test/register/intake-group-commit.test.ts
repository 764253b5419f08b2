// Calls that arrive while the intake is writing are written together in one transaction (group
// commit). Each call must still get exactly what it would have got alone: its own delivery, receipt
// and audit entry for its own caller; a transaction call with an error is rolled back alone.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import type { Caller } from '../../src/auth/caller.js';
import type { Db } from '../../src/db/types.js';
import { Intake } from '../../src/register/intake.js';
import type { Receipt } from '../../src/register/receipt.js';
import { parseCarrier } from '../../src/register/carrier.js';

const hip = (ref: string, patient: string, extra: Record<string, unknown> = {}) => ({
  providerKvk: '12345678', providerRecordRef: ref, patientPseudonym: `ttp1:PatientGroup${patient.padStart(8, 'A')}`, udiDi: HIP_CUP, lot: 'L-1', implantDate: '2026-05-01', ...extra,
});
const iud = (ref: string, patient: string) => ({
  providerKvk: '87654321', providerRecordRef: ref, patientPseudonym: `ttp1:PatientGroup${patient.padStart(8, 'B')}`, udiDi: COPPER_IUD, lot: 'CU-1', implantDate: '2026-06-10',
  professionalRole: 'midwife', weeksPostpartum: 8, breastfeeding: false, ultrasoundCheck: true, previousExpulsion: false,
});

for (const database of DATABASES) {
  describe(`intake group commit on ${database.name}`, () => {
    let reg: TestRegister;
    let intake: Intake;
    let transactions = 0;
    let hospital: Caller;
    let midwife: Caller;

    beforeAll(async () => {
      reg = await testRegister(database);
      // the register's database, counting the transactions the intake opens
      const db = new Proxy(reg.db, {
        get: (target, prop) => {
          if (prop === 'transaction') return (fn: Parameters<Db['transaction']>[0]) => (transactions++, target.transaction(fn));
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      intake = new Intake(db, { implantTypes: reg.services.implantTypes, parseCarrier, now: () => new Date('2026-06-15T10:00:00Z') });
      hospital = { role: 'provider', subject: 'client-hospital', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      midwife = { role: 'provider', subject: 'client-midwife', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
    });
    afterAll(() => reg.close());

    it('writes concurrent calls in fewer transactions, each with its own delivery, receipt and audit entry', async () => {
      transactions = 0;
      const calls = Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? { records: [hip(`G-H${i}`, `${i}`), hip(`G-H${i}b`, `${i}`, { lot: 'L-2' })], caller: hospital }
          : { records: [iud(`G-I${i}`, `${i}`)], caller: midwife },
      );
      // prepared first, then handed to the writer at once: the first is written alone, the five
      // that arrive while it writes together
      const prepared = await Promise.all(calls.map((c) => intake.prepare({ ...c, mode: 'transaction', channel: 'fhir' })));
      const receipts = await Promise.all(prepared.map((p) => intake.store(p)));
      expect(transactions).toBe(2);
      for (const [i, r] of receipts.entries()) {
        expect(r.status).toBe('accepted');
        expect(r.deliveryIds).toHaveLength(1);
        expect(r.items.map((it) => it.outcome)).toEqual(calls[i]!.records.map(() => 'created'));
      }
      const deliveryIds = receipts.map((r) => r.deliveryIds[0]);
      expect(new Set(deliveryIds).size).toBe(6);
      const deliveries = await reg.db.query<{ id: string; total: number; created: number; kvk: string }>(
        'SELECT d.id, d.total, d.created, p.kvk FROM deliveries d JOIN providers p ON p.id = d.provider_id WHERE d.id = ANY($1::uuid[])', [deliveryIds],
      );
      for (const [i, id] of deliveryIds.entries()) {
        expect(deliveries.find((d) => d.id === id)).toMatchObject({ total: calls[i]!.records.length, created: calls[i]!.records.length, kvk: calls[i]!.caller.role === 'provider' ? (calls[i]!.caller as { providerKvk: string }).providerKvk : '' });
      }
      const audit = await reg.db.query<{ object_id: string; user_id: string; organisation: string }>(
        "SELECT object_id, user_id, organisation FROM audit_log WHERE event_code = 'delivery' AND object_id = ANY($1::text[])", [deliveryIds],
      );
      expect(audit).toHaveLength(6);
      for (const [i, id] of deliveryIds.entries()) {
        const c = calls[i]!.caller as { subject: string; providerKvk: string };
        expect(audit.find((a) => a.object_id === id)).toMatchObject({ user_id: c.subject, organisation: c.providerKvk });
      }
      // every record version names the delivery of its own call
      const versions = await reg.db.query<{ ref: string; delivery_id: string }>(
        'SELECT r.provider_record_ref AS ref, v.delivery_id FROM record_versions v JOIN records r ON r.id = v.record_id WHERE v.delivery_id = ANY($1::uuid[])', [deliveryIds],
      );
      expect(versions).toHaveLength(9);
      for (const [i, c] of calls.entries()) {
        for (const rec of c.records) expect(versions.find((v) => v.ref === rec.providerRecordRef)?.delivery_id).toBe(deliveryIds[i]);
      }
    });

    it('rolls back only the transaction call that fails, and stores the others of its group', async () => {
      transactions = 0;
      const prepared = await Promise.all([
        intake.prepare({ records: [hip('R-0', '10')], mode: 'batch', channel: 'fhir', caller: hospital }),
        intake.prepare({ records: [hip('R-1', '11')], mode: 'transaction', channel: 'fhir', caller: hospital }),
        // valid on its own, but the withdrawal of an unknown reference fails while writing
        intake.prepare({ records: [iud('R-2', '12'), { providerRecordRef: 'R-NOT-THERE', action: 'withdraw' }], mode: 'transaction', channel: 'fhir', caller: midwife }),
        intake.prepare({ records: [iud('R-3', '13'), { providerRecordRef: 'R-NOT-THERE', action: 'withdraw' }], mode: 'batch', channel: 'fhir', caller: midwife }),
      ]);
      const [first, ok, failing, batch] = prepared.map((p) => intake.store(p)) as [Promise<Receipt>, Promise<Receipt>, Promise<Receipt>, Promise<Receipt>];
      const [r0, r1, r2, r3] = await Promise.all([first, ok, failing, batch]);
      expect(r0.items.map((it) => it.outcome)).toEqual(['created']);
      expect(r1.items.map((it) => it.outcome)).toEqual(['created']);
      expect(r2.status).toBe('rejected');
      expect(r2.items.map((it) => [it.outcome, it.errors.map((e) => e.code)])).toEqual([['rolled-back', []], ['rejected', ['NOT_FOUND']]]);
      expect(r2.items[1]!.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
      expect(r3.items.map((it) => it.outcome)).toEqual(['created', 'rejected']);
      // one alone, the group of three tried and split, then each of the three, then the receipt of the rolled-back call
      expect(transactions).toBe(6);
      const refs = (await reg.db.query<{ r: string }>("SELECT provider_record_ref AS r FROM records WHERE provider_record_ref LIKE 'R-%' ORDER BY 1")).map((x) => x.r);
      expect(refs).toEqual(['R-0', 'R-1', 'R-3']);
      // the rolled-back call still has its receipt in the register
      const [d] = await reg.db.query<{ total: number; rejected: number }>('SELECT total, rejected FROM deliveries WHERE id = $1', [r2.deliveryIds[0]]);
      expect(d).toEqual({ total: 2, rejected: 2 });
    });
  });
}
