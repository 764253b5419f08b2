// The generated data passes intake except the deliberately invalid rows: records.csv through the
// real file import (`lir import`), and FHIR Bundles through POST /fhir/R4, on every test database.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { servicesFor } from '../../src/register/services.js';
import { importFile } from '../../src/register/file-import.js';
import { buildApp } from '../../src/http/app.js';
import { bundlePoster } from './post-bundle.js';
import { createNationalModel } from '../../src/sim/national/index.js';
import { recordLine, RECORDS_HEADER } from '../../src/sim/national/csv.js';
import { recordBundle } from '../../src/sim/national/fhir.js';
import { loadReferenceData } from '../../src/sim/national/load.js';

const NOW = () => new Date('2026-11-20T10:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'lir-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DATABASES)('generated data through intake on $name', (database) => {
  it('imports records.csv: the rejected rows are exactly the rows marked invalid', async () => {
    const model = createNationalModel({ seed: 11, records: 3000, invalidShare: 0.03, scenarios: [{ name: 'problem-device' }, { name: 'bad-lot' }, { name: 'poor-technique' }] });
    let csv = RECORDS_HEADER;
    const invalidLines: number[] = [];
    let line = 1;
    for (const r of model.records()) {
      line++;
      csv += recordLine(r.record);
      if (r.invalid !== null) invalidLines.push(line);
    }
    expect(invalidLines.length).toBeGreaterThan(30);
    const file = join(dir, `records-${database.name}.csv`);
    writeFileSync(file, csv);

    const db = await database.open();
    try {
      const services = await servicesFor(db, NOW);
      await loadReferenceData(db, model.providers, model.devices);
      const summary = await importFile(services, file, { now: NOW, chunkSize: 500 });
      const receipt = readFileSync(summary.receiptPath, 'utf8').trim().split('\n').slice(1);
      const errorLines = [...new Set(receipt.filter((l) => l.split(',')[3] === 'error').map((l) => Number(l.split(',')[0])))].sort((a, b) => a - b);
      expect(errorLines).toEqual(invalidLines);
      expect(summary.rejected).toBe(invalidLines.length);
      expect(summary.rows).toBe(3000);
      expect(summary.created + summary.updated + summary.withdrawn + summary.unchanged).toBe(3000 - invalidLines.length);
      expect(summary.withdrawn).toBe(model.stats().byKind.withdrawal);
      expect(summary.unchanged).toBe(0);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('delivers the FHIR Bundles of a sample through POST /fhir/R4', async () => {
    const model = createNationalModel({ seed: 12, records: 1000 });
    const db = await database.open();
    try {
      const services = await servicesFor(db, NOW);
      await loadReferenceData(db, model.providers, model.devices);
      const app = await buildApp(services);
      const post = bundlePoster(app, db);
      const statuses: number[] = [];
      let n = 0;
      for (const r of model.records()) {
        if (r.invalid !== null) continue;
        if (++n > 120) break;
        const kvk = String(r.record.providerKvk);
        const res = await post(kvk, recordBundle(r.record, n));
        if (res.statusCode !== 200) throw new Error(`bundle ${n} (${JSON.stringify(r.record)}): ${res.statusCode} ${res.body}`);
        statuses.push(res.statusCode);
      }
      expect(statuses.length).toBe(120);
      const [row] = await db.query<{ count: string }>('SELECT count(DISTINCT id)::text AS count FROM records');
      expect(Number(row!.count)).toBeGreaterThan(60);
      await app.close();
    } finally {
      await db.close();
    }
  }, 120_000);
});
