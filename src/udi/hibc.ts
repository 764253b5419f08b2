/**
 * HIBC LIC Supplier Labeling Standard: primary (UDI-DI) and secondary (UDI-PI) data, as one
 * concatenated 2-D symbol (`+primary/secondary/supplemental…C`) or as separate 1-D symbols
 * (`+primaryC`, `+secondaryLC`). Rules: shared/reference/udi-parsing.md §3.
 *
 * UDI-DI choice (reference §3.1): DI = LIC + PCN + U/M, without the leading `+` flag and without
 * the check character. It fits the IMDRF HIBCC DI database size (6–23) and is independent of
 * whether the primary was printed alone (own check character) or concatenated with the secondary
 * (one check character over everything), so the same device gets the same DI from both forms.
 */
import { daysInMonth, fromOrdinal, isDigits, isoDate } from './dates.js';
import type { MappedText } from './source.js';
import { UdiFailure, makeResult, type UdiElement, type UdiResult } from './types.js';

/** Code 39 / HIBC modulo-43 character values (M43): 0–9, A–Z, `-`, `.`, space, `$`, `/`, `+`, `%`. */
export const HIBC_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%';

/** Modulo-43 check character over `data` (all characters from the leading `+`). */
export function hibcCheckCharacter(data: string): string {
  let sum = 0;
  for (const ch of data) {
    const v = HIBC_CHARSET.indexOf(ch);
    if (v < 0) throw new RangeError(`hibcCheckCharacter: ${JSON.stringify(ch)} is not a HIBC character`);
    sum += v;
  }
  return HIBC_CHARSET.charAt(sum % 43);
}

const MAX_ID = 18; // lot and serial: IMDRF App. A

interface Acc {
  t: MappedText;
  typed: boolean;
  elements: UdiElement[];
  warnings: string[];
  lot: string | null;
  serial: string | null;
  expiry: string | null;
  manufacture: string | null;
  quantity: string | null;
  di: string | null;
}

function push(acc: Acc, id: string, value: string, at: number): void {
  acc.elements.push({ id, value, position: acc.t.orig(at) });
}

/** Verifies the check character at `checkAt` over text[from, checkAt). */
function verifyCheck(acc: Acc, from: number, checkAt: number, what: string): void {
  const data = acc.t.text.slice(from, checkAt);
  const actual = acc.t.text.charAt(checkAt);
  const expected = hibcCheckCharacter(data);
  push(acc, 'CHECK', actual, checkAt);
  if (actual === expected) return;
  const message = `${what}: check character is ${JSON.stringify(actual)}, modulo 43 gives ${JSON.stringify(expected)}`;
  if (acc.typed) acc.warnings.push(`HIBC_CHECK_TYPED: ${message} (accepted because the string was typed)`);
  else throw new UdiFailure('HIBC_CHECK_CHARACTER', message, acc.t.orig(checkAt));
}

/** Primary data `+LIC PCN U/M` in text[start, end) (start at the `+`). */
function parsePrimary(acc: Acc, start: number, end: number): void {
  const text = acc.t.text;
  const body = text.slice(start + 1, end);
  if (body.length < 6) {
    throw new UdiFailure('HIBC_TOO_SHORT', 'primary data needs a 4-character LIC, a product code and a unit of measure', acc.t.orig(end));
  }
  const lic = body.slice(0, 4);
  if (!/^[A-Z][A-Z0-9]{3}$/.test(lic)) {
    const bad = /^[A-Z]/.test(lic) ? 1 + [...lic.slice(1)].findIndex((c) => !/[A-Z0-9]/.test(c)) : 0;
    throw new UdiFailure('HIBC_PARSE', 'LIC must be a letter followed by 3 letters or digits', acc.t.orig(start + 1 + bad));
  }
  const pcn = body.slice(4, -1);
  const um = body.slice(-1);
  if (pcn.length > MAX_ID) {
    throw new UdiFailure('HIBC_VALUE_TOO_LONG', `product/catalogue number has ${pcn.length} characters, at most ${MAX_ID}`, acc.t.orig(start + 5 + MAX_ID));
  }
  const badPcn = [...pcn].findIndex((c) => !/[A-Z0-9]/.test(c));
  if (badPcn >= 0) {
    throw new UdiFailure('HIBC_INVALID_CHARACTER', 'product/catalogue number allows only A–Z and 0–9', acc.t.orig(start + 5 + badPcn));
  }
  if (!/^[0-9]$/.test(um)) {
    throw new UdiFailure('HIBC_PARSE', 'unit of measure must be a digit 0–9', acc.t.orig(end - 1));
  }
  push(acc, 'LIC', lic, start + 1);
  push(acc, 'PCN', pcn, start + 5);
  push(acc, 'UOM', um, end - 1);
  acc.di = lic + pcn + um;
}

