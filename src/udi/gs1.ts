/**
 * GS1 element strings: raw/AIDC form (`01…17…10…<GS>21…`), human-readable form (`(01)…(17)…`)
 * and bare GTINs. Rules: shared/reference/udi-parsing.md §2.
 */
import { aiLengthForPrefix, lookupAi, pairingViolations, type AiComponent, type AiDefinition } from './gs1-ais.js';
import { daysInMonth, gs1FullYear, isDigits, isoDate } from './dates.js';
import { GS, type MappedText } from './source.js';
import { UdiFailure, makeResult, type UdiElement, type UdiResult } from './types.js';

/**
 * GS1 mod-10 check digit of `body` (the digits without the check digit): weights 3, 1, 3, …
 * from the right; check = (10 − sum mod 10) mod 10. Same for GTIN, GLN, SSCC, GDTI.
 */
export function gtinCheckDigit(body: string): number {
  if (!isDigits(body)) throw new RangeError('gtinCheckDigit: body must be digits');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** GTIN-8, -12, -13 or -14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  if (!isDigits(gtin) || ![8, 12, 13, 14].includes(gtin.length)) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === Number(gtin[gtin.length - 1]);
}

const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]$/;
const CSET39 = /^[#\-/0-9A-Z]$/;
const CSET64 = /^[A-Za-z0-9\-_=]$/;
/** AIs whose dates may use day 00 (= last day of the month): DICT `yymmd0`. */
const HEALTHCARE_DAY00_NOTE =
  'day 00 (last day of the month) is no longer allowed on regulated healthcare products since 2025-01-01 (GSCN 21-040)';

interface Ctx {
  referenceYear: number;
  warnings: string[];
}

/** Maps an index inside a value to the original input position. */
type PosOf = (k: number) => number;

function checkCharset(type: AiComponent['type'], part: string, ai: string, posOf: PosOf, offset: number): void {
  for (let k = 0; k < part.length; k++) {
    const ch = part.charAt(k);
    const ok =
      type === 'N' ? ch >= '0' && ch <= '9' : type === 'X' ? CSET82.test(ch) : type === 'Y' ? CSET39.test(ch) : CSET64.test(ch);
    if (!ok) {
      const shown = JSON.stringify(ch);
      const what = type === 'N' ? 'a digit' : type === 'X' ? 'a GS1 CSET 82 character' : type === 'Y' ? 'a CSET 39 character' : 'a base64url character';
      throw new UdiFailure('GS1_INVALID_CHARACTER', `AI (${ai}): ${shown} is not ${what}`, posOf(offset + k));
    }
  }
}

/** Decodes YYMMDD; returns ISO date. Throws GS1_INVALID_DATE pointing at the bad month or day. */
function decodeDate(ai: string, part: string, allowDay00: boolean, posOf: PosOf, offset: number, ctx: Ctx): string {
  const yy = Number(part.slice(0, 2));
  const mm = Number(part.slice(2, 4));
  const dd = Number(part.slice(4, 6));
  if (mm < 1 || mm > 12) {
    throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): month ${part.slice(2, 4)} does not exist`, posOf(offset + 2));
  }
  const year = gs1FullYear(yy, ctx.referenceYear);
  const dim = daysInMonth(year, mm);
  if (dd === 0) {
    if (!allowDay00) {
      throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): day 00 is not allowed for this AI`, posOf(offset + 4));
    }
    ctx.warnings.push(`GS1_DAY_00: AI (${ai}) ${part} read as ${isoDate(year, mm, dim)}; ${HEALTHCARE_DAY00_NOTE}`);
    return isoDate(year, mm, dim);
  }
  if (dd > dim) {
    throw new UdiFailure('GS1_INVALID_DATE', `AI (${ai}): ${isoDate(year, mm, 1).slice(0, 7)} has no day ${part.slice(4, 6)}`, posOf(offset + 4));
  }
  return isoDate(year, mm, dd);
}

/**
 * Validates one element value against its definition: length, character set, linters.
 * `raw` is true for the AIDC form (a too-long fixed-length value then means a missing GS).
 */
