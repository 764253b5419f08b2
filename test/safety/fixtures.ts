// Certificates and recalls on top of the test register (test/helpers/register.ts): a copper IUD
// whose certificate was suspended, reinstated and withdrawn (the Ballerine pattern), a hip cup
// with a recalled lot and a suspension, a pacemaker with a recalled serial range, and a device
// recalled as a whole.

import { OPERATOR } from '../../src/auth/caller.js';
import { upsertDevices } from '../../src/catalogue/reference-data.js';
import { saveCertificate, type CertificateInput } from '../../src/catalogue/certificates.js';
import { saveRecalls, type RecallInput } from '../../src/catalogue/recalls.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, type TestRegister } from '../helpers/register.js';

/** GS1 check digit of 0871234500010 worked out like the others in helpers/register.ts: 3. */
export const BONE_ANCHOR = '08712345000103';

export const IUD_CERTIFICATE: CertificateInput = {
  udiDis: [COPPER_IUD],
  nbNumber: '0459',
  nbName: 'GMED',
  certificateNumber: 'CE-12345',
  certificateVersion: '3',
  validFrom: '2021-02-22',
  validUntil: '2024-05-26',
  statusChanges: [
    { status: 'suspended', effectiveFrom: '2021-07-16', reasonCode: 'technical-documentation' },
    { status: 'valid', effectiveFrom: '2021-10-01', reasonCode: 'corrective-action-completed' },
    { status: 'withdrawn', effectiveFrom: '2022-03-01', reasonCode: 'clinical-evidence' },
  ],
};

export const HIP_CERTIFICATE: CertificateInput = {
  udiDis: [HIP_CUP],
  nbNumber: '0344',
  nbName: 'DEKRA Certification B.V.',
  certificateNumber: '3141592',
  certificateVersion: '1',
  validFrom: '2019-01-01',
  validUntil: '2028-12-31',
  statusChanges: [{ status: 'suspended', effectiveFrom: '2023-01-10', reasonCode: 'quality-system' }],
};

export const PACEMAKER_CERTIFICATE: CertificateInput = {
  udiDis: [PACEMAKER],
  nbNumber: '2797',
  nbName: 'BSI Group The Netherlands B.V.',
  certificateNumber: 'MDR 700001',
  certificateVersion: '2',
  validFrom: '2020-01-01',
  validUntil: '2029-12-31',
  statusChanges: [],
};

export const RECALLS: RecallInput[] = [
  { reference: 'FSCA-2024-001', kind: 'recall', udiDi: HIP_CUP, issuedOn: '2024-05-01', allUnits: false, lots: ['H-LOT-9'], serialRanges: [] },
  { reference: 'FSN-2025-07', kind: 'field-safety-notice', udiDi: PACEMAKER, issuedOn: '2025-02-03', allUnits: false, lots: [], serialRanges: [{ from: 'PM0100', to: 'PM0199' }] },
  { reference: 'FSCA-2025-100', kind: 'recall', udiDi: BONE_ANCHOR, issuedOn: '2025-03-01', allUnits: true, lots: [], serialRanges: [] },
];

export async function loadSafetyData(reg: TestRegister): Promise<void> {
  await upsertDevices(reg.db, [{ udiDi: BONE_ANCHOR, issuer: 'GS1', manufacturer: 'Orthoworks', productName: 'Suture anchor 5', model: 'SA5', implantType: '01.01.01' }]);
  await reg.db.transaction(async (tx) => {
    for (const c of [IUD_CERTIFICATE, HIP_CERTIFICATE, PACEMAKER_CERTIFICATE]) await saveCertificate(tx, OPERATOR, c, 'fail');
    await saveRecalls(tx, OPERATOR, RECALLS, 'fail');
  });
}