function dateFail(acc: Acc, at: number, message: string): never {
  throw new UdiFailure('HIBC_INVALID_DATE', message, acc.t.orig(at));
}

/** Reads `len` digits at `at` or fails with HIBC_INVALID_DATE. */
function digitsAt(acc: Acc, at: number, len: number, end: number, format: string): string {
  const s = acc.t.text.slice(at, Math.min(at + len, end));
  if (s.length < len || !isDigits(s)) dateFail(acc, at, `expected a ${format} date`);
  return s;
}

function ymd(acc: Acc, at: number, y: number, m: number, d: number, format: string): string {
  if (m < 1 || m > 12) dateFail(acc, at, `${format}: month ${m} does not exist`);
  if (d < 1 || d > daysInMonth(y, m)) dateFail(acc, at, `${format}: ${y}-${String(m).padStart(2, '0')} has no day ${d}`);
  return isoDate(y, m, d);
}

function ordinal(acc: Acc, at: number, y: number, jjj: number): string {
  const md = fromOrdinal(y, jjj);
  if (!md) dateFail(acc, at, `day ${jjj} does not exist in ${y}`);
  return isoDate(y, md[0], md[1]);
}

/**
 * Date in one of the `$$` formats, starting at the format digit. Two-digit years are 20YY
 * (reference §3.3). Returns [iso, index after the date].
 */
function hibcDate(acc: Acc, at: number, end: number, elementPrefix: string): [string | null, number] {
  const f = acc.t.text.charAt(at);
  const put = (format: string, raw: string, from: number): void => push(acc, `${elementPrefix}_${format}`, raw, from);
  switch (f) {
    case '0':
    case '1': {
      const raw = digitsAt(acc, at, 4, end, 'MMYY');
      const y = 2000 + Number(raw.slice(2));
      const m = Number(raw.slice(0, 2));
      ymd(acc, at, y, m, 1, 'MMYY'); // validates the month
      put('MMYY', raw, at);
      const last = isoDate(y, m, daysInMonth(y, m));
      acc.warnings.push(
        `HIBC_MONTH_PRECISION: ${elementPrefix.toLowerCase()} ${raw} (MMYY) has month precision; read as ${last}, the end of the month (assumption)`,
      );
      return [last, at + 4];
    }
    case '2': {
      const raw = digitsAt(acc, at + 1, 6, end, 'MMDDYY');
      put('MMDDYY', raw, at + 1);
      return [ymd(acc, at + 1, 2000 + Number(raw.slice(4, 6)), Number(raw.slice(0, 2)), Number(raw.slice(2, 4)), 'MMDDYY'), at + 7];
    }
    case '3':
    case '4': {
      const len = f === '3' ? 6 : 8;
      const format = f === '3' ? 'YYMMDD' : 'YYMMDDHH';
      const raw = digitsAt(acc, at + 1, len, end, format);
      if (f === '4' && Number(raw.slice(6, 8)) > 23) dateFail(acc, at + 7, `${format}: hour ${raw.slice(6, 8)} does not exist`);
      put(format, raw, at + 1);
      return [ymd(acc, at + 1, 2000 + Number(raw.slice(0, 2)), Number(raw.slice(2, 4)), Number(raw.slice(4, 6)), format), at + 1 + len];
    }
    case '5':
    case '6': {
      const len = f === '5' ? 5 : 7;
      const format = f === '5' ? 'YYJJJ' : 'YYJJJHH';
      const raw = digitsAt(acc, at + 1, len, end, format);
      if (f === '6' && Number(raw.slice(5, 7)) > 23) dateFail(acc, at + 6, `${format}: hour ${raw.slice(5, 7)} does not exist`);
      put(format, raw, at + 1);
      return [ordinal(acc, at + 1, 2000 + Number(raw.slice(0, 2)), Number(raw.slice(2, 5))), at + 1 + len];
    }
    case '7':
      return [null, at + 1];
    default:
      throw new UdiFailure('HIBC_PARSE', 'expected a date format digit 0–7 after "$$"', acc.t.orig(at));
  }
}

function setId(acc: Acc, kind: 'LOT' | 'SERIAL', at: number, end: number): void {
  const value = acc.t.text.slice(at, end);
  if (value.length === 0) return;
  if (value.length > MAX_ID) {
    throw new UdiFailure('HIBC_VALUE_TOO_LONG', `${kind.toLowerCase()} has ${value.length} characters, at most ${MAX_ID}`, acc.t.orig(at + MAX_ID));
  }
  const field = kind === 'LOT' ? 'lot' : 'serial';
  if (acc[field] !== null && acc[field] !== value) {
    throw new UdiFailure('UDI_CONFLICT', `two different ${field} numbers`, acc.t.orig(at));
  }
  acc[field] = value;
  push(acc, kind, value, at);
}