function validateValue(def: AiDefinition, value: string, posOf: PosOf, raw: boolean, ctx: Ctx): void {
  const ai = def.ai;
  if (value.length === 0) {
    throw new UdiFailure('GS1_EMPTY_VALUE', `AI (${ai}) has no data`, posOf(0));
  }
  if (value.length > def.maxLength) {
    const fixed = def.minLength === def.maxLength;
    if (raw && fixed) {
      throw new UdiFailure(
        'GS1_MISSING_SEPARATOR',
        `AI (${ai}) has exactly ${def.maxLength} characters and must be followed by a GS separator`,
        posOf(def.maxLength),
      );
    }
    throw new UdiFailure(
      'GS1_VALUE_TOO_LONG',
      `AI (${ai}) allows at most ${def.maxLength} characters, got ${value.length}` +
        (raw ? ' (missing GS separator?)' : ''),
      posOf(def.maxLength),
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
        posOf(value.length),
      );
    }
    const part = value.slice(off, off + Math.min(remaining, c.max));
    checkCharset(c.type, part, ai, posOf, off);
    for (const linter of c.linters) {
      if (linter === 'csum') {
        const expected = gtinCheckDigit(part.slice(0, -1));
        if (Number(part[part.length - 1]) !== expected) {
          throw new UdiFailure(
            'GS1_CHECK_DIGIT',
            `AI (${ai}) ${part}: check digit should be ${expected}`,
            posOf(off + part.length - 1),
          );
        }
      } else if (linter === 'yymmd0' || linter === 'yymmdd') {
        decodeDate(ai, part, linter === 'yymmd0', posOf, off, ctx);
      } else if (linter === 'hhmi' || linter === 'hhmm') {
        if (Number(part.slice(0, 2)) > 23) {
          throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): hour ${part.slice(0, 2)} does not exist`, posOf(off));
        }
        if (Number(part.slice(2, 4)) > 59) {
          throw new UdiFailure('GS1_INVALID_TIME', `AI (${ai}): minute ${part.slice(2, 4)} does not exist`, posOf(off + 2));
        }
      }
    }
    off += part.length;
  }
}

function definitionAt(t: MappedText, i: number): { ai: string; def: AiDefinition } {
  const prefix = t.text.slice(i, i + 2);
  if (prefix.length < 2) {
    throw new UdiFailure('GS1_TRUNCATED', 'data ends inside an Application Identifier', t.orig(t.length));
  }
  const len = aiLengthForPrefix(prefix);
  if (len === null) {
    throw new UdiFailure('GS1_UNKNOWN_AI', `no Application Identifier starts with ${JSON.stringify(prefix)}`, t.orig(i));
  }
  const ai = t.text.slice(i, i + len);
  if (ai.length < len) {
    throw new UdiFailure('GS1_TRUNCATED', 'data ends inside an Application Identifier', t.orig(t.length));
  }
  const def = isDigits(ai) ? lookupAi(ai) : undefined;
  if (!def) throw new UdiFailure('GS1_UNKNOWN_AI', `unknown Application Identifier ${JSON.stringify(ai)}`, t.orig(i));
  return { ai, def };
}

/** Raw (AIDC) element string: GS-separated, predefined-length AIs need no separator. */
export function parseGs1ElementString(t: MappedText, separators: readonly string[], referenceDate: Date): UdiResult {
  for (const sep of separators) t = t.replaceAll(sep, GS);
  const ctx: Ctx = { referenceYear: referenceDate.getUTCFullYear(), warnings: [] };
  const elements: UdiElement[] = [];
  let i = 0;
  while (i < t.length) {
    if (t.text[i] === GS) {
      i++; // redundant separator (double GS, GS after a predefined-length AI, trailing GS)
      continue;
    }
    const { ai, def } = definitionAt(t, i);
    const valueStart = i + ai.length;
    let end: number;
    if (def.predefined) {
      end = valueStart + def.maxLength;
      const gsAt = t.text.indexOf(GS, valueStart);
      if (end > t.length || (gsAt !== -1 && gsAt < end)) {
        const at = gsAt !== -1 && gsAt < end ? gsAt : t.length;
        throw new UdiFailure(
          'GS1_TRUNCATED',
          `AI (${ai}) needs exactly ${def.maxLength} characters, got ${at - valueStart}`,
          t.orig(at),
        );
      }
    } else {
      const gsAt = t.text.indexOf(GS, valueStart);
      end = gsAt === -1 ? t.length : gsAt;
    }
    const value = t.text.slice(valueStart, end);
    validateValue(def, value, (k) => t.orig(valueStart + k), true, ctx);
    const moreFollows = t.text.slice(end).replaceAll(GS, '').length > 0;
    if (!def.predefined && def.minLength !== def.maxLength && value.length === def.maxLength && moreFollows) {
      ctx.warnings.push(
        `GS1_AT_MAX_LENGTH: AI (${ai}) is exactly at its maximum of ${def.maxLength} characters and more data follows; check for a lost GS separator`,
      );
    }
    elements.push({ id: ai, value, position: t.orig(i) });
    i = end;
  }
  if (elements.length === 0) throw new UdiFailure('UDI_EMPTY', 'no GS1 element strings found', t.orig(0));
  return finish(elements, ctx);
}

const HRI_AI = /^\((\d{1,4})\)/;

/** Human-readable form `(01)…(17)…`; `\(` is a literal parenthesis inside data. */
export function parseGs1Hri(t: MappedText, referenceDate: Date): UdiResult {
  const ctx: Ctx = { referenceYear: referenceDate.getUTCFullYear(), warnings: [] };
  const elements: UdiElement[] = [];
  const text = t.text;
  let spaces = false;
  let i = 0;
  while (i < text.length) {
    const m = HRI_AI.exec(text.slice(i));
    if (!m || m[1] === undefined) {
      throw new UdiFailure('GS1_BAD_HRI', 'expected "(" + Application Identifier + ")"', t.orig(i));
    }
    const ai = m[1];
    const expectedLen = aiLengthForPrefix(ai.slice(0, 2));
    if (ai.length < 2 || (expectedLen !== null && expectedLen !== ai.length)) {
      throw new UdiFailure(
        'GS1_BAD_HRI',
        `(${ai}) is not an Application Identifier${expectedLen !== null ? ` (AIs starting with ${ai.slice(0, 2)} have ${expectedLen} digits)` : ''}`,
        t.orig(i + 1),
      );
    }
    const def = expectedLen === null ? undefined : lookupAi(ai);
    if (!def) throw new UdiFailure('GS1_UNKNOWN_AI', `unknown Application Identifier (${ai})`, t.orig(i + 1));
    let j = i + m[0].length;
    while (text[j] === ' ') {
      j++;
      spaces = true;
    }
    let value = '';
    const at: number[] = [];
    while (j < text.length) {
      if (text[j] === '\\' && text[j + 1] === '(') {
        value += '(';
        at.push(j + 1);
        j += 2;
        continue;
      }
      if (text[j] === '(' && /^\(\d{1,4}\)/.test(text.slice(j))) break;
      value += text[j];
      at.push(j);
      j++;
    }
    const trimmed = value.replace(/ +$/, '');
    if (trimmed.length !== value.length) spaces = true;
    const end = at[trimmed.length] ?? j;
    value = trimmed;
    validateValue(def, value, (k) => t.orig(k < value.length ? (at[k] ?? end) : end), false, ctx);
    elements.push({ id: ai, value, position: t.orig(i) });
    i = j;
  }
  if (spaces) ctx.warnings.push('GS1_HRI_SPACES: spaces around Application Identifiers were ignored');
  return finish(elements, ctx);
}

/** A GTIN without AI: EAN/UPC/ITF-14 symbols, or digits typed as DI only (HL7 PRT-10). */
export function parseBareGtin(t: MappedText): UdiResult {
  const gtin = t.text;
  for (let k = 0; k < gtin.length; k++) {
    const ch = gtin.charAt(k);
    if (ch < '0' || ch > '9') {
      throw new UdiFailure('GS1_INVALID_CHARACTER', `GTIN: ${JSON.stringify(ch)} is not a digit`, t.orig(k));
    }
  }
  if (![8, 12, 13, 14].includes(gtin.length)) {
    throw new UdiFailure('GS1_TRUNCATED', `a GTIN has 8, 12, 13 or 14 digits, got ${gtin.length}`, t.orig(gtin.length));
  }
  const expected = gtinCheckDigit(gtin.slice(0, -1));
  if (Number(gtin[gtin.length - 1]) !== expected) {
    throw new UdiFailure('GS1_CHECK_DIGIT', `GTIN ${gtin}: check digit should be ${expected}`, t.orig(gtin.length - 1));
  }
  const gtin14 = gtin.padStart(14, '0');
  return finish([{ id: '01', value: gtin14, position: t.orig(0) }], {
    referenceYear: 0,
    warnings: [`GS1_BARE_GTIN: ${gtin.length}-digit GTIN without AI (01) read as DI ${gtin14}`],
  });
}

/** Duplicates, pairing within this carrier, and the mapping to UDI fields. */
function finish(elements: UdiElement[], ctx: Ctx): UdiResult {
  const seen = new Map<string, string>();
  for (const e of elements) {
    const prev = seen.get(e.id);
    if (prev !== undefined && prev !== e.value) {
      throw new UdiFailure('GS1_DUPLICATE_AI', `AI (${e.id}) occurs twice with different values`, e.position);
    }
    if (prev !== undefined) ctx.warnings.push(`GS1_REPEATED_AI: AI (${e.id}) occurs twice with the same value`);
    seen.set(e.id, e.value);
  }
  const ais = elements.map((e) => e.id);
  for (const v of pairingViolations(ais)) {
    if (v.kind === 'ex') {
      const at = elements.find((e) => e.id === v.ai)?.position ?? 0;
      throw new UdiFailure('GS1_INVALID_PAIRING', v.message, at);
    }
    // A label may be split over two carriers: only flag missing partners when this carrier has the DI.
    if (seen.has('01')) ctx.warnings.push(`GS1_PAIRING: ${v.message}`);
  }
  return gs1Result(elements, ctx.warnings, ctx.referenceYear);
}

/** Maps GS1 elements to the UDI fields (also used when combining carriers). */
export function gs1Result(elements: UdiElement[], warnings: string[], referenceYear: number): UdiResult {
  const get = (ai: string): string | null => elements.find((e) => e.id === ai)?.value ?? null;
  const noWarnings: Ctx = { referenceYear, warnings: [] };
  const date = (ai: string, raw: string | null, day00: boolean): string | null =>
    raw === null ? null : decodeDate(ai, raw.slice(0, 6), day00, () => 0, 0, noWarnings);
  const expiry17 = get('17');
  const expiry7003 = get('7003');
  return makeResult(
    'GS1',
    {
      udiDi: get('01'),
      lot: get('10'),
      serial: get('21'),
      expiryDate: expiry17 !== null ? date('17', expiry17, true) : date('7003', expiry7003, false),
      manufactureDate: date('11', get('11'), true),
    },
    elements,
    warnings,
    get('8012') !== null,
  );
}
