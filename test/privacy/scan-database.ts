// A privacy scanner for the acceptance test of issue 5: looks for planted BSNs, names and birth
// dates in every column of every table of the database, and in any text (logs, files).
// A value is found in any of its written forms: names case-insensitively, BSNs and dates by their
// digits (runs of digits joined by . - / or blanks are read as one number, so 1234.56.782,
// 111 222 333 and 14-03-1987 are all caught).

import type { Db } from '../../src/db/types.js';

export interface Needles {
  /** Looked for case-insensitively as substrings. */
  words: string[];
  /** Looked for in the digits of every number-like token. */
  digits: string[];
}

export interface Finding {
  where: string;
  needle: string;
  excerpt: string;
}

/** Number-like tokens (digits with . - / or blanks between them): their digits and where they stand. */
function digitTokens(text: string): { digits: string; at: number }[] {
  return [...text.matchAll(/\d[\d.\-/ ]*/g)].map((m) => ({ digits: m[0].replace(/\D/g, ''), at: m.index }));
}

const around = (text: string, at: number, length: number) => text.slice(Math.max(0, at - 60), at + length + 60);

/** Where the needles occur in `text` (one finding per needle). */
export function scanText(text: string, needles: Needles, where: string): Finding[] {
  const found: Finding[] = [];
  const lower = text.toLowerCase();
  for (const w of needles.words) {
    const i = lower.indexOf(w.toLowerCase());
    if (i >= 0) found.push({ where, needle: w, excerpt: around(text, i, w.length) });
  }
  const tokens = digitTokens(text);
  for (const d of needles.digits) {
    const t = tokens.find((t) => t.digits.includes(d));
    if (t) found.push({ where, needle: d, excerpt: around(text, t.at, d.length) });
  }
  return found;
}

export interface ColumnInfo {
  schema: string;
  table: string;
  column: string;
  type: string;
}

/** Every column of every table outside the system schemas. */
export async function listColumns(db: Db): Promise<ColumnInfo[]> {
  return db.query<ColumnInfo>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg\\_%'
        AND t.table_type = 'BASE TABLE'
      ORDER BY 1, 2, c.ordinal_position`,
  );
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Scans every row of every column (cast to text; bytea read as text) for the needles. */
export async function scanDatabase(db: Db, needles: Needles): Promise<{ columns: number; cells: number; findings: Finding[] }> {
  const columns = await listColumns(db);
  const findings: Finding[] = [];
  let cells = 0;
  for (const c of columns) {
    const expr = c.type === 'bytea' ? `encode(${ident(c.column)}, 'escape')` : `${ident(c.column)}::text`;
    const rows = await db.query<{ v: string }>(`SELECT ${expr} AS v FROM ${ident(c.schema)}.${ident(c.table)} WHERE ${ident(c.column)} IS NOT NULL`);
    for (const r of rows) {
      cells++;
      findings.push(...scanText(r.v, needles, `${c.schema}.${c.table}.${c.column}`));
    }
  }
  return { columns: columns.length, cells, findings };
}
