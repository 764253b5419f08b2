// The file channel (`lir import <file>`): a CSV or NDJSON file of records streamed in chunks through
// the one intake pipeline. Each chunk is one `Intake.deliver` call in batch mode, hence one database
// transaction: a killed import leaves whole chunks, and running the same file again completes it
// without duplicates (records are keyed by provider + providerRecordRef). All chunks share one
// DeliverySession, so each provider in the file gets one delivery (one receipt in the register).
// Memory is bounded by the chunk size: neither the file nor its receipt is ever held whole.
//
// The receipt file (<file>.receipt.csv) lists every issue by file line and column. Rows the file
// channel rejects itself (CSV syntax, wrong field count, invalid JSON, invalid UTF-8) carry no
// record to validate and are not sent to intake, so they are in the receipt file but not in the
// register's copy of the delivery; an intake item index counts the rows that were sent.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { OPERATOR } from '../auth/caller.js';
import { isBsn, isKvk } from '../domain/identifiers.js';
import { csvColumnOf, RECORD_FIELDS, type Issue, type RecordField } from '../domain/record.js';
import { echoableFieldName, patientDataIn } from '../domain/record-validation.js';
import { CsvSyntaxError, readCsv, type CsvRow } from './csv-reader.js';
import { readLines } from './file-lines.js';
import { ReceiptWriter, type ReceiptLine } from './file-receipt.js';
import { DeliverySession, type Intake } from './intake.js';
import type { Receipt, ReceiptCounts } from './receipt.js';

export type FileFormat = 'csv' | 'ndjson';

export interface ImportProgress {
  /** Bytes of the file read so far, and its size. */
  bytes: number;
  totalBytes: number;
  /** Data rows processed (sent through intake), accepted and rejected. */
  rows: number;
  accepted: number;
  rejected: number;
}

export interface ImportOptions {
  /** Deliver for this provider: rows may leave provider_kvk out, and rows naming another provider are rejected. */
  providerKvk?: string;
  /** Records per intake call (= per database transaction); default 2000. */
  chunkSize?: number;
  /** Where the receipt goes; default `<file>.receipt.csv`. */
  receiptPath?: string;
  onProgress?: (p: ImportProgress) => void;
  /** Default: from the extension (.csv, .ndjson, .jsonl), else from the first non-space byte. */
  format?: FileFormat;
  /**
   * The delivery time of the whole file (default: the wall clock). A DeliverySession fixes the
   * time for every chunk and takes precedence over the intake's own clock, so a test that builds
   * its services with a fixed clock passes the same clock here.
   */
  now?: () => Date;
}

export interface ImportSummary extends Omit<ReceiptCounts, 'total'> {
  rows: number;
  /** One delivery per provider in the file. */
  deliveryIds: string[];
  receiptPath: string;
  seconds: number;
}

export type FileImportErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'EMPTY_FILE'
  | 'UNSUPPORTED_FORMAT'
  | 'WRONG_DELIMITER'
  | 'INVALID_HEADER'
  | 'EMPTY_COLUMN_NAME'
  | 'UNKNOWN_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'MISSING_COLUMN'
  | 'ROW_TOO_LONG'
  | 'INVALID_PROVIDER'
  | 'INVALID_OPTION'
  | 'RECEIPT_NOT_WRITABLE';

/** A problem with the file as a whole (or the options); raised before anything is written, except ROW_TOO_LONG. */
export class FileImportError extends Error {
  readonly line: number | undefined;
  /** 1-based column number (CSV) or character column. */
  readonly column: number | undefined;
  /** The CSV column name the error is about. */
  readonly columnName: string | undefined;

  constructor(
    readonly code: FileImportErrorCode,
    message: string,
    where: { line?: number; column?: number; columnName?: string } = {},
  ) {
    super(message);
    this.name = 'FileImportError';
    this.line = where.line;
    this.column = where.column;
    this.columnName = where.columnName;
  }
}

export const DEFAULT_CHUNK_SIZE = 10_000;
const MAX_CHUNK_SIZE = 50_000;
const READ_CHUNK_BYTES = 64 * 1024;

