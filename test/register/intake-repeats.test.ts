// A reference delivered several times in one call (an implantation, its correction, a withdrawal and
// a reinstatement in one file chunk) is applied in memory, one delivery on top of the other. The
// register must end up exactly as if the same deliveries had come one call at a time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import type { Caller } from '../../src/auth/caller.js';

const hip = (ref: string, extra: Record<string, unknown> = {}) => ({
  providerKvk: '12345678',
  providerRecordRef: ref,
  patientPseudonym: 'ttp1:PatientRepeatAAAAAA01',
  udiDi: HIP_CUP,
  lot: 'L-1',
  implantDate: '2026-05-01',
  ...extra,
});

/** Deliveries of a few references in an order that repeats each several times. */
const sequence: unknown[] = [
  hip('H-1'),
  hip('H-2', { patientPseudonym: 'ttp1:PatientRepeatAAAAAA02', lot: 'L-2' }),
  hip('H-1', { lot: 'L-1b' }), // correction
  { providerRecordRef: 'H-2', action: 'withdraw' },
  hip('H-1', { lot: 'L-1b' }), // identical: unchanged
  hip('E-1', { implantDate: null, explantDate: '2026-06-01', lot: null }), // links to H-1 by pseudonym + UDI-DI
  hip('H-2', { patientPseudonym: 'ttp1:PatientRepeatAAAAAA02', lot: 'L-2' }), // reinstated
  { providerRecordRef: 'NONE', action: 'withdraw' }, // nothing to withdraw
  hip('H-3', { patientPseudonym: 'ttp1:PatientRepeatAAAAAA03', udiDi: COPPER_IUD, implantType: undefined }),
  { providerRecordRef: 'H-3', action: 'withdraw' },
  { providerRecordRef: 'H-3', action: 'withdraw' }, // already withdrawn: unchanged
];

/** What a register holds, without the ids and times that differ between two registers. */
async function snapshot(reg: TestRegister) {
  const records = await reg.db.query(
    `SELECT r.provider_record_ref, r.version, r.status, r.kind, r.lot, r.content_hash, r.deadline, r.late,
            r.closed_explant_date, (SELECT l.provider_record_ref FROM records l WHERE l.id = r.linked_record_id) AS linked_to
     FROM records r ORDER BY r.provider_record_ref`,
  );
  const versions = await reg.db.query(
    `SELECT r.provider_record_ref, v.version, v.action, v.late, v.content, v.content_hash
     FROM record_versions v JOIN records r ON r.id = v.record_id ORDER BY r.provider_record_ref, v.version`,
  );
  const refs = await reg.db.query('SELECT provider_record_ref FROM record_refs ORDER BY 1');
  return { records, versions, refs };
}

for (const database of DATABASES) {
  describe(`intake of repeated references on ${database.name}`, () => {
    let together: TestRegister;
    let apart: TestRegister;
    const callerOf = (reg: TestRegister): Caller => ({ role: 'provider', subject: 't', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk });

    beforeAll(async () => {
      together = await testRegister(database);
      apart = await testRegister(database);
    });
    afterAll(async () => {
      await together.close();
      await apart.close();
    });

    it('stores one call with repeats exactly as the same deliveries one call each', async () => {
      const one = await together.services.intake.deliver({ records: sequence, mode: 'batch', channel: 'file', caller: callerOf(together) });
      const outcomes: unknown[] = [];
      for (const record of sequence) {
        const r = await apart.services.intake.deliver({ records: [record], mode: 'batch', channel: 'file', caller: callerOf(apart) });
        const { index: _i, recordId: _r, ...item } = r.items[0]!;
        outcomes.push(item);
      }
      expect(one.items.map(({ index: _i, recordId: _r, ...item }) => item)).toEqual(outcomes);
      expect(one.items.map((it) => it.outcome)).toEqual([
        'created', 'created', 'updated', 'withdrawn', 'unchanged', 'created', 'updated', 'rejected', 'created', 'withdrawn', 'unchanged',
      ]);
      // the same record ids within the call: the correction and the withdrawals name the record created
      expect(one.items[2]!.recordId).toBe(one.items[0]!.recordId);
      expect(one.items[6]!.recordId).toBe(one.items[1]!.recordId);

      const a = await snapshot(together);
      const b = await snapshot(apart);
      expect(a).toEqual(b);
      // and what that state is: H-1 corrected and closed by E-1, H-2 back at version 3, H-3 withdrawn
      expect(a.records).toEqual([
        expect.objectContaining({ provider_record_ref: 'E-1', version: 1, kind: 'explantation', linked_to: 'H-1' }),
        expect.objectContaining({ provider_record_ref: 'H-1', version: 2, status: 'active', lot: 'L-1b', closed_explant_date: '2026-06-01' }),
        expect.objectContaining({ provider_record_ref: 'H-2', version: 3, status: 'active', lot: 'L-2', closed_explant_date: null }),
        expect.objectContaining({ provider_record_ref: 'H-3', version: 2, status: 'withdrawn' }),
      ]);
      expect(a.versions.map((v) => `${(v as { provider_record_ref: string }).provider_record_ref}:${(v as { version: number }).version}:${(v as { action: string }).action}`)).toEqual([
        'E-1:1:create', 'H-1:1:create', 'H-1:2:update', 'H-2:1:create', 'H-2:2:withdraw', 'H-2:3:update', 'H-3:1:create', 'H-3:2:withdraw',
      ]);
      expect(a.refs).toHaveLength(4);
    });

    it('rolls the whole call back in transaction mode when one of the repeats is refused', async () => {
      const reg = together;
      const before = await snapshot(reg);
      const r = await reg.services.intake.deliver({
        records: [hip('T-1'), hip('T-1', { lot: 'L-T' }), { providerRecordRef: 'NOT-THERE', action: 'withdraw' }],
        mode: 'transaction',
        channel: 'file',
        caller: callerOf(reg),
      });
      expect(r.items.map((it) => it.outcome)).toEqual(['rolled-back', 'rolled-back', 'rejected']);
      expect(await snapshot(reg)).toEqual(before);
    });
  });
}
