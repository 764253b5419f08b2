// The status of a notified body's certificate on a given day, worked out from its append-only
// status history and its validity dates. Pure functions (no I/O): the intake's safety check and
// the inspectorate's suspended-implants query both use them, so they can never disagree.
//
// Rules (docs/certificates-and-recalls.md §2):
// - before valid_from the certificate is not in force: no status (null);
// - otherwise the history row with the latest effective_from on or before the day counts; of rows
//   with the same effective_from, the one recorded last (highest seq);
// - withdrawn is final: it stays withdrawn after valid_until;
// - any other status turns into expired after valid_until.
// Dates are 'YYYY-MM-DD' strings; comparing them as strings compares them as dates.

export const CERTIFICATE_STATUSES = ['valid', 'conditional', 'suspended', 'withdrawn', 'expired'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** The statuses in which a certificate covers the devices placed on the market. */
export const IN_FORCE_STATUSES: readonly CertificateStatus[] = ['valid', 'conditional'];
/** The statuses the intake warns about and the inspectorate asks for. */
export const ALERT_STATUSES: readonly CertificateStatus[] = ['suspended', 'withdrawn'];

export interface StatusEntry {
  /** Order of recording (the history row's id): a later row with the same effective date wins. */
  seq: number;
  status: CertificateStatus;
  effectiveFrom: string;
  reasonCode: string | null;
  recordedAt?: string;
}

export interface CertificateCore {
  id: string;
  nbNumber: string;
  nbName: string;
  certificateNumber: string;
  certificateVersion: string;
  validFrom: string;
  validUntil: string;
}

export interface CertificateWithHistory extends CertificateCore {
  history: readonly StatusEntry[];
}

/** A stretch of days with one status; `to` is inclusive, null when open-ended. */
export interface StatusPeriod {
  status: CertificateStatus;
  from: string;
  to: string | null;
  /** The reason code of the history row that began this period (null for expiry at valid_until). */
  reasonCode: string | null;
}

/** "NB 0344": how a notified body number is shown. */
export const nbLabel = (nbNumber: string): string => `NB ${nbNumber}`;

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The history rows that count, by effective date: of several rows on one date, the last recorded. */
export function effectiveEntries(history: readonly StatusEntry[]): StatusEntry[] {
  const byDate = new Map<string, StatusEntry>();
  for (const e of history) {
    const prev = byDate.get(e.effectiveFrom);
    if (!prev || e.seq > prev.seq) byDate.set(e.effectiveFrom, e);
  }
  return [...byDate.values()].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
}

/** The status on `date`, with the history row it comes from; null when the certificate is not (yet) in force. */
export function statusOn(cert: CertificateWithHistory, date: string, entries = effectiveEntries(cert.history)): { status: CertificateStatus; entry: StatusEntry } | null {
  if (date < cert.validFrom) return null;
  let entry: StatusEntry | undefined;
  for (const e of entries) {
    if (e.effectiveFrom <= date) entry = e;
    else break;
  }
  if (!entry) return null;
  if (entry.status === 'withdrawn') return { status: 'withdrawn', entry };
  if (date > cert.validUntil) return { status: 'expired', entry };
  return { status: entry.status, entry };
}

/**
 * The certificate's life as consecutive periods of one status each, from valid_from on. Built by
 * evaluating `statusOn` at every day the status can change, so both always agree.
 */
export function statusPeriods(cert: CertificateWithHistory): StatusPeriod[] {
  const entries = effectiveEntries(cert.history);
  const expiry = addDays(cert.validUntil, 1);
  const points = [...new Set([cert.validFrom, expiry, ...entries.map((e) => e.effectiveFrom).filter((d) => d >= cert.validFrom)])].sort();
  const periods: StatusPeriod[] = [];
  for (let i = 0; i < points.length; i++) {
    const from = points[i]!;
    const s = statusOn(cert, from, entries);
    if (!s) continue;
    const last = periods.at(-1);
    if (last && last.status === s.status && last.to !== null && addDays(last.to, 1) === from) {
      last.to = i + 1 < points.length ? addDays(points[i + 1]!, -1) : null;
      continue;
    }
    const reasonCode = s.status === 'expired' && from === expiry ? null : s.entry.effectiveFrom === from || from === cert.validFrom ? s.entry.reasonCode : null;
    periods.push({ status: s.status, from, to: i + 1 < points.length ? addDays(points[i + 1]!, -1) : null, reasonCode });
  }
  return periods;
}

/** A period in which a device's certificate was suspended or withdrawn and no renewal covered it. */
export interface AlertPeriod {
  udiDi: string;
  certificate: CertificateCore;
  status: 'suspended' | 'withdrawn';
  from: string;
  to: string | null;
  /** Start of the certificate's suspension or withdrawal (before any part covered by another version). */
  since: string;
  reasonCode: string | null;
}

/**
 * The days on which `udiDi` was implanted under a suspended or withdrawn certificate: the
 * certificate's suspended/withdrawn periods, minus the days on which another version of the same
 * certificate (same notified body and number) covering the same device was in force. A device
 * with two different certificates (say design examination and quality system) is in trouble when
 * either is suspended; a renewed version, however, takes over from the old one.
 */
export function alertPeriods(udiDi: string, certificatesOfDevice: readonly CertificateWithHistory[]): AlertPeriod[] {
  const periodsOf = new Map(certificatesOfDevice.map((c) => [c.id, statusPeriods(c)]));
  const out: AlertPeriod[] = [];
  for (const c of certificatesOfDevice) {
    const siblingsInForce = certificatesOfDevice
      .filter((o) => o.id !== c.id && o.nbNumber === c.nbNumber && o.certificateNumber === c.certificateNumber)
      .flatMap((o) => periodsOf.get(o.id)!.filter((p) => IN_FORCE_STATUSES.includes(p.status)));
    for (const p of periodsOf.get(c.id)!) {
      if (p.status !== 'suspended' && p.status !== 'withdrawn') continue;
      for (const [from, to] of subtract([p.from, p.to], siblingsInForce.map((s) => [s.from, s.to]))) {
        out.push({ udiDi, certificate: core(c), status: p.status, from, to, since: p.from, reasonCode: p.reasonCode });
      }
    }
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.certificate.id.localeCompare(b.certificate.id)));
}

/** The alert periods that contain `date`. */
export function alertsOn(periods: readonly AlertPeriod[], date: string): AlertPeriod[] {
  return periods.filter((p) => p.from <= date && (p.to === null || date <= p.to));
}

type Span = [from: string, to: string | null];

/** Inclusive date spans: `a` without the days in any of `bs`. */
export function subtract(a: Span, bs: readonly Span[]): Span[] {
  let parts: Span[] = [a];
  for (const [bf, bt] of bs) {
    const next: Span[] = [];
    for (const [f, t] of parts) {
      const overlaps = (bt === null || f <= bt) && (t === null || bf <= t);
      if (!overlaps) {
        next.push([f, t]);
        continue;
      }
      if (f < bf) next.push([f, addDays(bf, -1)]);
      if (bt !== null && (t === null || bt < t)) next.push([addDays(bt, 1), t]);
    }
    parts = next;
  }
  return parts;
}

function core(c: CertificateWithHistory): CertificateCore {
  return {
    id: c.id,
    nbNumber: c.nbNumber,
    nbName: c.nbName,
    certificateNumber: c.certificateNumber,
    certificateVersion: c.certificateVersion,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
  };
}
