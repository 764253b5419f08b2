/**
 * ICCBBA ISBT 128 for medical devices containing MPHO (ST-017), basic data structures only.
 * Rules: shared/reference/udi-parsing.md §4. No Product Description Code database is needed
 * (or used) to parse.
 */
import { fromOrdinal, isoDate } from './dates.js';
import type { MappedText } from './source.js';
import { UdiFailure, makeResult, type UdiElement, type UdiResult } from './types.js';

interface Structure {
  /** Element id; the ICCBBA data structure number. */
  id: string;
  identifier: string;
  /** Data length after the identifier. */
  length: number;
  /** Per-character pattern check of the data. */
  valid: (data: string) => number; // index of first bad character, or -1
}

const FIN_P = /[A-NP-Z0-9]/; // facility identification number (P): no letter O
const ALNUM = /[A-Z0-9]/;
const DIGIT = /[0-9]/;
const DIN_FIRST = /[A-NP-Z1-9]/;

function pattern(...parts: [RegExp, number][]): (data: string) => number {
  return (data) => {
    let k = 0;
    for (const [re, count] of parts) {
      for (let c = 0; c < count; c++, k++) if (!re.test(data.charAt(k))) return k;
    }
    return -1;
  };
}

const DI: Structure = { id: '034', identifier: '=/', length: 16, valid: pattern([FIN_P, 5], [ALNUM, 6], [ALNUM, 5]) };
const STRUCTURES: Record<string, Structure> = {
  '=/': DI,
  '=,': { id: '032', identifier: '=,', length: 6, valid: pattern([ALNUM, 6]) },
  '=>': { id: '004', identifier: '=>', length: 6, valid: pattern([DIGIT, 6]) },
  '=}': { id: '008', identifier: '=}', length: 6, valid: pattern([DIGIT, 6]) },
  '=+': { id: '023', identifier: '=+', length: 5, valid: pattern([DIGIT, 5]) },
  '=)': { id: '017', identifier: '=)', length: 10, valid: pattern([ALNUM, 10]) },
  '&)': { id: '018', identifier: '&)', length: 10, valid: pattern([ALNUM, 10]) },
  '&,1': { id: '035', identifier: '&,1', length: 18, valid: pattern([ALNUM, 18]) },
};
/** DS 001 DIN: identifier `=` + α pppp yy nnnnnn ff, where α (the 2nd identifier character) is data. */
const DIN: Structure = {
  id: '001',
  identifier: '=',
  length: 15,
  valid: pattern([DIN_FIRST, 1], [ALNUM, 4], [DIGIT, 2], [DIGIT, 6], [ALNUM, 2]),
};

const NAMES: Record<string, string> = {
  '034': 'Processor Product Identification Code',
  '001': 'Donation Identification Number',
  '032': 'Product Divisions',
  '004': 'Expiration Date',
  '008': 'Production Date',
  '023': 'Compound Message',
  '017': 'Container Manufacturer and Catalog Number',
  '018': 'Container Lot Number',
  '035': 'MPHO Lot Number',
};

/** `cyyjjj`: only c = 0 (2000–2099) is publicly specified; other centuries are rejected for now. */
function cyyjjj(data: string, at: number, t: MappedText, what: string): string {
  if (data.charAt(0) !== '0') {
    throw new UdiFailure('ISBT_INVALID_DATE', `${what}: century digit ${data.charAt(0)} is not supported (only 0 = 2000–2099)`, t.orig(at));
  }
  const y = 2000 + Number(data.slice(1, 3));
  const md = fromOrdinal(y, Number(data.slice(3, 6)));
  if (!md) throw new UdiFailure('ISBT_INVALID_DATE', `${what}: day ${data.slice(3, 6)} does not exist in ${y}`, t.orig(at + 3));
  return isoDate(y, md[0], md[1]);
}

