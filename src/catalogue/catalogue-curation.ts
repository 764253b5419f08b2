// The catalogue curation queue: UDI-DIs that active records reference but the catalogue lacks
// (records.device_resolved = false), most waiting records first. Adding the device to the
// catalogue (lir catalogue import) resolves those records and empties its place in the queue.
// Access policy here, where the data is read: the inspectorate, the registry administrator and
// the operator at the command line; a provider is refused.

import { requireRole, type Caller } from '../auth/caller.js';
import type { Queryable } from '../db/types.js';

export interface UnresolvedDevice {
  udiDi: string;
  /** Issuing agency as the records' UDIs were read (GS1, HIBCC, ICCBBA), when known. */
  issuer: string | null;
  /** Active records waiting for this UDI-DI. */
  records: number;
  /** Care providers that delivered them. */
  providers: number;
  firstImplantDate: string | null;
  lastImplantDate: string | null;
  /** When the register first received one of these records. */
  firstReceivedAt: string;
}

export interface UnresolvedQueue {
  /** UDI-DIs waiting in all (the items are the first `limit`). */
  devices: number;
  /** Records waiting in all. */
  records: number;
  items: UnresolvedDevice[];
}

export const UNRESOLVED_MAX_LIMIT = 1000;

const WAITING = `FROM records r
  WHERE r.device_resolved = false AND r.udi_di IS NOT NULL AND r.status = 'active'
    AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.udi_di = r.udi_di)`;

export async function unresolvedDevices(q: Queryable, caller: Caller, opts: { limit?: number } = {}): Promise<UnresolvedQueue> {
  if (caller.role !== 'operator') requireRole(caller, 'inspector', 'registry-admin');
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? 100)), UNRESOLVED_MAX_LIMIT);
  const items = await q.query<UnresolvedDevice>(
    `SELECT r.udi_di AS "udiDi", min(r.udi_issuer) AS issuer, count(*)::int AS records, count(DISTINCT r.provider_id)::int AS providers,
       min(r.implant_date) AS "firstImplantDate", max(r.implant_date) AS "lastImplantDate", min(r.first_received_at) AS "firstReceivedAt"
     ${WAITING}
     GROUP BY r.udi_di
     ORDER BY count(*) DESC, min(r.first_received_at), r.udi_di
     LIMIT $1`,
    [limit],
  );
  const [totals] = await q.query<{ devices: number; records: number }>(`SELECT count(DISTINCT r.udi_di)::int AS devices, count(*)::int AS records ${WAITING}`);
  return { devices: totals?.devices ?? 0, records: totals?.records ?? 0, items };
}
