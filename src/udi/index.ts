/**
 * UDI parser for GS1, HIBCC and ICCBBA carriers. Pure and dependency-free: no I/O, no imports
 * from outside src/udi. Rules and design decisions: shared/reference/udi-parsing.md.
 */
import { gs1Result, parseBareGtin, parseGs1ElementString, parseGs1Hri } from './gs1.js';
import { pairingViolations } from './gs1-ais.js';
import { hibcCheckCharacter, parseHibc } from './hibc.js';
import { parseIsbt } from './isbt.js';
import { GS1_BARE_GTIN_IDS, GS1_ELEMENT_STRING_IDS, normalise } from './source.js';
import { UdiFailure, makeResult, type UdiParse, type UdiParseOptions, type UdiResult } from './types.js';

export type { UdiElement, UdiError, UdiErrorCode, UdiIssuer, UdiParse, UdiParseOptions, UdiResult } from './types.js';
export { UDI_ERROR_CODES } from './types.js';
export { gtinCheckDigit, isValidGtin } from './gs1.js';
export { hibcCheckCharacter } from './hibc.js';

function dispatch(input: string, opts: UdiParseOptions): UdiResult {
  const separators = (opts.separators ?? []).filter((s) => s.length > 0);
  const referenceDate = opts.referenceDate ?? new Date();
  const { text: t, symbologyId } = normalise(input, separators);
  const s = t.text;
  if (s.length === 0) throw new UdiFailure('UDI_EMPTY', 'empty input', t.orig(0));
  const first = s.charAt(0);
  if (/^(https?:\/\/|HTTPS?:\/\/)/.test(s)) {
    throw new UdiFailure('UDI_UNSUPPORTED', 'GS1 Digital Link URIs are not supported yet', t.orig(0));
  }
  if (s.startsWith('+/')) {
    throw new UdiFailure('UDI_UNSUPPORTED', 'HIBC Provider Applications Standard data is not a UDI', t.orig(0));
  }
  if (first === '+') return parseHibc(t, opts.typed === true);
  if (first === '=' || first === '&') return parseIsbt(t);
  if (first === '(') return parseGs1Hri(t, referenceDate);
  if (first >= '0' && first <= '9') {
    const gs1Id = symbologyId !== null && GS1_ELEMENT_STRING_IDS.has(symbologyId);
    const bareId = symbologyId !== null && GS1_BARE_GTIN_IDS.has(symbologyId);
    // HL7 PRT-10: digits without AI are a DI only. A PI-only element string of 8/12/13/14 digits
    // therefore needs a GS1 symbology identifier or a leading GS to be read as element string.
    const leadingGs = input.length > 0 && t.orig(0) > 0 && !symbologyId;
    if (bareId || (!gs1Id && !leadingGs && /^[0-9]+$/.test(s) && [8, 12, 13, 14].includes(s.length))) {
      return parseBareGtin(t);
    }
    return parseGs1ElementString(t, separators, referenceDate);
  }
  throw new UdiFailure(
    'UDI_UNKNOWN_FORMAT',
    `cannot tell the issuing agency: expected "(" or a digit (GS1), "+" (HIBCC), "=" or "&" (ICCBBA), got ${JSON.stringify(first)}`,
    t.orig(0),
  );
}

function wrap(run: () => UdiResult): UdiParse {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (e instanceof UdiFailure) return { ok: false, error: e.toError() };
    throw e;
  }
}

/**
 * Parses one scanned or typed UDI carrier. Never throws for bad input; errors carry a stable
 * code and the 0-based position in `input`.
 */
export function parseUdi(input: string, opts: UdiParseOptions = {}): UdiParse {
  return wrap(() => dispatch(input, opts));
}

/**
 * Parses several carriers of one device (GS1 label in two parts, HIBC primary + secondary,
 * ISBT 128 structures in separate symbols) and combines them. A different DI, lot, serial or
 * date between carriers is a `UDI_CONFLICT`; element positions stay relative to their own input.
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

/** Combines already parsed carriers of one device; see parseUdiGroup. */
export function combineUdi(results: readonly UdiResult[], opts: UdiParseOptions = {}): UdiParse {
  const [head, ...rest] = results;
  if (!head) return { ok: false, error: { code: 'UDI_EMPTY', message: 'nothing to combine', position: 0 } };
  if (rest.length === 0) return { ok: true, value: head };
  const conflict = (index: number, message: string, position = 0): UdiParse => ({
    ok: false,
    error: { code: 'UDI_CONFLICT', message, position, input: index },
  });

  const issuer = head.issuer;
  const merged: Record<'udiDi' | 'lot' | 'serial' | 'expiryDate' | 'manufactureDate', string | null> = {
    udiDi: null, lot: null, serial: null, expiryDate: null, manufactureDate: null,
  };
  const labels = { udiDi: 'UDI-DI', lot: 'lot', serial: 'serial', expiryDate: 'expiry date', manufactureDate: 'manufacture date' };
  for (const [index, r] of results.entries()) {
    if (r.issuer !== issuer) return conflict(index, `input ${index + 1} is ${r.issuer}, input 1 is ${issuer}`);
    for (const key of Object.keys(merged) as (keyof typeof merged)[]) {
      const v = r[key];
      if (v === null) continue;
      if (merged[key] !== null && merged[key] !== v) {
        return conflict(index, `two different ${labels[key]}s: ${merged[key]} and ${v} (input ${index + 1})`);
      }
      merged[key] = v;
    }
  }

  const elements = results.flatMap((r) => r.elements);
  let warnings = results.flatMap((r) => r.warnings);

  if (issuer === 'HIBCC' && merged.udiDi !== null) {
    const expectedLink = hibcCheckCharacter(`+${merged.udiDi}`);
    for (const [index, r] of results.entries()) {
      for (const e of r.elements) {
        if (e.id === 'LINK' && e.value !== expectedLink) {
          return {
            ok: false,
            error: {
              code: 'HIBC_LINK_CHARACTER',
              message: `link character ${JSON.stringify(e.value)} does not match the primary's check character ${JSON.stringify(expectedLink)}`,
              position: e.position,
              input: index,
            },
          };
        }
      }
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
          return { ok: false, error: { code: 'GS1_DUPLICATE_AI', message: `AI (${e.id}) has different values in different carriers`, position: e.position, input: index } };
        }
        seen.set(e.id, e.value);
      }
    }
    for (const v of pairingViolations(elements.map((e) => e.id))) {
      if (v.kind === 'ex') {
        const index = results.findIndex((r) => r.elements.some((e) => e.id === v.ai));
        const at = results[index]?.elements.find((e) => e.id === v.ai)?.position ?? 0;
        return { ok: false, error: { code: 'GS1_INVALID_PAIRING', message: v.message, position: at, input: index } };
      }
      warnings.push(`GS1_PAIRING: ${v.message}`);
    }
    const unique = elements.filter((e, k) => elements.findIndex((x) => x.id === e.id) === k);
    const year = (opts.referenceDate ?? new Date()).getUTCFullYear();
    const value = gs1Result(unique, [...new Set(warnings)], year);
    return { ok: true, value: { ...value, ...merged, elements } };
  }

  // A carrier without DI only holds PI; a complete carrier has PI too (e.g. a HIBC quantity or ISBT DIN).
  const extraPi = results.some((r) => !r.partial || r.udiDi === null);
  const value = makeResult(issuer, merged, elements, [...new Set(warnings)], extraPi);
  return { ok: true, value };
}
