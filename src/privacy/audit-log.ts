// The NEN 7513 access log (issue 5 part 4, docs/audit.md): append-only, hash-chained.
//
// Each entry's hash is SHA-256 (hex) over a canonical serialisation of the entry, including its
// seq and the previous entry's hash (`prev_hash`; the first entry chains to 64 zeros). Appends are
// serialised: a transaction-level advisory lock is taken, the last entry is read and the new
// entries are inserted with consecutive seqs in one INSERT. On PGlite the single connection
// serialises transactions already; the same code runs there.

import { createHash } from 'node:crypto';
import { AccessDenied, type Caller } from '../auth/caller.js';
import type { Db, Queryable } from '../db/types.js';
import { patientDataIn } from '../domain/record-validation.js';
import { isUuid } from '../domain/identifiers.js';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK = 7482006;
const VERIFY_PAGE = 1000;

/** C create, R read, U update, D delete, E execute (search, export, query). */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** What a caller of `appendAudit` supplies: the event and its object; the caller gives who/where. */
export interface AuditEvent {
  eventCode: string;
  action: AuditAction;
  objectType: string;
  objectId?: string | null;
  /** The filter of a search or query: identifiers, codes and dates only, never patient data. */
  query?: Record<string, unknown> | null;
  resultCount?: number | null;
  /** Who, when one append holds events of several callers (deliveries written together); else the call's caller. */
  caller?: Caller;
}

export interface AuditEntry {
  seq: number;
  eventCode: string;
  action: AuditAction;
  recordedAt: string;
  userId: string;
  role: string;
  organisation: string | null;
  onBehalfOf: string | null;
  objectType: string;
  objectId: string | null;
  query: Record<string, unknown> | null;
  resultCount: number | null;
  purpose: string | null;
  sourceAddress: string | null;
  prevHash: string;
  hash: string;
}

/** Event codes used by the register. */
export const AUDIT_EVENTS = {
  recordRead: 'record-read',
  recordHistory: 'record-history',
  recordSearch: 'record-search',
  patientRead: 'patient-read',
  deliveryRead: 'delivery-read',
  deliverySearch: 'delivery-search',
  delivery: 'delivery',
  affectedPopulation: 'affected-population',
  suspendedImplants: 'suspended-implants',
  auditLogRead: 'audit-log-read',
  auditLogVerify: 'audit-log-verify',
  aggregateReport: 'aggregate-report',
} as const;

/** Canonical JSON: object keys sorted, no whitespace; undefined object members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** SHA-256 over the canonical serialisation of every field but `hash`, in a fixed order. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const fields = [
    e.seq, e.eventCode, e.action, e.recordedAt, e.userId, e.role, e.organisation, e.onBehalfOf,
    e.objectType, e.objectId, e.query, e.resultCount, e.purpose, e.sourceAddress, e.prevHash,
  ];
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

function organisationOf(caller: Caller): string | null {
  return caller.role === 'provider' ? caller.providerKvk : null;
}

const COLUMNS = [
  'seq', 'event_code', 'action', 'recorded_at', 'user_id', 'role', 'organisation', 'on_behalf_of',
  'object_type', 'object_id', 'query', 'result_count', 'purpose', 'source_address', 'prev_hash', 'hash',
] as const;

const ENTRY_SELECT = `SELECT seq, event_code AS "eventCode", action, recorded_at AS "recordedAt", user_id AS "userId", role,
  organisation, on_behalf_of AS "onBehalfOf", object_type AS "objectType", object_id AS "objectId", query,
  result_count AS "resultCount", purpose, source_address AS "sourceAddress", prev_hash AS "prevHash", hash
FROM audit_log`;

/** What the log keeps instead of a value that looked like patient data. */
export const WITHHELD = '(withheld: looked like patient data)';
/** Query keys whose values are free text or date bounds by design (a manufacturer's name, a period). */
const AS_GIVEN = new Set(['manufacturer', 'productName', 'from', 'to', 'implantedFrom', 'implantedTo', 'at', 'op']);

