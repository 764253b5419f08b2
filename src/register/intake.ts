// The one intake pipeline shared by every channel (REST, file, FHIR, portal):
// validate → take DI/PI from the carrier → resolve the UDI-DI → store a new version → receipt.

import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import { appendAudit, AUDIT_EVENTS } from '../privacy/audit-log.js';
import { csvLine, type Db, type Queryable } from '../db/types.js';
import { dateOf, deliveryDeadline, isLate } from '../domain/dates.js';
import { isBsn, isProviderRecordRef } from '../domain/identifiers.js';
import { IUD_PLACEMENT_FIELDS, type Issue, type RegisterRecord } from '../domain/record.js';
import { patientDataIn, validateRecord, type CarrierParse } from '../domain/record-validation.js';
import { contentHash } from './content-hash.js';
import { countItems, receiptStatus, type Receipt, type ReceiptItem } from './receipt.js';
import { contentRow, RECORDSET_TYPE, ALL_COLUMNS } from './record-columns.js';
import { refreshClosures } from './closures.js';
import { certificateWarnings, type SafetyCheckItem } from '../catalogue/certificates.js';
import { recallWarnings } from '../catalogue/recalls.js';

export type Channel = 'rest' | 'file' | 'fhir' | 'portal' | 'demo';

export interface IntakeDeps {
  parseCarrier?: (udi: string) => CarrierParse;
  implantTypes: ReadonlyMap<string, { qualityRegister: boolean }>;
  now?: () => Date;
}

export interface IntakeRequest {
  records: readonly unknown[];
  mode: 'transaction' | 'batch';
  channel: Channel;
  caller: Caller;
  /** Restrict an operator's delivery to one provider (`lir import --provider`). */
  providerKvk?: string;
  source?: string;
  /** Reuse delivery rows across chunks of one file, so a file has one receipt per provider. */
  session?: DeliverySession;
  /** Offset added to item indexes (chunked files). */
  indexOffset?: number;
}

export class DeliverySession {
  readonly ids = new Map<string, string>(); // provider id → delivery id
  constructor(readonly receivedAt: Date) {}
}

interface Existing {
  patient_key: string;
  id: string;
  provider_id: string;
  provider_record_ref: string;
  version: number;
  status: 'active' | 'withdrawn';
  content_hash: string;
  [col: string]: unknown;
}

interface Tracked {
  item: ReceiptItem;
  providerId: string | undefined;
}
type Owned = { item: ReceiptItem; providerId: string };

interface Pending {
  item: ReceiptItem;
  providerId: string;
  key: string;
  record?: RegisterRecord; // upsert, as delivered
  /** The implant type stored: the catalogue's when the UDI-DI is known, else the provider's. */
  effectiveType?: string | null;
  withdraw?: boolean;
  /** The record's content hash, computed while preparing. */
  hash?: string;
  /** Whether the UDI-DI is in the catalogue. */
  resolved?: boolean;
}

/** A call validated and resolved, ready for `Intake.store`. */
export interface PreparedDelivery {
  readonly req: IntakeRequest;
  readonly receivedAt: Date;
  readonly items: ReceiptItem[];
  readonly pending: Pending[];
  readonly owned: Owned[];
  /** provider id → delivery id, once written (calls without a session) */
  deliveryIds?: Map<string, string>;
}

/** Rows written since the last ANALYZE that trigger a new one: this many, or half the table when larger. */
const ANALYZE_MIN_ROWS = 2000;
const ANALYZE_GROWTH = 0.5;
/** Records written together at most, when calls wait for the writer (a file chunk alone may be larger). */
const GROUP_MAX_RECORDS = 10_000;

interface Waiting {
  prepared: PreparedDelivery;
  done: () => void;
  fail: (err: unknown) => void;
}

export class Intake {
  /** Record rows inserted or updated by this intake since it last ran ANALYZE, and the table's size then. */
  #written = 0;
  #analyzedRows: number | undefined;
  /** Calls waiting for the writer, and whether it is writing (see `store`). */
  #queue: Waiting[] = [];
  #writing = false;

  constructor(
    private readonly db: Db,
    private readonly deps: IntakeDeps,
  ) {}

  /** A session for a delivery made of several calls (a file in chunks), timed by the register's clock. */
  startSession(): DeliverySession {
    return new DeliverySession(this.deps.now?.() ?? new Date());
  }

