/**
 * ICCBBA ISBT 128 for medical devices containing MPHO (ST-017 v1.0.0), basic data structures only.
 * Rules: shared/reference/udi-parsing.md §4; section numbers below are ST-017's. No Product
 * Description Code database is needed (or used) to parse.
 */
import { fromOrdinal, isoDate } from './dates.js';
import type { MappedText } from './source.js';
import { UdiFailure, makeResult, type UdiElement, type UdiResult } from './types.js';

/** Character classes of ST-017 (§2.1, §3.1). */
const enum Cls {
  Digit,
  Alnum, // {A–Z, 0–9}
  FinP, // {A–N, P–Z, 0–9}: no letter O
  DinFirst, // {A–N, P–Z, 1–9}
  DinFlag, // {0–9, A–H, J–N, P, R–Y}
}

function inClass(c: number, cls: Cls): boolean {
  const digit = c >= 48 && c <= 57;
  const upper = c >= 65 && c <= 90;
  switch (cls) {
    case Cls.Digit:
      return digit;
    case Cls.Alnum:
      return digit || upper;
    case Cls.FinP:
      return digit || (upper && c !== 79);
    case Cls.DinFirst:
      return (digit && c !== 48) || (upper && c !== 79);
    case Cls.DinFlag:
      return digit || (upper && c !== 73 && c !== 79 && c !== 81 && c !== 90);
  }
}

interface Structure {
  /** Element id; the ICCBBA data structure number. */
  id: string;
  name: string;
  identifier: string;
  /** Data length after the identifier. */
  length: number;
  /** Character class per data position. */
  classes: readonly Cls[];
}

function classes(...parts: [Cls, number][]): Cls[] {
  return parts.flatMap(([cls, n]) => Array<Cls>(n).fill(cls));
}

/** DS 034 Processor Product Identification Code (§2.1): `=/` FIN(P) 5, FPC 6, PDC 5. */
const PPIC: Structure = { id: '034', name: 'Processor Product Identification Code', identifier: '=/', length: 16, classes: classes([Cls.FinP, 5], [Cls.Alnum, 6], [Cls.Alnum, 5]) };
/** DS 001 DIN (§3.1): `=` + α pppp yy nnnnnn ff; α (the 2nd identifier character) is data. */
const DIN: Structure = {
  id: '001',
  name: 'Donation Identification Number',
  identifier: '=',
  length: 15,
  classes: classes([Cls.DinFirst, 1], [Cls.FinP, 2], [Cls.Digit, 2], [Cls.Digit, 2], [Cls.Digit, 6], [Cls.DinFlag, 2]),
};
const DIVISIONS: Structure = { id: '032', name: 'Product Divisions', identifier: '=,', length: 6, classes: classes([Cls.Alnum, 6]) };
const EXPIRY: Structure = { id: '004', name: 'Expiration Date', identifier: '=>', length: 6, classes: classes([Cls.Digit, 6]) };
const PRODUCTION: Structure = { id: '008', name: 'Production Date', identifier: '=}', length: 6, classes: classes([Cls.Digit, 6]) };
const COMPOUND: Structure = { id: '023', name: 'Compound Message', identifier: '=+', length: 5, classes: classes([Cls.Digit, 5]) };
/** DS 017 / 018: blood container manufacturer + catalogue number, container lot (FHIR device-example-udi4). */
const CONTAINER: Structure = { id: '017', name: 'Container Manufacturer and Catalog Number', identifier: '=)', length: 10, classes: classes([Cls.Alnum, 10]) };
const CONTAINER_LOT: Structure = { id: '018', name: 'Container Lot Number', identifier: '&)', length: 10, classes: classes([Cls.Alnum, 10]) };
/** DS 035 MPHO Lot Number (§3.5): `&,1` + 18. */
const MPHO_LOT: Structure = { id: '035', name: 'MPHO Lot Number', identifier: '&,1', length: 18, classes: classes([Cls.Alnum, 18]) };

