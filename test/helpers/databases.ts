// The database matrix for integration tests (Kysely's DIALECTS pattern): every suite that uses
// `forEachDatabase` runs against embedded PGlite and, when LIR_TEST_PG_URL names a PostgreSQL
// server (CI starts one), against a fresh database on that server.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { PostgresDb } from '../../src/db/postgres-db.js';
import type { Db } from '../../src/db/types.js';
import { openDatabase } from '../../src/catalogue/reference-data.js';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<Db>;
}

const pgUrl = process.env.LIR_TEST_PG_URL;

export const DATABASES: TestDatabase[] = [
  { name: 'pglite', open: async () => migrated(await PgliteDb.open()) },
  ...(pgUrl ? [{ name: 'postgres' as const, open: async () => migrated(await PostgresDb.open(await createDatabase(pgUrl))) }] : []),
];

if (process.env.CI && !pgUrl) {
  throw new Error('CI must run the integration tests on PostgreSQL too: set LIR_TEST_PG_URL (.ci/run does)');
}

async function migrated(db: Db): Promise<Db> {
  await openDatabase(db);
  return db;
}

/** Creates an empty database on the test server and returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `lir_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
