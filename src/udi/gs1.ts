/**
 * GS1 element strings: raw/AIDC form (`01…17…10…<GS>21…`), human-readable form (`(01)…(17)…`)
 * and bare GTINs. Rules: shared/reference/udi-parsing.md §2.
 */
import { aiLengthForPrefix, lookupAi, lookupAiAt, pairingFastOk, pairingViolations, type AiComponent, type AiDefinition } from './gs1-ais.js';
import { daysInMonth, gs1FullYear, isDigits, isoDate } from './dates.js';
import { GS, MappedText } from './source.js';
import { UdiFailure, makeResult, type UdiElement, type UdiResult } from './types.js';

/**
 * GS1 mod-10 check digit of `body` (the digits without the check digit): weights 3, 1, 3, …
 * from the right; check = (10 − sum mod 10) mod 10. Same for GTIN, GLN, SSCC, GDTI.
 */
export function gtinCheckDigit(body: string): number {
  if (!isDigits(body)) throw new RangeError('gtinCheckDigit: body must be digits');
  return mod10(body, 0, body.length);
}

/** Mod-10 check digit over body[from, to) (digits already validated). */
function mod10(s: string, from: number, to: number): number {
  let sum = 0;
  let weight = 3;
  for (let i = to - 1; i >= from; i--) {
    sum += (s.charCodeAt(i) - 48) * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** GTIN-8, -12, -13 or -14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  if (!isDigits(gtin) || (gtin.length !== 8 && gtin.length !== 12 && gtin.length !== 13 && gtin.length !== 14)) return false;
  return mod10(gtin, 0, gtin.length - 1) === gtin.charCodeAt(gtin.length - 1) - 48;
}

/** GS1 CSET 82 in value order (GenSpecs fig. 7.11-1; DICT `lint_cset82.c`). */
const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** GS1 CSET 32, the check characters of alphanumeric keys (GenSpecs 7.9.5). */
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** CSET 39 (AI 8010). */
const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** URL-safe base64 (AI 8030) with `=` padding. */
const CSET64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=';

/** Per character code < 128: bit 1 = CSET 82, 2 = CSET 39, 4 = CSET 64, 8 = digit. */
const CHARSET = new Uint8Array(128);
for (const ch of CSET82) CHARSET[ch.charCodeAt(0)]! |= 1;
for (const ch of CSET39) CHARSET[ch.charCodeAt(0)]! |= 2;
for (const ch of CSET64) CHARSET[ch.charCodeAt(0)]! |= 4;
for (let c = 48; c <= 57; c++) CHARSET[c]! |= 8;
const TYPE_BIT: Record<AiComponent['type'], number> = { X: 1, Y: 2, Z: 4, N: 8 };
const TYPE_NAME: Record<AiComponent['type'], string> = {
  N: 'a digit',
  X: 'a GS1 CSET 82 character',
  Y: 'a CSET 39 character',
  Z: 'a base64url character',
};

/** First 97 primes: weights of the alphanumeric check pair (GenSpecs 7.9.5). */
const PRIMES: number[] = [];
for (let n = 2; PRIMES.length < 97; n++) if (PRIMES.every((p) => n % p !== 0)) PRIMES.push(n);

/**
 * GS1 check character pair of an alphanumeric key such as the GMN, AI (8013), which the EU uses as
 * Basic UDI-DI (GenSpecs 7.9.5; DICT `lint_csumalpha.c`): each character's CSET 82 value times the
 * primes 2, 3, 5, … counted from the right, sum mod 1021, split into two CSET 32 characters.
 */
export function gmnCheckPair(body: string): string {
  if (body.length > PRIMES.length) throw new RangeError('gmnCheckPair: at most 97 characters');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const v = CSET82.indexOf(body.charAt(i));
    if (v < 0) throw new RangeError(`gmnCheckPair: ${JSON.stringify(body.charAt(i))} is not a CSET 82 character`);
    sum += v * (PRIMES[body.length - 1 - i] ?? 0);
  }
  sum %= 1021;
  return CSET32.charAt(sum >> 5) + CSET32.charAt(sum & 31);
}

/** True when the last two characters are the valid check pair of the rest (a GMN / Basic UDI-DI). */
export function isValidGmn(gmn: string): boolean {
  if (gmn.length < 2 || gmn.length > 25) return false;
  for (let i = 0; i < gmn.length; i++) if (!((CHARSET[gmn.charCodeAt(i)] ?? 0) & 1)) return false;
  try {
    return gmnCheckPair(gmn.slice(0, -2)) === gmn.slice(-2);
  } catch {
    return false;
  }
}

