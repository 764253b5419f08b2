import { describe, it, expect } from 'vitest';
import { DATABASES } from '../helpers/databases.js';

for (const database of DATABASES) {
  describe(`smoke on ${database.name}`, () => {
    it('migrates and types', async () => {
      const db = await database.open();
      const rows = await db.query<{ n: number; d: string; t: string }>("SELECT count(*) AS n, DATE '2024-01-03' AS d, TIMESTAMPTZ '2024-01-03 10:00:00+01' AS t FROM implant_types");
      expect(rows[0]).toEqual({ n: 128, d: '2024-01-03', t: '2024-01-03T09:00:00.000Z' });
      await db.close();
    });
  });
}
