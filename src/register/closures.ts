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
  await tx.query(
    `WITH target AS (
       SELECT i.patient_key, i.id, i.implant_date, i.explant_date, i.death_date, i.patient_pseudonym
       FROM records i
       WHERE i.kind = 'implantation' AND (i.patient_pseudonym = ANY($1::text[]) OR i.id = ANY($2::uuid[]))
     ), computed AS (
       SELECT t.patient_key, t.id,
         LEAST(t.explant_date, (
           SELECT min(e.explant_date) FROM records e
           WHERE coalesce(e.closes_record_id, e.linked_record_id) = t.id AND e.kind <> 'implantation'
             AND e.status = 'active')) AS explant,
         LEAST(t.death_date, (
           SELECT min(d.death_date) FROM records d
           WHERE d.status = 'active' AND d.death_date IS NOT NULL AND d.death_date >= t.implant_date
             AND ((t.patient_pseudonym IS NOT NULL AND d.patient_pseudonym = t.patient_pseudonym)
                  OR (coalesce(d.closes_record_id, d.linked_record_id) = t.id AND d.kind <> 'implantation')))) AS death
       FROM target t
     )
     UPDATE records r SET closed_explant_date = c.explant, closed_death_date = c.death
     FROM computed c
     WHERE r.patient_key = c.patient_key AND r.id = c.id
       AND (r.closed_explant_date IS DISTINCT FROM c.explant OR r.closed_death_date IS DISTINCT FROM c.death)`,
    [pseudonyms, ids],
  );
}
