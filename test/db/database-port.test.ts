// The database port behaves the same on PGlite and PostgreSQL: result types, COPY, transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import type { Db } from '../../src/db/types.js';
import { csvLine } from '../../src/db/types.js';
import { listMigrations, splitStatements } from '../../src/db/migrate.js';

for (const database of DATABASES) {
  describe(`database port on ${database.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await database.open();
      await db.query('CREATE TABLE t (id integer PRIMARY KEY, label text, day date, at timestamptz, big bigint, flag boolean, doc jsonb)');
    });
    afterAll(() => db.close());

    it('returns the same JS types on both databases', async () => {
      const [row] = await db.query(
        `SELECT count(*) AS n, 9007199254740991::bigint AS big, DATE '2024-02-29' AS day, TIMESTAMPTZ '2024-02-29 23:30:00-02' AS at,
                1.50::numeric AS num, true AS flag, '{"a":[1]}'::jsonb AS doc, NULL::text AS nothing FROM implant_types`,
      );
      expect(row).toEqual({ n: 128, big: 9007199254740991, day: '2024-02-29', at: '2024-03-01T01:30:00.000Z', num: '1.50', flag: true, doc: { a: [1] }, nothing: null });
    });

    it('refuses an int8 beyond the safe integer range instead of rounding it', async () => {
      await expect(db.query('SELECT 9007199254740993::bigint AS big')).rejects.toThrow(/safe integer/);
    });

    it('bulk loads with COPY, quoting commas, quotes, newlines and NULLs', async () => {
      const rows = [
        [1, 'plain', '2024-01-01', '2024-01-01T10:00:00Z', 1, true, '{"x":1}'],
        [2, 'comma, "quote" and\nnewline', null, null, null, false, null],
        [3, '', '2024-12-31', null, -5, null, '[]'],
      ];
      function* chunks() {
        for (const r of rows) yield csvLine(r);
      }
      expect(await db.copyFrom('t', ['id', 'label', 'day', 'at', 'big', 'flag', 'doc'], chunks())).toBe(3);
      expect(await db.query('SELECT id, label, day, big, flag, doc FROM t ORDER BY id')).toEqual([
        { id: 1, label: 'plain', day: '2024-01-01', big: 1, flag: true, doc: { x: 1 } },
        { id: 2, label: 'comma, "quote" and\nnewline', day: null, big: null, flag: false, doc: null },
        { id: 3, label: '', day: '2024-12-31', big: -5, flag: null, doc: [] },
      ]);
    });

    it('rolls a failed transaction back completely', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO t (id, label) VALUES (10, 'a')");
          await tx.query("INSERT INTO t (id, label) VALUES (10, 'duplicate')");
        }),
      ).rejects.toThrow();
      expect(await db.query('SELECT id FROM t WHERE id = 10')).toEqual([]);
    });

    it('queues concurrent transactions without deadlock or lost writes', async () => {
      await db.query('CREATE TABLE counter (n integer NOT NULL)');
      await db.query('INSERT INTO counter VALUES (0)');
      const work = Array.from({ length: 40 }, (_, i) =>
        i % 5 === 4
          ? db.transaction(async (tx) => {
              await tx.query('UPDATE counter SET n = n + 1000');
              throw new Error('roll me back');
            }).catch(() => 'rolled back')
          : db.transaction(async (tx) => {
              const [{ n }] = (await tx.query<{ n: number }>('SELECT n FROM counter FOR UPDATE')) as [{ n: number }];
              await new Promise((r) => setTimeout(r, 1));
              await tx.query('UPDATE counter SET n = $1', [n + 1]);
              return 'ok';
            }),
      );
      const plain = Array.from({ length: 20 }, () => db.query('SELECT n FROM counter'));
      const results = await Promise.all([...work, ...plain]);
      expect(results.filter((r) => r === 'ok')).toHaveLength(32);
      expect(await db.query('SELECT n FROM counter')).toEqual([{ n: 32 }]);
    });

    it('has applied every migration once', async () => {
      const applied = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(applied.map((a) => a.version)).toEqual(listMigrations().map((m) => m.version));
    });
  });
}

describe('migration statement splitting', () => {
  it('keeps $$ bodies whole and drops comment lines', () => {
    const sql = `-- a comment\nCREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RAISE EXCEPTION 'no';\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1;`;
    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (x int)', "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RAISE EXCEPTION 'no';\nEND;\n$$ LANGUAGE plpgsql", 'SELECT 1']);
  });
});
