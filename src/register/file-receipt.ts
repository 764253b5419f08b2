// The receipt file of a file import: one CSV line per issue (every reason a row was rejected, and
// every warning), streamed to `<receipt>.partial` and renamed into place when the import ends, so
// a receipt that exists is complete and memory stays bounded however many rows are rejected.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

export const RECEIPT_HEADER = ['line', 'column', 'provider_record_ref', 'severity', 'code', 'message'] as const;

export interface ReceiptLine {
  line: number;
  /** CSV: the 1-based number of the column the issue is about; NDJSON: the character column of a JSON syntax error. */
  column: number | null;
  providerRecordRef: string | null;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

/** One CSV field; text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection). */
export function receiptField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class ReceiptWriter {
  lines = 0;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly partialPath: string,
    private readonly out: WriteStream,
  ) {
    out.on('error', (err) => {
      this.failure = err;
    });
  }

  /** Opens the receipt for writing; fails before the import touches the database when it cannot be written. */
  static async open(path: string): Promise<ReceiptWriter> {
    const partialPath = `${path}.partial`;
    const out = createWriteStream(partialPath, { encoding: 'utf8' });
    await once(out, 'open'); // rejects with the stream's error (no such directory, no permission)
    const writer = new ReceiptWriter(path, partialPath, out);
    await writer.writeRow(RECEIPT_HEADER);
    return writer;
  }

  async write(l: ReceiptLine): Promise<void> {
    this.lines++;
    await this.writeRow([l.line, l.column, l.providerRecordRef, l.severity, l.code, l.message]);
  }

  private async writeRow(values: readonly (string | number | null)[]): Promise<void> {
    if (this.failure) throw this.failure;
    // events.once rejects when the stream emits 'error' while waiting
    if (!this.out.write(values.map(receiptField).join(',') + '\r\n')) await once(this.out, 'drain');
  }

  /** Flushes the receipt and moves it into place. */
  async commit(): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.end();
    await once(this.out, 'close');
    if (this.failure) throw this.failure;
    await rename(this.partialPath, this.path);
  }

  /** Drops the unfinished receipt (the import failed). */
  async abort(): Promise<void> {
    if (!this.out.closed) {
      this.out.destroy();
      await once(this.out, 'close').catch(() => {});
    }
    await rm(this.partialPath, { force: true });
  }
}
