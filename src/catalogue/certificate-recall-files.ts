// Reading certificate and recall files (CSV or NDJSON) for `lir certificates import` and
// `lir recalls import`. Streams with the register's CSV reader and line splitter; the CSV header
// is checked before anything is written; every row problem carries line, column and code.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CsvSyntaxError, readCsv } from '../register/csv-reader.js';
import { readLines } from '../register/file-lines.js';
import type { InputIssue, Parsed } from './certificate-recall-input.js';

export interface FileProblem {
  line: number;
  /** The CSV column name, or for NDJSON the JSON pointer into the line ('' for the whole row). */
  column: string;
  code: string;
  message: string;
}

/** A problem with the file as a whole: nothing of it was written (except ROW_TOO_LONG, after earlier chunks). */
export class SafetyFileError extends Error {
  constructor(
    readonly code: 'FILE_NOT_FOUND' | 'NOT_A_FILE' | 'EMPTY_FILE' | 'INVALID_HEADER' | 'WRONG_DELIMITER' | 'UNKNOWN_COLUMN' | 'DUPLICATE_COLUMN' | 'MISSING_COLUMN' | 'ROW_TOO_LONG',
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
  }
}

export interface FileSpec {
  /** CSV columns, snake_case. */
  columns: readonly string[];
  /** Columns the header must have. */
  required: readonly string[];
  /** Turns a CSV row (column → trimmed value, empty cells left out) into the JSON input shape. */
  fromCsv(row: Record<string, string>): unknown;
  /** The CSV column a JSON pointer of the input shape comes from ('' when none). */
  columnOf(pointer: string): string;
}

export interface FileRow {
  line: number;
  /** The input in JSON shape; undefined when the row itself is broken (see problems). */
  input?: unknown;
  /** Maps a JSON pointer of this row's input to the column reported. */
  columnOf(pointer: string): string;
  problems: FileProblem[];
}

const MAX_PROBLEMS = 10_000;