/** CSV column name → record field. */
const FIELD_OF_COLUMN = new Map<string, RecordField>(RECORD_FIELDS.map((f) => [csvColumnOf(f), f]));
/** Field names in messages are rewritten to the CSV column names the sender sees in the header. */
const CAMEL_FIELDS = new RegExp(`\\b(${RECORD_FIELDS.filter((f) => /[A-Z]/.test(f)).join('|')})\\b`, 'g');

/** One data row of the file, ready for intake (or rejected by the file channel itself). */
interface FileRow {
  line: number;
  /** The record for intake (unused when `issues` is set). */
  record: unknown;
  /** Set when the file channel rejected the row itself. */
  issues?: ReceiptLine[];
}

interface RowSource {
  rows: AsyncIterator<FileRow>;
  /** Maps an intake issue to the file: column number and the message as the sender should read it. */
  locate(issue: Issue): { column: number | null; message: string };
  close(): void;
}

/** Imports one file; see the module comment. Throws FileImportError for problems with the file as a whole. */
export async function importFile(services: { intake: Pick<Intake, 'prepare' | 'store' | 'startSession'> }, path: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new FileImportError('INVALID_OPTION', `the chunk size must be a whole number from 1 to ${MAX_CHUNK_SIZE}`);
  }
  const providerKvk = opts.providerKvk?.trim() || undefined;
  if (providerKvk !== undefined && !isKvk(providerKvk)) {
    throw new FileImportError('INVALID_PROVIDER', `the provider must be given by its KvK number (8 digits), not "${providerKvk.slice(0, 20)}"`);
  }
  const totalBytes = await fileSize(path);
  const receiptPath = opts.receiptPath ?? `${path}.receipt.csv`;
  if (resolve(receiptPath) === resolve(path)) throw new FileImportError('INVALID_OPTION', 'the receipt would overwrite the file being imported');
  const format = opts.format ?? formatFromExtension(path) ?? (await sniffFormat(path));

  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  }

  let source: RowSource | undefined;
  let receipt: ReceiptWriter | undefined;
  let stored: Promise<void> = Promise.resolve();
  try {
    // File-level checks (the CSV header) come before anything is written.
    source = format === 'csv' ? await csvSource(counted(), providerKvk) : ndjsonSource(counted());
    receipt = await ReceiptWriter.open(receiptPath).catch((err: Error) => {
      throw new FileImportError('RECEIPT_NOT_WRITABLE', `cannot write the receipt ${receiptPath}: ${err.message}`);
    });

    const session = opts.now ? new DeliverySession(opts.now()) : services.intake.startSession();
    const counts: Omit<ReceiptCounts, 'total'> & { rows: number } = { rows: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: 0, warnings: 0 };
    const src = source;
    const out = receipt;
    let sent = 0; // records handed to intake so far: the next chunk's indexOffset
    // Chunk N+1 is read and validated while the database stores chunk N (one store at a time, in
    // file order); `stored` is the previous chunk's store and receipt lines.
    const deliver = async (chunk: FileRow[]) => {
      // Rows the file channel rejected itself (CSV syntax, field count, JSON) hold no record
      // worth validating; they go to the receipt file only.
      const toIntake = chunk.filter((r) => r.issues === undefined);
      const prepared = toIntake.length === 0 ? undefined : await services.intake.prepare({
        records: toIntake.map((r) => r.record),
        mode: 'batch',
        channel: 'file',
        caller: OPERATOR,
        providerKvk,
        source: basename(path),
        session,
        indexOffset: sent,
      });
      sent += toIntake.length;
      await stored;
      stored = finish(chunk, toIntake.length, prepared && services.intake.store(prepared));
      // a failure is thrown where `stored` is awaited next; until then it is not "unhandled"
      stored.catch(() => undefined);
    };
    const finish = async (chunk: FileRow[], delivered: number, storing: Promise<Receipt> | undefined) => {
      const result = await storing;
      const items = result?.items ?? [];
      let next = 0;
      for (const row of chunk) {
        if (row.issues) {
          for (const l of row.issues) await out.write(l);
          continue;
        }
        const item = items[next++]!;
        for (const is of [...item.errors, ...item.warnings]) {
          const { column, message } = src.locate(is);
          await out.write({ line: row.line, column, providerRecordRef: receiptRef(item.providerRecordRef), severity: is.severity, code: is.code, message });
        }
      }
      const own = chunk.length - delivered;
      const c = result?.counts;
      counts.rows += chunk.length;
      counts.rejected += own + (c?.rejected ?? 0);
      if (c) {
        counts.created += c.created;
        counts.updated += c.updated;
        counts.unchanged += c.unchanged;
        counts.withdrawn += c.withdrawn;
        counts.warnings += c.warnings;
      }
      opts.onProgress?.({ bytes, totalBytes, rows: counts.rows, accepted: counts.rows - counts.rejected, rejected: counts.rejected });
    };

    let chunk: FileRow[] = [];
    for (let next = await src.rows.next(); !next.done; next = await src.rows.next()) {
      chunk.push(next.value);
      if (chunk.length >= chunkSize) {
        await deliver(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await deliver(chunk);
    await stored;
    await receipt.commit();
    const { rows, created, updated, unchanged, withdrawn, rejected, warnings } = counts;
    return {
      rows, created, updated, unchanged, withdrawn, rejected, warnings,
      deliveryIds: [...session.ids.values()],
      receiptPath,
      seconds: Math.round(performance.now() - started) / 1000,
    };
  } catch (err) {
    await stored.catch(() => undefined); // a chunk being stored commits or fails whole before the receipt goes
    await receipt?.abort();
    if (err instanceof CsvSyntaxError) throw new FileImportError('ROW_TOO_LONG', err.message, { line: err.line, column: err.column });
    throw err;
  } finally {
    source?.close();
    stream.destroy();
  }
}

// ---------------------------------------------------------------- CSV

async function csvSource(input: AsyncIterable<Uint8Array>, providerKvk: string | undefined): Promise<RowSource> {
  const reader = readCsv(input);
  const first = await reader.next();
  if (first.done) throw new FileImportError('EMPTY_FILE', 'the file is empty; a CSV file starts with a header row naming its columns');
  const header = first.value;
  const fields = headerFields(header, providerKvk);
  const numberOf = new Map<RecordField, number>(fields.map((f, i) => [f, i + 1]));
  const refIndex = fields.indexOf('providerRecordRef');

  async function* rows(): AsyncGenerator<FileRow> {
    for await (const row of reader) yield csvRow(row, fields, refIndex);
  }
  return {
    rows: rows(),
    locate(issue) {
      const field = fieldOfPath(issue.path);
      return { column: field ? (numberOf.get(field) ?? null) : null, message: issue.message.replace(CAMEL_FIELDS, (f) => csvColumnOf(f as RecordField)) };
    },
    close: () => void reader.return(undefined),
  };
}

/** Validates the header: every column a known field, none twice, and the record key present. */
function headerFields(header: CsvRow, providerKvk: string | undefined): RecordField[] {
  const line = header.line;
  if (header.error) throw new FileImportError('INVALID_HEADER', `the header row is not valid CSV: ${header.error.message}`, { line: header.error.line, column: header.error.field });
  const names = header.fields.map((n) => n.trim());
  if (names.length === 1 && names[0]!.includes(';')) {
    throw new FileImportError('WRONG_DELIMITER', 'the header is separated by semicolons; the register reads comma-separated CSV (RFC 4180): export as "CSV (comma delimited)"', { line });
  }
  const known = [...FIELD_OF_COLUMN.keys()].join(', ');
  const seen = new Map<string, number>();
  const fields: RecordField[] = [];
  names.forEach((name, i) => {
    const column = i + 1;
    if (name === '') throw new FileImportError('EMPTY_COLUMN_NAME', `column ${column} of the header has no name (remove empty columns). The columns are: ${known}`, { line, column, columnName: '' });
    const field = FIELD_OF_COLUMN.get(name);
    if (!field) {
      const suggestion = FIELD_OF_COLUMN.has(normalise(name)) ? `; did you mean ${normalise(name)}?` : '.';
      const noHeader = names.every((n) => !FIELD_OF_COLUMN.has(n)) ? ' The first line must be the header naming the columns.' : '';
      // a header cell could itself be patient data (a file without its header row): repeat only a plausible column name
      const shown = echoableFieldName(name);
      const what = shown !== null ? `unknown column "${shown}"` : 'a column with an unknown name (not repeated here: it could be patient data)';
      throw new FileImportError('UNKNOWN_COLUMN', `${what} (column ${column})${suggestion}${noHeader} The columns are: ${known}`, { line, column, ...(shown !== null ? { columnName: shown } : {}) });
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new FileImportError('DUPLICATE_COLUMN', `column "${name}" appears twice (columns ${earlier} and ${column})`, { line, column, columnName: name });
    seen.set(name, column);
    fields.push(field);
  });
  if (!seen.has('provider_record_ref')) {
    throw new FileImportError('MISSING_COLUMN', 'the file has no provider_record_ref column: every record needs your own reference', { line, columnName: 'provider_record_ref' });
  }
  if (!seen.has('provider_kvk') && providerKvk === undefined) {
    throw new FileImportError('MISSING_COLUMN', 'the file has no provider_kvk column; add it, or name the provider with --provider <kvk>', { line, columnName: 'provider_kvk' });
  }
  return fields;
}

/** "implantDate", "Implant Date", "implant-date" → "implant_date". */
function normalise(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[\s-]+/g, '_');
}

function csvRow(row: CsvRow, fields: readonly RecordField[], refIndex: number): FileRow {
  const ref = receiptRef(refIndex >= 0 ? (row.fields[refIndex]?.trim() ?? null) : null);
  const reject = (column: number | null, code: string, message: string): FileRow => ({
    line: row.line,
    record: null,
    issues: [{ line: row.line, column, providerRecordRef: ref, severity: 'error', code, message }],
  });
  if (row.error) return reject(row.error.field, 'CSV_SYNTAX', row.error.message);
  if (row.fields.length !== fields.length) {
    return reject(null, 'FIELD_COUNT', `the row has ${row.fields.length} fields; the header has ${fields.length}`);
  }
  const record: Record<string, string> = {};
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const raw = row.fields[i]!;
    const v = raw.trim();
    if (v === '') continue; // an empty or blank cell is an absent value
    if (v.includes('\uFFFD')) return reject(i + 1, 'INVALID_ENCODING', `${csvColumnOf(field)} is not valid UTF-8; save the file as UTF-8`);
    record[field] = field === 'udi' ? raw : v; // a UDI is taken exactly as scanned
  }
  return { line: row.line, record };
}

/** The reference as the receipt shows it: not at all when it is too long or looks like a BSN. */
/** The reference as the receipt repeats it: not when it looks like patient data (the row is refused for that). */
function receiptRef(ref: string | null): string | null {
  return ref && ref.length <= 64 && !isBsn(ref.trim()) && patientDataIn(ref) === null ? ref : null;
}

function fieldOfPath(path: string): RecordField | undefined {
  const name = path.split('/')[1];
  return name !== undefined && (RECORD_FIELDS as readonly string[]).includes(name) ? (name as RecordField) : undefined;
}

// ---------------------------------------------------------------- NDJSON

function ndjsonSource(input: AsyncIterable<Uint8Array>): RowSource {
  const lines = readLines(input);
  async function* rows(): AsyncGenerator<FileRow> {
    for await (const { text, line } of lines) {
      try {
        yield { line, record: JSON.parse(text) as unknown };
      } catch (err) {
        const detail = (err as Error).message;
        const pos = /at position (\d+)/.exec(detail);
        yield {
          line,
          record: null,
          issues: [{ line, column: pos ? Number(pos[1]) + 1 : null, providerRecordRef: null, severity: 'error', code: 'INVALID_JSON', message: `the line is not valid JSON: ${detail}` }],
        };
      }
    }
  }
  return {
    rows: rows(),
    locate: (issue) => ({ column: null, message: issue.message }),
    close: () => void lines.return(undefined),
  };
}

// ---------------------------------------------------------------- file format

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new FileImportError('NOT_A_FILE', `${path} is not a file`);
    return s.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileImportError('FILE_NOT_FOUND', `no such file: ${path}`);
    throw err;
  }
}

export function formatFromExtension(path: string): FileFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return undefined;
}

/** NDJSON when the first non-space character is "{", else CSV. */
async function sniffFormat(path: string): Promise<FileFormat> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let i = bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    while (i < bytesRead && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d)) i++;
    if (buf[i] === 0x7b) return 'ndjson';
    if (buf[i] === 0x5b && i < bytesRead) {
      throw new FileImportError('UNSUPPORTED_FORMAT', 'the file holds a JSON array; the register reads NDJSON (one JSON object per line) or CSV');
    }
    return 'csv';
  } finally {
    await fh.close();
  }
}
