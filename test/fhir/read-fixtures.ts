// Records of every kind, delivered through the intake pipeline, for the FHIR read-path tests.

import type { Caller } from '../../src/auth/caller.js';
import type { Provider } from '../../src/catalogue/reference-data.js';
import type { RecordInput } from '../../src/domain/record.js';
import type { TestRegister } from '../helpers/register.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, UNKNOWN_DI } from '../helpers/register.js';

export const PSEUDONYM_A = 'ttp1:AAAAAAAAAAAAAAAAAAAAAAA1';
export const PSEUDONYM_B = 'ttp1:BBBBBBBBBBBBBBBBBBBBBBB2';
export const PSEUDONYM_C = 'ttp1:CCCCCCCCCCCCCCCCCCCCCCC3';

/** A settable clock for testRegister: each delivery can get its own receipt time. */
export class Clock {
  constructor(public at = new Date('2026-06-15T10:00:00Z')) {}
  readonly now = (): Date => this.at;
  set(iso: string): void {
    this.at = new Date(iso);
  }
}

export function providerCaller(p: Provider): Caller {
  return { role: 'provider', subject: `test:${p.kvk}`, providerId: p.id, providerKvk: p.kvk };
}

export async function deliver(reg: TestRegister, provider: Provider, records: RecordInput[]): Promise<string[]> {
  const receipt = await reg.services.intake.deliver({ records, mode: 'transaction', channel: 'rest', caller: providerCaller(provider) });
  const errors = receipt.items.flatMap((it) => it.errors);
  if (errors.length > 0) throw new Error(`fixture delivery rejected: ${JSON.stringify(errors)}`);
  return receipt.items.map((it) => it.recordId!);
}

export interface SampleIds {
  /** midwife: copper IUD, GS1 HRF carrier, every placement field, pseudonym A; corrected once (follow-up date) */
  iud: string;
  /** hospital: hip cup, GS1 element string with symbology prefix (carrierAIDC), pseudonym B; later explanted (v2) */
  hip: string;
  /** hospital: pacemaker by typed DI + serial, no pseudonym (contained Patient) */
  pacemaker: string;
  /** hospital: unresolved DI with a provider's implant type, HIBC-free typed lot */
  unresolved: string;
  /** hospital: HIBC carrier with type 04.01.01 */
  hibc: string;
  /** hospital: explantation-only record of pseudonym A's IUD (placed by the midwife), reason expulsion */
  explantOnly: string;
  /** hospital: death record of pseudonym C */
  death: string;
  /** hospital: death record without pseudonym */
  deathAnonymous: string;
  /** hospital: implantation that was withdrawn (v2) */
  withdrawn: string;
  /** hospital: implantation of pseudonym C closed by the death record */
  closedByDeath: string;
}

/** Delivers the sample records at 2026-06-01…06-15 (the clock moves between deliveries). */
export async function deliverSamples(reg: TestRegister, clock: Clock): Promise<SampleIds> {
  const { hospital, midwife } = reg;
  clock.set('2026-06-01T09:00:00Z');
  const [iud] = await deliver(reg, midwife, [
    {
      providerRecordRef: 'VK-2026-001',
      patientPseudonym: PSEUDONYM_A,
      udi: '(01)08712345000011(17)290630(10)CU-LOT-7(11)250101',
      implantDate: '2026-05-20',
      bodySite: '35039007', // uterine structure
      procedureCode: '65200003', // insertion of intrauterine contraceptive device
      professionalRole: 'midwife',
      weeksPostpartum: 30,
      breastfeeding: true,
      ultrasoundCheck: false,
      previousExpulsion: false,
    },
  ]);
  clock.set('2026-06-02T09:00:00Z');
  const [hip, pacemaker, unresolved, hibc] = await deliver(reg, hospital, [
    {
      providerRecordRef: 'OK-HIP-1',
      patientPseudonym: PSEUDONYM_B,
      udi: ']d2010871234500004217281231105200AB',
      implantDate: '2026-05-28',
      bodySite: '24136001', // hip joint structure
      laterality: 'left',
      procedureCode: '52734007', // total hip replacement
      professionalRole: 'surgeon',
    },
    { providerRecordRef: 'OK-PM-1', udiDi: PACEMAKER, serial: 'PM-778812', implantDate: '2026-05-30', professionalRole: 'cardiologist', laterality: 'right' },
    { providerRecordRef: 'OK-UNK-1', patientPseudonym: PSEUDONYM_B, udiDi: UNKNOWN_DI, lot: 'X-1', implantType: '01.01.02', implantDate: '2026-05-28', expiryDate: '2030-01-01' },
    { providerRecordRef: 'OK-HIBC-1', udi: '+A99912345/$$52001510X3/16D20111212/S77DEFG457', implantType: '04.01.01', implantDate: '2026-05-29' },
  ]);
  clock.set('2026-06-05T09:00:00Z');
  const [explantOnly, death, deathAnonymous, withdrawn, closedByDeath] = await deliver(reg, hospital, [
    { providerRecordRef: 'OK-EXPL-1', patientPseudonym: PSEUDONYM_A, udiDi: COPPER_IUD, explantDate: '2026-06-03', explantReason: 'expulsion', professionalRole: 'gynaecologist', procedureCode: '68254000' },
    { providerRecordRef: 'OK-DEATH-1', patientPseudonym: PSEUDONYM_C, deathDate: '2026-06-04' },
    { providerRecordRef: 'OK-DEATH-2', deathDate: '2026-06-04' },
    { providerRecordRef: 'OK-WD-1', udiDi: HIP_CUP, lot: 'L-9', implantDate: '2026-05-15' },
    { providerRecordRef: 'OK-PM-C', patientPseudonym: PSEUDONYM_C, udiDi: PACEMAKER, serial: 'PM-1', implantDate: '2024-03-01' },
  ]);
  clock.set('2026-06-10T09:00:00Z');
  await deliver(reg, hospital, [{ providerRecordRef: 'OK-WD-1', action: 'withdraw' }]);
  clock.set('2026-06-12T09:00:00Z');
  await deliver(reg, midwife, [
    {
      providerRecordRef: 'VK-2026-001',
      patientPseudonym: PSEUDONYM_A,
      udi: '(01)08712345000011(17)290630(10)CU-LOT-7(11)250101',
      implantDate: '2026-05-20',
      bodySite: '35039007',
      procedureCode: '65200003',
      professionalRole: 'midwife',
      weeksPostpartum: 30,
      breastfeeding: true,
      ultrasoundCheck: false,
      previousExpulsion: false,
      followUpDate: '2026-06-11',
    },
  ]);
  clock.set('2026-06-14T09:00:00Z');
  await deliver(reg, hospital, [
    {
      providerRecordRef: 'OK-HIP-1',
      patientPseudonym: PSEUDONYM_B,
      udi: ']d2010871234500004217281231105200AB',
      implantDate: '2026-05-28',
      explantDate: '2026-06-13',
      explantReason: 'infection',
      bodySite: '24136001',
      laterality: 'left',
      procedureCode: '52734007',
      professionalRole: 'surgeon',
    },
  ]);
  return { iud: iud!, hip: hip!, pacemaker: pacemaker!, unresolved: unresolved!, hibc: hibc!, explantOnly: explantOnly!, death: death!, deathAnonymous: deathAnonymous!, withdrawn: withdrawn!, closedByDeath: closedByDeath! };
}
