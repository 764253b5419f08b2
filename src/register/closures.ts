// Explantations and deaths close implantations. The provider may name the implantation
// (same providerRecordRef, or closesRecordId); otherwise the register links an explantation to
// the patient's open implantation of the same UDI-DI (and lot/serial when given), now or later
// when the implantation arrives. `closed_*` columns hold the effective result for queries.

import type { Queryable } from '../db/types.js';

export async function refreshClosures(tx: Queryable, pseudonyms: string[], ids: string[]): Promise<void> {
  if (pseudonyms.length > 0) {
    // (re)link unlinked explantation records of these patients
    await tx.query(
      `UPDATE records e SET linked_record_id = (
         SELECT i.id FROM records i
         WHERE i.patient_pseudonym = e.patient_pseudonym AND i.kind = 'implantation' AND i.status = 'active'
           AND i.udi_di = e.udi_di AND i.implant_date <= e.explant_date
           AND (e.lot IS NULL OR i.lot = e.lot) AND (e.serial IS NULL OR i.serial = e.serial)
         ORDER BY i.implant_date DESC, i.id LIMIT 1)
       WHERE e.patient_pseudonym = ANY($1::text[]) AND e.kind = 'explantation' AND e.status = 'active'
         AND e.closes_record_id IS NULL AND e.udi_di IS NOT NULL`,
      [pseudonyms],
    );
  }
  // One UPDATE on the implantations themselves, no self-join: the rows are found through the
  // pseudonym and id indexes, and each row's values come from index lookups. (A join back to
  // `records` made the planner hash the whole table, a cost that grew with the register.)
  const explant = `LEAST(r.explant_date, (
         SELECT min(e.explant_date) FROM records e
         WHERE coalesce(e.closes_record_id, e.linked_record_id) = r.id AND e.kind <> 'implantation'
           AND e.status = 'active'))`;
  const death = `LEAST(r.death_date, (
         SELECT min(d.death_date) FROM records d
         WHERE d.status = 'active' AND d.death_date IS NOT NULL AND d.death_date >= r.implant_date
           AND ((r.patient_pseudonym IS NOT NULL AND d.patient_pseudonym = r.patient_pseudonym)
                OR (coalesce(d.closes_record_id, d.linked_record_id) = r.id AND d.kind <> 'implantation'))))`;
  await tx.query(
    `UPDATE records r SET closed_explant_date = ${explant}, closed_death_date = ${death}
     WHERE r.kind = 'implantation' AND (r.patient_pseudonym = ANY($1::text[]) OR r.id = ANY($2::uuid[]))
       AND (r.closed_explant_date IS DISTINCT FROM ${explant} OR r.closed_death_date IS DISTINCT FROM ${death})`,
    [pseudonyms, ids],
  );
}