/** Streams the rows of a CSV or NDJSON file (by extension; otherwise NDJSON when it starts with "{"). */
export async function* readSafetyFile(path: string, spec: FileSpec): AsyncGenerator<FileRow> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new SafetyFileError('NOT_A_FILE', `${path} is not a file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SafetyFileError('FILE_NOT_FOUND', `no such file: ${path}`);
    throw err;
  }
  const ndjson = /\.(ndjson|jsonl)$/i.test(path) || (!/\.csv$/i.test(path) && (await firstChar(path)) === '{');
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    if (ndjson) {
      let any = false;
      for await (const { line, text } of readLines(stream)) {
        any = true;
        let input: unknown;
        try {
          input = JSON.parse(text);
        } catch (err) {
          yield { line, columnOf: (p) => p, problems: [{ line, column: '', code: 'INVALID_JSON', message: `the line is not valid JSON: ${(err as Error).message}` }] };
          continue;
        }
        yield { line, input, columnOf: (p) => p, problems: [] };
      }
      if (!any) throw new SafetyFileError('EMPTY_FILE', 'the file is empty');
      return;
    }
    let header: string[] | undefined;
    for await (const row of readCsv(stream)) {
      if (!header) {
        header = checkHeader(row.fields, row.line, spec, row.error?.message);
        continue;
      }
      if (row.error) {
        yield { line: row.line, columnOf: () => '', problems: [{ line: row.error.line, column: header[row.error.field - 1] ?? '', code: 'CSV_SYNTAX', message: row.error.message }] };
        continue;
      }
      if (row.fields.length !== header.length) {
        yield { line: row.line, columnOf: () => '', problems: [{ line: row.line, column: '', code: 'FIELD_COUNT', message: `the row has ${row.fields.length} fields; the header has ${header.length}` }] };
        continue;
      }
      const values: Record<string, string> = {};
      let bad: FileProblem | undefined;
      header.forEach((h, i) => {
        const v = row.fields[i]!.trim();
        if (v.includes('\uFFFD')) bad ??= { line: row.line, column: h, code: 'INVALID_ENCODING', message: `${h} is not valid UTF-8; save the file as UTF-8` };
        if (v !== '') values[h] = v;
      });
      if (bad) {
        yield { line: row.line, columnOf: () => '', problems: [bad] };
        continue;
      }
      yield { line: row.line, input: spec.fromCsv(values), columnOf: spec.columnOf, problems: [] };
    }
    if (!header) throw new SafetyFileError('EMPTY_FILE', 'the file is empty; a CSV file starts with a header row naming its columns');
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new SafetyFileError('ROW_TOO_LONG', err.message, err.line);
    throw err;
  } finally {
    stream.destroy();
  }
}

function checkHeader(fields: string[], line: number, spec: FileSpec, syntaxError?: string): string[] {
  if (syntaxError) throw new SafetyFileError('INVALID_HEADER', `the header row is not valid CSV: ${syntaxError}`, line);
  const names = fields.map((f) => f.trim().toLowerCase());
  if (names.length === 1 && names[0]!.includes(';')) {
    throw new SafetyFileError('WRONG_DELIMITER', 'the header is separated by semicolons; the register reads comma-separated CSV (RFC 4180)', line);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!spec.columns.includes(name)) {
      throw new SafetyFileError('UNKNOWN_COLUMN', `unknown column "${name.slice(0, 60)}" in the header; the columns are ${spec.columns.join(', ')}`, line, name.slice(0, 60));
    }
    if (seen.has(name)) throw new SafetyFileError('DUPLICATE_COLUMN', `column "${name}" appears twice in the header`, line, name);
    seen.add(name);
  }
  for (const r of spec.required) if (!seen.has(r)) throw new SafetyFileError('MISSING_COLUMN', `the header has no ${r} column`, line, r);
  return names;
}

async function firstChar(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().charAt(0);
  } finally {
    await fh.close();
  }
}

/** Row problems from input issues, with the column each pointer comes from. */
export function rowProblems(row: FileRow, issues: readonly InputIssue[]): FileProblem[] {
  return issues.map((i) => ({ line: row.line, column: row.columnOf(i.path), code: i.code, message: i.message }));
}

/** Collects problems up to a bound, counting the rest. */
export class ProblemList {
  readonly list: FileProblem[] = [];
  dropped = 0;
  push(...ps: FileProblem[]): void {
    for (const p of ps) {
      if (this.list.length < MAX_PROBLEMS) this.list.push(p);
      else this.dropped++;
    }
  }
}

/** camelCase → snake_case. */
export const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export interface SafetyImportCounts {
  rows: number;
  accepted: number;
  rejected: number;
  problems: FileProblem[];
}

/**
 * The loop both safety imports share: read rows, parse each, collect problems, and hand valid
 * inputs to `save` in chunks (the caller makes each chunk one transaction).
 */
export async function importSafetyRows<T>(
  path: string,
  spec: FileSpec,
  parse: (input: unknown) => Parsed<T>,
  chunk: number,
  save: (batch: T[]) => Promise<void>,
  onRow?: (rows: number) => void,
): Promise<SafetyImportCounts> {
  const counts: SafetyImportCounts = { rows: 0, accepted: 0, rejected: 0, problems: [] };
  const problems = new ProblemList();
  let batch: T[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const list = batch;
    batch = [];
    await save(list);
  };
  for await (const row of readSafetyFile(path, spec)) {
    counts.rows++;
    onRow?.(counts.rows);
    if (row.problems.length > 0) {
      counts.rejected++;
      problems.push(...row.problems);
      continue;
    }
    const parsed = parse(row.input);
    if (!parsed.ok) {
      counts.rejected++;
      problems.push(...rowProblems(row, parsed.errors));
      continue;
    }
    counts.accepted++;
    batch.push(parsed.value);
    if (batch.length >= chunk) await flush();
  }
  await flush();
  counts.problems = problems.list;
  return counts;
}
