// A streaming RFC 4180 CSV reader (ours, no dependency) for the file channel (`lir import`).
//
// - quoted fields with "" escapes, line breaks inside quotes, CRLF, LF or a lone CR between rows;
// - a UTF-8 byte-order mark is dropped;
// - every row carries the physical (1-based) line it starts on, so a receipt can point at it even
//   after multi-line cells;
// - a syntax problem inside a row (a stray quote, text after a closing quote, a quote left open at
//   the end of the file) is reported on that row with line and column, and reading goes on;
// - memory is bounded: one decoded input chunk plus the row being read, and a row longer than
//   `maxRowChars` (typically an unterminated quote swallowing the rest of the file) ends reading
//   with a CsvSyntaxError.
// Lines and columns count UTF-16 code units, as editors do for the Basic Multilingual Plane.

export interface CsvRowError {
  code: 'STRAY_QUOTE' | 'UNTERMINATED_QUOTE';
  message: string;
  /** Physical line (1-based) of the offending character. */
  line: number;
  /** Character column (1-based) within that line. */
  column: number;
  /** Field number (1-based) within the row. */
  field: number;
}

export interface CsvRow {
  fields: string[];
  /** Physical line (1-based) on which the row starts. */
  line: number;
  /** The first syntax problem in this row; `fields` is then a best-effort reading. */
  error?: CsvRowError;
}

/** A problem that stops reading: no row boundary can be trusted after it. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: 'ROW_TOO_LONG',
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvReaderOptions {
  /** Longest row accepted, in characters (default 1 MiB). */
  maxRowChars?: number;
}

export const DEFAULT_MAX_ROW_CHARS = 1024 * 1024;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote was seen inside a quoted field: an escape ("") or the closing quote. */
  QuoteInQuoted,
  /** After a closing quote, text that should not be there; read on as unquoted text. */
  AfterStray,
}

/** Decodes a byte stream as UTF-8 (a split multi-byte character is joined), dropping a leading BOM. */
export async function* decodeUtf8(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8'); // not fatal: invalid bytes become U+FFFD, which callers can flag per row
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield first && rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest;
}

/** Reads CSV rows from a byte or text stream (a Readable is one). Completely empty lines are skipped. */
export async function* readCsv(source: AsyncIterable<string | Uint8Array>, opts: CsvReaderOptions = {}): AsyncGenerator<CsvRow, void, undefined> {
  const parser = new CsvParser(opts.maxRowChars ?? DEFAULT_MAX_ROW_CHARS);
  for await (const text of decodeUtf8(source)) {
    const rows = parser.push(text);
    for (const row of rows) yield row;
  }
  const last = parser.end();
  if (last) yield last;
}

/** The push parser behind readCsv; exported for callers that already hold text. */
export class CsvParser {
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private error: CsvRowError | undefined;
  /** Physical line of the current character, and the absolute offset at which that line starts. */
  private line = 1;
  private lineStart = 0;
  /** Absolute offset of the first character of the current chunk. */
  private base = 0;
  private prevCR = false;
  private rowLine = 1;
  private rowStart = 0;
  private quoteLine = 0;
  private quoteColumn = 0;

  constructor(private readonly maxRowChars = DEFAULT_MAX_ROW_CHARS) {}

