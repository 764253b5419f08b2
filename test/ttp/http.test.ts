// /ttp/v1 end to end on every database: provider clients only, single and batch pseudonyms, the
// 1,000 limit, the TTP rate limit, rotation and re-keying, and an audit file with no BSN, pseudonym
// or key in it.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { basic, tokenRequest, useTempSecretFile } from '../auth/helpers.js';
import { buildApp } from '../../src/http/app.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { createToken } from '../../src/auth/tokens.js';
import { PSEUDONYM_PATTERN } from '../../src/domain/identifiers.js';
import { rotateTtpKey, TtpKeyStore } from '../../src/privacy/ttp/keys.js';
import { TtpService } from '../../src/privacy/ttp/service.js';
import { TtpAuditLog } from '../../src/privacy/ttp/audit.js';
import { buildTtpApp } from '../../src/privacy/ttp/standalone.js';

useTempSecretFile();
const dir = mkdtempSync(join(tmpdir(), 'lir-ttp-http-'));
process.env.LIR_TTP_KEY_FILE = join(dir, 'ttp-key.json');
process.env.LIR_TTP_AUDIT_FILE = join(dir, 'ttp-audit.jsonl');

/** The first `n` valid BSNs from 100000000 upwards (check digit by the 11-proef; a zero sum is not valid). */
function validBsns(n: number): string[] {
  const out: string[] = [];
  for (let base = 10000000; out.length < n; base++) {
    const d = String(base).padStart(8, '0').split('').map(Number);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * d[i]!;
    const check = sum % 11;
    if (check < 10 && sum - check > 0) out.push(d.join('') + check);
  }
  return out;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

for (const database of DATABASES) {
  describe(`TTP /ttp/v1 on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let hospitalToken: string;
    let legacyProvider: string;
    let inspector: string;
    let admin: string;
    const bodies: string[] = [];
    const bsnsSeen = new Set<string>();

    const post = async (url: string, payload: unknown, token?: string) => {
      const res = await app.inject({ method: 'POST', url, payload: payload as object, headers: token ? bearer(token) : {} });
      bodies.push(res.body);
      return res;
    };

    beforeAll(async () => {
      // each database run gets its own TTP key and audit file (the rotation test changes the key)
      const own = mkdtempSync(join(tmpdir(), `lir-ttp-http-${database.name}-`));
      process.env.LIR_TTP_KEY_FILE = join(own, 'ttp-key.json');
      process.env.LIR_TTP_AUDIT_FILE = join(own, 'ttp-audit.jsonl');
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      const c = await createClient(reg.db, { providerId: reg.hospital.id });
      const t = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(c.client.id, c.secret!) });
      expect(t.statusCode, t.body).toBe(200);
      hospitalToken = t.json().access_token;
      legacyProvider = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 'legacy' })).token;
      inspector = (await createToken(reg.db, { role: 'inspector', label: 'igj' })).token;
      admin = (await createToken(reg.db, { role: 'registry-admin', label: 'cibg' })).token;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('pseudonymises valid BSNs: stable, labelled, matching the pattern', async () => {
      const got: Record<string, string> = {};
      for (const bsn of ['111222333', '999911120', '12345672', '012345672']) {
        bsnsSeen.add(bsn);
        const res = await post('/ttp/v1/pseudonyms', { bsn }, hospitalToken);
        expect(res.statusCode, res.body).toBe(200);
        const p = res.json().pseudonym as string;
        expect(p).toMatch(PSEUDONYM_PATTERN);
        expect(p).toMatch(/^ttpv1:[A-Za-z0-9_-]{43}$/);
        got[bsn] = p;
      }
      expect(got['12345672']).toBe(got['012345672']);
      expect(new Set(Object.values(got)).size).toBe(3);
      // same BSN, another provider (legacy token): the same pseudonym, so records link across providers
      const again = await post('/ttp/v1/pseudonyms', { bsn: '111222333' }, legacyProvider);
      expect(again.json().pseudonym).toBe(got['111222333']);
    });

    it('refuses invalid BSNs without repeating them', async () => {
      for (const bsn of ['111222334', '12345', '1234567890', 'abcdefghi', '000000000', 123456782]) {
        const res = await post('/ttp/v1/pseudonyms', { bsn }, hospitalToken);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toMatchObject({ code: 'INVALID_BSN', errors: [{ pointer: '/bsn' }] });
        expect(res.body).not.toContain(String(bsn));
      }
      const missing = await post('/ttp/v1/pseudonyms', {}, hospitalToken);
      expect(missing.statusCode).toBe(400);
    });

    it('answers a batch of 1000 with mixed validity in order, by index, never with the BSN', async () => {
      const valid = validBsns(1000);
      const bsns = valid.map((b, i) => (i % 7 === 3 ? b.slice(0, 8) + String((Number(b[8]) + 1) % 10) : b));
      bsns.forEach((b) => bsnsSeen.add(b));
      const res = await post('/ttp/v1/pseudonyms/batch', { bsns }, hospitalToken);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      const body = res.json() as { count: number; invalid: number; results: Array<{ index: number; pseudonym?: string; error?: { code: string } }> };
      expect(body.count).toBe(1000);
      expect(body.results).toHaveLength(1000);
      const invalidIdx = bsns.map((_, i) => i).filter((i) => i % 7 === 3);
      expect(body.invalid).toBe(invalidIdx.length);
      body.results.forEach((r, i) => {
        expect(r.index).toBe(i);
        if (i % 7 === 3) expect(r).toEqual({ index: i, error: { code: 'INVALID_BSN', message: expect.any(String) } });
        else expect(r.pseudonym).toMatch(/^ttpv1:/);
      });
      for (const b of bsns.slice(0, 50)) expect(res.body).not.toContain(b);
      // the batch answer agrees with the single answer
      const single = await post('/ttp/v1/pseudonyms', { bsn: bsns[0] }, hospitalToken);
      expect(single.json().pseudonym).toBe(body.results[0]!.pseudonym);
    });

    it('refuses a batch over 1000 and an empty or malformed one', async () => {
      const over = await post('/ttp/v1/pseudonyms/batch', { bsns: validBsns(1001) }, hospitalToken);
      expect(over.statusCode).toBe(413);
      expect(over.json().code).toBe('BATCH_TOO_LARGE');
      expect((await post('/ttp/v1/pseudonyms/batch', { bsns: [] }, hospitalToken)).statusCode).toBe(413);
      expect((await post('/ttp/v1/pseudonyms/batch', { bsns: '111222333' }, hospitalToken)).statusCode).toBe(400);
    });

    it('needs a token (401) and a provider caller (403)', async () => {
      expect((await post('/ttp/v1/pseudonyms', { bsn: '111222333' })).statusCode).toBe(401);
      expect((await post('/ttp/v1/pseudonyms', { bsn: '111222333' }, 'not-a-token')).statusCode).toBe(401);
      for (const token of [inspector, admin]) {
        const res = await post('/ttp/v1/pseudonyms', { bsn: '111222333' }, token);
        expect(res.statusCode).toBe(403);
        expect(res.body).not.toContain('ttpv');
        expect((await post('/ttp/v1/pseudonyms/batch', { bsns: ['111222333'] }, token)).statusCode).toBe(403);
      }
    });

    it('rotation: new label; rekey maps old → new for the provider’s BSNs', async () => {
      const before = (await post('/ttp/v1/pseudonyms', { bsn: '999911120' }, hospitalToken)).json().pseudonym as string;
      const none = await post('/ttp/v1/pseudonyms/rekey', { bsns: ['999911120'] }, hospitalToken);
      expect(none.statusCode).toBe(409);
      rotateTtpKey(process.env.LIR_TTP_KEY_FILE);
      const after = (await post('/ttp/v1/pseudonyms', { bsn: '999911120' }, hospitalToken)).json().pseudonym as string;
      expect(after).toMatch(/^ttpv2:/);
      expect(after).not.toBe(before);
      const res = await post('/ttp/v1/pseudonyms/rekey', { bsns: ['999911120', '111222334'] }, hospitalToken);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ from: 'v1', to: 'v2', count: 2, invalid: 1 });
      expect(res.json().results[0]).toEqual({ index: 0, old: before, new: after });
      expect(res.json().results[1]).toMatchObject({ index: 1, error: { code: 'INVALID_BSN' } });
      expect((await post('/ttp/v1/pseudonyms/rekey', { bsns: ['999911120'] }, inspector)).statusCode).toBe(403);
    });

    it('rate-limits per client with a TTP budget, batches counting per 100 BSNs (standalone TTP app)', async () => {
      const auditFile = join(dir, `rate-${database.name}.jsonl`);
      const ttp = await buildTtpApp(reg.services.auth, { ratePerMinute: 5, service: new TtpService(new TtpKeyStore()), audit: new TtpAuditLog(auditFile) });
      try {
        const call = (url: string, payload: object, token = hospitalToken) => ttp.inject({ method: 'POST', url, payload, headers: bearer(token) });
        // a batch of 301 costs 4 units
        expect((await call('/ttp/v1/pseudonyms/batch', { bsns: validBsns(301) })).statusCode).toBe(200);
        expect((await call('/ttp/v1/pseudonyms', { bsn: '111222333' })).statusCode).toBe(200);
        const limited = await call('/ttp/v1/pseudonyms', { bsn: '111222333' });
        expect(limited.statusCode).toBe(429);
        expect(limited.json().code).toBe('RATE_LIMITED');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        // another client has its own bucket
        expect((await call('/ttp/v1/pseudonyms', { bsn: '111222333' }, legacyProvider)).statusCode).toBe(200);
        // no register route on the standalone TTP
        expect((await ttp.inject({ method: 'GET', url: '/api/v1/records', headers: bearer(hospitalToken) })).statusCode).toBe(404);
        await new Promise((r) => setTimeout(r, 20));
        const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        expect(lines.map((l) => l.outcome)).toEqual(['ok', 'ok', 'rate-limited', 'ok']);
        expect(lines[0]).toMatchObject({ action: 'batch', count: 301, status: 200, providerKvk: '12345678', clientId: expect.stringMatching(/^client:/) });
      } finally {
        await ttp.close();
      }
    });

    it('never shows the key in an answer; the audit file holds no BSN, pseudonym or key', async () => {
      await new Promise((r) => setTimeout(r, 20));
      const keyFile = JSON.parse(readFileSync(process.env.LIR_TTP_KEY_FILE!, 'utf8')) as { keys: Record<string, string> };
      const secrets = Object.values(keyFile.keys).flatMap((k) => [k, Buffer.from(k, 'base64').toString('base64url'), Buffer.from(k, 'base64').toString('hex')]);
      const audit = readFileSync(process.env.LIR_TTP_AUDIT_FILE!, 'utf8');
      for (const s of secrets) {
        expect(audit).not.toContain(s);
        for (const b of bodies) expect(b).not.toContain(s);
      }
      for (const b of bsnsSeen) expect(audit).not.toContain(`"${b}`);
      for (const b of bsnsSeen) expect(audit).not.toContain(b.padStart(9, '0'));
      expect(audit).not.toContain('ttpv1:');
      expect(audit).not.toContain('ttpv2:');
      const lines = audit.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.length).toBeGreaterThanOrEqual(bodies.length);
      for (const l of lines) expect(Object.keys(l).sort()).toEqual(expect.arrayContaining(['action', 'clientId', 'count', 'outcome', 'providerKvk', 'status', 'time']));
      expect(lines.some((l) => l.outcome === 'unauthorized' && l.clientId === null)).toBe(true);
      expect(lines.some((l) => l.outcome === 'forbidden')).toBe(true);
      expect(lines.some((l) => l.action === 'batch' && l.count === 1000 && l.outcome === 'partial')).toBe(true);
      expect(lines.some((l) => l.action === 'rekey' && l.keyVersion === 'v2')).toBe(true);
      expect(bsnsSeen.size).toBeGreaterThan(0);
    });
  });
}
