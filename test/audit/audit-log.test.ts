// The NEN 7513 access log: an entry for every read and write path, a hash chain that verifies,
// and tampering (altered, removed, reordered) found and named by seq.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, testRegister, type TestRegister } from '../helpers/register.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { buildApp } from '../../src/http/app.js';
import { createUser } from '../../src/auth/users.js';
import { startSession } from '../../src/auth/sessions.js';
import { SESSION_COOKIE } from '../../src/http/portal/cookies.js';
import { createToken } from '../../src/auth/tokens.js';
import type { Caller } from '../../src/auth/caller.js';
import type { Db } from '../../src/db/types.js';
import { RecordsRepository } from '../../src/register/records-repository.js';
import { affectedPopulation } from '../../src/register/affected-population.js';
import { implantedWhileSuspended } from '../../src/register/suspended-implants.js';
import { appendAudit, listAudit, verifyAuditChain, WITHHELD, type AuditEntry, type AuditEvent } from '../../src/privacy/audit-log.js';

const INSPECTOR: Caller = { role: 'inspector', subject: 'insp-1', purpose: 'recall 2026-17', sourceAddress: '10.0.0.7' };
const LOG_MANAGER: Caller = { role: 'log-manager', subject: 'user:logbeheer' };

async function entries(db: Db): Promise<AuditEntry[]> {
  return listAuditQuietly(db);
}

/** Reads the log without the read being logged (test inspection only). */
async function listAuditQuietly(db: Db): Promise<AuditEntry[]> {
  return db.query<AuditEntry>(
    `SELECT seq, event_code AS "eventCode", action, recorded_at AS "recordedAt", user_id AS "userId", role, organisation,
       on_behalf_of AS "onBehalfOf", object_type AS "objectType", object_id AS "objectId", query, result_count AS "resultCount",
       purpose, source_address AS "sourceAddress", prev_hash AS "prevHash", hash FROM audit_log ORDER BY seq`,
  );
}

/** Runs `fn` and returns the audit entries it appended. */
async function appended(db: Db, fn: () => Promise<unknown>): Promise<AuditEntry[]> {
  const before = (await entries(db)).length;
  await fn();
  return (await entries(db)).slice(before);
}

const events = (n: number): AuditEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventCode: 'record-read', action: 'R' as const, objectType: 'Record', objectId: `obj-${i + 1}`, resultCount: 1 }));

