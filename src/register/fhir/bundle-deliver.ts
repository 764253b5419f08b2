// Delivers one Bundle: translate (bundle-to-records.ts) → the look-ups the translation asks for →
// the one intake pipeline (mode transaction or batch, channel 'fhir') → the FHIR answer
// (bundle-response.ts). Used by POST /fhir/R4 and, line by line, by $deliver-bundles.

import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { requireRole, type Caller } from '../../auth/caller.js';
import { isUuid } from '../../domain/identifiers.js';
import { fromIntakeIssue, type FhirIssue } from '../../http/fhir/operation-outcome.js';
import type { DeliverySession } from '../intake.js';
import type { Receipt, ReceiptCounts, ReceiptItem } from '../receipt.js';
import type { Services } from '../services.js';
import { translateBundle, type RecordDraft, type TranslatedBundle, type Where } from './bundle-to-records.js';
import { bundleOutcome, responseBundle, type DeliveredRecord } from './bundle-response.js';

export interface DeliverBundleOptions {
  /** Several Bundles in one delivery ($deliver-bundles): one receipt per provider for all of them. */
  session?: DeliverySession;
  /** Added to receipt item indexes (records already delivered in the session). */
  indexOffset?: number;
  source?: string;
  maxEntries?: number;
}

export type BundleCounts = ReceiptCounts;

export interface BundleResult {
  /** HTTP status of the answer: 200 with a response Bundle, or 400 / 413 / 422 with an OperationOutcome. */
  status: number;
  resource: Bundle | OperationOutcome;
  /** Records (DeviceUseStatements) of the Bundle and what became of them; translation refusals count as rejected. */
  counts: BundleCounts;
  /** Records sent through intake (the next Bundle's indexOffset in a session). */
  sent: number;
  deliveryIds: string[];
}

const isError = (i: FhirIssue) => i.severity === 'error' || i.severity === 'fatal';

export async function deliverBundle(services: Services, caller: Caller, body: unknown, opts: DeliverBundleOptions = {}): Promise<BundleResult> {
  return (await startBundle(services, caller, body, opts)).result;
}

/** A Bundle translated, checked and handed to the intake's writer; its answer follows when it is stored. */
export interface StartedBundle {
  /** Records sent through intake (the next Bundle's indexOffset in a session). */
  sent: number;
  /** Never rejects unobserved: a caller that does not wait for it leaves no unhandled rejection. */
  result: Promise<BundleResult>;
}

/**
 * Everything of `deliverBundle` up to the write, which is started but not awaited: $deliver-bundles
 * translates the next lines while the intake writes the ones before, together (group commit), in
 * line order.
 */
export async function startBundle(services: Services, caller: Caller, body: unknown, opts: DeliverBundleOptions = {}): Promise<StartedBundle> {
  const done = (r: BundleResult): StartedBundle => ({ sent: r.sent, result: Promise.resolve(r) });
  requireRole(caller, 'provider');
  const translated = translateBundle(body, opts.maxEntries ? { maxEntries: opts.maxEntries } : {});
  if (!translated.ok) {
    return done({ status: translated.status, resource: bundleOutcome(new Map([[0, translated.issues]])), counts: emptyCounts(), sent: 0, deliveryIds: [] });
  }
  const bundle = translated.bundle;
  await lookUp(services, caller, bundle);
  for (const r of bundle.records) r.failed = [r.entry, ...r.parts].some((e) => bundle.entries[e]!.issues.some(isError));

  const issuesByEntry = new Map<number, FhirIssue[]>();
  const add = (entry: number, issue: FhirIssue) => {
    const list = issuesByEntry.get(entry) ?? [];
    list.push(issue);
    issuesByEntry.set(entry, list);
  };
  for (const plan of bundle.entries) for (const is of plan.issues) add(plan.index, is);
  const translationWarnings = bundle.entries.reduce((n, p) => n + p.issues.filter((i) => !isError(i)).length, 0);

  const anyTranslationError = bundle.entries.some((p) => p.issues.some(isError));
  if (bundle.type === 'transaction' && anyTranslationError) {
    const counts = { ...emptyCounts(), total: bundle.records.length, rejected: bundle.records.length, warnings: translationWarnings };
    return done({ status: 400, resource: bundleOutcome(issuesByEntry), counts, sent: 0, deliveryIds: [] });
  }

  const toSend = bundle.records.filter((r) => !r.failed);
  const prepared =
    toSend.length > 0
      ? await services.intake.prepare({
          records: toSend.map((r) => r.input),
          mode: bundle.type,
          channel: 'fhir',
          caller,
          ...(opts.session ? { session: opts.session } : {}),
          ...(opts.indexOffset ? { indexOffset: opts.indexOffset } : {}),
          ...(opts.source ? { source: opts.source } : {}),
        })
      : undefined;
  // stored in call order: the writer queues this call now, before anything else can
  const storing = prepared ? services.intake.store(prepared) : Promise.resolve(undefined);
  const result = storing.then((receipt) => answer(bundle, toSend, receipt, issuesByEntry, add, translationWarnings));
  result.catch(() => undefined);
  return { sent: toSend.length, result };
}

