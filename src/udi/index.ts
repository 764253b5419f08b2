/**
 * UDI parser for GS1, HIBCC and ICCBBA carriers. Pure and dependency-free: no I/O, no imports
 * from outside src/udi. Rules and design decisions: shared/reference/udi-parsing.md.
 */
import { gs1Result, parseBareGtin, parseGs1ElementString, parseGs1Hri } from './gs1.js';
import { pairingViolations } from './gs1-ais.js';
import { hibcCheckCharacter, parseHibc } from './hibc.js';
import { parseIsbt } from './isbt.js';
import { GS1_BARE_GTIN_IDS, GS1_ELEMENT_STRING_IDS, normalise } from './source.js';
import { UdiFailure, makeResult, type UdiError, type UdiParse, type UdiParseOptions, type UdiResult } from './types.js';

export type { UdiElement, UdiError, UdiErrorCode, UdiIssuer, UdiParse, UdiParseOptions, UdiResult, UdiWarningCode } from './types.js';
export { UDI_ERROR_CODES, UDI_WARNING_CODES } from './types.js';
export { gmnCheckPair, gtinCheckDigit, isValidGmn, isValidGtin } from './gs1.js';
export { hibcCheckCharacter } from './hibc.js';
export { isbtBasicUdiDiChecksum } from './isbt.js';

const NO_SEPARATORS: readonly string[] = [];

function isDigitsOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isDigitalLink(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c !== 104 && c !== 72) return false; // h / H
  // GS1 Digital Link: all-lower or all-upper scheme only (syntax engine scandata.c tests).
  return s.startsWith('http://') || s.startsWith('https://') || s.startsWith('HTTP://') || s.startsWith('HTTPS://');
}

function dispatch(input: string, opts: UdiParseOptions): UdiResult {
  const separators = opts.separators ? opts.separators.filter((s) => s.length > 0) : NO_SEPARATORS;
  const referenceDate = opts.referenceDate ?? new Date();
  const { text: t, symbologyId, leadingSeparatorRemoved } = normalise(input, separators);
  const s = t.text;
  if (s.length === 0) throw new UdiFailure('UDI_EMPTY', 'empty input', t.orig(0));
  const first = s.charCodeAt(0);
  if (isDigitalLink(s)) {
    throw new UdiFailure('UDI_UNSUPPORTED', 'GS1 Digital Link URIs are not supported yet', t.orig(0));
  }
  if (first === 43 /* + */) {
    if (s.charCodeAt(1) === 47 /* / */) {
      throw new UdiFailure('UDI_UNSUPPORTED', 'HIBC Provider Applications Standard data is not a UDI', t.orig(0));
    }
    return parseHibc(t, opts.typed === true);
  }
  if (first === 61 /* = */ || first === 38 /* & */) return parseIsbt(t);
  if (first === 40 /* ( */) return parseGs1Hri(t, referenceDate);
  if (first >= 48 && first <= 57) {
    const gs1Id = symbologyId !== null && GS1_ELEMENT_STRING_IDS.has(symbologyId);
    const bareId = symbologyId !== null && GS1_BARE_GTIN_IDS.has(symbologyId);
    // HL7 PRT-10: digits without AI are a DI only. A PI-only element string of 8/12/13/14 digits
    // therefore needs a GS1 symbology identifier or a leading GS to be read as element string.
    const leadingGs = leadingSeparatorRemoved && symbologyId === null;
    const n = s.length;
    if (bareId || (!gs1Id && !leadingGs && (n === 8 || n === 12 || n === 13 || n === 14) && isDigitsOnly(s))) {
      return parseBareGtin(t, bareId ? symbologyId : null);
    }
    return parseGs1ElementString(t, separators, referenceDate);
  }
  throw new UdiFailure(
    'UDI_UNKNOWN_FORMAT',
    `cannot tell the issuing agency: expected "(" or a digit (GS1), "+" (HIBCC), "=" or "&" (ICCBBA), got ${JSON.stringify(s.charAt(0))}`,
    t.orig(0),
  );
}