/** Second identifier character after `=`. */
function structureAt(text: string, i: number): Structure | undefined {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1);
  if (c === 61 /* = */) {
    switch (d) {
      case 47: return PPIC; // /
      case 44: return DIVISIONS; // ,
      case 62: return EXPIRY; // >
      case 125: return PRODUCTION; // }
      case 43: return COMPOUND; // +
      case 41: return CONTAINER; // )
      default: return inClass(d, Cls.DinFirst) ? DIN : undefined;
    }
  }
  if (c === 38 /* & */) {
    if (d === 41) return CONTAINER_LOT;
    if (d === 44 && text.charCodeAt(i + 2) === 49) return MPHO_LOT;
  }
  return undefined;
}

/**
 * ICCBBA-specified compound messages for MPHO devices (ST-017 §4.2 Table 3, an excerpt of RT017):
 * the data structures in their required order.
 */
const SPECIFIED_SEQUENCES: Record<string, readonly string[]> = {
  '034': ['034', '032', '001'],
  '035': ['034', '032', '001', '004'],
  '036': ['034', '032', '001', '008'],
  '037': ['034', '032', '001', '004', '008'],
};

/** `cyyjjj` (§3.3): only c = 0 (2000–2099) is publicly specified; other centuries are rejected for now. */
function cyyjjj(data: string, at: number, t: MappedText, what: string): string {
  if (data.charCodeAt(0) !== 48) {
    throw new UdiFailure('ISBT_INVALID_DATE', `${what}: century digit ${data.charAt(0)} is not supported (only 0 = 2000–2099)`, t.orig(at));
  }
  const y = 2000 + Number(data.slice(1, 3));
  const md = fromOrdinal(y, Number(data.slice(3, 6)));
  if (!md) throw new UdiFailure('ISBT_INVALID_DATE', `${what}: day ${data.slice(3, 6)} does not exist in ${y}`, t.orig(at + 3));
  return isoDate(y, md[0], md[1]);
}

interface Found {
  s: Structure;
  data: string;
  at: number;
  dataAt: number;
}

