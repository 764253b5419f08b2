// Line splitting for NDJSON files: LF or CRLF, a BOM dropped, bounded memory.

import { CsvSyntaxError, decodeUtf8, DEFAULT_MAX_ROW_CHARS } from './csv-reader.js';

export interface TextLine {
  text: string;
  /** Physical line number, 1-based. */
  line: number;
}

/** Yields every line that is not blank (whitespace only), with its line number. */
export async function* readLines(source: AsyncIterable<string | Uint8Array>, maxLineChars = DEFAULT_MAX_ROW_CHARS): AsyncGenerator<TextLine, void, undefined> {
  let carry = '';
  let line = 1;
  for await (const text of decodeUtf8(source)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = carry + text.slice(start, nl);
      carry = '';
      const clean = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      if (clean.trim() !== '') yield { text: clean, line };
      line++;
      start = nl + 1;
    }
    carry += text.slice(start);
    if (carry.length > maxLineChars) {
      throw new CsvSyntaxError('ROW_TOO_LONG', `line ${line} is longer than ${maxLineChars} characters`, line, 1);
    }
  }
  if (carry.trim() !== '') yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, line };
}
