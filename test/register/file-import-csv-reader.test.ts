import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { CsvSyntaxError, readCsv, type CsvRow } from '../../src/register/csv-reader.js';
import { readLines } from '../../src/register/file-lines.js';
import { receiptField } from '../../src/register/file-receipt.js';

async function rows(input: string | Buffer, pieceSize?: number, maxRowChars?: number): Promise<CsvRow[]> {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const pieces: Buffer[] = [];
  const size = pieceSize ?? Math.max(1, buf.length);
  for (let i = 0; i < buf.length; i += size) pieces.push(buf.subarray(i, i + size));
  const out: CsvRow[] = [];
  for await (const r of readCsv(Readable.from(pieces), maxRowChars ? { maxRowChars } : {})) out.push(r);
  return out;
}

const SAMPLE =
  '\uFEFFa,b,c\r\n' + // 1
  '1,"two, with comma","say ""hi"""\r\n' + // 2
  '"multi\r\nline",,x\r\n' + // 3-4
  '\r\n' + // 5 blank, skipped
  'p,"q\nr\ns",t\n' + // 6-8 (LF inside quotes)
  'last,"",end'; // 9, no final line break

const EXPECTED: CsvRow[] = [
  { fields: ['a', 'b', 'c'], line: 1 },
  { fields: ['1', 'two, with comma', 'say "hi"'], line: 2 },
  { fields: ['multi\r\nline', '', 'x'], line: 3 },
  { fields: ['p', 'q\nr\ns', 't'], line: 6 },
  { fields: ['last', '', 'end'], line: 9 },
];

describe('readCsv', () => {
  it('reads quoted fields, "" escapes, line breaks in quotes, CRLF and LF, and strips the BOM', async () => {
    expect(await rows(SAMPLE)).toEqual(EXPECTED);
  });

  it('gives the same rows however the bytes are split (every chunk boundary, multi-byte characters)', async () => {
    const text = SAMPLE + '\r\n"één ""€""",ß,"日本"\r\n';
    const whole = await rows(text);
    expect(whole.at(-1)).toEqual({ fields: ['één "€"', 'ß', '日本'], line: 10 });
    for (const size of [1, 2, 3, 5, 7, 64]) expect(await rows(text, size)).toEqual(whole);
  });

  it('treats a lone CR as a line break and keeps empty trailing fields', async () => {
    expect(await rows('a,b\rc,\r,d\r\n')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', ''], line: 2 },
      { fields: ['', 'd'], line: 3 },
    ]);
  });

  it('keeps a quoted empty line as a row and skips blank lines', async () => {
    expect(await rows('\n\n""\n\nx\n\n')).toEqual([
      { fields: [''], line: 3 },
      { fields: ['x'], line: 5 },
    ]);
  });

  it('reports a stray quote in an unquoted field with line and column, and reads on', async () => {
    const out = await rows('a,b\nab"c,d\ne,f\n');
    expect(out[1]).toEqual({
      fields: ['ab"c', 'd'],
      line: 2,
      error: { code: 'STRAY_QUOTE', line: 2, column: 3, field: 1, message: expect.stringContaining('line 2, column 3') },
    });
    expect(out[2]).toEqual({ fields: ['e', 'f'], line: 3 });
  });

  it('reports text after a closing quote, on the right physical line after a multi-line cell', async () => {
    const out = await rows('h1,h2\n"x\ny","ok"z,w\nnext,row\n');
    expect(out[1]!.line).toBe(2);
    expect(out[1]!.fields).toEqual(['x\ny', 'okz', 'w']);
    expect(out[1]!.error).toMatchObject({ code: 'STRAY_QUOTE', line: 3, column: 8, field: 2 });
    expect(out[2]).toEqual({ fields: ['next', 'row'], line: 4 });
  });

  it('reports a quote left open at the end of the file', async () => {
    const out = await rows('a,b\n1,"open\nstill open\n');
    expect(out[1]).toMatchObject({ line: 2, fields: ['1', 'open\nstill open\n'], error: { code: 'UNTERMINATED_QUOTE', line: 2, column: 3, field: 2 } });
  });

  it('stops with ROW_TOO_LONG when a row outgrows the limit (bounded memory)', async () => {
    const text = 'a,b\n1,"never closed' + 'x'.repeat(5000) + '\n2,3\n';
    const err = await rows(text, 256, 1000).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err).toMatchObject({ code: 'ROW_TOO_LONG', line: 2, column: 3 });
    expect((err as Error).message).toContain('missing its closing quote');
  });

  it('round-trips random rows (quotes, commas, CR, LF, CRLF, non-ASCII) split at random points', async () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const alphabet = ['a', 'Z', '0', ' ', ',', '"', '\r', '\n', '\r\n', 'é', '€', '日', '😀'];
    const expected: CsvRow[] = [];
    let text = '\uFEFF';
    for (let r = 0; r < 300; r++) {
      const fields = Array.from({ length: 1 + rand(6) }, () => Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join(''));
      const line = 1 + (text.match(/\r\n|\r|\n/g)?.length ?? 0);
      expected.push({ fields, line });
      text += fields.map((f) => (/[",\r\n]/.test(f) || fields.length === 1 ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + (rand(2) ? '\r\n' : '\n');
    }
    const bytes = Buffer.from(text, 'utf8');
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + rand(40);
      pieces.push(bytes.subarray(i, i + n));
      i += n;
    }
    const out: CsvRow[] = [];
    for await (const row of readCsv(Readable.from(pieces))) out.push(row);
    expect(out).toEqual(expected);
  });

  it('reads an empty input as no rows', async () => {
    expect(await rows('')).toEqual([]);
    expect(await rows('\uFEFF')).toEqual([]);
  });
});

describe('readLines', () => {
  it('splits LF and CRLF, skips blank lines, numbers physical lines and strips the BOM', async () => {
    const out = [];
    for await (const l of readLines(Readable.from([Buffer.from('\uFEFF{"a":1}\r\n\n  \n{"b":'), Buffer.from('2}\n{"c":3}')]))) out.push(l);
    expect(out).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 4 },
      { text: '{"c":3}', line: 5 },
    ]);
  });
});

describe('receiptField', () => {
  it('quotes what CSV needs quoted and defuses spreadsheet formulas', () => {
    expect([receiptField(null), receiptField(12), receiptField('plain'), receiptField('a,b'), receiptField('say "x"'), receiptField('two\nlines')]).toEqual([
      '', '12', 'plain', '"a,b"', '"say ""x"""', '"two\nlines"',
    ]);
    expect([receiptField('=HYPERLINK("http://x")'), receiptField('+31'), receiptField('@SUM(A1)')]).toEqual([`"'=HYPERLINK(""http://x"")"`, "'+31", "'@SUM(A1)"]);
  });
});