const HEALTHCARE_DAY00_NOTE =
  'day 00 (last day of the month) is no longer allowed on regulated healthcare products since 2025-01-01 (GSCN 21-040)';

interface Ctx {
  referenceYear: number;
  warnings: string[];
  /** ISO dates of (17), (11) and (7003) decoded while validating (first occurrence). */
  dates: DecodedDates;
}

interface DecodedDates {
  d17: string | null;
  d11: string | null;
  d7003: string | null;
}

/**
 * Maps an index inside a value to the original input position: `start + k` when the value is a
 * plain slice of the text, else `at[k]` (HRI values with escapes); indexes from `len` on map to `end`.
 */
interface PosMap {
  t: MappedText;
  start: number;
  at: readonly number[] | null;
  len: number;
  end: number;
}

function posAt(m: PosMap, k: number): number {
  if (k >= m.len) return m.t.orig(m.end);
  return m.t.orig(m.at === null ? m.start + k : (m.at[k] ?? m.end));
}

function num2(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

function checkCharset(type: AiComponent['type'], part: string, ai: string, m: PosMap, offset: number): void {
  const bit = TYPE_BIT[type];
  for (let k = 0; k < part.length; k++) {
    const code = part.charCodeAt(k);
    if (code < 128 && ((CHARSET[code] ?? 0) & bit) !== 0) continue;
    throw new UdiFailure('GS1_INVALID_CHARACTER', `AI (${ai}): ${JSON.stringify(part.charAt(k))} is not ${TYPE_NAME[type]}`, posAt(m, offset + k));
  }
}

/** Decodes YYMMDD at part[0..6); returns the ISO date. Throws GS1_INVALID_DATE pointing at the bad month or day. */
function decodeDate(ai: string, part: string, allowDay00: boolean, m: PosMap, offset: number, ctx: Ctx): string {
  const yy = num2(part, 0);
  const mm = num2(part, 2);
  const dd = num2(part, 4);
  if (mm < 1 || mm > 12) {
    throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): month ${part.slice(2, 4)} does not exist`, posAt(m, offset + 2));
  }
  const year = gs1FullYear(yy, ctx.referenceYear);
  const dim = daysInMonth(year, mm);
  if (dd === 0) {
    if (!allowDay00) {
      throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): day 00 is not allowed for this AI`, posAt(m, offset + 4));
    }
    ctx.warnings.push(`GS1_DAY_00: AI (${ai}) ${part.slice(0, 6)} read as ${isoDate(year, mm, dim)}; ${HEALTHCARE_DAY00_NOTE}`);
    return isoDate(year, mm, dim);
  }
  if (dd > dim) {
    throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): ${isoDate(year, mm, 1).slice(0, 7)} has no day ${part.slice(4, 6)}`, posAt(m, offset + 4));
  }
  return isoDate(year, mm, dd);
}

function invalidValue(ai: string, message: string, at: number): never {
  throw new UdiFailure('GS1_INVALID_VALUE', `AI (${ai}): ${message}`, at);
}

function timeCheck(ai: string, part: string, m: PosMap, off: number, withMinutes: boolean): void {
  if (num2(part, 0) > 23) throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): hour ${part.slice(0, 2)} does not exist`, posAt(m, off));
  if (withMinutes && num2(part, 2) > 59) {
    throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): minute ${part.slice(2, 4)} does not exist`, posAt(m, off + 2));
  }
}

/** Runs one linter over a component value (charset already checked). */
function lint(linter: string, ai: string, part: string, m: PosMap, off: number, ctx: Ctx): void {
  switch (linter) {
    case 'csum': {
      const expected = mod10(part, 0, part.length - 1);
      if (part.charCodeAt(part.length - 1) - 48 !== expected) {
        throw new UdiFailure('GS1_CHECK_DIGIT', `AI (${ai}) ${part}: check digit should be ${expected}`, posAt(m, off + part.length - 1));
      }
      return;
    }
    case 'csumalpha': {
      if (part.length < 2) {
        throw new UdiFailure('GS1_TRUNCATED', `AI (${ai}) needs at least the two check characters`, posAt(m, off + part.length));
      }
      for (let k = part.length - 2; k < part.length; k++) {
        if (!CSET32.includes(part.charAt(k))) {
          throw new UdiFailure('GS1_INVALID_CHARACTER', `AI (${ai}): check character ${JSON.stringify(part.charAt(k))} is not in CSET 32`, posAt(m, off + k));
        }
      }
      const expected = gmnCheckPair(part.slice(0, -2));
      if (part.slice(-2) !== expected) {
        throw new UdiFailure('GS1_CHECK_DIGIT', `AI (${ai}) ${part}: check character pair should be ${expected}`, posAt(m, off + part.length - 2));
      }
      return;
    }
    case 'yymmd0':
    case 'yymmdd': {
      const iso = decodeDate(ai, part, linter === 'yymmd0', m, off, ctx);
      if (off === 0) {
        const d = ctx.dates;
        if (ai === '17') d.d17 ??= iso;
        else if (ai === '11') d.d11 ??= iso;
        else if (ai === '7003') d.d7003 ??= iso;
      }
      return;
    }
    case 'yymmddhh':
      decodeDate(ai, part, false, m, off, ctx);
      timeCheck(ai, part.slice(6), m, off + 6, false);
      return;
    case 'hhmm':
    case 'hhmi':
      timeCheck(ai, part, m, off, true);
      return;
    case 'mmoptss':
      if (part.length !== 2 && part.length !== 4) invalidValue(ai, 'minutes and optional seconds need 2 or 4 digits', posAt(m, off));
      if (num2(part, 0) > 59) throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): minute ${part.slice(0, 2)} does not exist`, posAt(m, off));
      if (part.length === 4 && num2(part, 2) > 59) {
        throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): second ${part.slice(2, 4)} does not exist`, posAt(m, off + 2));
      }
      return;
    case 'nonzero':
      if (/^0+$/.test(part)) invalidValue(ai, 'must not be zero', posAt(m, off));
      return;
    case 'zero':
      if (part !== '0') invalidValue(ai, 'must be 0', posAt(m, off));
      return;
    case 'winding':
      if (part !== '0' && part !== '1' && part !== '9') invalidValue(ai, 'winding direction must be 0, 1 or 9', posAt(m, off));
      return;
    case 'yesno':
      if (part !== '0' && part !== '1') invalidValue(ai, 'must be 0 or 1', posAt(m, off));
      return;
    case 'hyphen':
      if (part !== '-') invalidValue(ai, 'must be "-"', posAt(m, off));
      return;
    case 'nozeroprefix':
      if (part.length > 1 && part.charCodeAt(0) === 48) invalidValue(ai, 'must not start with 0', posAt(m, off));
      return;
    case 'pieceoftotal': {
      const piece = num2(part, 0);
      const total = num2(part, 2);
      if (piece === 0) invalidValue(ai, 'piece number must not be 00', posAt(m, off));
      if (total === 0) invalidValue(ai, 'total number of pieces must not be 00', posAt(m, off + 2));
      if (piece > total) invalidValue(ai, `piece ${piece} of ${total} does not exist`, posAt(m, off));
      return;
    }
    default:
      // iso3166*, iso4217, pcenc, iban, latitude/longitude, importeridx, mediatype, coupon*:
      // format-checked only (gs1-ais.ts).
      return;
  }
}

/**
 * Validates one element value against its definition: length, character set, linters.
 * `raw` is true for the AIDC form (a too-long fixed-length value then means a missing GS).
 */
function validateValue(def: AiDefinition, value: string, m: PosMap, raw: boolean, ctx: Ctx): void {
  const ai = def.ai;
  if (value.length === 0) {
    throw new UdiFailure('GS1_EMPTY_VALUE', `AI (${ai}) has no data`, posAt(m, 0));
  }
  if (value.length > def.maxLength) {
    if (raw) {
      // A foreign separator (keyboard-wedge scanners) makes the value run on: name that character
      // when it belongs to no GS1 character set at all.
      for (let k = 0; k < value.length; k++) {
        const code = value.charCodeAt(k);
        if (code < 128 && (CHARSET[code] ?? 0) !== 0) continue;
        throw new UdiFailure(
          'GS1_INVALID_CHARACTER',
          `AI (${ai}): ${JSON.stringify(value.charAt(k))} is not a GS1 character (a separator that was not configured?)`,
          posAt(m, k),
        );
      }
    }
    const fixed = def.minLength === def.maxLength;
    if (raw && fixed) {
      throw new UdiFailure(
        'GS1_MISSING_SEPARATOR',
        `AI (${ai}) has exactly ${def.maxLength} characters and must be followed by a GS separator`,
        posAt(m, def.maxLength),
      );
    }
    throw new UdiFailure(
      'GS1_VALUE_TOO_LONG',
      `AI (${ai}) allows at most ${def.maxLength} characters, got ${value.length}` + (raw ? ' (missing GS separator?)' : ''),
      posAt(m, def.maxLength),
    );
  }
  let off = 0;
  for (const c of def.components) {
    const remaining = value.length - off;
    if (remaining === 0 && c.optional) break;
    if (remaining < c.min) {
      throw new UdiFailure(
        'GS1_TRUNCATED',
        `AI (${ai}) needs ${def.minLength === def.maxLength ? 'exactly' : 'at least'} ${def.minLength} characters, got ${value.length}`,
        posAt(m, value.length),
      );
    }
    const take = remaining < c.max ? remaining : c.max;
    const part = off === 0 && take === value.length ? value : value.slice(off, off + take);
    checkCharset(c.type, part, ai, m, off);
    for (const linter of c.linters) lint(linter, ai, part, m, off, ctx);
    off += take;
  }
}

function definitionAt(t: MappedText, i: number): AiDefinition {
  const text = t.text;
  if (i + 2 > text.length) {
    throw new UdiFailure('GS1_TRUNCATED', 'data ends inside an Application Identifier', t.orig(text.length));
  }
  const len = aiLengthForPrefix(text.slice(i, i + 2));
  if (len === null) {
    throw new UdiFailure('GS1_UNKNOWN_AI', `no Application Identifier starts with ${JSON.stringify(text.slice(i, i + 2))}`, t.orig(i));
  }
  if (i + len > text.length) {
    throw new UdiFailure('GS1_TRUNCATED', 'data ends inside an Application Identifier', t.orig(text.length));
  }
  const def = lookupAiAt(text, i, len);
  if (!def) throw new UdiFailure('GS1_UNKNOWN_AI', `unknown Application Identifier ${JSON.stringify(text.slice(i, i + len))}`, t.orig(i));
  return def;
}

function newCtx(referenceDate: Date): Ctx {
  return { referenceYear: referenceDate.getUTCFullYear(), warnings: [], dates: { d17: null, d11: null, d7003: null } };
}

/** Raw (AIDC) element string: GS-separated, predefined-length AIs need no separator. */
export function parseGs1ElementString(t: MappedText, separators: readonly string[], referenceDate: Date): UdiResult {
  for (const sep of separators) t = t.replaceAll(sep, GS);
  const ctx = newCtx(referenceDate);
  const elements: UdiElement[] = [];
  const defs: AiDefinition[] = [];
  const text = t.text;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) === 29) {
      i++; // redundant separator (double GS, GS after a predefined-length AI, trailing GS)
      continue;
    }
    const def = definitionAt(t, i);
    const ai = def.ai;
    const valueStart = i + ai.length;
    let end: number;
    if (def.predefined) {
      end = valueStart + def.maxLength;
      const gsAt = text.indexOf(GS, valueStart);
      if (end > n || (gsAt !== -1 && gsAt < end)) {
        const at = gsAt !== -1 && gsAt < end ? gsAt : n;
        throw new UdiFailure('GS1_TRUNCATED', `AI (${ai}) needs exactly ${def.maxLength} characters, got ${at - valueStart}`, t.orig(at));
      }
    } else {
      const gsAt = text.indexOf(GS, valueStart);
      end = gsAt === -1 ? n : gsAt;
    }
    const value = text.slice(valueStart, end);
    validateValue(def, value, { t, start: valueStart, at: null, len: value.length, end }, true, ctx);
    if (!def.predefined && value.length === def.maxLength && def.minLength !== def.maxLength) {
      let k = end;
      while (k < n && text.charCodeAt(k) === 29) k++;
      if (k < n) {
        ctx.warnings.push(
          `GS1_AT_MAX_LENGTH: AI (${ai}) is exactly at its maximum of ${def.maxLength} characters and more data follows; check for a lost GS separator`,
        );
      }
    }
    elements.push({ id: ai, value, position: t.orig(i) });
    defs.push(def);
    i = end;
  }
  if (elements.length === 0) throw new UdiFailure('UDI_EMPTY', 'no GS1 element strings found', t.orig(0));
  return finish(elements, defs, ctx);
}

/** `(` + 1–4 digits + `)` at text[j]; returns the index after `)` or -1. */
function hriAiAt(text: string, j: number): number {
  if (text.charCodeAt(j) !== 40) return -1;
  let k = j + 1;
  while (k < text.length && k - j <= 5) {
    const c = text.charCodeAt(k);
    if (c === 41) return k - j >= 2 ? k + 1 : -1;
    if (c < 48 || c > 57) return -1;
    k++;
  }
  return -1;
}

/** Human-readable form `(01)…(17)…`; `\(` is a literal parenthesis inside data. */
export function parseGs1Hri(t: MappedText, referenceDate: Date): UdiResult {
  const ctx = newCtx(referenceDate);
  const elements: UdiElement[] = [];
  const defs: AiDefinition[] = [];
  const text = t.text;
  let spaces = false;
  let i = 0;
  while (i < text.length) {
    const close = hriAiAt(text, i);
    if (close === -1) {
      throw new UdiFailure('GS1_BAD_HRI', 'expected "(" + Application Identifier + ")"', t.orig(i));
    }
    const aiLen = close - i - 2;
    const expectedLen = aiLen >= 2 ? aiLengthForPrefix(text.slice(i + 1, i + 3)) : null;
    const fast = expectedLen === aiLen ? lookupAiAt(text, i + 1, aiLen) : undefined;
    const ai = fast ? fast.ai : text.slice(i + 1, close - 1);
    if (ai.length < 2 || (expectedLen !== null && expectedLen !== ai.length)) {
      throw new UdiFailure(
        'GS1_BAD_HRI',
        `(${ai}) is not an Application Identifier${expectedLen !== null ? ` (AIs starting with ${ai.slice(0, 2)} have ${expectedLen} digits)` : ''}`,
        t.orig(i + 1),
      );
    }
    const def = fast ?? (expectedLen === null ? undefined : lookupAi(ai));
    if (!def) throw new UdiFailure('GS1_UNKNOWN_AI', `unknown Application Identifier (${ai})`, t.orig(i + 1));
    let j = close;
    while (text.charCodeAt(j) === 32) {
      j++;
      spaces = true;
    }
    const j0 = j;
    let value: string;
    let at: number[] | null = null;
    if (text.indexOf('\\(', j) === -1) {
      // Fast path: no escaped parentheses ahead.
      let next = text.indexOf('(', j);
      while (next !== -1 && hriAiAt(text, next) === -1) next = text.indexOf('(', next + 1);
      j = next === -1 ? text.length : next;
      value = text.slice(j0, j);
    } else {
      value = '';
      at = [];
      while (j < text.length) {
        if (text.charCodeAt(j) === 92 && text.charCodeAt(j + 1) === 40) {
          value += '(';
          at.push(j + 1);
          j += 2;
          continue;
        }
        if (hriAiAt(text, j) !== -1) break;
        value += text[j];
        at.push(j);
        j++;
      }
    }
    let trimmedLen = value.length;
    while (trimmedLen > 0 && value.charCodeAt(trimmedLen - 1) === 32) trimmedLen--;
    if (trimmedLen !== value.length) {
      spaces = true;
      value = value.slice(0, trimmedLen);
    }
    const end = at !== null ? (at[value.length] ?? j) : j0 + value.length;
    validateValue(def, value, { t, start: j0, at, len: value.length, end }, false, ctx);
    elements.push({ id: def.ai, value, position: t.orig(i) });
    defs.push(def);
    i = j;
  }
  if (spaces) ctx.warnings.push('GS1_HRI_SPACES: spaces around Application Identifiers were ignored');
  return finish(elements, defs, ctx);
}

/**
 * A GTIN without AI: EAN/UPC/ITF-14 symbols, or digits typed as DI only (HL7 PRT-10). With a
 * symbology identifier the length is that of the symbol (ISO/IEC 15424): `]E0` EAN-13 (UPC-A and
 * UPC-E are transmitted as 13 digits), `]E4` EAN-8, `]I1` ITF-14.
 */
export function parseBareGtin(t: MappedText, symbologyId: string | null = null): UdiResult {
  const gtin = t.text;
  for (let k = 0; k < gtin.length; k++) {
    const c = gtin.charCodeAt(k);
    if (c < 48 || c > 57) {
      throw new UdiFailure('GS1_INVALID_CHARACTER', `GTIN: ${JSON.stringify(gtin.charAt(k))} is not a digit`, t.orig(k));
    }
  }
  const required = symbologyId === ']E0' ? 13 : symbologyId === ']E4' ? 8 : symbologyId === ']I1' ? 14 : 0;
  if (required !== 0 && gtin.length !== required) {
    throw new UdiFailure(
      gtin.length < required ? 'GS1_TRUNCATED' : 'GS1_VALUE_TOO_LONG',
      `symbology ${symbologyId} carries ${required} digits, got ${gtin.length}`,
      t.orig(Math.min(gtin.length, required)),
    );
  }
  if (gtin.length !== 8 && gtin.length !== 12 && gtin.length !== 13 && gtin.length !== 14) {
    throw new UdiFailure(
      gtin.length < 14 ? 'GS1_TRUNCATED' : 'GS1_VALUE_TOO_LONG',
      `a GTIN has 8, 12, 13 or 14 digits, got ${gtin.length}`,
      t.orig(Math.min(gtin.length, 14)),
    );
  }
  const expected = mod10(gtin, 0, gtin.length - 1);
  if (gtin.charCodeAt(gtin.length - 1) - 48 !== expected) {
    throw new UdiFailure('GS1_CHECK_DIGIT', `GTIN ${gtin}: check digit should be ${expected}`, t.orig(gtin.length - 1));
  }
  const gtin14 = gtin.padStart(14, '0');
  return finish([{ id: '01', value: gtin14, position: t.orig(0) }], [lookupAi('01')!], {
    referenceYear: 0,
    warnings: [`GS1_BARE_GTIN: ${gtin.length}-digit GTIN without AI (01) read as DI ${gtin14}`],
    dates: { d17: null, d11: null, d7003: null },
  });
}

/** Duplicates, pairing within this carrier, and the mapping to UDI fields. */
function finish(elements: UdiElement[], defs: readonly AiDefinition[], ctx: Ctx): UdiResult {
  let hasDi = false;
  for (let a = 0; a < elements.length; a++) {
    const e = elements[a]!;
    if (e.id === '01') hasDi = true;
    for (let b = 0; b < a; b++) {
      const prev = elements[b]!;
      if (prev.id !== e.id) continue;
      if (prev.value !== e.value) {
        throw new UdiFailure('GS1_DUPLICATE_AI', `AI (${e.id}) occurs twice with different values`, e.position);
      }
      ctx.warnings.push(`GS1_REPEATED_AI: AI (${e.id}) occurs twice with the same value`);
      break;
    }
  }
  if (pairingFastOk(defs)) return gs1Result(elements, ctx.warnings, ctx.referenceYear, ctx.dates);
  for (const v of pairingViolations(elements.map((e) => e.id))) {
    if (v.kind === 'ex') {
      const at = elements.find((e) => e.id === v.ai)?.position ?? 0;
      throw new UdiFailure('GS1_INVALID_PAIRING', v.message, at);
    }
    // A label may be split over two carriers: only flag missing partners when this carrier has
    // the DI; over a scan session (parseUdiGroup) they are errors.
    if (hasDi) ctx.warnings.push(`GS1_PAIRING: ${v.message}`);
  }
  return gs1Result(elements, ctx.warnings, ctx.referenceYear, ctx.dates);
}

const NO_POS: PosMap = { t: MappedText.of(''), start: 0, at: null, len: 0, end: 0 };

function fieldDate(ai: string, raw: string | null, day00: boolean, known: string | null, referenceYear: number): string | null {
  if (raw === null) return null;
  if (known !== null) return known;
  return decodeDate(ai, raw, day00, NO_POS, 0, { referenceYear, warnings: [], dates: { d17: null, d11: null, d7003: null } });
}

/** Maps GS1 elements to the UDI fields (also used when combining carriers). */
export function gs1Result(elements: UdiElement[], warnings: string[], referenceYear: number, dates: DecodedDates | null = null): UdiResult {
  let udiDi: string | null = null;
  let lot: string | null = null;
  let serial: string | null = null;
  let e17: string | null = null;
  let e7003: string | null = null;
  let e11: string | null = null;
  let version = false;
  for (const e of elements) {
    switch (e.id) {
      case '01':
        udiDi ??= e.value;
        break;
      case '10':
        lot ??= e.value;
        break;
      case '21':
        serial ??= e.value;
        break;
      case '17':
        e17 ??= e.value;
        break;
      case '7003':
        e7003 ??= e.value;
        break;
      case '11':
        e11 ??= e.value;
        break;
      case '8012':
        version = true;
        break;
    }
  }
  return makeResult(
    'GS1',
    {
      udiDi,
      lot,
      serial,
      expiryDate:
        e17 !== null
          ? fieldDate('17', e17, true, dates?.d17 ?? null, referenceYear)
          : fieldDate('7003', e7003, false, dates?.d7003 ?? null, referenceYear),
      manufactureDate: fieldDate('11', e11, true, dates?.d11 ?? null, referenceYear),
    },
    elements,
    warnings,
    version,
  );
}
