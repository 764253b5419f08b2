// For in-process CLI tests: points `lir` (DATABASE_URL / LIR_DATA_DIR) at a fresh database of the
// given kind for the enclosing describe, resets process.exitCode after each test, and restores the
// environment and removes the temporary directory afterwards. Register it before the describe's own
// hooks: its beforeAll then runs first.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connect } from '../../src/db/connect.js';
import type { Db } from '../../src/db/types.js';
import { createDatabase, type TestDatabase } from './databases.js';

export interface CliDatabase {
  /** The temporary directory of this describe (the embedded database lives in <dir>/db). */
  dir(): string;
  /** Opens the database the CLI uses, runs `fn`, closes it. */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

export function useCliDatabase(database: TestDatabase, prefix: string): CliDatabase {
  const saved = { dataDir: process.env.LIR_DATA_DIR, url: process.env.DATABASE_URL };
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    if (database.name === 'postgres') process.env.DATABASE_URL = await createDatabase(process.env.LIR_TEST_PG_URL!);
    else {
      delete process.env.DATABASE_URL;
      process.env.LIR_DATA_DIR = join(dir, 'db');
    }
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  afterAll(async () => {
    for (const [k, v] of [['LIR_DATA_DIR', saved.dataDir], ['DATABASE_URL', saved.url]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async withDb(fn) {
      const db = await connect();
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
  };
}
