// Reads of register content. Built per request with the caller inside, so the access policy is
// applied where the data is read: a provider sees only its own records and receipts, and another
// provider's record is simply "not found" (no existence leak).

import { AccessDenied, type Caller } from '../auth/caller.js';
import type { Queryable } from '../db/types.js';
import { isUuid } from '../domain/identifiers.js';
import type { RegisterRecord } from '../domain/record.js';
import { appendAudit, AUDIT_EVENTS, type AuditEvent } from '../privacy/audit-log.js';

/** A record as the API returns it: the delivered fields plus what the register adds. */
export type RecordView = RegisterRecord & {
  id: string;
  version: number;
  status: 'active' | 'withdrawn';
  deviceResolved: boolean;
  device: { manufacturer: string; productName: string; model: string | null } | null;
  linkedRecordId: string | null;
  /** Effective closure, from this record or a linked explantation/death. */
  explantedOn: string | null;
  deceasedOn: string | null;
  deadline: string | null;
  late: boolean;
  firstReceivedAt: string;
  lastReceivedAt: string;
};

export interface VersionView {
  version: number;
  action: 'create' | 'update' | 'withdraw';
  receivedAt: string;
  deliveryId: string;
  late: boolean;
  content: Record<string, unknown>;
}

/** Filters of `RecordsRepository.search`; every one given must hold. */
export interface RecordSearch {
  ids?: string[];
  udiDi?: string;
  pseudonym?: string;
  /** FHIR Patient id of a pseudonym (see `patientIdOf` in src/http/fhir/model.ts). */
  patientId?: string;
  providerRecordRef?: string;
  kinds?: ('implantation' | 'explantation' | 'death')[];
  /** Only records that carry some device data (UDI, DI, lot, serial, dates or implant type). */
  withDeviceData?: boolean;
  /** Bounds on the time of the latest version (ISO instants). */
  lastUpdated?: { op: 'gt' | 'ge' | 'lt' | 'le'; at: string }[];
}

/** SQL for `patientIdOf(r.patient_pseudonym)`: 'p' + the first 40 hex digits of SHA-256 of the UTF-8 pseudonym. */
const PATIENT_ID_SQL = `('p' || substr(encode(sha256(r.patient_pseudonym::bytea), 'hex'), 1, 40))`;

export interface DeliveryView {
  id: string;
  providerKvk: string;
  channel: string;
  mode: string;
  receivedAt: string;
  source: string | null;
  counts: { total: number; created: number; updated: number; unchanged: number; withdrawn: number; rejected: number; warnings: number };
  issues?: { item: number; providerRecordRef: string | null; recordId: string | null; severity: string; code: string; message: string; path: string }[];
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  next: string | null;
}

const RECORD_SELECT = `SELECT r.id, p.kvk AS "providerKvk", r.provider_record_ref AS "providerRecordRef", r.version, r.status, r.kind,
  r.patient_pseudonym AS "patientPseudonym", r.udi_carrier AS udi, r.udi_issuer AS "udiIssuer", r.udi_di AS "udiDi",
  r.device_resolved AS "deviceResolved",
  CASE WHEN d.udi_di IS NULL THEN NULL ELSE jsonb_build_object('manufacturer', d.manufacturer, 'productName', d.product_name, 'model', d.model) END AS device,
  r.lot, r.serial, r.expiry_date AS "expiryDate", r.manufacture_date AS "manufactureDate", r.implant_type AS "implantType",
  r.implant_date AS "implantDate", r.explant_date AS "explantDate", r.explant_reason AS "explantReason", r.death_date AS "deathDate",
  r.closes_record_id AS "closesRecordId", r.linked_record_id AS "linkedRecordId", r.body_site AS "bodySite", r.laterality,
  r.procedure_code AS "procedureCode", r.professional_role AS "professionalRole", r.weeks_postpartum AS "weeksPostpartum",
  r.breastfeeding, r.ultrasound_check AS "ultrasoundCheck", r.previous_expulsion AS "previousExpulsion", r.follow_up_date AS "followUpDate",
  r.closed_explant_date AS "explantedOn", r.closed_death_date AS "deceasedOn", r.deadline, r.late,
  r.first_received_at AS "firstReceivedAt", r.last_received_at AS "lastReceivedAt"
FROM records r JOIN providers p ON p.id = r.provider_id LEFT JOIN devices d ON d.udi_di = r.udi_di`;

export class RecordsRepository {
  constructor(
    private readonly q: Queryable,
    private readonly caller: Caller,
  ) {}

  /** SQL condition limiting rows to what the caller may read, with its parameter. */
  private scope(alias: string, params: unknown[]): string {
    switch (this.caller.role) {
      case 'provider':
        params.push(this.caller.providerId);
        return `${alias}.provider_id = $${params.length}`;
      case 'inspector':
      case 'operator':
        return 'true';
      case 'registry-admin':
        throw new AccessDenied('the registry administrator sees delivery statistics, not record contents');
      case 'manufacturer':
        throw new AccessDenied('a manufacturer submits reports about its devices; it has no access to register records');
      case 'association':
        throw new AccessDenied('an association sees suppressed aggregate reports only, not records');
      case 'log-manager':
        throw new AccessDenied('the log manager reads the audit log, not register records');
    }
  }

