// `lir catalogue import <file>`: devices from CSV, pipe-delimited text (the AccessGUDID download)
// or NDJSON, in one of three column sets (catalogue-columns.ts) detected from the header or the
// first object's keys. The file is refused before anything is written when its header fits no
// set; after that every row is checked, problems are reported with line, column and code, and
// valid rows are written in chunks (one transaction each) through upsertDevices, which keeps the
// device history. Re-running an import is safe: unchanged devices write nothing.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Db } from '../db/types.js';
import { readCsv } from '../register/csv-reader.js';
import { readLines } from '../register/file-lines.js';
import { bindHeader, canonicalColumn, CatalogueFileError, mapRow, type BoundHeader, type ColumnSetName } from './catalogue-columns.js';
import { upsertDevices, type Device } from './reference-data.js';

export { CatalogueFileError, COLUMN_SETS } from './catalogue-columns.js';

/** Our own column set (kept for callers that list it). */
export const CATALOGUE_COLUMNS = ['udi_di', 'issuer', 'manufacturer', 'product_name', 'model', 'implant_type'] as const;

export interface CatalogueProblem {
  /** Physical line in the file (1-based). */
  line: number;
  /** The column (or NDJSON key) as the file names it; '' for a problem with the whole line. */
  column: string;
  code: string;
  message: string;
}

export type CatalogueFormat = 'csv' | 'pipe' | 'ndjson';

export interface CatalogueImportResult {
  file: string;
  format: CatalogueFormat;
  columnSet: ColumnSetName;
  /** Data rows read (blank lines not counted). */
  rows: number;
  /** Devices inserted or updated. */
  written: number;
  inserted: number;
  updated: number;
  /** Valid rows identical to the catalogue: nothing written. */
  unchanged: number;
  /** Rows not written because of a problem. */
  rejected: number;
  problems: CatalogueProblem[];
  /** True when more problems were found than `problems` holds. */
  problemsTruncated: boolean;
  /** Columns of the file the column set does not read (GUDID and GS1 exports carry many). */
  ignoredColumns: string[];
}

export interface CatalogueImportOptions {
  implantTypes: ReadonlyMap<string, unknown>;
  /** Implant type for rows that carry none (`--implant-type`); checked before the file is read. */
  defaultImplantType?: string | undefined;
  /** Name kept in the device history; default the file's base name. */
  source?: string;
  /** Devices per transaction (default 1000). */
  chunkSize?: number;
  onRow?: (rows: number) => void;
}

const MAX_PROBLEMS = 10_000;
const MAX_IGNORED = 100;

/** Reads the start of the file to tell NDJSON, pipe-delimited and CSV apart. */
export async function detectFormat(path: string): Promise<CatalogueFormat> {
  if (/\.(ndjson|jsonl)$/i.test(path)) return 'ndjson';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const start = text.trimStart();
    if (start.startsWith('{')) return 'ndjson';
    const firstLine = start.split(/\r?\n/, 1)[0] ?? '';
    const pipes = firstLine.split('|').length - 1;
    const commas = firstLine.split(',').length - 1;
    return pipes > commas ? 'pipe' : 'csv';
  } finally {
    await fh.close();
  }
}

/** Flattens nested NDJSON objects into GDSN-style paths: { a: { b: 1 } } → { "a/b": 1 }. */
function flatten(obj: Record<string, unknown>, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out.push([key, v]);
  }
  return out;
}

