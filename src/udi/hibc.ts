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

/** Character code → mod-43 value + 1 (0 = not a HIBC character). */
const VALUE = new Uint8Array(128);
for (let v = 0; v < HIBC_CHARSET.length; v++) VALUE[HIBC_CHARSET.charCodeAt(v)] = v + 1;

/** Mod-43 value of the character code, or -1. */
function valueOf(code: number): number {
  return code < 128 ? (VALUE[code] ?? 0) - 1 : -1;
}

function mod43(text: string, from: number, to: number): string {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = valueOf(text.charCodeAt(i));
    if (v < 0) throw new RangeError(`hibcCheckCharacter: ${JSON.stringify(text.charAt(i))} is not a HIBC character`);
    sum += v;
  }
  return HIBC_CHARSET.charAt(sum % 43);
}

/** Modulo-43 check character over `data` (all characters from the leading `+`). */
export function hibcCheckCharacter(data: string): string {
  return mod43(data, 0, data.length);
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
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

/**
 * Verifies the check character at `checkAt` over text[from, checkAt). The caller pushes the CHECK
 * element after the data elements, so that elements stay in input order.
 */
function verifyCheck(acc: Acc, from: number, checkAt: number, what: string): void {
  const actual = acc.t.text.charAt(checkAt);
  const expected = mod43(acc.t.text, from, checkAt);
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
  const c0 = lic.charCodeAt(0);
  if (!(c0 >= 65 && c0 <= 90) || !isUpperOrDigit(lic.charCodeAt(1)) || !isUpperOrDigit(lic.charCodeAt(2)) || !isUpperOrDigit(lic.charCodeAt(3))) {
    let bad = 0;
    if (c0 >= 65 && c0 <= 90) for (bad = 1; bad < 4 && isUpperOrDigit(lic.charCodeAt(bad)); bad++);
    throw new UdiFailure('HIBC_PARSE', 'LIC must be a letter followed by 3 letters or digits', acc.t.orig(start + 1 + bad));
  }
  const pcn = body.slice(4, -1);
  const um = body.charCodeAt(body.length - 1);
  if (pcn.length > MAX_ID) {
    throw new UdiFailure('HIBC_VALUE_TOO_LONG', `product/catalogue number has ${pcn.length} characters, at most ${MAX_ID}`, acc.t.orig(start + 5 + MAX_ID));
  }
  for (let k = 0; k < pcn.length; k++) {
    if (!isUpperOrDigit(pcn.charCodeAt(k))) {
      throw new UdiFailure('HIBC_INVALID_CHARACTER', 'product/catalogue number allows only A–Z and 0–9', acc.t.orig(start + 5 + k));
    }
  }
  if (um < 48 || um > 57) {
    throw new UdiFailure('HIBC_PARSE', 'unit of measure must be a digit 0–9', acc.t.orig(end - 1));
  }
  push(acc, 'LIC', lic, start + 1);
  push(acc, 'PCN', pcn, start + 5);
  push(acc, 'UOM', body.charAt(body.length - 1), end - 1);
  acc.di = body;
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
 * (reference §3.3). Returns [iso, index after the date]. Only expiry dates use these formats.
 */
function hibcDate(acc: Acc, at: number, end: number): [string | null, number] {
  const f = acc.t.text.charAt(at);
  switch (f) {
    case '0':
    case '1': {
      const raw = digitsAt(acc, at, 4, end, 'MMYY');
      const y = 2000 + Number(raw.slice(2));
      const m = Number(raw.slice(0, 2));
      ymd(acc, at, y, m, 1, 'MMYY'); // validates the month
      push(acc, 'EXPIRY_MMYY', raw, at);
      const last = isoDate(y, m, daysInMonth(y, m));
      acc.warnings.push(
        `HIBC_MONTH_PRECISION: expiry ${raw} (MMYY) has month precision; read as ${last}, the end of the month (assumption)`,
      );
      return [last, at + 4];
    }
    case '2': {
      const raw = digitsAt(acc, at + 1, 6, end, 'MMDDYY');
      push(acc, 'EXPIRY_MMDDYY', raw, at + 1);
      return [ymd(acc, at + 1, 2000 + Number(raw.slice(4, 6)), Number(raw.slice(0, 2)), Number(raw.slice(2, 4)), 'MMDDYY'), at + 7];
    }
    case '3':
    case '4': {
      const len = f === '3' ? 6 : 8;
      const format = f === '3' ? 'YYMMDD' : 'YYMMDDHH';
      const id = f === '3' ? 'EXPIRY_YYMMDD' : 'EXPIRY_YYMMDDHH';
      const raw = digitsAt(acc, at + 1, len, end, format);
      if (f === '4' && Number(raw.slice(6, 8)) > 23) dateFail(acc, at + 7, `${format}: hour ${raw.slice(6, 8)} does not exist`);
      push(acc, id, raw, at + 1);
      return [ymd(acc, at + 1, 2000 + Number(raw.slice(0, 2)), Number(raw.slice(2, 4)), Number(raw.slice(4, 6)), format), at + 1 + len];
    }
    case '5':
    case '6': {
      const len = f === '5' ? 5 : 7;
      const format = f === '5' ? 'YYJJJ' : 'YYJJJHH';
      const id = f === '5' ? 'EXPIRY_YYJJJ' : 'EXPIRY_YYJJJHH';
      const raw = digitsAt(acc, at + 1, len, end, format);
      if (f === '6' && Number(raw.slice(5, 7)) > 23) dateFail(acc, at + 6, `${format}: hour ${raw.slice(5, 7)} does not exist`);
      push(acc, id, raw, at + 1);
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

/** Digits needed after the format digit: MMYY counts the flag as its first digit. */
const DATE_DIGITS: Record<string, number> = { '0': 3, '1': 3, '2': 6, '3': 6, '4': 8, '5': 5, '6': 7, '7': 0 };

/**
 * After a `$$8`/`$$9` quantity the date is optional. It is taken as a date when a format digit is
 * followed by enough digits; anything else starts the lot (a warning says so).
 */
function quantityDateFollows(acc: Acc, p: number, end: number): boolean {
  const need = DATE_DIGITS[acc.t.text.charAt(p)];
  if (need === undefined) return false;
  if (p + 1 + need > end) return false;
  return isDigits(acc.t.text.slice(p + 1, p + 1 + need)) || need === 0;
}

/** One secondary or supplemental segment in text[at, end) (after `+` or `/`). */
function parseSegment(acc: Acc, at: number, end: number): void {
  const seg = acc.t.text.slice(at, end);
  if (seg.startsWith('$$+') || seg.startsWith('$$')) {
    const serial = seg.startsWith('$$+');
    let p = at + (serial ? 3 : 2);
    const flag = acc.t.text.charAt(p);
    if (!serial && (flag === '8' || flag === '9')) {
      // Quantity (deprecated in HIBC 2.6 for /Q): 2 or 5 digits, then optionally one of the date
      // formats (BWIPP "HIBC Data Structures"; BarcodeParserBuilder reads `$$8` + `12` + lot `10X3`).
      const len = flag === '8' ? 2 : 5;
      const q = acc.t.text.slice(p + 1, p + 1 + len);
      if (q.length < len || !isDigits(q)) throw new UdiFailure('HIBC_PARSE', `expected a ${len}-digit quantity`, acc.t.orig(p + 1));
      push(acc, 'QUANTITY', String(Number(q)), p + 1);
      acc.quantity = String(Number(q));
      p += 1 + len;
      if (p < end && !quantityDateFollows(acc, p, end)) {
        acc.warnings.push(
          `HIBC_QUANTITY_NO_DATE: no date format after the quantity; ${JSON.stringify(acc.t.text.slice(p, end))} read as the lot (the format digit is optional after $$${flag})`,
        );
        setId(acc, 'LOT', p, end);
        return;
      }
    }
    if (p >= end) throw new UdiFailure('HIBC_TOO_SHORT', 'expected a date format digit', acc.t.orig(p));
    const [iso, next] = hibcDate(acc, p, end);
    setDate(acc, 'expiry', iso, p);
    setId(acc, serial ? 'SERIAL' : 'LOT', next, end);
  } else if (seg.startsWith('$+')) {
    setId(acc, 'SERIAL', at + 2, end);
  } else if (seg.startsWith('$')) {
    setId(acc, 'LOT', at + 1, end);
  } else if (seg.charCodeAt(0) === 49 && (seg.charCodeAt(1) === 52 || seg.charCodeAt(1) === 54) && seg.charCodeAt(2) === 68) {
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
  } else if (seg.length >= 5 && isDigits(seg.slice(0, 5))) {
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
  if (expectedLink !== null && link !== expectedLink) {
    throw new UdiFailure(
      'HIBC_LINK_CHARACTER',
      `link character ${JSON.stringify(link)} does not match the primary's check character ${JSON.stringify(expectedLink)}`,
      acc.t.orig(linkAt),
    );
  }
  parseSegments(acc, start + 1, linkAt);
  push(acc, 'LINK', link, linkAt);
  push(acc, 'CHECK', acc.t.text.charAt(end - 1), end - 1);
}

/** text[0, end) is `+` LIC PCN U/M check, with a correct check character. */
function primaryCheckOk(text: string, end: number): boolean {
  const dataEnd = end - 1;
  if (dataEnd < 7 || dataEnd > 24 || text.charCodeAt(0) !== 43) return false;
  const c1 = text.charCodeAt(1);
  if (!(c1 >= 65 && c1 <= 90)) return false;
  for (let k = 2; k < dataEnd - 1; k++) if (!isUpperOrDigit(text.charCodeAt(k))) return false;
  const um = text.charCodeAt(dataEnd - 1);
  if (um < 48 || um > 57) return false;
  return mod43(text, 0, dataEnd) === text.charAt(dataEnd);
}

/** Index of the `+` after a valid 1-D primary that starts a secondary symbol, or -1. */
function primarySplit(text: string): number {
  for (let p = 7; p <= text.length - 4; p++) if (isSecondaryStart(text, p) && primaryCheckOk(text, p)) return p;
  return -1;
}

/** text[from, to) ends with a correct mod-43 check character (a complete 1-D symbol). */
function symbolCheckOk(text: string, from: number, to: number): boolean {
  return to - from >= 3 && mod43(text, from, to - 1) === text.charAt(to - 1);
}

export function parseHibc(t: MappedText, typed: boolean): UdiResult {
  const text = t.text;
  for (let k = 0; k < text.length; k++) {
    if (valueOf(text.charCodeAt(k)) < 0) {
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
  // `+S…` is a supplemental serial symbol unless it reads as a primary (LICs may start with S):
  // a whole valid primary, a 2-D concatenation, or a valid primary followed by a secondary.
  const looksPrimary =
    first >= 'A' && first <= 'Z' && (first !== 'S' || primaryCheckOk(text, n) || text.includes('/') || primarySplit(text) !== -1);
  if (!looksPrimary) {
    // Secondary-only symbol (maybe followed by further 1-D supplemental symbols).
    parseSymbolChain(acc, 0, null);
  } else {
    const dataEnd = n - 1;
    const slash = text.indexOf('/');
    const plus = text.indexOf('+', 1);
    // 2-D concatenated: the first `/` ends the primary. A `+` before it (or right after it, when
    // the primary's check character is `/`) means 1-D symbols read together, whose secondary may
    // contain `/` supplementals.
    if (slash !== -1 && slash < dataEnd && text.charCodeAt(slash + 1) !== 43 && (plus === -1 || plus > slash)) {
      // Concatenated 2-D form: one check character over everything.
      verifyCheck(acc, 0, dataEnd, 'concatenated HIBC data');
      parsePrimary(acc, 0, slash);
      parseSegments(acc, slash + 1, dataEnd);
      push(acc, 'CHECK', text.charAt(dataEnd), dataEnd);
    } else {
      // 1-D: primary symbol, possibly followed by secondary symbols read in one go (`+…C+$$…LC`).
      // The boundary is a `+` starting secondary data where the primary before it checks out;
      // failing that, one where the secondary after it checks out or carries the character before
      // the `+` as its link character (then the primary's check character is reported, at its position).
      let split = -1;
      let fallback = -1;
      // A following symbol has at least `+`, one data character, link and check: p ≤ n − 4.
      for (let p = 7; p <= n - 4; p++) {
        if (!isSecondaryStart(text, p)) continue;
        if (primaryCheckOk(text, p)) {
          split = p;
          break;
        }
        if (fallback === -1 && (symbolCheckOk(text, p, n) || text.charAt(n - 2) === text.charAt(p - 1))) fallback = p;
      }
      if (split === -1) split = fallback;
      const primaryEnd = split === -1 ? n : split;
      verifyCheck(acc, 0, primaryEnd - 1, 'primary data');
      parsePrimary(acc, 0, primaryEnd - 1);
      push(acc, 'CHECK', text.charAt(primaryEnd - 1), primaryEnd - 1);
      if (split !== -1) parseSymbolChain(acc, split, text.charAt(split - 1));
    }
  }
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
    for (let p = s + 4; p <= text.length - 4; p++) {
      if (isSecondaryStart(text, p) && symbolCheckOk(text, s, p)) {
        end = p;
        break;
      }
    }
    parseSecondarySymbol(acc, s, end, link);
    s = end;
  }
}