/**
 * Parses one scanned or typed UDI carrier. Never throws for bad input; errors carry a stable
 * code and the 0-based position in `input`.
 */
export function parseUdi(input: string, opts: UdiParseOptions = {}): UdiParse {
  try {
    return { ok: true, value: dispatch(input, opts) };
  } catch (e) {
    if (e instanceof UdiFailure) return { ok: false, error: e.toError() };
    throw e;
  }
}

/**
 * Parses all carriers of one device — a scan session: a GS1 label in two parts, HIBC primary and
 * secondary symbols, ISBT 128 structures in separate symbols — and combines them (combineUdi).
 * A single string is a session too: the pairing rules are then checked over that one carrier.
 */
export function parseUdiGroup(inputs: readonly string[], opts: UdiParseOptions = {}): UdiParse {
  const results: UdiResult[] = [];
  for (const [index, input] of inputs.entries()) {
    const r = parseUdi(input, opts);
    if (!r.ok) return { ok: false, error: { ...r.error, input: index } };
    results.push(r.value);
  }
  return combineUdi(results, opts);
}

const FIELDS = ['udiDi', 'lot', 'serial', 'expiryDate', 'manufactureDate'] as const;
const LABELS: Record<(typeof FIELDS)[number], string> = {
  udiDi: 'UDI-DI',
  lot: 'lot',
  serial: 'serial',
  expiryDate: 'expiry date',
  manufactureDate: 'manufacture date',
};

function fail(error: UdiError): UdiParse {
  return { ok: false, error };
}

/**
 * Combines the parsed carriers of one device (a scan session) into one UDI. Element positions
 * stay relative to their own input (`input` in errors says which one).
 * - all carriers must come from one issuing agency, and agree on DI, lot, serial and dates
 *   (`UDI_CONFLICT`); GS1 AIs that repeat must repeat with the same value (`GS1_DUPLICATE_AI`);
 * - GS1 pairing rules are evaluated over the combined AIs, as the Syntax Dictionary requires:
 *   an `ex` clash is always an error; a missing `req` partner is an error once the session holds
 *   the DI (the device's data is then complete), otherwise the result is partial with a warning;
 * - HIBC: every secondary's link character must equal the primary's check character
 *   (`HIBC_LINK_CHARACTER`); without a primary in the session the link stays unverified (warning).
 */
