import type { Issue } from '../domain/record.js';

export type ItemOutcome = 'created' | 'updated' | 'unchanged' | 'withdrawn' | 'rejected' | 'rolled-back';

export interface ReceiptItem {
  /** 0-based position in the delivery (the CSV line number is added by the file channel). */
  index: number;
  providerRecordRef: string | null;
  outcome: ItemOutcome;
  recordId?: string;
  version?: number;
  /** The delivery deadline of the event this version reports, and whether it was missed. */
  deadline?: string;
  late?: boolean;
  errors: Issue[];
  warnings: Issue[];
}

export interface ReceiptCounts {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  rejected: number;
  warnings: number;
}

export interface Receipt {
  /** One delivery per provider in the submission; usually one. */
  deliveryIds: string[];
  mode: 'transaction' | 'batch';
  status: 'accepted' | 'partially-accepted' | 'rejected';
  receivedAt: string;
  counts: ReceiptCounts;
  items: ReceiptItem[];
}

export function countItems(items: readonly ReceiptItem[]): ReceiptCounts {
  const c: ReceiptCounts = { total: items.length, created: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: 0, warnings: 0 };
  for (const it of items) {
    if (it.outcome === 'rejected' || it.outcome === 'rolled-back') c.rejected++;
    else c[it.outcome]++;
    c.warnings += it.warnings.length;
  }
  return c;
}

export function receiptStatus(c: ReceiptCounts): Receipt['status'] {
  if (c.rejected === 0) return 'accepted';
  return c.rejected === c.total ? 'rejected' : 'partially-accepted';
}
