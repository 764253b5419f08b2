import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from './types.js';

export interface ConnectOptions {
  /** postgres://… ; when absent the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded database; `memory` for a throw-away in-memory one. */
  dataDir?: string | undefined;
}

/** Opens the register database named by the environment (DESIGN §5). */
export async function connect(opts: ConnectOptions = {}): Promise<Db> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (url) {
    const { PostgresDb } = await import('./postgres-db.js');
    return PostgresDb.open(url);
  }
  const { PgliteDb } = await import('./pglite-db.js');
  const dir = opts.dataDir ?? process.env.LIR_DATA_DIR ?? './data';
  if (dir === 'memory') return PgliteDb.open();
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  return PgliteDb.open(abs);
}