export function combineUdi(results: readonly UdiResult[], opts: UdiParseOptions = {}): UdiParse {
  const [head] = results;
  if (!head) return fail({ code: 'UDI_EMPTY', message: 'nothing to combine', position: 0 });
  const issuer = head.issuer;
  if (results.length === 1 && issuer !== 'GS1' && !(issuer === 'HIBCC' && head.udiDi === null)) return { ok: true, value: head };

  const merged: Record<(typeof FIELDS)[number], string | null> = {
    udiDi: null, lot: null, serial: null, expiryDate: null, manufactureDate: null,
  };
  for (const [index, r] of results.entries()) {
    if (r.issuer !== issuer) {
      return fail({ code: 'UDI_CONFLICT', message: `input ${index + 1} is ${r.issuer}, input 1 is ${issuer}`, position: 0, input: index });
    }
    for (const key of FIELDS) {
      const v = r[key];
      if (v === null) continue;
      if (merged[key] !== null && merged[key] !== v) {
        return fail({ code: 'UDI_CONFLICT', message: `two different ${LABELS[key]}s: ${merged[key]} and ${v} (input ${index + 1})`, position: 0, input: index });
      }
      merged[key] = v;
    }
  }

  const elements = results.flatMap((r) => r.elements);
  let warnings = results.flatMap((r) => r.warnings);

  if (issuer === 'HIBCC') {
    const links = results.flatMap((r, index) => r.elements.filter((e) => e.id === 'LINK').map((e) => ({ e, index })));
    if (merged.udiDi !== null) {
      const expectedLink = hibcCheckCharacter(`+${merged.udiDi}`);
      for (const { e, index } of links) {
        if (e.value !== expectedLink) {
          return fail({
            code: 'HIBC_LINK_CHARACTER',
            message: `link character ${JSON.stringify(e.value)} does not match the primary's check character ${JSON.stringify(expectedLink)}`,
            position: e.position,
            input: index,
          });
        }
      }
    } else if (links.length > 0) {
      warnings.push('HIBC_LINK_UNVERIFIED: no primary symbol in this scan session, so the link character of the secondary could not be checked');
    }
  }

  if (issuer === 'GS1') {
    // Pairing rules apply to all carriers of one item together (Syntax Dictionary).
    warnings = warnings.filter((w) => !w.startsWith('GS1_PAIRING:'));
    const seen = new Map<string, string>();
    for (const [index, r] of results.entries()) {
      for (const e of r.elements) {
        const prev = seen.get(e.id);
        if (prev !== undefined && prev !== e.value) {
          return fail({ code: 'GS1_DUPLICATE_AI', message: `AI (${e.id}) has different values in different carriers`, position: e.position, input: index });
        }
        seen.set(e.id, e.value);
      }
    }
    const where = (ai: string): { index: number; position: number } => {
      const index = results.findIndex((r) => r.elements.some((e) => e.id === ai));
      return { index, position: results[index]?.elements.find((e) => e.id === ai)?.position ?? 0 };
    };
    for (const v of pairingViolations(elements.map((e) => e.id))) {
      if (v.kind === 'ex' || merged.udiDi !== null) {
        const at = where(v.ai);
        const message = v.kind === 'ex' ? v.message : `${v.message}${results.length > 1 ? ' in any carrier of this scan session' : ''}`;
        return fail({ code: 'GS1_INVALID_PAIRING', message, position: at.position, ...(results.length > 1 ? { input: at.index } : {}) });
      }
      warnings.push(`GS1_PAIRING: ${v.message} (scan the other carrier of this device too)`);
    }
    if (results.length === 1) return { ok: true, value: { ...head, warnings: [...new Set(warnings)] } };
    const unique = elements.filter((e, k) => elements.findIndex((x) => x.id === e.id) === k);
    const year = (opts.referenceDate ?? new Date()).getUTCFullYear();
    const value = gs1Result(unique, [...new Set(warnings)], year);
    return { ok: true, value: { ...value, ...merged, elements } };
  }

  if (results.length === 1) return { ok: true, value: { ...head, warnings: [...new Set(warnings)] } };
  // A carrier without DI only holds PI; a complete carrier has PI too (e.g. a HIBC quantity or ISBT DIN).
  const extraPi = results.some((r) => !r.partial || r.udiDi === null);
  const value = makeResult(issuer, merged, elements, [...new Set(warnings)], extraPi);
  return { ok: true, value };
}

/** What `lir udi parse --json` prints and `POST /api/v1/udi/parse` answers. */
export type UdiReport =
  | { ok: true; value: UdiResult }
  | { ok: false; error: { code: UdiError['code']; message: string; position: number }; input?: number };

/**
 * The CLI/API view of a scan session: the combined result, or the error with the message prefixed
 * by `string N: ` when several strings were given (positions are within that string).
 */
export function udiReport(inputs: readonly string[], opts: UdiParseOptions = {}): UdiReport {
  const parsed = parseUdiGroup(inputs, opts);
  if (parsed.ok) return parsed;
  const { code, position, input } = parsed.error;
  const message = inputs.length > 1 && input !== undefined ? `string ${input + 1}: ${parsed.error.message}` : parsed.error.message;
  return { ok: false, error: { code, message, position }, ...(input !== undefined ? { input } : {}) };
}