  /** Validates, resolves and stores one call: `store(await prepare(req))`. */
  async deliver(req: IntakeRequest): Promise<Receipt> {
    return this.store(await this.prepare(req));
  }

  /**
   * Everything before the write transaction: validation, providers, the catalogue, certificates
   * and recalls, content hashes. Reads reference data only, so a file import prepares its next
   * chunk while the database stores the one before (`store` calls must still come in order).
   */
  async prepare(req: IntakeRequest): Promise<PreparedDelivery> {
    const receivedAt = req.session?.receivedAt ?? this.deps.now?.() ?? new Date();
    const today = dateOf(receivedAt);
    const fixedKvk = req.caller.role === 'provider' ? req.caller.providerKvk : req.providerKvk;
    const offset = req.indexOffset ?? 0;

    // 1. validate (pure)
    const items: ReceiptItem[] = [];
    const valid: { item: ReceiptItem; result: Exclude<ReturnType<typeof validateRecord>, { ok: false }> }[] = [];
    req.records.forEach((input, i) => {
      const result = validateRecord(input, {
        today,
        parseCarrier: this.deps.parseCarrier,
        isKnownImplantType: (c) => this.deps.implantTypes.has(c),
        providerKvk: fixedKvk,
      });
      const ref = result.ok ? (result.action === 'upsert' ? result.record.providerRecordRef : result.providerRecordRef) : refOf(input);
      const item: ReceiptItem = { index: offset + i, providerRecordRef: ref, outcome: 'rejected', errors: result.ok ? [] : result.errors, warnings: result.warnings };
      items.push(item);
      if (result.ok) valid.push({ item, result });
    });

    // 2. providers: every item, valid or not, belongs to a provider's delivery when we can tell which
    const validByItem = new Map(valid.map((v) => [v.item, v]));
    const kvkOf = (input: unknown, i: number): string | undefined => {
      const v = validByItem.get(items[i]!);
      if (v) return v.result.action === 'upsert' ? v.result.record.providerKvk : v.result.providerKvk;
      const raw = input && typeof input === 'object' ? (input as { providerKvk?: unknown }).providerKvk : undefined;
      return typeof raw === 'string' && /^\d{8}$/.test(raw) ? raw : fixedKvk;
    };
    const itemKvks = req.records.map((input, i) => kvkOf(input, i));
    const kvks = [...new Set(itemKvks.filter((k): k is string => !!k))];
    const providers = new Map<string, string>();
    if (kvks.length > 0) {
      for (const p of await this.db.query<{ id: string; kvk: string }>('SELECT id, kvk FROM providers WHERE kvk = ANY($1::text[])', [kvks])) providers.set(p.kvk, p.id);
    }
    const tracked: Tracked[] = items.map((item, i) => ({ item, providerId: itemKvks[i] ? providers.get(itemKvks[i]!) : undefined }));
    const pending: Pending[] = [];
    for (const { item, result } of valid) {
      const kvk = result.action === 'upsert' ? result.record.providerKvk : result.providerKvk;
      const providerId = providers.get(kvk);
      if (!providerId) {
        item.errors.push({ severity: 'error', code: 'UNKNOWN_PROVIDER', message: `no provider with KvK number ${kvk} is registered`, path: '/providerKvk' });
        continue;
      }
      const key = `${providerId}\u0000${item.providerRecordRef}`;
      pending.push(result.action === 'upsert' ? { item, providerId, key, record: result.record } : { item, providerId, key, withdraw: true });
    }
    const owned = tracked.filter((t): t is Owned => t.providerId !== undefined);

    // 3. catalogue, then certificates and recalls (warnings only)
    await this.resolveDevices(pending);
    await this.checkSafety(pending);
    for (const p of pending) if (p.record) p.hash = contentHash(p.record);
    return { req, receivedAt, items, pending, owned };
  }