  push(text: string): CsvRow[] {
    const out: CsvRow[] = [];
    const n = text.length;
    const base = this.base;
    let state = this.state;
    let seg = 0; // start of the pending segment of the current field within `text`
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      const wasCR = this.prevCR;
      this.prevCR = c === CR;
      switch (state) {
        case State.FieldStart:
          if (c === QUOTE) {
            state = State.Quoted;
            this.quoteLine = this.line;
            this.quoteColumn = base + i - this.lineStart + 1;
            seg = i + 1;
          } else if (c === COMMA) {
            this.fields.push('');
          } else if (c === CR || c === LF) {
            if (c === LF && wasCR) {
              this.lineStart = base + i + 1; // the LF of a CRLF that already ended the row
            } else {
              if (this.fields.length > 0) {
                this.fields.push('');
                out.push(this.takeRow());
              }
              this.newLine(base + i + 1);
              this.startRow(base + i + 1);
            }
          } else {
            state = State.Unquoted;
            seg = i;
            // fast path: run to the next delimiter, quote or line break
            let j = i + 1;
            for (; j < n; j++) {
              const d = text.charCodeAt(j);
              if (d === COMMA || d === CR || d === LF || d === QUOTE) break;
            }
            i = j;
            this.prevCR = false;
            continue;
          }
          break;

        case State.Unquoted:
        case State.AfterStray:
          if (c === COMMA) {
            this.fields.push(this.field + text.slice(seg, i));
            this.field = '';
            state = State.FieldStart;
          } else if (c === CR || c === LF) {
            this.fields.push(this.field + text.slice(seg, i));
            this.field = '';
            out.push(this.takeRow());
            this.newLine(base + i + 1);
            this.startRow(base + i + 1);
            state = State.FieldStart;
          } else if (c === QUOTE && state === State.Unquoted) {
            this.fail('STRAY_QUOTE', base + i, 'a quote inside an unquoted field; enclose the whole field in quotes and double the quote ("")');
          }
          break;

        case State.Quoted:
          if (c === QUOTE) {
            this.field += text.slice(seg, i);
            state = State.QuoteInQuoted;
          } else if (c === CR) {
            this.newLine(base + i + 1);
          } else if (c === LF) {
            if (wasCR) this.lineStart = base + i + 1;
            else this.newLine(base + i + 1);
          }
          break;

        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            seg = i + 1;
            state = State.Quoted;
          } else if (c === COMMA) {
            this.fields.push(this.field);
            this.field = '';
            state = State.FieldStart;
          } else if (c === CR || c === LF) {
            this.fields.push(this.field);
            this.field = '';
            out.push(this.takeRow());
            this.newLine(base + i + 1);
            this.startRow(base + i + 1);
            state = State.FieldStart;
          } else {
            this.fail('STRAY_QUOTE', base + i, 'text after the closing quote of a quoted field; a quote inside a quoted field must be doubled ("")');
            seg = i;
            state = State.AfterStray;
          }
          break;
      }
      i++;
    }
    // carry the unfinished field over to the next chunk
    if (state === State.Unquoted || state === State.AfterStray || state === State.Quoted) this.field += text.slice(seg, n);
    this.state = state;
    this.base = base + n;
    if (this.base - this.rowStart > this.maxRowChars) {
      const hint =
        state === State.Quoted
          ? `; the quoted field that starts at line ${this.quoteLine}, column ${this.quoteColumn} is probably missing its closing quote`
          : '';
      throw new CsvSyntaxError('ROW_TOO_LONG', `the row that starts at line ${this.rowLine} is longer than ${this.maxRowChars} characters${hint}`,
        state === State.Quoted ? this.quoteLine : this.rowLine, state === State.Quoted ? this.quoteColumn : 1);
    }
    return out;
  }

  /** Ends the input; returns the last row when the text did not end with a line break. */
  end(): CsvRow | undefined {
    const state = this.state;
    this.state = State.FieldStart;
    if (state === State.FieldStart) {
      if (this.fields.length === 0) return undefined;
      this.fields.push('');
    } else {
      if (state === State.Quoted && !this.error) {
        this.error = {
          code: 'UNTERMINATED_QUOTE',
          message: `the quoted field that starts at line ${this.quoteLine}, column ${this.quoteColumn} has no closing quote`,
          line: this.quoteLine,
          column: this.quoteColumn,
          field: this.fields.length + 1,
        };
      }
      this.fields.push(this.field);
      this.field = '';
    }
    return this.takeRow();
  }

  private fail(code: CsvRowError['code'], offset: number, what: string): void {
    if (this.error) return;
    const column = offset - this.lineStart + 1;
    this.error = { code, message: `${what} (line ${this.line}, column ${column})`, line: this.line, column, field: this.fields.length + 1 };
  }

  private newLine(lineStart: number): void {
    this.line++;
    this.lineStart = lineStart;
  }

  private startRow(offset: number): void {
    this.rowLine = this.line;
    this.rowStart = offset;
  }

  private takeRow(): CsvRow {
    const row: CsvRow = { fields: this.fields, line: this.rowLine };
    if (this.error) row.error = this.error;
    this.fields = [];
    this.error = undefined;
    return row;
  }
}
