// The aggregate that leaves the inspectorate: implantations per year by category, provider type or
// region. An association gets it with small cells suppressed (and complements, so no hidden cell
// can be recomputed); the inspectorate may see it unsuppressed; everyone else is refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { startSession } from '../../src/auth/sessions.js';
import { SESSION_COOKIE } from '../../src/http/portal/cookies.js';
import { OPERATOR } from '../../src/auth/caller.js';
import { derivableEntries, type SuppressedEntry } from '../../src/privacy/suppression.js';
import type { ImplantationReport } from '../../src/register/implantation-report.js';

/** Hospital: 14 IUDs in 2025, 3 in 2026; 20 hip cups in 2025, 12 in 2026; 9 pacemakers in 2026. Midwife: 11 IUDs in 2026. */
const PLAN: [kvk: string, udiDi: string, year: number, n: number][] = [
  ['12345678', COPPER_IUD, 2025, 14],
  ['12345678', COPPER_IUD, 2026, 3],
  ['12345678', HIP_CUP, 2025, 20],
  ['12345678', HIP_CUP, 2026, 12],
  ['12345678', PACEMAKER, 2026, 9],
  ['87654321', COPPER_IUD, 2026, 11],
];

const values = (entries: SuppressedEntry[]) => entries.map((e) => e.value);

for (const database of DATABASES) describe(`implantation report on ${database.name}`, () => {
  let reg: TestRegister;
  let app: FastifyInstance;
  let association: Record<string, string>;
  let inspector: Record<string, string>;
  let provider: Record<string, string>;

  beforeAll(async () => {
    reg = await testRegister(database);
    app = await buildApp(reg.services);
    let ref = 0;
    for (const [kvk, udiDi, year, n] of PLAN) {
      const records = Array.from({ length: n }, () => ({ providerKvk: kvk, providerRecordRef: `R-${++ref}`, udiDi, lot: 'L1', implantDate: `${year}-03-0${(ref % 9) + 1}` }));
      const receipt = await reg.services.intake.deliver({ records, mode: 'transaction', channel: 'rest', caller: OPERATOR });
      expect(receipt.counts.rejected).toBe(0);
    }
    // a withdrawn record and an explantation are not implantations
    await reg.services.intake.deliver({ records: [{ providerKvk: '12345678', providerRecordRef: 'R-1', action: 'withdraw' }], mode: 'batch', channel: 'rest', caller: OPERATOR });
    const user = await createUser(reg.db, { username: 'nvog', role: 'association', organisation: 'NVOG', password: 'een lang wachtwoord', createdBy: 'test' });
    association = { cookie: `${SESSION_COOKIE}=${(await startSession(reg.db, user.id, 'active')).cookieValue}` };
    inspector = { authorization: `Bearer ${(await createToken(reg.db, { role: 'inspector', label: 't' })).token}` };
    provider = { authorization: `Bearer ${(await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 't' })).token}` };
  });
  afterAll(async () => {
    await app?.close();
    await reg?.close();
  });

  const get = (headers: Record<string, string>, query: string) => app.inject({ method: 'GET', url: `/api/v1/reports/implantations?${query}`, headers });

  it('gives the inspectorate the true counts when it asks for them', async () => {
    const res = await get(inspector, 'by=category&from=2025&to=2026&suppression=off');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as ImplantationReport;
    expect(r.years).toEqual([2025, 2026]);
    expect(r.rows.map((x) => x.key)).toEqual(['01', '04', '13']);
    expect(r.suppression).toBeNull();
    // 13 (not 14) IUDs in 2025: one was withdrawn
    expect(r.cells.map(values)).toEqual([[20, 12], [0, 9], [13, 14]]);
    expect(values(r.rowTotals)).toEqual([32, 9, 27]);
    expect(values(r.yearTotals)).toEqual([33, 35]);
    expect(r.total.value).toBe(68);
  });

  it('gives an association suppressed counts: every small cell hidden, none derivable from what is shown', async () => {
    const res = await get(association, 'by=category&from=2025&to=2026');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as ImplantationReport;
    expect(r.suppression).toEqual({ threshold: 10 });
    // the pacemaker row holds 0 and 9; the 9 and its row total are primary
    expect(r.cells[1]![1]).toEqual({ value: null, reason: 'primary' });
    expect(r.rowTotals[1]).toEqual({ value: null, reason: 'primary' });
    const shown = [...r.cells.flat(), ...r.rowTotals, ...r.yearTotals, r.total].filter((e) => e.value !== null).map((e) => e.value!);
    expect(shown.every((v) => v === 0 || v >= 10)).toBe(true);
    const derivable = derivableEntries({ threshold: 10, cells: r.cells, rowTotals: r.rowTotals, columnTotals: r.yearTotals, grandTotal: r.total });
    expect(derivable).toEqual([]);
    // and it may not switch suppression off
    const off = await get(association, 'by=category&suppression=off');
    expect(off.statusCode).toBe(403);
  });

  it('groups by provider type and region; logs each report in the audit log', async () => {
    const before = (await reg.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE event_code = 'aggregate-report'"))[0]!.n;
    const byType = (await get(inspector, 'by=providerType&from=2026&to=2026&suppression=off')).json() as ImplantationReport;
    expect(byType.rows.map((x) => x.key)).toEqual(['hospital', 'midwifery-practice']);
    expect(byType.cells.map(values)).toEqual([[24], [11]]);
    const byRegion = (await get(association, 'by=region&from=2026&to=2026')).json() as ImplantationReport;
    expect(byRegion.rows).toEqual([{ key: 'Utrecht', label: 'Utrecht' }]);
    expect(byRegion.cells.map(values)).toEqual([[35]]);
    const after = await reg.db.query<{ role: string; query: unknown }>("SELECT role, query FROM audit_log WHERE event_code = 'aggregate-report' ORDER BY seq");
    expect(after.length - before).toBe(2);
    expect(after.at(-1)).toMatchObject({ role: 'association', query: { by: 'region', fromYear: 2026, toYear: 2026, unsuppressed: false } });
  });

  it('refuses other roles and bad parameters with a problem that names the parameter', async () => {
    expect((await get(provider, 'by=category')).statusCode).toBe(403);
    for (const [query, pointer] of [['by=patient', 'by'], ['from=19', 'from'], ['from=2026&to=2020', 'to'], ['suppression=maybe', 'suppression']] as const) {
      const res = await get(association, query);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].pointer, query).toBe(pointer);
    }
  });
});