  /**
   * Writes a prepared call and returns its receipt. Calls that arrive while another is being
   * written wait and are then written together, in arrival order, in one transaction (group
   * commit): concurrent Bundles of several clients share the statements, the audit-log lock and
   * the commit instead of queueing on them one by one. Each call keeps its own delivery, receipt
   * and audit entry; a group in which one call must roll back (a transaction Bundle with an error)
   * or fails is written again one call at a time, so no call is affected by another.
   */
  async store(prepared: PreparedDelivery): Promise<Receipt> {
    const { req, receivedAt, items, owned } = prepared;
    const failedTransaction = req.mode === 'transaction' && items.some((it) => it.errors.length > 0);
    if (!failedTransaction && owned.length > 0) await this.write(prepared);
    const anyError = items.some((it) => it.errors.length > 0);
    if (req.mode === 'transaction' && anyError) {
      for (const it of items) {
        it.outcome = it.errors.length > 0 ? 'rejected' : 'rolled-back';
        delete it.recordId;
        delete it.version;
      }
      // The records are not stored, but the provider can still fetch the receipt.
      if (owned.length > 0) {
        await this.db.transaction(async (tx) => {
          await this.ensureDeliveries(tx, [prepared]);
          await this.storeIssuesAndCounts(tx, [prepared]);
        });
      }
    } else {
      for (const it of items) if (it.errors.length > 0) it.outcome = 'rejected';
    }
    const counts = countItems(items);
    const deliveryIds = req.session ? [...req.session.ids.values()] : [...new Set(owned.map((t) => t.item.deliveryId!))].filter(Boolean);
    for (const it of items) delete it.deliveryId;
    return { deliveryIds, mode: req.mode, status: receiptStatus(counts), receivedAt: receivedAt.toISOString(), counts, items };
  }

