// `lir catalogue import <file>`: devices from CSV (header: udi_di, issuer, manufacturer,
// product_name, model, implant_type) or NDJSON (the same fields in camelCase). Every row is
// checked; valid rows are written in chunks; problems are reported with line and column.

import { createReadStream } from 'node:fs';
import type { Db } from '../db/types.js';
import { isValidGtin } from '../udi/index.js';
import { readCsv } from '../register/csv-reader.js';
import { readLines } from '../register/file-lines.js';
import { upsertDevices, type Device } from './reference-data.js';

export const CATALOGUE_COLUMNS = ['udi_di', 'issuer', 'manufacturer', 'product_name', 'model', 'implant_type'] as const;

export interface CatalogueProblem {
  line: number;
  column: string;
  code: string;
  message: string;
}

export interface CatalogueImportResult {
  rows: number;
  written: number;
  problems: CatalogueProblem[];
}

export class CatalogueFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const CHUNK = 1000;
const MAX_PROBLEMS = 10_000;

export function validateDevice(raw: Record<string, unknown>, implantTypes: ReadonlyMap<string, unknown>): { device?: Device; problems: { column: string; code: string; message: string }[] } {
  const problems: { column: string; code: string; message: string }[] = [];
  const s = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string).trim() : raw[k] === undefined || raw[k] === null ? '' : String(raw[k]));
  const udiDi = s('udi_di');
  const issuer = s('issuer') || (/^\d{14}$/.test(udiDi) ? 'GS1' : '');
  if (!udiDi) problems.push({ column: 'udi_di', code: 'REQUIRED', message: 'udi_di is required' });
  else if (udiDi.length > 60) problems.push({ column: 'udi_di', code: 'TOO_LONG', message: 'udi_di is longer than 60 characters' });
  if (!['GS1', 'HIBCC', 'ICCBBA'].includes(issuer)) problems.push({ column: 'issuer', code: 'UNKNOWN_CODE', message: 'issuer must be GS1, HIBCC or ICCBBA' });
  if (issuer === 'GS1' && udiDi && !isValidGtin(udiDi)) problems.push({ column: 'udi_di', code: 'GS1_CHECK_DIGIT', message: `${udiDi} is not a GTIN-14 with a valid check digit` });
  for (const k of ['manufacturer', 'product_name'] as const) {
    if (!s(k)) problems.push({ column: k, code: 'REQUIRED', message: `${k} is required` });
    else if (s(k).length > 200) problems.push({ column: k, code: 'TOO_LONG', message: `${k} is longer than 200 characters` });
  }
  const type = s('implant_type');
  if (!implantTypes.has(type)) problems.push({ column: 'implant_type', code: 'UNKNOWN_CODE', message: `implant_type "${type.slice(0, 20)}" is not on the implant-type list` });
  if (problems.length > 0) return { problems };
  return { problems, device: { udiDi, issuer: issuer as Device['issuer'], manufacturer: s('manufacturer'), productName: s('product_name'), model: s('model') || null, implantType: type } };
}

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export async function importCatalogue(db: Db, path: string, implantTypes: ReadonlyMap<string, unknown>, onRow?: (rows: number) => void): Promise<CatalogueImportResult> {
  const ndjson = /\.(ndjson|jsonl)$/i.test(path);
  const result: CatalogueImportResult = { rows: 0, written: 0, problems: [] };
  let batch: Device[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    result.written += await db.transaction((tx) => upsertDevices(tx as Db, batch));
    batch = [];
  };
  const take = async (line: number, raw: Record<string, unknown>) => {
    result.rows++;
    const { device, problems } = validateDevice(raw, implantTypes);
    for (const p of problems) if (result.problems.length < MAX_PROBLEMS) result.problems.push({ line, ...p });
    if (device) batch.push(device);
    if (batch.length >= CHUNK) await flush();
    onRow?.(result.rows);
  };
  const stream = createReadStream(path);
  if (ndjson) {
    for await (const { line, text } of readLines(stream)) {
      if (text.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch {
        result.rows++;
        result.problems.push({ line, column: '', code: 'INVALID_JSON', message: 'the line is not valid JSON' });
        continue;
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        result.rows++;
        result.problems.push({ line, column: '', code: 'INVALID_TYPE', message: 'each line must be a JSON object' });
        continue;
      }
      await take(line, Object.fromEntries(Object.entries(obj).map(([k, v]) => [camelToSnake(k), v])));
    }
  } else {
    let header: string[] | undefined;
    for await (const row of readCsv(stream)) {
      if (!header) {
        header = row.fields.map((f) => f.trim().toLowerCase());
        const unknown = header.filter((h) => !(CATALOGUE_COLUMNS as readonly string[]).includes(h));
        if (unknown.length > 0) throw new CatalogueFileError('UNKNOWN_COLUMN', `unknown column ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')} in the header; columns are ${CATALOGUE_COLUMNS.join(', ')}`);
        for (const required of ['udi_di', 'manufacturer', 'product_name', 'implant_type']) {
          if (!header.includes(required)) throw new CatalogueFileError('MISSING_COLUMN', `the header has no ${required} column`);
        }
        continue;
      }
      if (row.error) {
        result.rows++;
        result.problems.push({ line: row.error.line, column: header[row.error.field - 1] ?? '', code: row.error.code, message: row.error.message });
        continue;
      }
      if (row.fields.length === 1 && row.fields[0] === '') continue;
      await take(row.line, Object.fromEntries(header.map((h, i) => [h, row.fields[i] ?? ''])));
    }
    if (!header) throw new CatalogueFileError('EMPTY_FILE', 'the file is empty; it needs a header row');
  }
  await flush();
  return result;
}