function setDate(acc: Acc, field: 'expiry' | 'manufacture', iso: string | null, at: number): void {
  if (iso === null) return;
  if (acc[field] !== null && acc[field] !== iso) {
    throw new UdiFailure('UDI_CONFLICT', `two different ${field} dates`, acc.t.orig(at));
  }
  acc[field] = iso;
}

/** One secondary or supplemental segment in text[at, end) (after `+` or `/`). */
function parseSegment(acc: Acc, at: number, end: number): void {
  const seg = acc.t.text.slice(at, end);
  if (seg.startsWith('$$+') || seg.startsWith('$$')) {
    const serial = seg.startsWith('$$+');
    let p = at + (serial ? 3 : 2);
    const flag = acc.t.text.charAt(p);
    if (!serial && (flag === '8' || flag === '9')) {
      // Quantity (deprecated in HIBC 2.6 for /Q): 2 or 5 digits, then a date format digit.
      const len = flag === '8' ? 2 : 5;
      const q = acc.t.text.slice(p + 1, p + 1 + len);
      if (q.length < len || !isDigits(q)) throw new UdiFailure('HIBC_PARSE', `expected a ${len}-digit quantity`, acc.t.orig(p + 1));
      push(acc, 'QUANTITY', String(Number(q)), p + 1);
      acc.quantity = String(Number(q));
      p += 1 + len;
    }
    if (p >= end) throw new UdiFailure('HIBC_TOO_SHORT', 'expected a date format digit', acc.t.orig(p));
    const [iso, next] = hibcDate(acc, p, end, 'EXPIRY');
    setDate(acc, 'expiry', iso, p);
    setId(acc, serial ? 'SERIAL' : 'LOT', next, end);
  } else if (seg.startsWith('$+')) {
    setId(acc, 'SERIAL', at + 2, end);
  } else if (seg.startsWith('$')) {
    setId(acc, 'LOT', at + 1, end);
  } else if (/^1[46]D/.test(seg)) {
    const raw = digitsAt(acc, at + 3, 8, end, 'YYYYMMDD');
    if (end > at + 11) throw new UdiFailure('HIBC_PARSE', 'unexpected data after YYYYMMDD', acc.t.orig(at + 11));
    const iso = ymd(acc, at + 3, Number(raw.slice(0, 4)), Number(raw.slice(4, 6)), Number(raw.slice(6, 8)), 'YYYYMMDD');
    const manufacture = seg.startsWith('16D');
    push(acc, manufacture ? 'MANUFACTURE_YYYYMMDD' : 'EXPIRY_YYYYMMDD', raw, at + 3);
    setDate(acc, manufacture ? 'manufacture' : 'expiry', iso, at + 3);
  } else if (seg.startsWith('S')) {
    setId(acc, 'SERIAL', at + 1, end);
  } else if (seg.startsWith('Q')) {
    const q = seg.slice(1);
    if (!isDigits(q)) throw new UdiFailure('HIBC_PARSE', 'quantity must be digits', acc.t.orig(at + 1));
    push(acc, 'QUANTITY', String(Number(q)), at + 1);
    acc.quantity = String(Number(q));
  } else if (/^[0-9]{5}/.test(seg)) {
    // Legacy secondary without flag: YYJJJ expiry, then lot.
    const raw = seg.slice(0, 5);
    const iso = ordinal(acc, at, 2000 + Number(raw.slice(0, 2)), Number(raw.slice(2, 5)));
    push(acc, 'EXPIRY_YYJJJ', raw, at);
    setDate(acc, 'expiry', iso, at);
    setId(acc, 'LOT', at + 5, end);
  } else {
    throw new UdiFailure('HIBC_PARSE', `unknown secondary data flag in ${JSON.stringify(seg.slice(0, 3))}`, acc.t.orig(at));
  }
}

/** Splits text[start, end) on `/` and parses each segment. */
function parseSegments(acc: Acc, start: number, end: number): void {
  let s = start;
  for (let k = start; k <= end; k++) {
    if (k === end || acc.t.text[k] === '/') {
      if (k === s) throw new UdiFailure('HIBC_PARSE', 'empty data segment', acc.t.orig(k));
      parseSegment(acc, s, k);
      s = k + 1;
    }
  }
}