  private write(prepared: PreparedDelivery): Promise<void> {
    return new Promise((done, fail) => {
      this.#queue.push({ prepared, done, fail });
      if (!this.#writing) void this.drain();
    });
  }

  /** The one writer: takes every call waiting (up to GROUP_MAX_RECORDS records) as one group. */
  private async drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const group: Waiting[] = [this.#queue.shift()!];
        let records = group[0]!.prepared.pending.length;
        while (this.#queue.length > 0 && records + this.#queue[0]!.prepared.pending.length <= GROUP_MAX_RECORDS) {
          const next = this.#queue.shift()!;
          group.push(next);
          records += next.prepared.pending.length;
        }
        if (group.length > 1) {
          try {
            await this.writeGroup(group.map((w) => w.prepared));
            for (const w of group) w.done();
            continue;
          } catch {
            // a call that must roll back, or fails: each call on its own below
          }
        }
        for (const w of group) {
          try {
            await this.writeGroup([w.prepared]);
            w.done();
          } catch (err) {
            w.fail(err);
          }
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /** One transaction for the calls of a group; throws SplitGroup when the group must be written call by call. */
  private async writeGroup(members: readonly PreparedDelivery[]): Promise<void> {
    const items = members.flatMap((m) => m.items);
    const before = items.map((it) => ({ errors: it.errors.length, warnings: it.warnings.length }));
    const reset = () =>
      items.forEach((it, i) => {
        it.errors.length = before[i]!.errors;
        it.warnings.length = before[i]!.warnings;
        it.outcome = 'rejected';
        for (const k of ['recordId', 'version', 'deadline', 'late'] as const) delete it[k];
      });
    // Two requests creating the same reference at once on PostgreSQL: the loser's transaction
    // fails on the record_refs key and is simply run again, now seeing the winner's record.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async (tx) => {
          await this.ensureDeliveries(tx, members);
          // closures are refreshed once for the whole group, after its records are written
          const touched: Touched = { pseudonyms: new Set(), ids: new Set() };
          await this.apply(tx, members, touched);
          if (touched.ids.size > 0) await refreshClosures(tx, [...touched.pseudonyms], [...touched.ids]);
          if (members.some((m) => m.req.mode === 'transaction' && m.items.some((it) => it.errors.length > 0))) {
            throw members.length > 1 ? new SplitGroup() : new RollBack();
          }
          await this.storeIssuesAndCounts(tx, members);
        });
        await this.analyzeWhenGrown();
        return;
      } catch (err) {
        if (err instanceof RollBack) return;
        if (members.length > 1 || isRetryable(err)) reset();
        if (err instanceof SplitGroup || !isRetryable(err) || attempt >= 5) throw err;
      }
    }
  }

  /**
   * Keeps the planner's statistics current while the register grows by bulk deliveries. PGlite has
   * no autovacuum, so without this `records` is never analysed and the closure statements fall back
   * to plans whose cost grows with the table (a 100,000-row import slowed from 2,000 to 350 rows/s);
   * on PostgreSQL it saves the minutes before autovacuum's first ANALYZE of a fresh table.
   */
  private async analyzeWhenGrown(): Promise<void> {
    if (this.#written < ANALYZE_MIN_ROWS) return;
    if (this.#analyzedRows === undefined) {
      const [row] = await this.db.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'records'::regclass");
      this.#analyzedRows = Math.max(0, row?.n ?? 0);
    }
    if (this.#written < this.#analyzedRows * ANALYZE_GROWTH) return;
    try {
      await this.db.query('ANALYZE records, record_refs, record_versions');
      const [row] = await this.db.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'records'::regclass");
      this.#analyzedRows = Math.max(0, row?.n ?? 0);
    } catch {
      // statistics are an optimisation: a delivery never fails for them
    }
    this.#written = 0;
  }

  private async resolveDevices(pending: Pending[]): Promise<void> {
    const dis = [...new Set(pending.map((p) => p.record?.udiDi).filter((d): d is string => !!d))];
    const devices = new Map<string, string>();
    if (dis.length > 0) {
      for (const d of await this.db.query<{ udi_di: string; implant_type: string }>('SELECT udi_di, implant_type FROM devices WHERE udi_di = ANY($1::text[])', [dis])) devices.set(d.udi_di, d.implant_type);
    }
    for (const p of pending) {
      const r = p.record;
      if (!r) continue;
      const warn = (path: string, code: string, message: string) => p.item.warnings.push({ severity: 'warning', code, message, path });
      const catalogueType = r.udiDi ? devices.get(r.udiDi) : undefined;
      p.resolved = catalogueType !== undefined;
      if (r.udiDi && catalogueType === undefined) {
        warn(p.item.errors.length ? '/udiDi' : '/udiDi', 'UNRESOLVED_UDI_DI', `UDI-DI ${r.udiDi} is not in the device catalogue yet; the record is stored and marked unresolved`);
      }
      if (catalogueType && r.implantType && catalogueType !== r.implantType) {
        warn('/implantType', 'IMPLANT_TYPE_MISMATCH', `the catalogue lists UDI-DI ${r.udiDi} as implant type ${catalogueType}, not ${r.implantType}; the catalogue's type is used`);
      }
      const type = catalogueType ?? r.implantType;
      p.effectiveType = type ?? null;
      if (type && !this.deps.implantTypes.get(type)?.qualityRegister) {
        for (const f of IUD_PLACEMENT_FIELDS) {
          if (r[f] !== null) warn(`/${f}`, 'PLACEMENT_FIELD_NOT_IUD', `${f} is recorded for IUD placements; implant type ${type} is not an IUD`);
        }
      }
    }
  }

  /**
   * Scan-time safety check of implantations: the device's certificate on the implant date
   * (CERTIFICATE_SUSPENDED / CERTIFICATE_WITHDRAWN) and recalls of the device, lot or serial
   * (DEVICE_RECALLED / LOT_RECALLED / SERIAL_RECALLED). Set-based: one query for certificates and
   * one for recalls, whatever the number of records. Warnings never block storage.
   */
  private async checkSafety(pending: Pending[]): Promise<void> {
    const checked: Pending[] = [];
    const items: SafetyCheckItem[] = [];
    for (const p of pending) {
      const r = p.record;
      if (!r || r.kind !== 'implantation' || !r.udiDi || !r.implantDate) continue;
      const from = (field: 'udiDi' | 'lot' | 'serial') => (r.udi !== null ? '/udi' : `/${field}`);
      items.push({ index: checked.length, udiDi: r.udiDi, implantDate: r.implantDate, lot: r.lot, serial: r.serial, paths: { udiDi: from('udiDi'), lot: from('lot'), serial: from('serial') } });
      checked.push(p);
    }
    if (items.length === 0) return;
    for (const found of [await certificateWarnings(this.db, items), await recallWarnings(this.db, items)]) {
      for (const [index, issues] of found) checked[index]!.item.warnings.push(...issues);
    }
  }

  /** The delivery row of every provider of every call (one INSERT), and each item's delivery id. */
  private async ensureDeliveries(tx: Queryable, members: readonly PreparedDelivery[]): Promise<void> {
    const rows: { id: string; providerId: string; m: PreparedDelivery }[] = [];
    for (const m of members) {
      const ids = m.req.session?.ids ?? (m.deliveryIds ??= new Map<string, string>());
      for (const providerId of new Set(m.owned.map((p) => p.providerId))) {
        if (!ids.has(providerId)) ids.set(providerId, randomUUID());
        rows.push({ id: ids.get(providerId)!, providerId, m });
      }
      for (const p of m.owned) p.item.deliveryId = ids.get(p.providerId)!;
    }
    // a file chunk has a couple of hundred providers; a group, a few calls
    await tx.query(
      `INSERT INTO deliveries (id, provider_id, channel, mode, received_at, source)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
       ON CONFLICT (id) DO NOTHING`,
      [
        rows.map((r) => r.id), rows.map((r) => r.providerId), rows.map((r) => r.m.req.channel), rows.map((r) => r.m.req.mode),
        rows.map((r) => r.m.receivedAt.toISOString()), rows.map((r) => r.m.req.source ?? null),
      ],
    );
  }

  /**
   * Stores the call's records in order. A reference delivered more than once in one call (an
   * implantation and its follow-up in one file chunk) is applied in memory, each delivery on top of
   * the one before, so the call needs one look-up and one write per table however often a reference
   * repeats; every delivery still gets its own version.
   */
  private async apply(tx: Queryable, members: readonly PreparedDelivery[], touched: Touched): Promise<void> {
    const pending = members.flatMap((m) => m.pending);
    const current = new Map<string, Existing>();
    const keys = [...new Map(pending.map((p) => [p.key, p])).values()];
    const rows = await tx.query<Existing>(
      `SELECT r.* FROM unnest($1::uuid[], $2::text[]) AS k(provider_id, ref)
       JOIN record_refs rr ON rr.provider_id = k.provider_id AND rr.provider_record_ref = k.ref
       JOIN records r ON r.patient_key = rr.patient_key AND r.id = rr.record_id`,
      [keys.map((p) => p.providerId), keys.map((p) => p.item.providerRecordRef)],
    );
    for (const r of rows) current.set(`${r.provider_id}\u0000${r.provider_record_ref}`, r);

    // closesRecordId must name an active implantation in the register (or one this call makes so)
    const closes = [...new Set(pending.map((p) => p.record?.closesRecordId).filter((x): x is string => !!x))];
    const known = new Set<string>();
    if (closes.length > 0) {
      for (const r of await tx.query<{ id: string }>("SELECT id FROM records WHERE id = ANY($1::uuid[]) AND kind = 'implantation' AND status = 'active'", [closes])) known.add(r.id);
    }
    const track = (row: Existing) => (row.kind === 'implantation' && row.status === 'active' ? known.add(row.id) : known.delete(row.id));

    // the row each key ends the call with: a new row (COPY) or a changed existing row (UPDATE)
    const inserts = new Map<string, Record<string, unknown>>();
    const updates = new Map<string, Record<string, unknown>>();
    const refs: unknown[][] = [];
    const versions: Record<string, unknown>[] = [];
    const touchedPseudonyms = touched.pseudonyms;
    const touchedIds = touched.ids;
    const store = (key: string, row: Existing) => {
      current.set(key, row);
      (inserts.has(key) ? inserts : updates).set(key, row);
      track(row);
    };

    for (const m of members) {
      const at = m.receivedAt.toISOString();
      for (const p of m.pending) {
        const old = current.get(p.key);
        const item = p.item;
        const deliveryId = item.deliveryId;
        if (p.withdraw) {
          if (!old) {
            item.errors.push({ severity: 'error', code: 'NOT_FOUND', message: 'there is no record with this providerRecordRef to withdraw', path: '/providerRecordRef' });
            continue;
          }
          item.recordId = old.id;
          item.version = old.version;
          if (old.status === 'withdrawn') {
            item.outcome = 'unchanged';
            continue;
          }
          const row = { ...old, version: old.version + 1, status: 'withdrawn' as const, last_received_at: at };
          store(p.key, row);
          versions.push({ patient_key: old.patient_key, record_id: old.id, version: row.version, delivery_id: deliveryId, action: 'withdraw', received_at: at, late: false, content: { status: 'withdrawn' }, content_hash: old.content_hash });
          item.outcome = 'withdrawn';
          item.version = row.version;
          collectTouched(old, touchedPseudonyms, touchedIds);
          continue;
        }
        const r = p.record!;
        if (r.closesRecordId && !known.has(r.closesRecordId)) {
          item.warnings.push({ severity: 'warning', code: 'CLOSES_UNKNOWN', message: `closesRecordId ${r.closesRecordId} is not an active implantation in the register; stored unlinked`, path: '/closesRecordId' });
        }
        const hash = p.hash!;
        if (old && old.status === 'active' && old.content_hash === hash) {
          item.outcome = 'unchanged';
          item.recordId = old.id;
          item.version = old.version;
          continue;
        }
        const events = newEvents(r, old);
        const deadline = events.length > 0 ? deliveryDeadline(events.reduce((a, b) => (a < b ? a : b))) : undefined;
        const late = events.some((e) => isLate(e, m.receivedAt));
        if (late && deadline) {
          item.warnings.push({ severity: 'warning', code: 'LATE_DELIVERY', message: `delivered after the legal deadline of ${deadline} (one month after the event)`, path: '' });
        }
        const resolved = p.resolved ?? false;
        const content = { ...contentRow(r), implant_type: p.effectiveType ?? r.implantType };
        let row: Existing;
        if (old) {
          row = { ...old, ...content, version: old.version + 1, status: 'active', device_resolved: resolved, content_hash: hash, last_received_at: at };
          collectTouched(old, touchedPseudonyms, touchedIds);
          item.outcome = 'updated';
        } else {
          const id = randomUUID();
          const patientKey = r.patientPseudonym ?? id;
          row = {
            patient_key: patientKey, id, provider_id: p.providerId, provider_record_ref: r.providerRecordRef, version: 1, status: 'active',
            device_resolved: resolved, content_hash: hash, first_received_at: at, last_received_at: at, deadline: deadline ?? null, late, ...content,
          };
          inserts.set(p.key, row);
          refs.push([p.providerId, r.providerRecordRef, id, patientKey]);
          item.outcome = 'created';
        }
        store(p.key, row);
        item.recordId = row.id;
        item.version = row.version;
        collectTouched(row, touchedPseudonyms, touchedIds);
        if (deadline) {
          item.deadline = deadline;
          item.late = late;
        }
        versions.push({ patient_key: row.patient_key, record_id: row.id, version: row.version, delivery_id: deliveryId, action: old ? 'update' : 'create', received_at: at, late, content: versionContent(r), content_hash: hash });
      }
    }

    this.#written += inserts.size + updates.size;
    // New rows go in with COPY (both databases); changed rows with one set-based UPDATE.
    const cols = ALL_COLUMNS.map(([c]) => c);
    if (inserts.size > 0) {
      // a new implantation starts closed by its own explant and death dates; the closure refresh
      // then only writes the rows that something else closes
      const closed = (row: Record<string, unknown>) => (row.kind === 'implantation' ? [row.explant_date ?? null, row.death_date ?? null] : [null, null]);
      const icols = [...cols, 'closed_explant_date', 'closed_death_date'];
      await tx.copyFrom('records', icols, [[...inserts.values()].map((row) => csvLine([...cols.map((c) => row[c]), ...closed(row)])).join('')]);
      await tx.copyFrom('record_refs', ['provider_id', 'provider_record_ref', 'record_id', 'patient_key'], [refs.map((r) => csvLine(r)).join('')]);
    }
    if (updates.size > 0) {
      const set = cols.filter((c) => !['patient_key', 'id'].includes(c));
      await tx.query(
        `UPDATE records r SET (${set.join(', ')}) = (${set.map((c) => `x.${c}`).join(', ')})
         FROM jsonb_to_recordset($1::jsonb) AS ${RECORDSET_TYPE}
         WHERE r.patient_key = x.patient_key AND r.id = x.id`,
        [JSON.stringify([...updates.values()])],
      );
    }
    if (versions.length > 0) {
      const vcols = ['patient_key', 'record_id', 'version', 'delivery_id', 'action', 'received_at', 'late', 'content', 'content_hash'];
      await tx.copyFrom('record_versions', vcols, [versions.map((v) => csvLine(vcols.map((c) => v[c]))).join('')]);
    }
  }

  /** The issues of every item (one COPY), the counts of every delivery (one UPDATE), the audit entries (one INSERT). */
  private async storeIssuesAndCounts(tx: Queryable, members: readonly PreparedDelivery[]): Promise<void> {
    const issueRows: Record<string, unknown>[] = [];
    const perDelivery = new Map<string, ReceiptItem[]>();
    const callerOf = new Map<string, Caller>();
    for (const m of members) for (const p of m.owned) {
      const deliveryId = p.item.deliveryId!;
      const list = perDelivery.get(deliveryId) ?? [];
      list.push(p.item);
      perDelivery.set(deliveryId, list);
      callerOf.set(deliveryId, m.req.caller);
      [...p.item.errors, ...p.item.warnings].forEach((is: Issue, seq) =>
        issueRows.push({ delivery_id: deliveryId, item: p.item.index, seq, provider_record_ref: p.item.providerRecordRef, record_id: p.item.recordId ?? null, severity: is.severity, code: is.code, message: is.message, path: is.path }),
      );
    }
    if (issueRows.length > 0) {
      const icols = ['delivery_id', 'item', 'seq', 'provider_record_ref', 'record_id', 'severity', 'code', 'message', 'path'];
      await tx.copyFrom('delivery_issues', icols, [issueRows.map((r) => csvLine(icols.map((c) => r[c]))).join('')]);
    }
    // The counts of every delivery touched, in one UPDATE.
    const counts = [...perDelivery].map(([deliveryId, list]) => {
      const outcome = (it: ReceiptItem) => (it.errors.length > 0 ? 'rejected' : it.outcome);
      const n = (o: string) => list.filter((it) => outcome(it) === o || (o === 'rejected' && it.outcome === 'rolled-back')).length;
      return [deliveryId, list.length, n('created'), n('updated'), n('unchanged'), n('withdrawn'), n('rejected'), list.reduce((s, it) => s + it.warnings.length, 0)] as const;
    });
    if (counts.length > 0) {
      await tx.query(
        `UPDATE deliveries d SET total = d.total + c.total, created = d.created + c.created, updated = d.updated + c.updated,
           unchanged = d.unchanged + c.unchanged, withdrawn = d.withdrawn + c.withdrawn, rejected = d.rejected + c.rejected, warnings = d.warnings + c.warnings
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
           AS c(id, total, created, updated, unchanged, withdrawn, rejected, warnings)
         WHERE d.id = c.id`,
        counts[0]!.map((_, col) => counts.map((row) => row[col])),
      );
    }
    // NEN 7513: one audit entry per delivery touched, each for its own caller, in the same transaction.
    await appendAudit(
      tx,
      members[0]!.req.caller,
      [...perDelivery].map(([deliveryId, list]) => ({ eventCode: AUDIT_EVENTS.delivery, action: 'C' as const, objectType: 'Delivery', objectId: deliveryId, resultCount: list.length, caller: callerOf.get(deliveryId) })),
    );
  }
}

declare module './receipt.js' {
  interface ReceiptItem {
    /** internal: the delivery this item belongs to */
    deliveryId?: string;
  }
}

class RollBack extends Error {}
class SplitGroup extends Error {}

/** unique_violation, serialization_failure, deadlock_detected: safe to run the transaction again. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === '40001' || code === '40P01';
}

/** The reference of a rejected record, echoed in its (stored) receipt only when it is a valid reference that cannot be patient data. */
function refOf(input: unknown): string | null {
  if (input && typeof input === 'object' && 'providerRecordRef' in input) {
    const v = (input as { providerRecordRef: unknown }).providerRecordRef;
    if (typeof v === 'string' && isProviderRecordRef(v.trim()) && !isBsn(v.trim()) && patientDataIn(v) === null) return v.trim();
  }
  return null;
}

/** Event dates this version reports for the first time; their deadlines decide lateness. */
function newEvents(r: RegisterRecord, old: Existing | undefined): string[] {
  const events: string[] = [];
  if (r.implantDate && !old?.implant_date) events.push(r.implantDate);
  if (r.explantDate && !old?.explant_date) events.push(r.explantDate);
  if (r.deathDate && !old?.death_date) events.push(r.deathDate);
  return events;
}

/** Records (and patients) whose closures the call must recompute when its records are written. */
interface Touched {
  pseudonyms: Set<string>;
  ids: Set<string>;
}

function collectTouched(row: Existing, pseudonyms: Set<string>, ids: Set<string>): void {
  if (typeof row.patient_pseudonym === 'string') pseudonyms.add(row.patient_pseudonym);
  ids.add(row.id);
  for (const c of ['closes_record_id', 'linked_record_id'] as const) if (typeof row[c] === 'string') ids.add(row[c] as string);
}

function versionContent(r: RegisterRecord): Record<string, unknown> {
  const { providerKvk: _k, providerRecordRef: _r, ...content } = r;
  return content;
}