  /** Every read writes one audit entry (NEN 7513), here in the query layer so no route can forget it. */
  private async audit(event: AuditEvent): Promise<void> {
    await appendAudit(this.q, this.caller, [event]);
  }

  async get(id: string): Promise<RecordView | undefined> {
    const row = await this.getRow(id);
    await this.audit({ eventCode: AUDIT_EVENTS.recordRead, action: 'R', objectType: 'Record', objectId: id, resultCount: row ? 1 : 0 });
    return row;
  }

  private async getRow(id: string): Promise<RecordView | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id];
    const scope = this.scope('r', params);
    const [row] = await this.q.query<RecordView>(`${RECORD_SELECT} WHERE r.id = $1 AND ${scope}`, params);
    return row;
  }

  async history(id: string): Promise<VersionView[] | undefined> {
    const versions = (await this.getRow(id))
      ? await this.q.query<VersionView>(
          `SELECT version, action, received_at AS "receivedAt", delivery_id AS "deliveryId", late, content
           FROM record_versions WHERE record_id = $1 ORDER BY version`,
          [id],
        )
      : undefined;
    await this.audit({ eventCode: AUDIT_EVENTS.recordHistory, action: 'R', objectType: 'Record', objectId: id, resultCount: versions?.length ?? 0 });
    return versions;
  }

  /** Newest first; `cursor` continues after the last item of the previous page. */
  async list(opts: { limit: number; cursor?: string | null; providerKvk?: string; udiDi?: string }): Promise<Page<RecordView>> {
    const params: unknown[] = [];
    const where = [this.scope('r', params)];
    if (opts.providerKvk) {
      params.push(opts.providerKvk);
      where.push(`p.kvk = $${params.length}`);
    }
    if (opts.udiDi) {
      params.push(opts.udiDi);
      where.push(`r.udi_di = $${params.length}`);
    }
    const page = await this.page(where, params, opts.limit, opts.cursor);
    const query = { ...(opts.providerKvk ? { providerKvk: opts.providerKvk } : {}), ...(opts.udiDi ? { udiDi: opts.udiDi } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}), limit: opts.limit };
    await this.audit({ eventCode: AUDIT_EVENTS.recordSearch, action: 'E', objectType: 'Record', query, resultCount: page.items.length });
    return page;
  }

  /**
   * Search for the FHIR read path: every filter is ANDed, results newest first (last receipt, then
   * id) with the same keyset cursor as `list`. `patientId` is the FHIR id of a pseudonym
   * (`patientIdOf`: 'p' + the first 40 hex digits of its SHA-256), compared in SQL within the
   * caller's scope. `lastUpdated` bounds are ISO instants on `last_received_at`.
   */
  async search(opts: RecordSearch & { limit: number; cursor?: string | null }): Promise<Page<RecordView>> {
    const params: unknown[] = [];
    const where = this.searchConditions(opts, params);
    const page = await this.page(where, params, opts.limit, opts.cursor);
    // The filter holds identifiers only (record ids, UDI-DI, pseudonymous patient ids, provider refs).
    await this.audit({ eventCode: AUDIT_EVENTS.recordSearch, action: 'E', objectType: 'Record', query: { ...opts }, resultCount: page.items.length });
    return page;
  }

  /** One page, newest receipt first, continuing after `cursor` (keyset paging on last_received_at, id). */
  private async page(where: string[], params: unknown[], limit: number, cursor: string | null | undefined): Promise<Page<RecordView>> {
    const after = decodeCursor(cursor);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(r.last_received_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.q.query<RecordView>(`${RECORD_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.last_received_at DESC, r.id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? encodeCursor(last.lastReceivedAt, last.id) : null };
  }

  /** The number of records a `search` with these filters finds (all pages). */
  async searchCount(opts: RecordSearch): Promise<number> {
    const params: unknown[] = [];
    const where = this.searchConditions(opts, params);
    const [row] = await this.q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM records r WHERE ${where.join(' AND ')}`, params);
    return row?.n ?? 0;
  }

  /** The pseudonym behind a FHIR Patient id, if the caller has a record of that patient, and the death date its records know. */
  async patient(patientId: string): Promise<{ pseudonym: string; deceasedOn: string | null } | undefined> {
    if (!/^p[0-9a-f]{40}$/.test(patientId)) return undefined;
    const params: unknown[] = [patientId];
    const scope = this.scope('r', params);
    const [row] = await this.q.query<{ pseudonym: string; deceasedOn: string | null }>(
      `SELECT r.patient_pseudonym AS pseudonym,
         max(coalesce(r.death_date, r.closed_death_date)) FILTER (WHERE r.status = 'active') AS "deceasedOn"
       FROM records r WHERE r.patient_pseudonym IS NOT NULL AND ${PATIENT_ID_SQL} = $1 AND ${scope}
       GROUP BY r.patient_pseudonym LIMIT 1`,
      params,
    );
    await this.audit({ eventCode: AUDIT_EVENTS.patientRead, action: 'R', objectType: 'Patient', objectId: patientId, resultCount: row ? 1 : 0 });
    return row;
  }

  private searchConditions(opts: RecordSearch, params: unknown[]): string[] {
    const where = [this.scope('r', params)];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (opts.ids) add((n) => `r.id = ANY(${n}::uuid[])`, opts.ids.filter(isUuid));
    if (opts.udiDi !== undefined) add((n) => `r.udi_di = ${n}`, opts.udiDi);
    if (opts.pseudonym !== undefined) add((n) => `r.patient_pseudonym = ${n}`, opts.pseudonym);
    if (opts.patientId !== undefined) add((n) => `r.patient_pseudonym IS NOT NULL AND ${PATIENT_ID_SQL} = ${n}`, opts.patientId);
    if (opts.providerRecordRef !== undefined) add((n) => `r.provider_record_ref = ${n}`, opts.providerRecordRef);
    if (opts.kinds) add((n) => `r.kind = ANY(${n}::text[])`, opts.kinds);
    if (opts.withDeviceData) {
      where.push(
        `(r.udi_carrier IS NOT NULL OR r.udi_di IS NOT NULL OR r.lot IS NOT NULL OR r.serial IS NOT NULL OR r.expiry_date IS NOT NULL OR r.manufacture_date IS NOT NULL OR r.implant_type IS NOT NULL)`,
      );
    }
    for (const b of opts.lastUpdated ?? []) {
      const op = { gt: '>', ge: '>=', lt: '<', le: '<=' }[b.op];
      add((n) => `r.last_received_at ${op} ${n}::timestamptz`, b.at);
    }
    return where;
  }

  async deliveries(opts: { limit: number; cursor?: string | null }): Promise<Page<DeliveryView>> {
    const params: unknown[] = [];
    const where = [this.deliveryScope(params)];
    const after = decodeCursor(opts.cursor);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(dl.received_at, dl.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(opts.limit + 1);
    const rows = await this.q.query<DeliveryView>(`${DELIVERY_SELECT} WHERE ${where.join(' AND ')} ORDER BY dl.received_at DESC, dl.id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, opts.limit);
    const last = items.at(-1);
    await this.audit({ eventCode: AUDIT_EVENTS.deliverySearch, action: 'E', objectType: 'Delivery', query: { limit: opts.limit, ...(opts.cursor ? { cursor: opts.cursor } : {}) }, resultCount: items.length });
    return { items, next: rows.length > opts.limit && last ? encodeCursor(last.receivedAt, last.id) : null };
  }

  async delivery(id: string): Promise<DeliveryView | undefined> {
    const row = await this.deliveryRow(id);
    await this.audit({ eventCode: AUDIT_EVENTS.deliveryRead, action: 'R', objectType: 'Delivery', objectId: id, resultCount: row ? 1 : 0 });
    return row;
  }

  private async deliveryRow(id: string): Promise<DeliveryView | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id];
    const [row] = await this.q.query<DeliveryView>(`${DELIVERY_SELECT} WHERE dl.id = $1 AND ${this.deliveryScope(params)}`, params);
    if (!row) return undefined;
    // The registry administrator sees delivery statistics only: the issue list names records.
    if (this.caller.role === 'registry-admin') return row;
    row.issues = await this.q.query(
      `SELECT item, provider_record_ref AS "providerRecordRef", record_id AS "recordId", severity, code, message, path
       FROM delivery_issues WHERE delivery_id = $1 ORDER BY item, seq`,
      [id],
    );
    return row;
  }

  /** Receipts are delivery statistics: the registry administrator may see them too. */
  private deliveryScope(params: unknown[]): string {
    // exhaustive on purpose: a new role must decide whether it may see receipts
    switch (this.caller.role) {
      case 'provider':
        params.push(this.caller.providerId);
        return `dl.provider_id = $${params.length}`;
      case 'inspector':
      case 'operator':
      case 'registry-admin':
        return 'true';
      case 'manufacturer':
      case 'association':
      case 'log-manager':
        throw new AccessDenied(`receipts are for the delivering provider, the inspectorate and the registry administrator; you are ${this.caller.role}`);
    }
  }
}

const DELIVERY_SELECT = `SELECT dl.id, p.kvk AS "providerKvk", dl.channel, dl.mode, dl.received_at AS "receivedAt", dl.source,
  jsonb_build_object('total', dl.total, 'created', dl.created, 'updated', dl.updated, 'unchanged', dl.unchanged,
    'withdrawn', dl.withdrawn, 'rejected', dl.rejected, 'warnings', dl.warnings) AS counts
FROM deliveries dl JOIN providers p ON p.id = dl.provider_id`;

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): { at: string; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    /* fall through */
  }
  throw new InvalidCursor();
}

export class InvalidCursor extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('the paging cursor is not valid; start again without it');
  }
}
