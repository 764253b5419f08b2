// Dutch and international identifiers used by the register. Pure functions.

/** KvK number: 8 digits (Handelsregisterwet; Regeling art. 3(1)(a) identifies the provider by it). */
export const isKvk = (s: string): boolean => /^\d{8}$/.test(s);

/** AGB code: always 8 digits (Vektis); no public check digit, so format only. */
export const isAgb = (s: string): boolean => /^\d{8}$/.test(s);

/** BSN 11-proef; 8-digit numbers are left-padded with one zero. */
export function isBsn(s: string): boolean {
  if (!/^\d{8,9}$/.test(s)) return false;
  const d = s.padStart(9, '0').split('').map(Number);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * d[i]!;
  sum -= d[8]!;
  return sum > 0 && sum % 11 === 0;
}

/** TTP pseudonym: a versioned label and a keyed hash, `label:value` (reference §8). */
export const PSEUDONYM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}:[A-Za-z0-9_-]{16,128}$/;
export const isPseudonym = (s: string): boolean => PSEUDONYM_PATTERN.test(s);

/** The provider's own record reference: opaque, printable, no spaces. */
export const isProviderRecordRef = (s: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$/.test(s);

/** SNOMED CT identifier: 6–18 digits, partition 00/01/02/10/11/12, Verhoeff check digit. */
export function isSctid(s: string): boolean {
  if (!/^[1-9]\d{5,17}$/.test(s)) return false;
  const partition = s.slice(-3, -1);
  if (!['00', '01', '02', '10', '11', '12'].includes(partition)) return false;
  return verhoeffValid(s);
}

const VD = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export function verhoeffValid(digits: string): boolean {
  let c = 0;
  const rev = digits.split('').reverse();
  for (let i = 0; i < rev.length; i++) c = VD[c]![VP[i % 8]![Number(rev[i])]!]!;
  return c === 0;
}

/** RFC 4122 UUID text form. */
export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