function isSecondaryStart(text: string, i: number): boolean {
  const c = text.charAt(i + 1);
  return text.charAt(i) === '+' && (c === '$' || (c >= '0' && c <= '9') || c === 'S');
}

/** A 1-D secondary symbol text[start, end): `+` data link check. */
function parseSecondarySymbol(acc: Acc, start: number, end: number, expectedLink: string | null): void {
  if (end - start < 4) {
    throw new UdiFailure('HIBC_TOO_SHORT', 'a secondary symbol needs data, a link character and a check character', acc.t.orig(end));
  }
  verifyCheck(acc, start, end - 1, 'secondary data');
  const linkAt = end - 2;
  const link = acc.t.text.charAt(linkAt);
  push(acc, 'LINK', link, linkAt);
  if (expectedLink !== null && link !== expectedLink) {
    throw new UdiFailure(
      'HIBC_LINK_CHARACTER',
      `link character ${JSON.stringify(link)} does not match the primary's check character ${JSON.stringify(expectedLink)}`,
      acc.t.orig(linkAt),
    );
  }
  parseSegments(acc, start + 1, linkAt);
}

function primaryCheckOk(text: string, end: number): boolean {
  const body = text.slice(0, end - 1);
  return /^\+[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}[0-9]$/.test(body) && hibcCheckCharacter(body) === text.charAt(end - 1);
}

export function parseHibc(t: MappedText, typed: boolean): UdiResult {
  const text = t.text;
  for (let k = 0; k < text.length; k++) {
    if (!HIBC_CHARSET.includes(text.charAt(k))) {
      throw new UdiFailure(
        'HIBC_INVALID_CHARACTER',
        `${JSON.stringify(text.charAt(k))} is not allowed in HIBC data (A–Z, 0–9, - . space $ / + %)`,
        t.orig(k),
      );
    }
  }
  const acc: Acc = {
    t, typed, elements: [], warnings: [],
    lot: null, serial: null, expiry: null, manufacture: null, quantity: null, di: null,
  };
  const n = text.length;
  if (n < 3) throw new UdiFailure('HIBC_TOO_SHORT', 'HIBC data too short', t.orig(n));

  const first = text.charAt(1);
  const looksPrimary = first >= 'A' && first <= 'Z' && !(first === 'S' && !primaryCheckOk(text, n) && !text.includes('/'));
  if (!looksPrimary) {
    // Secondary-only symbol (maybe followed by further 1-D supplemental symbols).
    parseSymbolChain(acc, 0, null);
  } else {
    const dataEnd = n - 1;
    const slash = text.indexOf('/');
    if (slash !== -1 && slash < dataEnd) {
      // Concatenated 2-D form: one check character over everything.
      verifyCheck(acc, 0, dataEnd, 'concatenated HIBC data');
      parsePrimary(acc, 0, slash);
      parseSegments(acc, slash + 1, dataEnd);
    } else {
      // 1-D: primary symbol, possibly followed by secondary symbols read in one go (`+…C+$$…LC`).
      let split = -1;
      for (let p = 7; p < n - 1; p++) {
        if (isSecondaryStart(text, p) && primaryCheckOk(text, p)) {
          split = p;
          break;
        }
      }
      const primaryEnd = split === -1 ? n : split;
      verifyCheck(acc, 0, primaryEnd - 1, 'primary data');
      parsePrimary(acc, 0, primaryEnd - 1);
      if (split !== -1) parseSymbolChain(acc, split, text.charAt(split - 1));
    }
  }
  acc.elements.sort((a, b) => a.position - b.position);
  const pi = acc.quantity !== null;
  return makeResult(
    'HIBCC',
    { udiDi: acc.di, lot: acc.lot, serial: acc.serial, expiryDate: acc.expiry, manufactureDate: acc.manufacture },
    acc.elements,
    acc.warnings,
    pi,
  );
}

/**
 * One or more 1-D secondary/supplemental symbols starting at `start`, each `+data link check`.
 * Without a primary the link character cannot be verified here (the group combiner does it).
 */
function parseSymbolChain(acc: Acc, start: number, link: string | null): void {
  const text = acc.t.text;
  // Find the next symbol boundary: a `+` that starts a secondary and where the preceding part has a valid check.
  let s = start;
  while (s < text.length) {
    let end = text.length;
    for (let p = s + 4; p < text.length - 1; p++) {
      if (isSecondaryStart(text, p) && hibcCheckCharacter(text.slice(s, p - 1)) === text.charAt(p - 1)) {
        end = p;
        break;
      }
    }
    parseSecondarySymbol(acc, s, end, link);
    s = end;
  }
}
