// record → FHIR resources: every kind of record maps to valid R4 resources on the nl-core
// profiles, with the fields where docs/fhir.md says they are.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, UNKNOWN_DI, testRegister, type TestRegister } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { RecordsRepository, type RecordView } from '../../src/register/records-repository.js';
import { recordToResources, versionViews } from '../../src/register/fhir/record-to-resources.js';
import { EXTENSIONS, LATERALITY_EXTENSION, PROFILES, SYSTEMS, patientIdOf } from '../../src/http/fhir/model.js';
import { Clock, deliverSamples, providerCaller, PSEUDONYM_A, PSEUDONYM_B, PSEUDONYM_C, type SampleIds } from './read-fixtures.js';

for (const database of DATABASES) {
  describe(`record → FHIR resources on ${database.name}`, () => {
    let reg: TestRegister;
    let ids: SampleIds;
    const clock = new Clock();
    const view = async (id: string, as: 'hospital' | 'midwife' = 'hospital'): Promise<RecordView> => {
      const r = await new RecordsRepository(reg.db, providerCaller(reg[as])).get(id);
      if (!r) throw new Error(`no record ${id}`);
      return r;
    };

    beforeAll(async () => {
      reg = await testRegister(database, clock.now);
      ids = await deliverSamples(reg, clock);
    });
    afterAll(async () => reg.close());

    it('produces valid R4 resources for records of every kind, and for every past version', async () => {
      const all = [...Object.entries(ids)];
      let validated = 0;
      for (const [name, id] of all) {
        const r = await view(id, name === 'iud' ? 'midwife' : 'hospital');
        const versions = (await new RecordsRepository(reg.db, providerCaller(name === 'iud' ? reg.midwife : reg.hospital)).history(id))!;
        for (const v of versionViews(r, versions)) {
          const res = recordToResources(v);
          for (const resource of [res.deviceUseStatement, res.device, res.procedure, res.patient]) {
            if (!resource) continue;
            validateFhir(resource);
            validated++;
          }
        }
      }
      expect(validated).toBeGreaterThan(30);
    });

    it('maps an IUD implantation: profile, version, identifier, subject, device, procedure, body site, placement extension', async () => {
      const r = await view(ids.iud, 'midwife');
      const { deviceUseStatement: dus, device, procedure, patient } = recordToResources(r);
      expect(dus).toMatchObject({
        resourceType: 'DeviceUseStatement',
        id: ids.iud,
        meta: { versionId: '2', lastUpdated: '2026-06-12T09:00:00.000Z', profile: [PROFILES.deviceUseStatement] },
        identifier: [{ system: SYSTEMS.providerRecordRef, value: 'VK-2026-001', assigner: { reference: 'Organization/kvk-87654321', identifier: { system: SYSTEMS.kvk, value: '87654321' } } }],
        // closed by the hospital's explantation record of the same patient and UDI-DI (linked by the register)
        status: 'completed',
        subject: { reference: `Patient/${patientIdOf(PSEUDONYM_A)}`, identifier: { system: SYSTEMS.pseudonym, value: PSEUDONYM_A } },
        timingPeriod: { start: '2026-05-20', end: '2026-06-03' },
        device: { reference: `Device/${ids.iud}` },
        derivedFrom: [{ reference: `Procedure/${ids.iud}` }],
        bodySite: { coding: [{ system: SYSTEMS.snomed, code: '35039007' }] },
      });
      const placement = dus.extension?.find((e) => e.url === EXTENSIONS.iudPlacement);
      expect(placement?.extension).toEqual([
        { url: 'weeksPostpartum', valueInteger: 30 },
        { url: 'breastfeeding', valueBoolean: true },
        { url: 'ultrasoundCheck', valueBoolean: false },
        { url: 'previousExpulsion', valueBoolean: false },
        { url: 'followUpDate', valueDate: '2026-06-11' },
      ]);
      expect(device).toMatchObject({
        resourceType: 'Device',
        meta: { profile: [PROFILES.device], versionId: '2' },
        identifier: [{ system: SYSTEMS.gs1, value: '(01)08712345000011(17)290630(10)CU-LOT-7(11)250101' }],
        udiCarrier: [{ deviceIdentifier: COPPER_IUD, issuer: SYSTEMS.gs1, carrierHRF: '(01)08712345000011(17)290630(10)CU-LOT-7(11)250101' }],
        status: 'inactive',
        manufacturer: 'Cuprum Medical',
        deviceName: [
          { name: 'CuFlex 380', type: 'manufacturer-name' },
          { name: 'CF380', type: 'model-name' },
        ],
        lotNumber: 'CU-LOT-7',
        expirationDate: '2029-06-30',
        manufactureDate: '2025-01-01',
        type: { coding: [{ system: SYSTEMS.implantType, code: '13.01', display: 'Koperspiraal' }] },
        patient: { reference: `Patient/${patientIdOf(PSEUDONYM_A)}` },
      });
      expect(procedure).toMatchObject({
        resourceType: 'Procedure',
        meta: { profile: [PROFILES.procedure] },
        status: 'completed',
        code: { coding: [{ system: SYSTEMS.snomed, code: '65200003' }] },
        performedDateTime: '2026-05-20',
        performer: [{ function: { coding: [{ system: SYSTEMS.professionalRole, code: 'midwife' }] }, actor: { reference: 'Organization/kvk-87654321' } }],
        focalDevice: [{ manipulated: { reference: `Device/${ids.iud}` } }],
      });
      expect(patient).toEqual({
        resourceType: 'Patient',
        id: patientIdOf(PSEUDONYM_A),
        meta: { profile: [PROFILES.patient] },
        identifier: [{ system: SYSTEMS.pseudonym, value: PSEUDONYM_A }],
      });
    });

    it('maps an explanted hip: completed, period end, explant reason, laterality, carrierAIDC for a raw element string', async () => {
      const { deviceUseStatement: dus, device } = recordToResources(await view(ids.hip));
      expect(dus.status).toBe('completed');
      expect(dus.meta?.versionId).toBe('2');
      expect(dus.timingPeriod).toEqual({ start: '2026-05-28', end: '2026-06-13' });
      expect(dus.extension).toContainEqual({
        url: EXTENSIONS.explantReason,
        valueCodeableConcept: { coding: [{ system: SYSTEMS.explantReason, code: 'infection', display: 'Infection' }] },
      });
      expect(dus.bodySite?.extension).toEqual([{ url: LATERALITY_EXTENSION, valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: '7771000', display: 'Left' }] } }]);
      expect(device?.udiCarrier?.[0]).toEqual({
        deviceIdentifier: HIP_CUP,
        issuer: SYSTEMS.gs1,
        carrierAIDC: Buffer.from(']d2010871234500004217281231105200AB').toString('base64'),
      });
      expect(device?.identifier).toBeUndefined();
      expect(device?.status).toBe('inactive');
      expect(device?.type?.coding?.[0]).toMatchObject({ code: '01.01.01', display: 'Acetabulum' });
    });

    it('maps a record without pseudonym to a contained Patient and a display-only Procedure subject', async () => {
      const { deviceUseStatement: dus, procedure, patient, device } = recordToResources(await view(ids.pacemaker));
      expect(patient).toBeUndefined();
      expect(dus.contained).toEqual([{ resourceType: 'Patient', id: 'patient' }]);
      expect(dus.subject).toEqual({ reference: '#patient' });
      expect(procedure?.subject.display).toMatch(/no pseudonym/);
      expect(procedure?.subject.reference).toBeUndefined();
      expect(device).toMatchObject({ udiCarrier: [{ deviceIdentifier: PACEMAKER, issuer: SYSTEMS.gs1 }], serialNumber: 'PM-778812' });
      expect(device?.patient).toBeUndefined();
      expect(dus.bodySite).toEqual({ extension: [{ url: LATERALITY_EXTENSION, valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: '24028007', display: 'Right' }] } }] });
    });

    it('maps an unresolved DI with the provider’s implant type, and a HIBC carrier', async () => {
      const unresolved = recordToResources(await view(ids.unresolved)).device!;
      expect(unresolved.manufacturer).toBeUndefined();
      expect(unresolved.deviceName).toBeUndefined();
      expect(unresolved).toMatchObject({ udiCarrier: [{ deviceIdentifier: UNKNOWN_DI, issuer: SYSTEMS.gs1 }], lotNumber: 'X-1', expirationDate: '2030-01-01' });
      expect(unresolved.type?.coding?.[0]).toMatchObject({ system: SYSTEMS.implantType, code: '01.01.02', display: 'Femursteel' });
      const hibc = recordToResources(await view(ids.hibc)).device!;
      expect(hibc).toMatchObject({
        identifier: [{ system: SYSTEMS.hibcc, value: '+A99912345/$$52001510X3/16D20111212/S77DEFG457' }],
        udiCarrier: [{ deviceIdentifier: 'A99912345', issuer: SYSTEMS.hibcc, carrierHRF: '+A99912345/$$52001510X3/16D20111212/S77DEFG457' }],
        lotNumber: '10X3',
        serialNumber: '77DEFG45',
      });
    });

    it('maps an explantation-only record: completed, end date only, procedure on the explant date', async () => {
      const { deviceUseStatement: dus, procedure } = recordToResources(await view(ids.explantOnly));
      expect(dus.status).toBe('completed');
      expect(dus.timingPeriod).toEqual({ end: '2026-06-03' });
      expect(procedure).toMatchObject({ performedDateTime: '2026-06-03', code: { coding: [{ code: '68254000' }] }, performer: [{ function: { coding: [{ code: 'gynaecologist' }] } }] });
    });

    it('maps death records: deceasedDateTime on the Patient (or the contained one), no procedure, no device', async () => {
      const death = recordToResources(await view(ids.death));
      expect(death.deviceUseStatement.status).toBe('completed');
      expect(death.procedure).toBeUndefined();
      expect(death.device).toBeUndefined();
      expect(death.deviceUseStatement.derivedFrom).toBeUndefined();
      expect(death.deviceUseStatement.device).toEqual({ display: 'device not identified in this record' });
      expect(death.patient).toMatchObject({ id: patientIdOf(PSEUDONYM_C), deceasedDateTime: '2026-06-04' });
      const anonymous = recordToResources(await view(ids.deathAnonymous));
      expect(anonymous.deviceUseStatement.contained).toEqual([{ resourceType: 'Patient', id: 'patient', deceasedDateTime: '2026-06-04' }]);
      // the implantation of patient C is closed by the death record
      const closed = recordToResources(await view(ids.closedByDeath));
      expect(closed.deviceUseStatement.status).toBe('completed');
      expect(closed.deviceUseStatement.timingPeriod).toEqual({ start: '2024-03-01' });
      expect(closed.patient?.deceasedDateTime).toBe('2026-06-04');
    });

    it('maps a withdrawn record to entered-in-error, and rebuilds the version before it', async () => {
      const r = await view(ids.withdrawn);
      const res = recordToResources(r);
      expect(res.deviceUseStatement).toMatchObject({ status: 'entered-in-error', meta: { versionId: '2', lastUpdated: '2026-06-10T09:00:00.000Z' } });
      expect(res.device?.status).toBe('entered-in-error');
      expect(res.procedure?.status).toBe('entered-in-error');
      const versions = (await new RecordsRepository(reg.db, providerCaller(reg.hospital)).history(ids.withdrawn))!;
      const [v1, v2] = versionViews(r, versions).map((v) => recordToResources(v));
      expect(v1!.deviceUseStatement).toMatchObject({ status: 'active', meta: { versionId: '1', lastUpdated: '2026-06-05T09:00:00.000Z' }, timingPeriod: { start: '2026-05-15' } });
      expect(v1!.device).toMatchObject({ lotNumber: 'L-9', manufacturer: 'Orthoworks' });
      expect(v2!.deviceUseStatement.status).toBe('entered-in-error');
    });

    it('rebuilds a corrected record’s first version from record_versions', async () => {
      const r = await view(ids.hip);
      const versions = (await new RecordsRepository(reg.db, providerCaller(reg.hospital)).history(ids.hip))!;
      const [v1, v2] = versionViews(r, versions).map((v) => recordToResources(v).deviceUseStatement);
      expect(v1).toMatchObject({ status: 'active', meta: { versionId: '1' }, timingPeriod: { start: '2026-05-28' } });
      expect(v1!.extension?.some((e) => e.url === EXTENSIONS.explantReason)).toBe(false);
      expect(v2).toMatchObject({ status: 'completed', meta: { versionId: '2' }, timingPeriod: { start: '2026-05-28', end: '2026-06-13' } });
      expect(v2!.subject.reference).toBe(`Patient/${patientIdOf(PSEUDONYM_B)}`);
    });
  });
}