export async function importCatalogue(db: Db, path: string, opts: CatalogueImportOptions): Promise<CatalogueImportResult> {
  const defaultType = opts.defaultImplantType?.trim() || undefined;
  if (defaultType !== undefined && !opts.implantTypes.has(defaultType)) {
    throw new CatalogueFileError('UNKNOWN_CODE', `the default implant type "${defaultType.slice(0, 20)}" is not on the implant-type list (GET /api/v1/implant-types)`);
  }
  const format = await detectFormat(path);
  const source = opts.source ?? basename(path);
  const chunkSize = opts.chunkSize ?? 1000;
  const result: CatalogueImportResult = {
    file: path, format, columnSet: 'lir', rows: 0, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, problems: [], problemsTruncated: false, ignoredColumns: [],
  };
  const ctx = { implantTypes: opts.implantTypes, defaultImplantType: defaultType };
  const problem = (p: CatalogueProblem) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push(p);
    else result.problemsTruncated = true;
  };
  const ignore = (name: string) => {
    if (!result.ignoredColumns.includes(name) && result.ignoredColumns.length < MAX_IGNORED) result.ignoredColumns.push(name);
  };
  let batch: Device[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await upsertDevices(db, batch, { source });
    result.inserted += r.inserted;
    result.updated += r.updated;
    result.unchanged += r.unchanged;
    result.written += r.inserted + r.updated;
    batch = [];
  };
  const take = async (line: number, header: Pick<BoundHeader, 'set' | 'spelled'>, values: ReadonlyMap<string, unknown>) => {
    const { device, problems } = mapRow(header, values, ctx);
    for (const p of problems) problem({ line, ...p });
    if (device) batch.push(device);
    else result.rejected++;
    if (batch.length >= chunkSize) await flush();
    opts.onRow?.(result.rows);
  };
  const rejectLine = (line: number, column: string, code: string, message: string) => {
    result.rows++;
    result.rejected++;
    problem({ line, column, code, message });
    opts.onRow?.(result.rows);
  };

  if (format === 'ndjson') {
    let bound: BoundHeader | undefined;
    for await (const { line, text } of readLines(createReadStream(path))) {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch {
        rejectLine(line, '', 'INVALID_JSON', 'the line is not valid JSON');
        continue;
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        rejectLine(line, '', 'INVALID_TYPE', 'each line must be a JSON object');
        continue;
      }
      const entries = flatten(obj as Record<string, unknown>);
      // The first object's keys choose the column set; nothing has been written before that.
      if (!bound) {
        bound = bindHeader(entries.map(([k]) => k), { requireAll: false, lenient: true });
        result.columnSet = bound.set.name;
      }
      const values = new Map<string, unknown>();
      const spelled = new Map<string, string>();
      for (const [k, v] of entries) {
        // our own set's keys come in camelCase too (udiDi, productName, implantType)
        const c = canonicalColumn(bound.set, k);
        if (!c) {
          ignore(k);
          continue;
        }
        values.set(c, v);
        spelled.set(c, k);
      }
      result.rows++;
      await take(line, { set: bound.set, spelled }, values);
    }
    if (!bound && result.rows === 0) throw new CatalogueFileError('EMPTY_FILE', 'the file holds no JSON objects');
  } else {
    let header: BoundHeader | undefined;
    let names: string[] = [];
    const rows = format === 'csv' ? readCsv(createReadStream(path)) : pipeRows(path);
    for await (const row of rows) {
      if (!header) {
        names = row.fields.map((f) => f.trim());
        header = bindHeader(row.fields);
        result.columnSet = header.set.name;
        for (const name of header.ignored) ignore(name);
        continue;
      }
      if (row.fields.length === 1 && row.fields[0] === '') continue;
      if (row.error) {
        rejectLine(row.error.line, names[row.error.field - 1] ?? '', row.error.code, row.error.message);
        continue;
      }
      if (row.fields.length !== header.width) {
        rejectLine(row.line, '', 'FIELD_COUNT', `the row has ${row.fields.length} fields; the header has ${header.width}`);
        continue;
      }
      const values = new Map<string, unknown>();
      for (const [c, i] of header.index) values.set(c, row.fields[i] ?? '');
      result.rows++;
      await take(row.line, header, values);
    }
    if (!header) throw new CatalogueFileError('EMPTY_FILE', 'the file is empty; it needs a header row');
  }
  await flush();
  return result;
}

/** Rows of a pipe-delimited file (the AccessGUDID delimited download): no quoting, one row a line. */
async function* pipeRows(path: string): AsyncGenerator<{ fields: string[]; line: number; error?: undefined }> {
  for await (const { line, text } of readLines(createReadStream(path))) yield { fields: text.split('|'), line };
}
