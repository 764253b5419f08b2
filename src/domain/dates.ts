// Calendar dates as 'YYYY-MM-DD' strings: no time zones, no Date drift.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The same day one month later, clamped to the month's end (31 Jan → 28/29 Feb). */
export function addOneMonth(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const ny = m === 12 ? y + 1 : y;
  const nm = m === 12 ? 1 : m + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return `${ny}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`;
}

const DUTCH_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The calendar date of an instant in the Netherlands (Europe/Amsterdam): a same-day implantation
 * delivered at 00:30 Dutch time is "today", not tomorrow in UTC.
 */
export function dateOf(instant: Date): string {
  return DUTCH_DATE.format(instant);
}

/**
 * The legal delivery deadline: the register must have the report no later than one month after
 * the treatment or the patient's death (Wkkgz art. 7b with the Regeling; reference §1.5).
 */
export function deliveryDeadline(eventDate: string): string {
  return addOneMonth(eventDate);
}

/** Late when received on a (Dutch) calendar day after the deadline. */
export function isLate(eventDate: string, receivedAt: Date): boolean {
  return dateOf(receivedAt) > deliveryDeadline(eventDate);
}