function answer(
  bundle: TranslatedBundle,
  toSend: RecordDraft[],
  receipt: Receipt | undefined,
  issuesByEntry: Map<number, FhirIssue[]>,
  add: (entry: number, issue: FhirIssue) => void,
  translationWarnings: number,
): BundleResult {
  const itemOf = new Map<RecordDraft, ReceiptItem>();
  toSend.forEach((r, k) => itemOf.set(r, receipt!.items[k]!));
  for (const r of toSend) {
    const item = itemOf.get(r)!;
    for (const is of [...item.errors, ...item.warnings]) {
      const w = whereOf(r, is.path);
      add(w.entry, fromIntakeIssue(is, w.expression));
    }
  }
  const results: DeliveredRecord[] = bundle.records.map((r) => (itemOf.has(r) ? { item: itemOf.get(r)! } : {}));
  const counts: BundleCounts = receipt ? { ...receipt.counts } : emptyCounts();
  counts.total += bundle.records.length - toSend.length;
  counts.rejected += bundle.records.length - toSend.length;
  counts.warnings += translationWarnings;
  const deliveryIds = receipt?.deliveryIds ?? [];

  if (bundle.type === 'transaction' && receipt && receipt.counts.rejected > 0) {
    return { status: 422, resource: bundleOutcome(issuesByEntry), counts, sent: toSend.length, deliveryIds };
  }
  const resource = responseBundle(bundle, results, issuesByEntry, { ...(receipt ? { receivedAt: receipt.receivedAt } : {}), deliveryIds });
  return { status: 200, resource, counts, sent: toSend.length, deliveryIds };
}

/** Where a receipt issue (JSON pointer into the record) is in the Bundle. */
function whereOf(r: RecordDraft, path: string): Where {
  const field = path.replace(/^\//, '').split('/')[0] ?? '';
  return r.where.get(field as never) ?? { entry: r.entry, expression: `Bundle.entry[${r.entry}].resource` };
}

function emptyCounts(): BundleCounts {
  return { total: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: 0, warnings: 0 };
}

/**
 * The database look-ups a Bundle needs before intake: the KvK of a provider named by AGB only,
 * and for `PUT DeviceUseStatement/<id>` that the id is the caller's record with this identifier.
 * Problems are added to the entries' issues.
 */
async function lookUp(services: Services, caller: Caller, bundle: TranslatedBundle): Promise<void> {
  const err = (w: Where, code: FhirIssue['code'], errorCode: string, diagnostics: string) =>
    bundle.entries[w.entry]!.issues.push({ severity: 'error', code, errorCode, diagnostics, expression: [w.expression] });

  const byAgb = bundle.records.filter((r) => r.providerAgb);
  if (byAgb.length > 0) {
    const agbs = [...new Set(byAgb.map((r) => r.providerAgb!.agb))];
    const rows = await services.db.query<{ kvk: string; agb: string }>('SELECT kvk, agb FROM providers WHERE agb = ANY($1::text[])', [agbs]);
    for (const r of byAgb) {
      const { agb, where, organizationEntry } = r.providerAgb!;
      const found = rows.filter((p) => p.agb === agb);
      if (found.length === 1) {
        r.input.providerKvk = found[0]!.kvk;
        bundle.entries[organizationEntry]!.kvk ??= found[0]!.kvk;
      } else if (!bundle.entries[where.entry]!.issues.some((i) => i.errorCode === 'UNKNOWN_PROVIDER' && i.expression?.[0] === where.expression)) {
        err(where, 'not-found', 'UNKNOWN_PROVIDER', found.length === 0 ? 'no provider with this AGB code is registered: identify the Organization by its KvK number' : 'this AGB code belongs to more than one registered provider: identify the Organization by its KvK number');
      }
    }
  }

  const byId = bundle.records.filter((r) => r.expectedId);
  if (byId.length > 0 && caller.role === 'provider') {
    const ids = [...new Set(byId.map((r) => r.expectedId!.id.toLowerCase()).filter(isUuid))];
    const rows = ids.length > 0
      ? await services.db.query<{ record_id: string; provider_record_ref: string }>(
          'SELECT record_id::text AS record_id, provider_record_ref FROM record_refs WHERE provider_id = $1 AND record_id = ANY($2::uuid[])',
          [caller.providerId, ids],
        )
      : [];
    const refOf = new Map(rows.map((row) => [row.record_id, row.provider_record_ref]));
    for (const r of byId) {
      const { id, where } = r.expectedId!;
      const ref = refOf.get(id.toLowerCase());
      if (ref === undefined) {
        err(where, 'not-found', 'NOT_FOUND', `there is no DeviceUseStatement/${id} of yours: deliver a new record with POST, or PUT DeviceUseStatement?identifier=<system>|<your reference>`);
      } else if (typeof r.input.providerRecordRef === 'string' && ref !== r.input.providerRecordRef.trim()) {
        err(where, 'conflict', 'ID_MISMATCH', `DeviceUseStatement/${id} is your record with another identifier: a record's identifier never changes`);
      }
    }
  }
}
