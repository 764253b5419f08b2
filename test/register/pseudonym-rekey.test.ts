// The register's half of a TTP key rotation: old → new pseudonym pairs replace the old pseudonyms in
// records, versions, keys and hashes; linking, re-delivery and FHIR follow; nothing old is left.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR, type Caller } from '../../src/auth/caller.js';
import { applyRekeyPairs, RekeyError } from '../../src/register/pseudonym-rekey.js';
import { parsePairs } from '../../src/cli/commands/pseudonyms.js';
import { RecordsRepository } from '../../src/register/records-repository.js';

const OLD_A = 'ttpv1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const NEW_A = 'ttpv2:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const OLD_B = 'ttpv1:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const NEW_B = 'ttpv2:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD';

for (const database of DATABASES) describe(`pseudonym re-keying on ${database.name}`, () => {
  let reg: TestRegister;
  let midwife: Caller;
  let hospital: Caller;
  const deliver = (caller: Caller, records: Record<string, unknown>[]) => reg.services.intake.deliver({ records, mode: 'batch', channel: 'rest', caller });

  beforeAll(async () => {
    reg = await testRegister(database);
    midwife = { role: 'provider', subject: 'm', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
    hospital = { role: 'provider', subject: 'h', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
    // patient A: an IUD placed by the midwife (corrected once), removed by the hospital; patient B: a hip
    await deliver(midwife, [{ providerKvk: '87654321', providerRecordRef: 'IUD-1', patientPseudonym: OLD_A, udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-01-10' }]);
    await deliver(midwife, [{ providerKvk: '87654321', providerRecordRef: 'IUD-1', patientPseudonym: OLD_A, udiDi: COPPER_IUD, lot: 'L2', implantDate: '2026-01-10' }]);
    await deliver(hospital, [{ providerKvk: '12345678', providerRecordRef: 'X-1', patientPseudonym: OLD_A, udiDi: COPPER_IUD, explantDate: '2026-05-02', explantReason: 'expulsion' }]);
    await deliver(hospital, [{ providerKvk: '12345678', providerRecordRef: 'HIP-1', patientPseudonym: OLD_B, udiDi: HIP_CUP, lot: 'H1', implantDate: '2026-02-01' }]);
    await deliver(hospital, [{ providerKvk: '12345678', providerRecordRef: 'HIP-2', udiDi: HIP_CUP, lot: 'H1', implantDate: '2026-02-02' }]);
  });
  afterAll(async () => reg?.close());

  it('refuses a bad pair before changing anything', async () => {
    await expect(applyRekeyPairs(reg.db, OPERATOR, [{ old: OLD_A, new: NEW_A }, { old: 'not a pseudonym', new: NEW_B }])).rejects.toThrow(RekeyError);
    await expect(applyRekeyPairs(reg.db, OPERATOR, [{ old: OLD_A, new: OLD_A }])).rejects.toThrow(/same/);
    await expect(applyRekeyPairs(reg.db, hospital, [{ old: OLD_A, new: NEW_A }])).rejects.toThrow(/operator or registry-admin/);
    const rows = await reg.db.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE patient_pseudonym = $1', [OLD_A]);
    expect(rows[0]!.n).toBe(2);
  });

  it('replaces the old pseudonyms in records, versions, keys and hashes; leaves none behind', async () => {
    const summary = await applyRekeyPairs(reg.db, OPERATOR, [{ old: OLD_A, new: NEW_A }, { old: OLD_B, new: NEW_B }, { old: 'ttpv1:EEEEEEEEEEEEEEEEEEEEEEEE', new: 'ttpv2:FFFFFFFFFFFFFFFFFFFFFFFF' }]);
    expect(summary).toEqual({ pairs: 3, unused: 1, records: 3, versions: 4 });
    for (const table of ['records', 'record_versions', 'record_refs']) {
      const rows = await reg.db.query<{ t: string }>(`SELECT x::text AS t FROM ${table} x`);
      const text = rows.map((r) => r.t).join('\n');
      expect(text, table).not.toContain(OLD_A.split(':')[1]);
      expect(text, table).not.toContain(OLD_B.split(':')[1]);
    }
    const a = await reg.db.query<{ ref: string; key: string }>('SELECT provider_record_ref AS ref, patient_key AS key FROM records WHERE patient_pseudonym = $1 ORDER BY 1', [NEW_A]);
    expect(a).toEqual([{ ref: 'IUD-1', key: NEW_A }, { ref: 'X-1', key: NEW_A }]);
    const entry = await reg.db.query<{ result_count: number }>("SELECT result_count FROM audit_log WHERE event_code = 'pseudonym-rekey' ORDER BY seq DESC LIMIT 1");
    expect(entry[0]!.result_count).toBe(3);
  });

  it('keeps history, linking and idempotency: re-delivering with the new pseudonym is unchanged', async () => {
    const repo = new RecordsRepository(reg.db, OPERATOR);
    const page = await repo.search({ limit: 10, pseudonym: NEW_A });
    const iud = page.items.find((r) => r.providerRecordRef === 'IUD-1')!;
    const history = await repo.history(iud.id);
    expect(history!.map((v) => v.version)).toEqual([1, 2]);
    expect(history!.every((v) => (v.content as { patientPseudonym: string }).patientPseudonym === NEW_A)).toBe(true);
    expect(iud.explantedOn).toBe('2026-05-02');
    const again = await deliver(midwife, [{ providerKvk: '87654321', providerRecordRef: 'IUD-1', patientPseudonym: NEW_A, udiDi: COPPER_IUD, lot: 'L2', implantDate: '2026-01-10' }]);
    expect(again.items[0]!.outcome).toBe('unchanged');
  });

  it('reads the old,new file that lir ttp rekey-map writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lir-rekey-'));
    writeFileSync(join(dir, 'map.csv'), `old,new\n${OLD_A},${NEW_A}\n\n`);
    expect(parsePairs(`old,new\n${OLD_A},${NEW_A}\n`, 'map.csv')).toEqual([{ old: OLD_A, new: NEW_A }]);
    expect(() => parsePairs(`${OLD_A},${NEW_A}\n`, 'map.csv')).toThrow(/header old,new/);
    expect(() => parsePairs(`old,new\n${OLD_A}\n`, 'map.csv')).toThrow(/line 2/);
  });
});
