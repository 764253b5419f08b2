/**
 * Public types of the UDI parser. Pure data; no runtime dependencies.
 */

export type UdiIssuer = 'GS1' | 'HIBCC' | 'ICCBBA';

/** One raw data element as found in the carrier. `position` is the 0-based index in the original input. */
export interface UdiElement {
  id: string;
  value: string;
  position: number;
}

export interface UdiResult {
  issuer: UdiIssuer;
  /** GTIN-14 for GS1; LIC+PCN+U/M for HIBCC; 16-character PPIC (or 10-character container id) for ICCBBA. */
  udiDi: string | null;
  lot: string | null;
  serial: string | null;
  /** YYYY-MM-DD */
  expiryDate: string | null;
  /** YYYY-MM-DD */
  manufactureDate: string | null;
  /** Every element, raw. */
  elements: UdiElement[];
  /** True when the carrier holds only the DI or only PI. */
  partial: boolean;
  /** `CODE: message` strings; the code before the colon is stable. */
  warnings: string[];
}

export interface UdiError {
  /** Stable UPPER_SNAKE code, see UDI_ERROR_CODES. */
  code: UdiErrorCode;
  message: string;
  /** 0-based character position in the original input (of input `input` when parsing a group). */
  position: number;
  /** Index of the offending string when several strings were combined (parseUdiGroup). */
  input?: number;
}

export type UdiParse = { ok: true; value: UdiResult } | { ok: false; error: UdiError };

export interface UdiParseOptions {
  /**
   * Extra strings a scanner sends instead of GS (ASCII 29), e.g. `|` for keyboard-wedge scanners.
   * GS itself is always a separator. Never configure space (legal in HIBC data).
   */
  separators?: string[];
  /** Scan date used for the GS1 two-digit-year century rule (GenSpecs 7.12). Defaults to now. */
  referenceDate?: Date;
  /**
   * The string was typed from the human-readable text rather than scanned. A failing HIBC check
   * character is then a warning instead of an error (published example strings carry wrong ones).
   */
  typed?: boolean;
}

export const UDI_ERROR_CODES = [
  // generic
  'UDI_EMPTY',
  'UDI_UNKNOWN_FORMAT',
  'UDI_UNSUPPORTED',
  'UDI_CONFLICT',
  // GS1
  'GS1_CHECK_DIGIT',
  'GS1_INVALID_DATE',
  'GS1_INVALID_TIME',
  'GS1_UNKNOWN_AI',
  'GS1_VALUE_TOO_LONG',
  'GS1_MISSING_SEPARATOR',
  'GS1_TRUNCATED',
  'GS1_EMPTY_VALUE',
  'GS1_INVALID_CHARACTER',
  'GS1_BAD_HRI',
  'GS1_DUPLICATE_AI',
  'GS1_INVALID_PAIRING',
  'GS1_INVALID_VALUE',
  // HIBCC
  'HIBC_CHECK_CHARACTER',
  'HIBC_LINK_CHARACTER',
  'HIBC_INVALID_CHARACTER',
  'HIBC_INVALID_DATE',
  'HIBC_TOO_SHORT',
  'HIBC_VALUE_TOO_LONG',
  'HIBC_PARSE',
  // ICCBBA
  'ISBT_UNKNOWN_STRUCTURE',
  'ISBT_INVALID_CHARACTER',
  'ISBT_INVALID_DATE',
  'ISBT_TRUNCATED',
  'ISBT_COMPOUND_COUNT',
  'ISBT_COMPOUND_DI_NOT_FIRST',
  'ISBT_COMPOUND_SEQUENCE',
  'ISBT_DUPLICATE_STRUCTURE',
] as const;

export type UdiErrorCode = (typeof UDI_ERROR_CODES)[number];

/** Codes that start a warning (`CODE: message`); meanings in docs/udi.md. */
export const UDI_WARNING_CODES = [
  'GS1_DAY_00',
  'GS1_AT_MAX_LENGTH',
  'GS1_HRI_SPACES',
  'GS1_BARE_GTIN',
  'GS1_REPEATED_AI',
  'GS1_PAIRING',
  'HIBC_CHECK_TYPED',
  'HIBC_MONTH_PRECISION',
  'HIBC_QUANTITY_NO_DATE',
  'HIBC_LINK_UNVERIFIED',
  'ISBT_INCOMPLETE',
  'ISBT_DIN_FLAGS',
  'ISBT_SEQUENCE_UNCHECKED',
] as const;

export type UdiWarningCode = (typeof UDI_WARNING_CODES)[number];

/** Internal: thrown inside the parsers, turned into `{ ok: false }` at the API boundary. */
export class UdiFailure extends Error {
  constructor(
    readonly code: UdiErrorCode,
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'UdiFailure';
  }

  toError(): UdiError {
    return { code: this.code, message: this.message, position: this.position };
  }
}

/** Internal helper to build a result with the PI/partial bookkeeping in one place. */
export function makeResult(
  issuer: UdiIssuer,
  fields: Pick<UdiResult, 'udiDi' | 'lot' | 'serial' | 'expiryDate' | 'manufactureDate'>,
  elements: UdiElement[],
  warnings: string[],
  extraPi = false,
): UdiResult {
  const hasPi =
    extraPi ||
    fields.lot !== null ||
    fields.serial !== null ||
    fields.expiryDate !== null ||
    fields.manufactureDate !== null;
  return {
    issuer,
    udiDi: fields.udiDi,
    lot: fields.lot,
    serial: fields.serial,
    expiryDate: fields.expiryDate,
    manufactureDate: fields.manufactureDate,
    elements,
    partial: fields.udiDi === null || !hasPi,
    warnings,
  };
}
