import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { copySql, parseInt8, parseTimestamptz, PG_TYPE, type Db, type Queryable } from './types.js';

const ownParsers: Record<number, (v: string) => unknown> = {
  [PG_TYPE.INT8]: parseInt8,
  [PG_TYPE.DATE]: (v) => v,
  [PG_TYPE.TIMESTAMP]: (v) => v,
  [PG_TYPE.TIMESTAMPTZ]: parseTimestamptz,
};

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return ownParsers[oid] ?? pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

class ClientQueryable implements Queryable {
  constructor(private readonly client: pg.PoolClient | pg.Pool) {}

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.client.query({ text: sql, values: params as unknown[], types: typeParsers });
    return res.rows as T[];
  }

  async copyFrom(table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
    const run = async (client: pg.PoolClient) => {
      const stream = client.query(copyFromStream(copySql(table, columns, 'STDIN')));
      await pipeline(Readable.from(chunks), stream);
      return Number(stream.rowCount ?? 0);
    };
    if (this.client instanceof pg.Pool) {
      const client = await this.client.connect();
      try {
        return await run(client);
      } finally {
        client.release();
      }
    }
    return run(this.client as pg.PoolClient);
  }
}

export class PostgresDb extends ClientQueryable implements Db {
  readonly kind = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  static async open(connectionString: string, max = 10): Promise<PostgresDb> {
    // jit off: the register's statements are short and index-driven; the planner's cost estimates
    // for the closure statements passed jit_above_cost and spent 960 ms compiling a 15 ms query.
    const pool = new pg.Pool({ connectionString, max, options: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c jit=off' });
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => {});
    const db = new PostgresDb(pool);
    await db.query('SELECT 1');
    return db;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new ClientQueryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