for (const database of DATABASES) {
  describe(`audit log on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let midwife: Caller;
    let recordId: string;
    let deliveryId: string;
    const tokens = { inspector: '', midwife: '' };
    /** The log manager signs in to the portal (two-factor); its session cookie reads the log. */
    let logManager: Record<string, string>;

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      midwife = { role: 'provider', subject: 'midwife-system', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
      tokens.inspector = (await createToken(reg.db, { role: 'inspector', label: 't' })).token;
      tokens.midwife = (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 't' })).token;
      const user = await createUser(reg.db, { username: 'logbeheer', role: 'log-manager', password: 'een lang wachtwoord', createdBy: 'test' });
      logManager = { cookie: `${SESSION_COOKIE}=${(await startSession(reg.db, user.id, 'active')).cookieValue}` };
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('writes one entry per delivery for intake, with the delivery id and the number of items', async () => {
      let receipt!: Awaited<ReturnType<typeof reg.services.intake.deliver>>;
      const added = await appended(reg.db, async () => {
        receipt = await reg.services.intake.deliver({
          records: [
            { providerKvk: '87654321', providerRecordRef: 'A-1', patientPseudonym: 'ttp1:Patient000000000001', udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-06-01' },
            { providerKvk: '87654321', providerRecordRef: 'A-2', udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-06-02' },
          ],
          mode: 'batch',
          channel: 'rest',
          caller: midwife,
        });
      });
      expect(receipt.counts.created).toBe(2);
      deliveryId = receipt.deliveryIds[0]!;
      recordId = receipt.items[0]!.recordId!;
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ eventCode: 'delivery', action: 'C', userId: 'midwife-system', role: 'provider', organisation: '87654321', objectType: 'Delivery', objectId: deliveryId, resultCount: 2, query: null });

      const update = await appended(reg.db, () =>
        reg.services.intake.deliver({ records: [{ providerKvk: '87654321', providerRecordRef: 'A-2', action: 'withdraw' }], mode: 'batch', channel: 'rest', caller: midwife }),
      );
      expect(update).toHaveLength(1);
      expect(update[0]).toMatchObject({ eventCode: 'delivery', action: 'C', objectType: 'Delivery', resultCount: 1 });
    });

    it('writes one entry for every read in the query layer, with object or query, count, caller, purpose and address', async () => {
      const repo = new RecordsRepository(reg.db, INSPECTOR);
      const who = { userId: 'insp-1', role: 'inspector', organisation: null, purpose: 'recall 2026-17', sourceAddress: '10.0.0.7' };
      const cases: [() => Promise<unknown>, Partial<AuditEntry>][] = [
        [() => repo.get(recordId), { eventCode: 'record-read', action: 'R', objectType: 'Record', objectId: recordId, resultCount: 1 }],
        [() => repo.get('00000000-0000-4000-8000-000000000000'), { eventCode: 'record-read', objectId: '00000000-0000-4000-8000-000000000000', resultCount: 0 }],
        [() => repo.history(recordId), { eventCode: 'record-history', action: 'R', objectId: recordId, resultCount: 1 }],
        [() => repo.list({ limit: 10, udiDi: COPPER_IUD }), { eventCode: 'record-search', action: 'E', objectId: null, query: { udiDi: COPPER_IUD, limit: 10 }, resultCount: 2 }],
        [() => repo.search({ limit: 5, pseudonym: 'ttp1:Patient000000000001' }), { eventCode: 'record-search', action: 'E', query: { limit: 5, pseudonym: 'ttp1:Patient000000000001' }, resultCount: 1 }],
        [() => repo.delivery(deliveryId), { eventCode: 'delivery-read', action: 'R', objectType: 'Delivery', objectId: deliveryId, resultCount: 1 }],
        [() => repo.deliveries({ limit: 10 }), { eventCode: 'delivery-search', action: 'E', objectType: 'Delivery', resultCount: 2 }],
        [() => affectedPopulation(reg.db, INSPECTOR, { udiDi: [COPPER_IUD] }, reg.services.implantTypes), { eventCode: 'affected-population', action: 'E', query: { udiDi: [COPPER_IUD] }, resultCount: 1 }],
        [() => implantedWhileSuspended(reg.db, INSPECTOR, { udiDi: [COPPER_IUD] }), { eventCode: 'suspended-implants', action: 'E', query: { udiDi: [COPPER_IUD] }, resultCount: 0 }],
      ];
      for (const [call, expected] of cases) {
        const added = await appended(reg.db, call);
        expect(added, expected.eventCode).toHaveLength(1);
        expect(added[0]).toMatchObject({ ...who, ...expected });
      }
    });

    it('withholds an id or a search value that looks like a BSN, a date or a name, and keeps date bounds and names of manufacturers', async () => {
      const hospital: Caller = { role: 'provider', subject: 'h-2', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      const repo = new RecordsRepository(reg.db, hospital);
      const added = await appended(reg.db, async () => {
        await repo.get('14-03-1987');
        await repo.list({ limit: 5, udiDi: '111222333' });
        await repo.search({ limit: 5, providerRecordRef: 'Maria de Vries' });
        await appendAudit(reg.db, INSPECTOR, [{ eventCode: 'affected-population', action: 'E', objectType: 'Query', query: { manufacturer: 'Cuprum Medical', implantedFrom: '2021-07-15', lots: ['1234.56.782', 'LOT-7'] } }]);
      });
      expect(added.map((e) => [e.objectId, e.query])).toEqual([
        [WITHHELD, null],
        [null, { udiDi: WITHHELD, limit: 5 }],
        [null, { providerRecordRef: WITHHELD, limit: 5 }],
        [null, { manufacturer: 'Cuprum Medical', implantedFrom: '2021-07-15', lots: [WITHHELD, 'LOT-7'] }],
      ]);
      expect(await verifyAuditChain(reg.db)).toMatchObject({ ok: true });
    });

    it('records the provider organisation, and a provider reading another provider’s record is logged with count 0', async () => {
      const hospital: Caller = { role: 'provider', subject: 'h-1', providerId: reg.hospital.id, providerKvk: reg.hospital.kvk };
      const added = await appended(reg.db, () => new RecordsRepository(reg.db, hospital).get(recordId));
      expect(added[0]).toMatchObject({ role: 'provider', organisation: '12345678', objectId: recordId, resultCount: 0 });
    });

    it('audits reads through HTTP with the source address, and serves the log as valid FHIR AuditEvents to the log manager only', async () => {
      const read = await appended(reg.db, () => app.inject({ method: 'GET', url: `/api/v1/records/${recordId}`, headers: { authorization: `Bearer ${tokens.midwife}` } }));
      expect(read).toHaveLength(1);
      expect(read[0]).toMatchObject({ eventCode: 'record-read', role: 'provider', organisation: '87654321', sourceAddress: '127.0.0.1', resultCount: 1 });

      for (const token of [tokens.midwife, tokens.inspector]) {
        const denied = await app.inject({ method: 'GET', url: '/api/v1/audit-events', headers: { authorization: `Bearer ${token}` } });
        expect(denied.statusCode).toBe(403);
      }

      let res!: Awaited<ReturnType<typeof app.inject>>;
      const logged = await appended(reg.db, async () => {
        res = await app.inject({ method: 'GET', url: `/api/v1/audit-events?object=${recordId}&_count=50`, headers: logManager });
      });
      expect(res.statusCode).toBe(200);
      const bundle = res.json();
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      expect(bundle.entry.length).toBeGreaterThanOrEqual(4);
      for (const e of bundle.entry) {
        validateFhir(e.resource);
        expect(e.resource.entity[0].what.identifier.value).toBe(recordId);
      }
      const first = bundle.entry[0].resource;
      expect(first).toMatchObject({ resourceType: 'AuditEvent', type: { code: '110110' }, action: 'R', agent: [{ requestor: true }] });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ eventCode: 'audit-log-read', action: 'E', objectType: 'AuditLog', role: 'log-manager', userId: 'user:logbeheer', query: { object: recordId }, resultCount: bundle.entry.length });

      // a query entry carries its filter as entity.query (base64)
      const all = (await app.inject({ method: 'GET', url: '/api/v1/audit-events?_count=1000', headers: logManager })).json();
      const q = all.entry.map((e: { resource: { subtype: { code: string }[]; entity: { query?: string }[] } }) => e.resource).find((r: { subtype: { code: string }[] }) => r.subtype[0]!.code === 'affected-population');
      validateFhir(q);
      expect(JSON.parse(Buffer.from(q.entity[0].query, 'base64').toString('utf8'))).toEqual({ udiDi: [COPPER_IUD] });
    });

    it('audits FHIR reads and REST deliveries through the same query layer', async () => {
      const fhirRead = await appended(reg.db, () => app.inject({ method: 'GET', url: `/fhir/R4/DeviceUseStatement/${recordId}`, headers: { authorization: `Bearer ${tokens.midwife}` } }));
      expect(fhirRead).toHaveLength(1);
      expect(fhirRead[0]).toMatchObject({ eventCode: 'record-read', objectId: recordId, organisation: '87654321', resultCount: 1, sourceAddress: '127.0.0.1' });

      let receipt!: { deliveryIds: string[] };
      const delivered = await appended(reg.db, async () => {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/records',
          headers: { authorization: `Bearer ${tokens.midwife}` },
          payload: { providerKvk: '87654321', providerRecordRef: 'A-3', udiDi: COPPER_IUD, lot: 'L1', implantDate: '2026-06-03' },
        });
        expect(res.statusCode).toBe(200);
        receipt = res.json();
      });
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({ eventCode: 'delivery', action: 'C', objectId: receipt.deliveryIds[0], resultCount: 1, sourceAddress: '127.0.0.1' });
    });

    it('pages the AuditEvent bundle with a next link', async () => {
      const first = (await app.inject({ method: 'GET', url: '/api/v1/audit-events?_count=2', headers: logManager })).json();
      expect(first.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['audit-1', 'audit-2']);
      const next = first.link.find((l: { relation: string }) => l.relation === 'next').url as string;
      expect(next).toMatch(/after=2/);
      const second = (await app.inject({ method: 'GET', url: next, headers: logManager })).json();
      expect(second.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['audit-3', 'audit-4']);
      const bad = await app.inject({ method: 'GET', url: '/api/v1/audit-events?from=not-a-date', headers: logManager });
      expect(bad.statusCode).toBe(400);
    });

    it('audits the log manager’s own reads of the log', async () => {
      const added = await appended(reg.db, () => listAudit(reg.db, LOG_MANAGER, { user: 'insp-1' }));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ eventCode: 'audit-log-read', query: { user: 'insp-1' } });
      await expect(listAudit(reg.db, midwife)).rejects.toThrow(/log manager/);
      // the inspectorate's own reads are in the log: it does not review them itself
      await expect(listAudit(reg.db, INSPECTOR)).rejects.toThrow(/log manager/);
    });

    it('the chain of everything written above verifies', async () => {
      const report = await verifyAuditChain(reg.db);
      expect(report).toMatchObject({ ok: true });
      const all = await entries(reg.db);
      expect(report).toMatchObject({ entries: all.length, lastSeq: all.at(-1)!.seq, lastHash: all.at(-1)!.hash });
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    });

    it('the log manager verifies the chain over HTTP; the check is itself logged; a tampered entry is named', async () => {
      const denied = await app.inject({ method: 'GET', url: '/api/v1/audit-verification', headers: { authorization: `Bearer ${tokens.inspector}` } });
      expect(denied.statusCode).toBe(403);
      let res!: Awaited<ReturnType<typeof app.inject>>;
      const logged = await appended(reg.db, async () => {
        res = await app.inject({ method: 'GET', url: '/api/v1/audit-verification', headers: logManager });
      });
      expect(res.statusCode, res.body).toBe(200);
      const before = (await entries(reg.db)).length;
      expect(res.json()).toMatchObject({ ok: true, entries: before - 1 });
      expect(logged[0]).toMatchObject({ eventCode: 'audit-log-verify', role: 'log-manager', resultCount: before - 1 });

      await reg.db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await reg.db.query('UPDATE audit_log SET result_count = result_count + 1 WHERE seq = 2');
      const broken = (await app.inject({ method: 'GET', url: '/api/v1/audit-verification', headers: logManager })).json();
      await reg.db.query('UPDATE audit_log SET result_count = result_count - 1 WHERE seq = 2');
      await reg.db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      expect(broken).toMatchObject({ ok: false, seq: 2, problem: 'altered' });
    });

    it('refuses UPDATE, DELETE and TRUNCATE', async () => {
      await expect(reg.db.query('UPDATE audit_log SET result_count = 5 WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(reg.db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(reg.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      expect(await verifyAuditChain(reg.db)).toMatchObject({ ok: true });
    });
  });

  describe(`audit chain tampering on ${database.name}`, () => {
    const who: Caller = { role: 'operator', subject: 'cli' };
    const fresh = async (n = 6) => {
      const db = await database.open();
      await appendAudit(db, who, events(n));
      return db;
    };
    /** Tamper as a superuser would: with the append-only trigger disabled. */
    const tamper = async (db: Db, ...sql: string[]) => {
      await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      for (const s of sql) await db.query(s);
      await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    };

    it('verifies a chain longer than one page, appended in several calls', async () => {
      const db = await database.open();
      try {
        await appendAudit(db, who, events(1500));
        await appendAudit(db, who, events(3));
        await db.transaction((tx) => appendAudit(tx, who, events(2)));
        expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 1505, lastSeq: 1505 });
      } finally {
        await db.close();
      }
    });

    it('serialises concurrent appends into one unbroken chain', async () => {
      const db = await fresh(1);
      try {
        await Promise.all(Array.from({ length: 12 }, () => appendAudit(db, who, events(3))));
        expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 37 });
      } finally {
        await db.close();
      }
    });

    it('finds an altered entry', async () => {
      const db = await fresh();
      try {
        await tamper(db, 'UPDATE audit_log SET result_count = 99 WHERE seq = 3');
        const report = await verifyAuditChain(db);
        expect(report).toMatchObject({ ok: false, seq: 3, problem: 'altered', entries: 2 });
        expect(report.ok ? '' : report.message).toMatch(/audit entry 3: .*altered/);
      } finally {
        await db.close();
      }
    });

    it('finds an altered entry whose hash was recomputed by the tamperer (the next entry no longer chains)', async () => {
      const db = await fresh();
      try {
        const [row] = await db.query<AuditEntry>(
          `SELECT seq, event_code AS "eventCode", action, recorded_at AS "recordedAt", user_id AS "userId", role, organisation, on_behalf_of AS "onBehalfOf",
             object_type AS "objectType", object_id AS "objectId", query, result_count AS "resultCount", purpose, source_address AS "sourceAddress", prev_hash AS "prevHash", hash
           FROM audit_log WHERE seq = 3`,
        );
        const { entryHash } = await import('../../src/privacy/audit-log.js');
        const forged = entryHash({ ...row!, objectId: 'other' });
        await tamper(db, `UPDATE audit_log SET object_id = 'other', hash = '${forged}' WHERE seq = 3`);
        expect(await verifyAuditChain(db)).toMatchObject({ ok: false, seq: 4, problem: 'removed' });
      } finally {
        await db.close();
      }
    });

    it('finds a removed entry', async () => {
      const db = await fresh();
      try {
        await tamper(db, 'DELETE FROM audit_log WHERE seq = 3');
        const report = await verifyAuditChain(db);
        expect(report).toMatchObject({ ok: false, seq: 4, problem: 'removed' });
        expect(report.ok ? '' : report.message).toMatch(/entry 3 is missing/);
      } finally {
        await db.close();
      }
    });

    it('finds removed entries renumbered to close the gap', async () => {
      const db = await fresh();
      try {
        await tamper(db, 'DELETE FROM audit_log WHERE seq = 3', 'UPDATE audit_log SET seq = seq - 1 WHERE seq > 3');
        // entry 4 now sits at seq 3: its hash belongs to seq 4, so it is reported as out of place
        const report = await verifyAuditChain(db);
        expect(report).toMatchObject({ ok: false, seq: 3, problem: 'reordered' });
        expect(report.ok ? '' : report.message).toMatch(/content of entry 4/);
      } finally {
        await db.close();
      }
    });

    it('finds two entries swapped', async () => {
      const db = await fresh();
      try {
        await tamper(db, 'UPDATE audit_log SET seq = -3 WHERE seq = 3', 'UPDATE audit_log SET seq = 3 WHERE seq = 4', 'UPDATE audit_log SET seq = 4 WHERE seq = -3');
        const report = await verifyAuditChain(db);
        expect(report).toMatchObject({ ok: false, seq: 3, problem: 'reordered', entries: 2 });
        expect(report.ok ? '' : report.message).toMatch(/audit entry 3: holds the content of entry 4/);
      } finally {
        await db.close();
      }
    });
  });
}
