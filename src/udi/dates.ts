/** Calendar helpers. Dates are handled as numbers and ISO strings, never as JS `Date` values. */

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function isoDate(y: number, m: number, d: number): string {
  const yyyy = y >= 1000 ? String(y) : String(y).padStart(4, '0');
  return `${yyyy}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/**
 * GS1 General Specifications 7.12: two-digit year relative to the scan year.
 * d = YY − (scan year mod 100); 51..99 → previous century; −99..−50 → next century; else current.
 */
export function gs1FullYear(yy: number, referenceYear: number): number {
  const century = Math.floor(referenceYear / 100) * 100;
  const d = yy - (referenceYear % 100);
  if (d >= 51) return century - 100 + yy;
  if (d <= -50) return century + 100 + yy;
  return century + yy;
}

/** Ordinal day → [month, day], or null when out of range for the year. */
export function fromOrdinal(y: number, ordinal: number): [number, number] | null {
  const yearLength = isLeapYear(y) ? 366 : 365;
  if (ordinal < 1 || ordinal > yearLength) return null;
  let rest = ordinal;
  for (let m = 1; m <= 12; m++) {
    const dim = daysInMonth(y, m);
    if (rest <= dim) return [m, rest];
    rest -= dim;
  }
  return null;
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
