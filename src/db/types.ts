// The database port: the rest of the code sees only this, never `pg` or PGlite directly.
// Both adapters return identical JS types: int8 → number, date → 'YYYY-MM-DD',
// timestamptz → ISO-8601 string in UTC, jsonb → object.

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Bulk load CSV text (RFC 4180, no header) with COPY. Returns the number of rows loaded. */
  copyFrom(table: string, columns: readonly string[], csvChunks: Iterable<string> | AsyncIterable<string>): Promise<number>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; PGlite serialises these so concurrent callers queue. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const PG_TYPE = { INT8: 20, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 } as const;

export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

export function parseTimestamptz(value: string): string {
  // PostgreSQL's ISO output ("2024-01-03 10:00:00.123+00") is accepted by Date once the space is a T.
  const d = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** Quotes one CSV field for COPY (FORMAT csv): null → empty unquoted field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s =
    typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\n';
}

export function copySql(table: string, columns: readonly string[], source: string): string {
  const ident = /^[a-z_][a-z0-9_]*$/;
  if (!ident.test(table) || !columns.every((c) => ident.test(c))) throw new Error('invalid COPY identifier');
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}