/**
 * The log keeps what a caller asked for, and a caller can type anything into a URL: an id or a
 * search value that looks like a BSN, a date or running text is withheld rather than stored.
 */
function scrub(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return AS_GIVEN.has(key) || patientDataIn(value) === null ? value : WITHHELD;
  if (Array.isArray(value)) return value.map((v) => scrub(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
  return value;
}

const scrubId = (id: string | null | undefined): string | null =>
  id === null || id === undefined ? null : isUuid(id) || /^p[0-9a-f]{40}$/.test(id) || patientDataIn(id) === null ? id : WITHHELD;

/**
 * Appends the events of one call, for `caller`, as one INSERT. `q` is the database (a transaction
 * is opened) or a transaction already open (the entries commit or roll back with it).
 */
export async function appendAudit(q: Queryable | Db, caller: Caller, events: readonly AuditEvent[], now: Date = new Date()): Promise<AuditEntry[]> {
  if (events.length === 0) return [];
  if ('transaction' in q && typeof q.transaction === 'function') return q.transaction((tx) => appendIn(tx, caller, events, now));
  return appendIn(q, caller, events, now);
}

async function appendIn(tx: Queryable, caller: Caller, events: readonly AuditEvent[], now: Date): Promise<AuditEntry[]> {
  await tx.query(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const recordedAt = now.toISOString();
  const entries: AuditEntry[] = events.map((ev) => {
    seq += 1;
    const who = ev.caller ?? caller;
    const body: Omit<AuditEntry, 'hash'> = {
      seq,
      eventCode: ev.eventCode,
      action: ev.action,
      recordedAt,
      userId: who.subject,
      role: who.role,
      organisation: organisationOf(who),
      onBehalfOf: who.onBehalfOf ?? null,
      objectType: ev.objectType,
      objectId: scrubId(ev.objectId),
      query: ev.query ? (JSON.parse(canonicalJson(scrub(ev.query))) as Record<string, unknown>) : null,
      resultCount: ev.resultCount ?? null,
      purpose: who.purpose ?? null,
      sourceAddress: who.sourceAddress ?? null,
      prevHash,
    };
    const entry = { ...body, hash: entryHash(body) };
    prevHash = entry.hash;
    return entry;
  });
  const params: unknown[] = [];
  const rows = entries.map((e) => {
    const values = [
      e.seq, e.eventCode, e.action, e.recordedAt, e.userId, e.role, e.organisation, e.onBehalfOf,
      e.objectType, e.objectId, e.query === null ? null : JSON.stringify(e.query), e.resultCount, e.purpose, e.sourceAddress, e.prevHash, e.hash,
    ];
    const start = params.length;
    params.push(...values);
    return `(${values.map((_, i) => `$${start + i + 1}${COLUMNS[i] === 'query' ? '::jsonb' : COLUMNS[i] === 'recorded_at' ? '::timestamptz' : ''}`).join(', ')})`;
  });
  await tx.query(`INSERT INTO audit_log (${COLUMNS.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${rows.join(', ')}`, params);
  return entries;
}

export type ChainReport =
  | { ok: true; entries: number; lastSeq: number | null; lastHash: string }
  | { ok: false; entries: number; seq: number; problem: 'altered' | 'removed' | 'reordered'; message: string };

/**
 * Recomputes the chain page by page (bounded memory) and reports the first broken entry: a gap in
 * seq or a prev_hash that is not the previous entry's hash (removed), an entry whose content hashes
 * to its own hash under another nearby seq (reordered), or a hash that does not match (altered).
 * The removal of the newest entries leaves no trace in the chain itself; compare `lastSeq` and
 * `lastHash` with a copy kept elsewhere (docs/audit.md).
 */
export async function verifyAuditChain(q: Queryable): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastSeq: number | null = null;
  for (;;) {
    const page = await q.query<AuditEntry>(`${ENTRY_SELECT} WHERE seq >= $1 ORDER BY seq LIMIT ${VERIFY_PAGE}`, [expectedSeq]);
    for (const e of page) {
      const { hash, ...body } = e;
      const broken = (problem: 'altered' | 'removed' | 'reordered', message: string): ChainReport => ({ ok: false, entries: count, seq: e.seq, problem, message: `audit entry ${e.seq}: ${message}` });
      if (e.seq !== expectedSeq) {
        const missing = e.seq - 1 === expectedSeq ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${e.seq - 1} are`;
        return broken('removed', `${missing} missing (gap in seq before ${e.seq})`);
      }
      const own = entryHash(body);
      if (own !== hash) {
        for (let s = Math.max(1, e.seq - 16); s <= e.seq + 16; s++) {
          if (s !== e.seq && entryHash({ ...body, seq: s }) === hash) return broken('reordered', `holds the content of entry ${s} (its hash matches that entry's position), so entries were reordered`);
        }
        return broken('altered', `content does not match its hash (stored ${hash.slice(0, 12)}…, recomputed ${own.slice(0, 12)}…): the entry was altered`);
      }
      if (e.prevHash !== prevHash) {
        return broken('removed', `prev_hash ${e.prevHash.slice(0, 12)}… is not the hash of entry ${e.seq - 1} (${prevHash.slice(0, 12)}…): an entry before it was removed or replaced`);
      }
      prevHash = hash;
      lastSeq = e.seq;
      expectedSeq = e.seq + 1;
      count++;
    }
    if (page.length < VERIFY_PAGE) break;
  }
  return { ok: true, entries: count, lastSeq, lastHash: prevHash };
}

export interface AuditFilter {
  from?: string;
  to?: string;
  user?: string;
  object?: string;
  limit?: number;
  /** Continue after this seq (ascending order). */
  afterSeq?: number;
}

/**
 * The log manager's filtered read, oldest first. Reading the log is itself logged (NEN 7513 ch. 6).
 * Only the log manager (and the operator at the command line) reads it: the inspectorate's own
 * reads are in it, so the inspectorate does not review itself.
 */
export async function listAudit(db: Db | Queryable, caller: Caller, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  mayReadAuditLog(caller);
  const params: unknown[] = [];
  const where: string[] = ['true'];
  const add = (sql: (n: string) => string, v: unknown) => {
    params.push(v);
    where.push(sql(`$${params.length}`));
  };
  if (filter.from) add((n) => `recorded_at >= ${n}::timestamptz`, filter.from);
  if (filter.to) add((n) => `recorded_at <= ${n}::timestamptz`, filter.to);
  if (filter.user) add((n) => `user_id = ${n}`, filter.user);
  if (filter.object) add((n) => `object_id = ${n}`, filter.object);
  if (filter.afterSeq !== undefined) add((n) => `seq > ${n}`, filter.afterSeq);
  const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 10_000);
  params.push(limit);
  const rows = await db.query<AuditEntry>(`${ENTRY_SELECT} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`, params);
  const query: Record<string, unknown> = {};
  for (const k of ['from', 'to', 'user', 'object', 'afterSeq'] as const) if (filter[k] !== undefined) query[k] = filter[k];
  await appendAudit(db, caller, [{ eventCode: AUDIT_EVENTS.auditLogRead, action: 'E', objectType: 'AuditLog', query, resultCount: rows.length }]);
  return rows;
}

function mayReadAuditLog(caller: Caller): void {
  if (caller.role !== 'log-manager' && caller.role !== 'operator') throw new AccessDenied('the audit log is read by the log manager only');
}

/** The log manager's check of the hash chain; the check is itself an entry (appended after it). */
export async function verifyAuditLog(db: Db | Queryable, caller: Caller): Promise<ChainReport> {
  mayReadAuditLog(caller);
  const report = await verifyAuditChain(db);
  await appendAudit(db, caller, [{ eventCode: AUDIT_EVENTS.auditLogVerify, action: 'E', objectType: 'AuditLog', query: null, resultCount: report.entries }]);
  return report;
}