export function parseIsbt(t: MappedText): UdiResult {
  const text = t.text;
  const found: Found[] = [];
  let i = 0;
  while (i < text.length) {
    const s = structureAt(text, i);
    if (!s) {
      throw new UdiFailure('ISBT_UNKNOWN_STRUCTURE', `no supported ISBT 128 data structure starts with ${JSON.stringify(text.slice(i, i + 2))}`, t.orig(i));
    }
    const dataAt = i + (s === DIN ? 1 : s.identifier.length);
    const data = text.slice(dataAt, dataAt + s.length);
    if (data.length < s.length) {
      throw new UdiFailure('ISBT_TRUNCATED', `${s.name} (${s.id}) needs ${s.length} characters, got ${data.length}`, t.orig(text.length));
    }
    for (let k = 0; k < s.length; k++) {
      if (!inClass(data.charCodeAt(k), s.classes[k] ?? Cls.Alnum)) {
        throw new UdiFailure('ISBT_INVALID_CHARACTER', `${s.name} (${s.id}): ${JSON.stringify(data.charAt(k))} not allowed here`, t.orig(dataAt + k));
      }
    }
    found.push({ s, data, at: i, dataAt });
    i = dataAt + s.length;
  }
  if (found.length === 0) throw new UdiFailure('ISBT_TRUNCATED', 'no ISBT 128 data', t.orig(0));

  const warnings: string[] = [];
  // Compound message (DS 023, §4.1): first; `aa` = number of data structures that follow (rule 4);
  // a UDI compound message starts with the DI (034); `bbb` = 000 (any order) or an RT017 sequence.
  for (let k = 1; k < found.length; k++) {
    const f = found[k]!;
    if (f.s === COMPOUND) throw new UdiFailure('ISBT_UNKNOWN_STRUCTURE', 'a compound message header (023) must come first', t.orig(f.at));
  }
  const header = found[0]?.s === COMPOUND ? found[0] : undefined;
  if (header) {
    const body = found.slice(1);
    const next = body[0];
    if (next?.s !== PPIC) {
      throw new UdiFailure('ISBT_COMPOUND_DI_NOT_FIRST', 'a UDI compound message must start with the Processor Product Identification Code (034)', t.orig(next?.at ?? text.length));
    }
    const count = Number(header.data.slice(0, 2));
    if (count !== body.length) {
      throw new UdiFailure('ISBT_COMPOUND_COUNT', `compound message announces ${count} data structures, found ${body.length}`, t.orig(header.dataAt));
    }
    const bbb = header.data.slice(2);
    if (bbb !== '000') {
      const sequence = SPECIFIED_SEQUENCES[bbb];
      if (!sequence) {
        warnings.push(`ISBT_SEQUENCE_UNCHECKED: compound message ${bbb} (RT017) is not one of the MPHO device sequences 034–037; its order was not checked`);
      } else {
        const k = body.findIndex((f, n) => f.s.id !== sequence[n]);
        if (k !== -1 || body.length !== sequence.length) {
          const wrong = body[k === -1 ? sequence.length : k];
          throw new UdiFailure(
            'ISBT_COMPOUND_SEQUENCE',
            `compound message ${bbb} requires the data structures ${sequence.join(', ')} in this order`,
            t.orig(wrong?.at ?? header.dataAt + 2),
          );
        }
      }
    }
  }

  const elements: UdiElement[] = [];
  let di: string | null = null;
  let container: string | null = null;
  let lot: string | null = null;
  let containerLot: string | null = null;
  let serial: string | null = null;
  let din: Found | null = null;
  let expiry: Found | null = null;
  let production: Found | null = null;
  for (let k = 0; k < found.length; k++) {
    const f = found[k]!;
    for (let p = 0; p < k; p++) {
      const g = found[p]!;
      if (g.s === f.s && g.data !== f.data) {
        throw new UdiFailure('ISBT_DUPLICATE_STRUCTURE', `${f.s.name} (${f.s.id}) occurs twice with different values`, t.orig(f.at));
      }
    }
    elements.push({ id: f.s.id, value: f.data, position: t.orig(f.at) });
    if (f.s === PPIC) di ??= f.data;
    else if (f.s === CONTAINER) container ??= f.data;
    else if (f.s === MPHO_LOT) lot ??= f.data;
    else if (f.s === CONTAINER_LOT) containerLot ??= f.data;
    else if (f.s === DIVISIONS) serial ??= f.data;
    else if (f.s === DIN) din ??= f;
    else if (f.s === EXPIRY) expiry ??= f;
    else if (f.s === PRODUCTION) production ??= f;
  }
  const expiryDate = expiry ? cyyjjj(expiry.data, expiry.dataAt, t, 'expiration date') : null;
  const manufactureDate = production ? cyyjjj(production.data, production.dataAt, t, 'production date') : null;
  if (din && din.data.slice(13) !== '00') {
    warnings.push(`ISBT_DIN_FLAGS: DIN flag characters ${din.data.slice(13)} are not 00; ST-017 §3.1 sets them to 00 on medical devices (the DIN itself is ${din.data.slice(0, 13)})`);
  }
  if (di !== null && (!din || serial === null)) {
    warnings.push('ISBT_INCOMPLETE: ST-017 requires the DIN (001) and Product Divisions (032) with the DI (may be in another symbol)');
  }
  return makeResult(
    'ICCBBA',
    {
      udiDi: di ?? container,
      // Lot kept as encoded (18 characters, zero-padded), as AccessGUDID returns it.
      lot: lot ?? containerLot,
      serial,
      expiryDate,
      manufactureDate,
    },
    elements,
    warnings,
    din !== null,
  );
}

const MOD37 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The two-digit ISO/IEC 7064 mod 37-2 checksum that turns a 16-character ISBT 128 DI (PPIC data)
 * into an EU Basic UDI-DI (ST-017 Appendix 1): values 0–9, A–Z = 0–35, weighted by 2^n with n the
 * position from the right (rightmost = 1); (38 − sum mod 37) mod 37, zero-padded.
 */
export function isbtBasicUdiDiChecksum(di: string): string {
  let sum = 0;
  let weight = 2;
  for (let i = di.length - 1; i >= 0; i--) {
    const v = MOD37.indexOf(di.charAt(i));
    if (v < 0) throw new RangeError(`isbtBasicUdiDiChecksum: ${JSON.stringify(di.charAt(i))} is not 0–9 or A–Z`);
    sum = (sum + v * weight) % 37;
    weight = (weight * 2) % 37;
  }
  return String((38 - sum) % 37).padStart(2, '0');
}