export function parseIsbt(t: MappedText): UdiResult {
  const text = t.text;
  const found: { s: Structure; data: string; at: number; dataAt: number }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    let s: Structure | undefined;
    if (c === '&' && text.startsWith('&,1', i)) s = STRUCTURES['&,1'];
    else if (c === '=' || c === '&') s = STRUCTURES[text.slice(i, i + 2)];
    if (!s && c === '=' && DIN_FIRST.test(text.charAt(i + 1))) s = DIN;
    if (!s) {
      throw new UdiFailure(
        'ISBT_UNKNOWN_STRUCTURE',
        `no supported ISBT 128 data structure starts with ${JSON.stringify(text.slice(i, i + 2))}`,
        t.orig(i),
      );
    }
    const dataAt = i + (s === DIN ? 1 : s.identifier.length);
    const data = text.slice(dataAt, dataAt + s.length);
    if (data.length < s.length) {
      throw new UdiFailure('ISBT_TRUNCATED', `${NAMES[s.id]} (${s.id}) needs ${s.length} characters, got ${data.length}`, t.orig(text.length));
    }
    const bad = s.valid(data);
    if (bad >= 0) {
      throw new UdiFailure('ISBT_INVALID_CHARACTER', `${NAMES[s.id]} (${s.id}): ${JSON.stringify(data.charAt(bad))} not allowed here`, t.orig(dataAt + bad));
    }
    found.push({ s, data, at: i, dataAt });
    i = dataAt + s.length;
  }
  if (found.length === 0) throw new UdiFailure('ISBT_TRUNCATED', 'no ISBT 128 data', t.orig(0));

  const warnings: string[] = [];
  // Compound message (DS 023): must come first, be followed by the DI; with bbb = 000, aa counts
  // the data structures that follow the header (our reading of ST-017; the header itself excluded).
  const headerIdx = found.findIndex((f) => f.s.id === '023');
  if (headerIdx > 0) {
    const h = found[headerIdx];
    throw new UdiFailure('ISBT_UNKNOWN_STRUCTURE', 'a compound message header (023) must come first', t.orig(h?.at ?? 0));
  }
  const header = headerIdx === 0 ? found[0] : undefined;
  const body = header ? found.slice(1) : found;
  if (header) {
    const next = body[0];
    if (next?.s.id !== '034') {
      throw new UdiFailure('ISBT_COMPOUND_DI_NOT_FIRST', 'a UDI compound message must start with the Processor Product Identification Code (034)', t.orig(next?.at ?? text.length));
    }
    const count = Number(header.data.slice(0, 2));
    if (header.data.slice(2) === '000' && count !== body.length) {
      throw new UdiFailure('ISBT_COMPOUND_COUNT', `compound message announces ${count} data structures, found ${body.length}`, t.orig(header.dataAt));
    }
  }

  const elements: UdiElement[] = [];
  const byId = new Map<string, string>();
  for (const f of found) {
    const prev = byId.get(f.s.id);
    if (prev !== undefined && prev !== f.data) {
      throw new UdiFailure('ISBT_DUPLICATE_STRUCTURE', `${NAMES[f.s.id]} (${f.s.id}) occurs twice with different values`, t.orig(f.at));
    }
    byId.set(f.s.id, f.data);
    elements.push({ id: f.s.id, value: f.data, position: t.orig(f.at) });
  }
  const dateOf = (id: string, what: string): string | null => {
    const f = found.find((x) => x.s.id === id);
    return f ? cyyjjj(f.data, f.dataAt, t, what) : null;
  };
  const expiry = dateOf('004', 'expiration date');
  const manufacture = dateOf('008', 'production date');
  if (byId.has('034') && (!byId.has('001') || !byId.has('032'))) {
    warnings.push('ISBT_INCOMPLETE: ST-017 requires the DIN (001) and Product Divisions (032) with the DI (may be in another symbol)');
  }
  return makeResult(
    'ICCBBA',
    {
      udiDi: byId.get('034') ?? byId.get('017') ?? null,
      // Lot kept as encoded (18 characters, zero-padded), as AccessGUDID returns it.
      lot: byId.get('035') ?? byId.get('018') ?? null,
      serial: byId.get('032') ?? null,
      expiryDate: expiry,
      manufactureDate: manufacture,
    },
    elements,
    warnings,
    byId.has('001'),
  );
}
