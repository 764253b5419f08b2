import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { captureOutput } from '../helpers/capture-output.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { udiCommand } from '../../src/cli/commands/udi.js';

const GS = '\u001d';
const database = DATABASES[0]!; // the route touches no database beyond authentication

/** What `lir udi parse <strings> --json [flags]` prints, parsed. */
async function cli(strings: string[], flags: string[] = []): Promise<{ json: unknown; exitCode: number | undefined }> {
  const r = await captureOutput(() => udiCommand().parseAsync(['parse', ...strings, '--json', ...flags], { from: 'user' }));
  process.exitCode = undefined;
  return { json: JSON.parse(r.out) as unknown, exitCode: r.exitCode as number | undefined };
}

describe('POST /api/v1/udi/parse', () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  const tokens = { hospital: '', inspector: '', admin: '' };
  const post = (payload: unknown, who: keyof typeof tokens = 'hospital') =>
    app.inject({ method: 'POST', url: '/api/v1/udi/parse', headers: { authorization: `Bearer ${tokens[who]}` }, payload: payload as Record<string, unknown> });

  beforeAll(async () => {
    reg = await testRegister(database);
    app = await buildApp(reg.services);
    tokens.hospital = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token;
    tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
    tokens.admin = (await createToken(reg.db, { role: 'registry-admin', label: 't' })).token;
  });
  afterAll(async () => {
    await app.close();
    await reg.close();
  });

  it('answers 200 with exactly what lir udi parse --json prints, for one scan and for a session', async () => {
    const cases: { strings: string[]; flags?: string[]; body: Record<string, unknown> }[] = [
      { strings: ['(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101'], body: { scan: '(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101' } },
      { strings: [']C10108023279277098', `]C1172212311012345AB${GS}2112345XYZ`], body: { scans: [']C10108023279277098', `]C1172212311012345AB${GS}2112345XYZ`] } },
      { strings: ['+A123BJC5D6E71G', '+$$52001510X3GD'], body: { scans: ['+A123BJC5D6E71G', '+$$52001510X3GD'] } },
      { strings: ['=+06000=/A9999XYZ100T0476=,000025=A99971712345600=>019032=}017032&,1000000000000XYZ123'], body: { scans: ['=+06000=/A9999XYZ100T0476=,000025=A99971712345600=>019032=}017032&,1000000000000XYZ123'] } },
      { strings: ['0108023279277098101234AB|2112345XYZ'], flags: ['--separator', '|'], body: { scan: '0108023279277098101234AB|2112345XYZ', separators: ['|'] } },
      {
        strings: ['+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202C'],
        flags: ['--typed'],
        body: { scan: '+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202C', typed: true },
      },
    ];
    for (const c of cases) {
      const res = await post(c.body);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const expected = await cli(c.strings, c.flags);
      expect(expected.exitCode).toBeUndefined();
      expect(res.json()).toEqual(expected.json);
    }
  });

  it('answers 422 problem+json whose error object is what the CLI prints', async () => {
    const cases: { strings: string[]; body: Record<string, unknown>; pointer: string; code: string; position: number }[] = [
      { strings: ['(01)08023279277099'], body: { scan: '(01)08023279277099' }, pointer: '/scan', code: 'GS1_CHECK_DIGIT', position: 17 },
      { strings: ['(01)08023279277098', '(10)A B'], body: { scans: ['(01)08023279277098', '(10)A B'] }, pointer: '/scans/1', code: 'GS1_INVALID_CHARACTER', position: 5 },
      { strings: ['+A123BJC5D6E71G', '+$$52001510X3HE'], body: { scans: ['+A123BJC5D6E71G', '+$$52001510X3HE'] }, pointer: '/scans/1', code: 'HIBC_LINK_CHARACTER', position: 13 },
      { strings: ['(01)08023279277098(17)221231', '(250)SEC123'], body: { scans: ['(01)08023279277098(17)221231', '(250)SEC123'] }, pointer: '/scans/1', code: 'GS1_INVALID_PAIRING', position: 0 },
    ];
    for (const c of cases) {
      const res = await post(c.body);
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const body = res.json();
      const expected = await cli(c.strings);
      expect(expected.exitCode).toBe(1);
      expect({ error: body.error }).toEqual(expected.json);
      expect(body).toMatchObject({ status: 422, code: c.code, error: { code: c.code, position: c.position }, errors: [{ code: c.code, pointer: c.pointer }] });
      expect(body.detail).toBe(body.error.message);
    }
  });

  it('is open to every authenticated role and closed without a token', async () => {
    for (const who of ['hospital', 'inspector', 'admin'] as const) {
      expect((await post({ scan: '(01)08023279277098' }, who)).statusCode).toBe(200);
    }
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/udi/parse', payload: { scan: '(01)08023279277098' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses malformed requests with 400 and a pointer', async () => {
    const cases: [unknown, string][] = [
      [{}, '/scans'],
      [{ scans: [] }, '/scans'],
      [{ scans: 'x' }, '/scans'],
      [{ scans: ['(01)08023279277098', 7] }, '/scans'],
      [{ scan: 5 }, '/scan'],
      [{ scan: 'a', scans: ['b'] }, '/scan'],
      [{ scan: '(01)08023279277098', typed: 'yes' }, '/typed'],
      [{ scan: '(01)08023279277098', separators: [''] }, '/separators'],
      [{ scan: '(01)08023279277098', extra: 1 }, '/extra'],
      [{ scans: Array.from({ length: 21 }, () => '(01)08023279277098') }, '/scans'],
      [{ scan: 'x'.repeat(4097) }, '/scan'],
      [['(01)08023279277098'], ''],
    ];
    for (const [payload, pointer] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_BODY', errors: [{ pointer }] });
    }
  });

  it('is listed in the OpenAPI document', async () => {
    const spec = (await app.inject('/api/v1/openapi.json')).json();
    expect(Object.keys(spec.paths)).toContain('/api/v1/udi/parse');
  });
});
