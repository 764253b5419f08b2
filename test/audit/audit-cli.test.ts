// `lir audit verify` and `lir audit list` as a user runs them: a child process on a real database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, createDatabase } from '../helpers/databases.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { PostgresDb } from '../../src/db/postgres-db.js';
import type { Db } from '../../src/db/types.js';
import { appendAudit } from '../../src/privacy/audit-log.js';

const run = promisify(execFile);
const LIR = join(import.meta.dirname, '../../bin/lir.js');

for (const database of DATABASES) {
  describe(`lir audit on ${database.name}`, () => {
    let dir: string;
    let env: Record<string, string>;
    let open: () => Promise<Db>;
    const lir = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await run('node', [LIR, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lir-audit-'));
      if (database.name === 'pglite') {
        env = { LIR_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
        open = () => PgliteDb.open(join(dir, 'data'));
      } else {
        const url = await createDatabase(process.env.LIR_TEST_PG_URL!);
        env = { DATABASE_URL: url };
        open = () => PostgresDb.open(url);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies an empty and a written log, lists with filters, and logs the listing', async () => {
      expect(await lir('audit', 'verify')).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact: 0 entries/) });
      const db = await open();
      try {
        await appendAudit(db, { role: 'inspector', subject: 'insp-9' }, [
          { eventCode: 'record-read', action: 'R', objectType: 'Record', objectId: 'rec-1', resultCount: 1 },
          { eventCode: 'record-read', action: 'R', objectType: 'Record', objectId: 'rec-2', resultCount: 0 },
        ]);
      } finally {
        await db.close();
      }
      const list = await lir('audit', 'list', '--user', 'insp-9', '--object', 'rec-2', '--json');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject([{ seq: 2, userId: 'insp-9', objectId: 'rec-2', resultCount: 0 }]);
      const text = await lir('audit', 'list', '--from', '2000-01-01');
      expect(text.stdout).toMatch(/audit-log-read/); // the previous listing, logged as access to the log
      const verified = await lir('audit', 'verify', '--json');
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, entries: 4, lastSeq: 4 });
      expect(await lir('audit', 'list', '--to', 'yesterday')).toMatchObject({ code: 1, stderr: expect.stringMatching(/--to must be/) });
    });

    it('exits 1 naming the altered entry', async () => {
      const db = await open();
      try {
        await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
        await db.query("UPDATE audit_log SET object_id = 'rec-3' WHERE seq = 2");
        await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      } finally {
        await db.close();
      }
      const r = await lir('audit', 'verify');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/audit log broken: audit entry 2: .*altered/);
      const j = await lir('audit', 'verify', '--json');
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, seq: 2, problem: 'altered' });
    });
  });
}
