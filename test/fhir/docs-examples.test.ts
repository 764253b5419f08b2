// The examples of docs/fhir.md: every one is valid FHIR R4 (official StructureDefinitions,
// offline), and every example Bundle in docs/fhir-examples/ is accepted by POST /fhir/R4 in the
// order the documentation walks through them, and reads back as documented.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Bundle, DeviceUseStatement } from '@medplum/fhirtypes';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { createToken } from '../../src/auth/tokens.js';
import { SYSTEMS } from '../../src/http/fhir/model.js';
import { fhirTestApp } from './read-app.js';

const DOCS = join(import.meta.dirname, '../../docs');
const EXAMPLES_DIR = join(DOCS, 'fhir-examples');
/** In the order of the walk-through in docs/fhir.md: each builds on the one before. */
const DELIVERY_ORDER = ['implantation.json', 'correction.json', 'explantation.json', 'death.json', 'iud-placement.json'];

const exampleFiles = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
const readExample = (file: string): Bundle => JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
const markdown = readFileSync(join(DOCS, 'fhir.md'), 'utf8');

/** Every ```json block of the page that parses as a FHIR resource. */
function markdownResources(): { line: number; resource: { resourceType: string } }[] {
  const out: { line: number; resource: { resourceType: string } }[] = [];
  const re = /```json\n([\s\S]*?)```/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const line = markdown.slice(0, m.index).split('\n').length;
    let value: unknown;
    try {
      value = JSON.parse(m[1]!);
    } catch (err) {
      throw new Error(`docs/fhir.md line ${line}: a json block is not valid JSON: ${(err as Error).message}`);
    }
    if (value && typeof value === 'object' && 'resourceType' in value) out.push({ line, resource: value as { resourceType: string } });
  }
  return out;
}

describe('docs/fhir.md examples are valid FHIR R4', () => {
  it('has the example files the documentation promises, each referenced from the page', () => {
    expect(exampleFiles).toEqual([...DELIVERY_ORDER].sort());
    for (const f of exampleFiles) expect(markdown, `docs/fhir.md links fhir-examples/${f}`).toContain(`fhir-examples/${f}`);
  });

  it.each(exampleFiles)('docs/fhir-examples/%s validates against the R4 StructureDefinitions', (file) => {
    validateFhir(readExample(file));
  });

  it('every FHIR resource shown in docs/fhir.md validates', () => {
    const resources = markdownResources();
    expect(resources.length).toBeGreaterThan(8);
    const failures: string[] = [];
    for (const { line, resource } of resources) {
      try {
        validateFhir(resource);
      } catch (err) {
        failures.push(`line ${line}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

for (const database of DATABASES) {
  describe(`docs/fhir-examples delivered through POST /fhir/R4 on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await fhirTestApp(reg.services);
      tokens[reg.hospital.kvk] = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'docs' })).token;
      tokens[reg.midwife.kvk] = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 'docs' })).token;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    const kvkOf = (bundle: Bundle): string => {
      for (const e of bundle.entry ?? []) {
        const r = e.resource;
        if (r?.resourceType === 'Organization') {
          const kvk = r.identifier?.find((i) => i.system === SYSTEMS.kvk)?.value;
          if (kvk) return kvk;
        }
      }
      throw new Error('the example names no provider KvK');
    };

    const read = async (url: string, kvk: string) => {
      const res = await app.inject({ method: 'GET', url: `/fhir/R4/${url}`, headers: { authorization: `Bearer ${tokens[kvk]}` } });
      return { status: res.statusCode, body: res.json() };
    };

    it('accepts every example in order, with a response entry per request entry, and reads the records back as documented', async () => {
      const hasWritePath = app.hasRoute({ method: 'POST', url: '/fhir/R4' }) || app.hasRoute({ method: 'POST', url: '/fhir/R4/' });
      expect(hasWritePath, 'POST /fhir/R4 (the FHIR write path, src/http/fhir/plugin.ts) is not registered in the app: the documented examples cannot be delivered').toBe(true);
      const recordIds = new Map<string, string>();
      for (const file of DELIVERY_ORDER) {
        const bundle = readExample(file);
        const kvk = kvkOf(bundle);
        const res = await app.inject({
          method: 'POST',
          url: '/fhir/R4',
          headers: { authorization: `Bearer ${tokens[kvk]}`, 'content-type': 'application/fhir+json' },
          payload: bundle,
        });
        expect(res.statusCode, `${file}: ${res.body.slice(0, 2000)}`).toBe(200);
        const response = res.json() as Bundle;
        validateFhir(response);
        expect(response.type).toBe(`${bundle.type}-response`);
        expect(response.entry).toHaveLength(bundle.entry!.length);
        for (const [i, e] of response.entry!.entries()) {
          expect(e.response?.status, `${file} entry ${i}: ${JSON.stringify(e.response)}`).toMatch(/^20[01]/);
          const dus = bundle.entry![i]!.resource as DeviceUseStatement;
          if (dus.resourceType === 'DeviceUseStatement') {
            const location = e.response!.location!;
            expect(location).toMatch(/DeviceUseStatement\/[0-9a-f-]{36}(\/_history\/\d+)?$/);
            recordIds.set(dus.identifier![0]!.value!, /DeviceUseStatement\/([0-9a-f-]{36})/.exec(location)![1]!);
          }
        }
      }

      // implantation → correction → explantation: one record, three versions
      const hip = recordIds.get('OK-2026-0001')!;
      const current = await read(`DeviceUseStatement/${hip}`, reg.hospital.kvk);
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ status: 'completed', meta: { versionId: '3' }, timingPeriod: { start: '2026-06-03', end: '2026-06-12' } });
      expect((await read(`DeviceUseStatement/${hip}/_history/1`, reg.hospital.kvk)).body.timingPeriod).toEqual({ start: '2026-06-02' });
      expect((await read(`Device/${hip}`, reg.hospital.kvk)).body).toMatchObject({ lotNumber: '5200AC', manufacturer: 'Orthoworks' });
      // death
      const death = await read(`DeviceUseStatement/${recordIds.get('OK-2026-0107-OVL')}`, reg.hospital.kvk);
      expect(death.body.status).toBe('completed');
      const patient = await read(death.body.subject.reference, reg.hospital.kvk);
      expect(patient.body.deceasedDateTime).toBe('2026-06-08');
      // IUD with the placement fields, read by the midwife only
      const iud = recordIds.get('VK-2026-0042')!;
      const placed = await read(`DeviceUseStatement/${iud}`, reg.midwife.kvk);
      expect(placed.body.extension).toContainEqual(expect.objectContaining({ url: 'https://fhir.implantatenregister.nl/StructureDefinition/iud-placement' }));
      expect((await read(`DeviceUseStatement/${iud}`, reg.hospital.kvk)).status).toBe(404);
    });
  });
}
