// Reads of register content. Built per request with the caller inside, so the access policy is
// applied where the data is read: a provider sees only its own records and receipts, and another
// provider's record is simply "not found" (no existence leak).

import { AccessDenied, type Caller } from '../auth/caller.js';
import type { Queryable } from '../db/types.js';
import { isUuid } from '../domain/identifiers.js';
import type { RegisterRecord } from '../domain/record.js';

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
    }
  }

  async get(id: string): Promise<RecordView | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id];
    const scope = this.scope('r', params);
    const [row] = await this.q.query<RecordView>(`${RECORD_SELECT} WHERE r.id = $1 AND ${scope}`, params);
    return row;
  }

  async history(id: string): Promise<VersionView[] | undefined> {
    if (!(await this.get(id))) return undefined;
    return this.q.query<VersionView>(
      `SELECT version, action, received_at AS "receivedAt", delivery_id AS "deliveryId", late, content
       FROM record_versions WHERE record_id = $1 ORDER BY version`,
      [id],
    );
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
    const after = decodeCursor(opts.cursor);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(r.last_received_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(opts.limit + 1);
    const rows = await this.q.query<RecordView>(`${RECORD_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.last_received_at DESC, r.id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, opts.limit);
    const last = items.at(-1);
    return { items, next: rows.length > opts.limit && last ? encodeCursor(last.lastReceivedAt, last.id) : null };
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
    return { items, next: rows.length > opts.limit && last ? encodeCursor(last.receivedAt, last.id) : null };
  }

  async delivery(id: string): Promise<DeliveryView | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id];
    const [row] = await this.q.query<DeliveryView>(`${DELIVERY_SELECT} WHERE dl.id = $1 AND ${this.deliveryScope(params)}`, params);
    if (!row) return undefined;
    row.issues = await this.q.query(
      `SELECT item, provider_record_ref AS "providerRecordRef", record_id AS "recordId", severity, code, message, path
       FROM delivery_issues WHERE delivery_id = $1 ORDER BY item, seq`,
      [id],
    );
    return row;
  }

  /** Receipts are delivery statistics: the registry administrator may see them too. */
  private deliveryScope(params: unknown[]): string {
    if (this.caller.role === 'provider') {
      params.push(this.caller.providerId);
      return `dl.provider_id = $${params.length}`;
    }
    return 'true';
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
