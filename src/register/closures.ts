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
  // Only implantations something closes, or that were closed before, are recomputed: most
  // implantations of a delivery have no explantation or death anywhere. The candidate sets are
  // found by index probes on the given arrays (array(...) keeps the planner from hashing the table).
  const changed = await tx.query<{ patient_key: string; id: string; explant: string | null; death: string | null }>(
    `WITH touched AS (
       SELECT i.patient_key, i.id, i.implant_date, i.explant_date, i.death_date, i.patient_pseudonym,
              i.closed_explant_date, i.closed_death_date
       FROM records i
       WHERE i.kind = 'implantation' AND (i.patient_pseudonym = ANY($1::text[]) OR i.id = ANY($2::uuid[]))
     ), dying AS (
       SELECT DISTINCT d.patient_pseudonym FROM records d
       WHERE d.patient_pseudonym = ANY($1::text[]) AND d.status = 'active' AND d.death_date IS NOT NULL
     ), closed AS (
       SELECT DISTINCT coalesce(e.closes_record_id, e.linked_record_id) AS id FROM records e
       WHERE coalesce(e.closes_record_id, e.linked_record_id) = ANY(array(SELECT id FROM touched)) AND e.kind <> 'implantation'
     ), target AS (
       SELECT t.patient_key, t.id, t.implant_date, t.explant_date, t.death_date, t.patient_pseudonym
       FROM touched t
       WHERE t.closed_explant_date IS NOT NULL OR t.closed_death_date IS NOT NULL OR t.explant_date IS NOT NULL OR t.death_date IS NOT NULL
         OR t.patient_pseudonym IN (SELECT patient_pseudonym FROM dying) OR t.id IN (SELECT id FROM closed)
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
     SELECT c.patient_key, c.id, c.explant, c.death FROM computed c JOIN touched t ON t.id = c.id
     WHERE t.closed_explant_date IS DISTINCT FROM c.explant OR t.closed_death_date IS DISTINCT FROM c.death`,
    [pseudonyms, ids],
  );
  // written by primary key from the few rows that changed (a join to \`records\` could be planned as a scan)
  if (changed.length === 0) return;
  await tx.query(
    `UPDATE records r SET closed_explant_date = c.explant, closed_death_date = c.death
     FROM unnest($1::text[], $2::uuid[], $3::date[], $4::date[]) AS c(patient_key, id, explant, death)
     WHERE r.patient_key = c.patient_key AND r.id = c.id`,
    [changed.map((c) => c.patient_key), changed.map((c) => c.id), changed.map((c) => c.explant), changed.map((c) => c.death)],
  );
}
