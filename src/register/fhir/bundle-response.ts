// The answer to a delivered Bundle: a transaction-response / batch-response with one entry per
// request entry (status, location, etag, and an OperationOutcome for every problem and warning at
// that entry), or — for a transaction that stored nothing — one OperationOutcome with every issue.
// Pure: built from the translation (bundle-to-records.ts) and the intake receipt.

import type { Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import { LIR_FHIR_BASE, organizationIdOf, patientIdOf } from '../../http/fhir/model.js';
import { dedupeIssues, operationOutcome, statusLine, type FhirIssue } from '../../http/fhir/operation-outcome.js';
import type { ReceiptItem } from '../receipt.js';
import type { TranslatedBundle } from './bundle-to-records.js';

/** Bundle.identifier of a response: the register's delivery (receipt) id, GET /api/v1/deliveries/{id}. */
export const DELIVERY_SYSTEM = `${LIR_FHIR_BASE}/NamingSystem/delivery`;

export interface DeliveredRecord {
  /** The receipt item of a record that went through intake; absent when the translation refused it. */
  item?: ReceiptItem;
}

const isError = (i: FhirIssue) => i.severity === 'error' || i.severity === 'fatal';

const STORED = new Set(['created', 'updated', 'unchanged', 'withdrawn']);

/**
 * @param issuesByEntry every issue located in each entry: the translation's and intake's
 * @param results one per TranslatedBundle.records, in order
 */
export function responseBundle(
  bundle: TranslatedBundle,
  results: readonly DeliveredRecord[],
  issuesByEntry: ReadonlyMap<number, FhirIssue[]>,
  opts: { receivedAt?: string; deliveryIds?: readonly string[] } = {},
): Bundle {
  const recordStatus = (r: number): number => {
    const res = results[r]!;
    if (!res.item) return 400;
    if (res.item.errors.length > 0 || !STORED.has(res.item.outcome)) return 422;
    return res.item.outcome === 'created' ? 201 : 200;
  };
  const stored = (r: number) => recordStatus(r) < 300;

  const entry: BundleEntry[] = bundle.entries.map((plan) => {
    const issues = [...(issuesByEntry.get(plan.index) ?? [])];
    let status: number;
    let location: string | undefined;
    let etag: string | undefined;
    let lastModified: string | undefined;
    const dependencyNote = (entries: number[], what: string) => {
      if (issues.some(isError)) return;
      const list = [...new Set(entries)].filter((e) => e !== plan.index);
      issues.push({
        severity: 'error',
        code: 'business-rule',
        errorCode: 'NOT_STORED',
        diagnostics: `not stored: ${what}${list.length > 0 ? ` (see entr${list.length > 1 ? 'ies' : 'y'} ${list.join(', ')})` : ''}`,
        expression: [`Bundle.entry[${plan.index}].resource`],
      });
    };
    if (plan.refusedStatus) {
      status = plan.refusedStatus;
    } else if (plan.resourceType === 'DeviceUseStatement' && plan.records.length === 1) {
      const r = plan.records[0]!;
      const draft = bundle.records[r]!;
      const item = results[r]!.item;
      status = recordStatus(r);
      if (status === 400) {
        dependencyNote(draft.parts.filter((e) => (issuesByEntry.get(e) ?? []).some(isError)), 'an entry this record is made of was refused');
      } else if (item?.recordId && item.version && status < 300) {
        location = `DeviceUseStatement/${item.recordId}/_history/${item.version}`;
        etag = `W/"${item.version}"`;
        if (item.outcome !== 'unchanged' && opts.receivedAt) lastModified = opts.receivedAt;
      }
    } else if (plan.records.length > 0) {
      const ok = plan.records.filter(stored);
      if (ok.length > 0) {
        const first = results[ok[0]!]!.item!;
        const created = ok.some((r) => recordStatus(r) === 201);
        switch (plan.resourceType) {
          case 'Device':
          case 'Procedure':
            status = created ? 201 : 200;
            location = `${plan.resourceType}/${first.recordId}`;
            break;
          case 'Patient':
            status = 200;
            if (plan.pseudonym) location = `Patient/${patientIdOf(plan.pseudonym)}`;
            break;
          default:
            status = 200;
            if (plan.kvk) location = `Organization/${organizationIdOf(plan.kvk)}`;
        }
      } else {
        status = plan.records.some((r) => recordStatus(r) === 400) ? 400 : 422;
        dependencyNote(
          plan.records.map((r) => bundle.records[r]!.entry),
          `every DeviceUseStatement that uses this ${plan.resourceType ?? 'resource'} was refused`,
        );
      }
    } else {
      // an entry no record uses (the translation explained why)
      status = issues.some(isError) ? 400 : 200;
      if (status === 200 && plan.resourceType === 'Organization' && plan.kvk) location = `Organization/${organizationIdOf(plan.kvk)}`;
      if (status === 200 && plan.resourceType === 'Patient' && plan.pseudonym) location = `Patient/${patientIdOf(plan.pseudonym)}`;
    }
    const unique = dedupeIssues(issues);
    return {
      response: {
        status: statusLine(status),
        ...(location ? { location } : {}),
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
        ...(unique.length > 0 ? { outcome: operationOutcome(unique) } : {}),
      },
    };
  });

  return {
    resourceType: 'Bundle',
    ...(opts.deliveryIds && opts.deliveryIds.length === 1 ? { identifier: { system: DELIVERY_SYSTEM, value: opts.deliveryIds[0]! } } : {}),
    type: bundle.type === 'transaction' ? 'transaction-response' : 'batch-response',
    ...(opts.receivedAt ? { timestamp: opts.receivedAt } : {}),
    entry,
  };
}

/** Every issue of the Bundle in one OperationOutcome (a transaction that stored nothing), in entry order. */
export function bundleOutcome(issuesByEntry: ReadonlyMap<number, FhirIssue[]>): OperationOutcome {
  const all = [...issuesByEntry.entries()].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
  return operationOutcome(dedupeIssues(all));
}
