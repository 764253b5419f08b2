/**
 * Implant-type catalogue of the Landelijk Implantatenregister (LIR).
 *
 * Source: "Bijlage met lijst implantaten" (12 categories) plus the LIR
 * extension category 13 (intrauterine devices, quality-register types).
 * The data lives in `implant-types.json` next to this module; this module is
 * pure (no I/O beyond the static JSON import).
 *
 * Codes are hierarchical, two digits per level:
 *   category "01", implant "01.01", component "01.01.01".
 */
import data from './implant-types.json' with { type: 'json' };

export type ImplantTypeLevel = 'category' | 'implant' | 'component';

export interface ImplantType {
  /** Hierarchical stable code, e.g. "01", "01.01", "01.01.01". */
  readonly code: string;
  readonly level: ImplantTypeLevel;
  /** Code of the parent entry; null for categories. */
  readonly parent: string | null;
  /** Category code (for a category: its own code). */
  readonly category: string;
  /** Dutch name exactly as in the annex. */
  readonly nameNl: string;
  readonly nameEn: string;
  /** True if registrations of this type also feed a quality register. */
  readonly qualityRegister: boolean;
}

const LEVELS: ReadonlySet<string> = new Set<ImplantTypeLevel>(['category', 'implant', 'component']);

function toImplantType(raw: (typeof data)[number]): ImplantType {
  if (!LEVELS.has(raw.level)) {
    throw new Error(`implant-types.json: invalid level "${raw.level}" for code ${raw.code}`);
  }
  return Object.freeze({
    code: raw.code,
    level: raw.level as ImplantTypeLevel,
    parent: raw.parent,
    category: raw.category,
    nameNl: raw.nameNl,
    nameEn: raw.nameEn,
    qualityRegister: raw.qualityRegister,
  });
}

/** All implant types in annex order (categories followed by their implants and components). */
export const IMPLANT_TYPES: readonly ImplantType[] = Object.freeze(data.map(toImplantType));

const BY_CODE: ReadonlyMap<string, ImplantType> = new Map(IMPLANT_TYPES.map((t) => [t.code, t]));

/** Look up an implant type by its code; undefined if unknown. */
export function findImplantType(code: string): ImplantType | undefined {
  return BY_CODE.get(code);
}

/** True if the code is known and marked as a quality-register type. */
export function isQualityRegisterType(code: string): boolean {
  return BY_CODE.get(code)?.qualityRegister ?? false;
}

/**
 * The code itself plus all codes below it (in catalogue order).
 * Returns an empty array for an unknown code.
 */
export function descendantsOf(code: string): string[] {
  if (!BY_CODE.has(code)) return [];
  const prefix = `${code}.`;
  return IMPLANT_TYPES.filter((t) => t.code === code || t.code.startsWith(prefix)).map((t) => t.code);
}
