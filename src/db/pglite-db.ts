import { PGlite, types } from '@electric-sql/pglite';
import { Mutex } from './mutex.js';
import { copySql, parseInt8, parseTimestamptz, PG_TYPE, type Db, type Queryable } from './types.js';

const parsers = {
  [PG_TYPE.INT8]: parseInt8,
  [PG_TYPE.DATE]: (v: string) => v,
  [PG_TYPE.TIMESTAMP]: (v: string) => v,
  [PG_TYPE.TIMESTAMPTZ]: parseTimestamptz,
};

/** COPY input is sent to PGlite as one blob per this many bytes, keeping memory bounded. */
const COPY_BLOB_BYTES = 8 * 1024 * 1024;

class PgliteQueryable implements Queryable {
  constructor(protected readonly pg: PGlite) {}

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.pg.query<T>(sql, params as unknown[], { parsers });
    return res.rows;
  }

  async copyFrom(table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
    const sql = copySql(table, columns, "'/dev/blob'");
    let parts: string[] = [];
    let size = 0;
    let rows = 0;
    const flush = async () => {
      if (parts.length === 0) return;
      const res = await this.pg.query(sql, [], { blob: new Blob(parts) });
      rows += res.affectedRows ?? 0;
      parts = [];
      size = 0;
    };
    for await (const chunk of chunks) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= COPY_BLOB_BYTES) await flush();
    }
    await flush();
    return rows;
  }
}

export class PgliteDb extends PgliteQueryable implements Db {
  readonly kind = 'pglite' as const;
  readonly #lock = new Mutex();

  private constructor(pg: PGlite) {
    super(pg);
  }

  /** `dataDir` is a directory path, or undefined for an in-memory database (tests). */
  static async open(dataDir?: string): Promise<PgliteDb> {
    const pg = dataDir ? new PGlite(dataDir) : new PGlite();
    await pg.waitReady;
    await pg.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';");
    return new PgliteDb(pg);
  }

  override query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#lock.run(() => super.query<T>(sql, params));
  }

  override copyFrom(table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
    return this.#lock.run(() => super.copyFrom(table, columns, chunks));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      const tx = new PgliteQueryable(this.pg);
      await this.pg.exec('BEGIN');
      try {
        const result = await fn(tx);
        await this.pg.exec('COMMIT');
        return result;
      } catch (err) {
        await this.pg.exec('ROLLBACK');
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.#lock.run(() => this.pg.close());
  }
}

export { types as pgliteTypes };
